/**
 * Project memberships the host manages through its own code rather than through SCIM: a
 * hand-added member with any of the model's project roles. SCIM neither sees nor removes them (see
 * `ProjectStore` and `MemberSource`), so an IdP's push (Okta's `replace members []`, a PUT) leaves
 * them in place; a membership both the IdP and the host manage exists while either holds it.
 *
 * The change feed: `add` emits one `member.added` per membership the host starts managing and
 * `remove` one `member.removed` per membership it stops managing, with the system actor (a library
 * call has no request) and the project's version. These events mean "the host's management
 * changed", like SCIM's mean "SCIM's management changed": a member both manage is added twice and
 * removed twice, and a consumer that needs who is a member at all reads {@link MembershipsShape.list}.
 * Host changes are invisible to SCIM, so the project's `meta.version` never moves for them. A role
 * change ({@link MembershipsShape.setRole}, or `add` giving an existing member another role) emits
 * `member.roleChanged`. The `after` hooks
 * run for the events; the `before` member hooks are SCIM's and do not.
 */
import * as Context from "effect/Context"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { systemActor } from "../domain/ChangeEvent.js"
import * as DomainModel from "../domain/DomainModel.js"
import {
  type ManagedMember,
  Membership,
  type PlatformId,
  ProjectId,
  type ProjectRole,
  UserId
} from "../domain/Model.js"
import { InvalidValue, ResourceNotFound, type StoreError } from "../errors/ScimError.js"
import * as Changes from "../internal/service/changes.js"
import * as Write from "../internal/service/write.js"
import { EventStore } from "../ports/EventStore.js"
import { ProjectStore } from "../ports/ProjectStore.js"
import { Transactions } from "../ports/Transactions.js"
import { UserStore } from "../ports/UserStore.js"
import { ScimOptions } from "../ScimOptions.js"
import * as Hooks from "./Hooks.js"

/** A membership the host asks for: a user and one of the model's project roles. */
export interface MemberRequest {
  readonly userId: string
  readonly role: string
}

export interface MembershipsShape {
  /**
   * Makes the host manage each given membership with the given role (a membership SCIM already
   * manages takes that role too). Every user must exist (`InvalidValue` naming the others) and
   * every role be a project role (`InvalidValue`); the project must exist (`ResourceNotFound`).
   * Returns the memberships the host did not manage before, as stored.
   */
  readonly add: (
    platform: PlatformId,
    projectId: string,
    members: ReadonlyArray<MemberRequest>
  ) => Effect.Effect<ReadonlyArray<Membership>, ResourceNotFound | InvalidValue | StoreError>
  /**
   * Stops the host managing these users' memberships (one SCIM also manages stays, with its role);
   * the memberships it managed, as they were. Users it did not manage are ignored.
   */
  readonly remove: (
    platform: PlatformId,
    projectId: string,
    userIds: ReadonlyArray<string>
  ) => Effect.Effect<ReadonlyArray<Membership>, ResourceNotFound | StoreError>
  /** Sets the role of an existing membership, whoever manages it; `ResourceNotFound` when there is none. */
  readonly setRole: (
    platform: PlatformId,
    projectId: string,
    userId: string,
    role: string
  ) => Effect.Effect<Membership, ResourceNotFound | InvalidValue | StoreError>
  /** Every member of the project, whoever manages the membership, userId ascending. */
  readonly list: (
    platform: PlatformId,
    projectId: string
  ) => Effect.Effect<ReadonlyArray<ManagedMember>, ResourceNotFound | StoreError>
}

/** Host-managed project memberships: the key of the service. */
export class Memberships extends Context.Service<Memberships, MembershipsShape>()("@scimkit/core/Memberships") {}

/** What the service needs. */
export type Requirements = ProjectStore | UserStore | EventStore | Transactions | ScimOptions

/** How many unknown ids an error names before it summarises the rest: a readable message, not a tuning. */
const namedIdsLimit = 20

export const make: Effect.Effect<MembershipsShape, never, Requirements> = Effect.gen(function*() {
  const projects = yield* ProjectStore
  const users = yield* UserStore
  const events = yield* EventStore
  const transactions = yield* Transactions
  const options = yield* ScimOptions
  const hooks = yield* Effect.serviceOption(Hooks.Hooks)

  const roleOf = (role: string): Effect.Effect<ProjectRole, InvalidValue> =>
    Option.match(DomainModel.projectRole(options.model, role), {
      onSome: (canonical) => Effect.succeed(canonical),
      onNone: () =>
        Effect.fail(
          new InvalidValue({
            attribute: "role",
            detail: `${JSON.stringify(role)} is not a project role; use one of ${
              options.model.projectRoles.values.join(", ")
            }`
          })
        )
    })

  // a library call: no request, so the system actor
  const contextOf = (platform: PlatformId) =>
    Effect.map(DateTime.now, (at) => Changes.writeContext({ platform, actor: systemActor }, at))

  const add = Effect.fn("Memberships.add")(function*(
    platform: PlatformId,
    projectId: string,
    members: ReadonlyArray<MemberRequest>
  ) {
    yield* Write.checkId("Group", projectId)
    const wanted = new Map<UserId, ProjectRole>()
    for (const member of members) {
      if (!wanted.has(UserId.make(member.userId))) wanted.set(UserId.make(member.userId), yield* roleOf(member.role))
    }
    const { notices, result } = yield* Changes.transact(
      transactions,
      events,
      Effect.gen(function*() {
        const project = yield* projects.get(platform, ProjectId.make(projectId))
        if (wanted.size === 0) return { result: [], emitted: [] }
        const found = new Set<string>((yield* users.getMany(platform, [...wanted.keys()])).map((u) => u.id))
        const missing = [...wanted.keys()].filter((id) => !found.has(id))
        if (missing.length > 0) {
          const named = missing.slice(0, namedIdsLimit).map((id) => JSON.stringify(id)).join(", ")
          const more = missing.length > namedIdsLimit ? ` and ${missing.length - namedIdsLimit} more` : ""
          return yield* new InvalidValue({
            attribute: "userId",
            detail: `${named}${more} ${missing.length === 1 ? "is not a user" : "are not users"} of this platform; ` +
              `nothing was added`
          })
        }
        const requested = [...wanted].map(([userId, role]) => new Membership({ userId, role }, { disableChecks: true }))
        // the roles before this call: a host call, not a request path, so one read of the members is fine
        const previous = new Map((yield* projects.listAllMembers(platform, project.id)).map((m) => [m.userId, m.role]))
        const added = yield* projects.addMembers(platform, project.id, requested, "host")
        // the host's role wins over the one an existing membership had
        const roleChanges: Array<{ readonly before: Membership; readonly after: Membership }> = []
        for (const membership of requested) {
          const was = previous.get(membership.userId)
          if (was !== undefined && was !== membership.role) {
            yield* projects.setRole(platform, project.id, membership.userId, membership.role)
            roleChanges.push({
              before: new Membership({ userId: membership.userId, role: was }, { disableChecks: true }),
              after: membership
            })
          }
        }
        const wantedRole = (m: Membership) =>
          new Membership({ userId: m.userId, role: wanted.get(m.userId) ?? m.role }, { disableChecks: true })
        const result = added.map(wantedRole)
        const context = yield* contextOf(platform)
        return {
          result,
          emitted: [
            ...Changes.memberEvents(context, project, result, []),
            ...Changes.roleEvents(context, project, roleChanges)
          ]
        }
      })
    )
    yield* Changes.notify(hooks, notices)
    return result
  })

  const remove = Effect.fn("Memberships.remove")(function*(
    platform: PlatformId,
    projectId: string,
    userIds: ReadonlyArray<string>
  ) {
    yield* Write.checkId("Group", projectId)
    const { notices, result } = yield* Changes.transact(
      transactions,
      events,
      Effect.gen(function*() {
        const project = yield* projects.get(platform, ProjectId.make(projectId))
        if (userIds.length === 0) return { result: [], emitted: [] }
        const removed = yield* projects.removeMembers(
          platform,
          project.id,
          [...new Set(userIds)].map((id) => UserId.make(id)),
          "host"
        )
        return { result: removed, emitted: Changes.memberEvents(yield* contextOf(platform), project, [], removed) }
      })
    )
    yield* Changes.notify(hooks, notices)
    return result
  })

  const setRole = Effect.fn("Memberships.setRole")(function*(
    platform: PlatformId,
    projectId: string,
    userId: string,
    role: string
  ) {
    yield* Write.checkId("Group", projectId)
    const canonical = yield* roleOf(role)
    const { notices, result } = yield* Changes.transact(
      transactions,
      events,
      Effect.gen(function*() {
        const project = yield* projects.get(platform, ProjectId.make(projectId))
        const was = (yield* projects.listAllMembers(platform, project.id)).find((m) => m.userId === userId)
        const changed = yield* projects.setRole(platform, project.id, UserId.make(userId), canonical)
        if (Option.isNone(changed) || was === undefined) {
          return yield* new ResourceNotFound({ resourceType: "Membership", id: `${projectId}/${userId}` })
        }
        const emitted = was.role === changed.value.role ?
          [] :
          Changes.roleEvents(yield* contextOf(platform), project, [{
            before: new Membership({ userId: was.userId, role: was.role }, { disableChecks: true }),
            after: changed.value
          }])
        return { result: changed.value, emitted }
      })
    )
    yield* Changes.notify(hooks, notices)
    return result
  })

  const list = Effect.fn("Memberships.list")(function*(platform: PlatformId, projectId: string) {
    yield* Write.checkId("Group", projectId)
    const project = yield* projects.get(platform, ProjectId.make(projectId))
    return yield* projects.listAllMembers(platform, project.id)
  })

  return { add, remove, setRole, list }
})

export const layer: Layer.Layer<Memberships, never, Requirements> = Layer.effect(Memberships, make)
