/**
 * SCIM Groups, which are the platform's projects (RFC 7644 §3.3–§3.6). `displayName` is the
 * project's name, unique per platform regardless of case; members live in their own relation and
 * each member added through SCIM gets the configured default project role (re-added members keep
 * theirs). Member ids that are not users of the platform fail the whole request. Every change —
 * to the document or to the members — bumps `meta.version` in the same transaction.
 *
 * Members SCIM adds are SCIM-managed: SCIM sees and changes only those (a group's `members`, a PUT,
 * Okta's `replace members []`, Entra's remove-by-value), so members the host manages through
 * `Memberships` survive any push from the IdP. A member removed and added again in one request
 * keeps its role and is no change. Each write is one transaction: the checks, the `before` hooks
 * (`Hooks`), the writes and, last, the change feed's events (`ChangeEvent`). `projectUpdating`
 * runs only when the group's document changes; the member hooks run after the membership steps
 * inside the transaction (a veto rolls them back) and see the net change. The `after` hooks run
 * once it has committed.
 */
import * as Context from "effect/Context"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Result from "effect/Result"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type { CompatibilityProfile, Json, JsonObject, Platform, PlatformId, ProjectRole } from "../domain/Model.js"
import { Membership, ProjectId, StoredProject, UserId } from "../domain/Model.js"
import { InvalidValue } from "../errors/ScimError.js"
import type { Filter as FilterAst } from "../filter/Ast.js"
import * as Filter from "../filter/Filter.js"
import * as Columns from "../internal/service/columns.js"
import * as Changes from "../internal/service/changes.js"
import * as Keys from "../internal/service/keys.js"
import * as ListFlow from "../internal/service/list.js"
import * as Write from "../internal/service/write.js"
import * as Trace from "../internal/service/trace.js"
import * as MemberPlan from "../patch/MemberPlan.js"
import * as Patch from "../patch/Patch.js"
import * as Replace from "../patch/Replace.js"
import { EventStore } from "../ports/EventStore.js"
import { PlatformStore } from "../ports/PlatformStore.js"
import { ProjectStore } from "../ports/ProjectStore.js"
import { Transactions } from "../ports/Transactions.js"
import { UserStore } from "../ports/UserStore.js"
import type { ListRequest } from "../query/ListRequest.js"
import type * as Projection from "../query/Projection.js"
import type { AttributeDef } from "../schema/Attribute.js"
import { findAttribute } from "../schema/Attribute.js"
import { isObject } from "../schema/Document.js"
import * as Resource from "../schema/Resource.js"
import { GroupResourceType } from "../schema/Schemas.js"
import * as Version from "../schema/Version.js"
import * as Crypto from "../Crypto.js"
import { ScimOptions } from "../ScimOptions.js"
import * as Hooks from "./Hooks.js"
import * as Render from "./Render.js"
import type { RequestScope, ResourceApi } from "./ResourceApi.js"

/** SCIM Groups, which are the platform's projects: the key of the service. */
export class Projects extends Context.Service<Projects, ResourceApi>()("@scimkit/core/Projects") {}

const rt = GroupResourceType

/** How many unknown ids an error detail names before it summarises the rest: a readable message, not a tuning. */
const namedIdsLimit = 20

/** Splits `members` out of a normalized group document (members are a relation, never stored in it). */
const splitMembers = (
  document: JsonObject
): { readonly document: JsonObject; readonly members: ReadonlyArray<Json> } => {
  const { members, ...rest } = document
  return { document: rest, members: Array.isArray(members) ? members : [] }
}

/** The distinct user ids of a `members` value (each element `{value, …}`). */
const memberIds = (members: ReadonlyArray<Json>): Result.Result<ReadonlyArray<string>, InvalidValue> => {
  const ids = new Set<string>()
  for (const member of members) {
    const value = isObject(member) ? member.value : undefined
    if (typeof value !== "string" || value.trim() === "") {
      return Result.fail(
        new InvalidValue({
          attribute: "members.value",
          detail: `every member needs a "value": the id of the user, like {"value": "2819c223-…"}; got ${
            JSON.stringify(member)
          }`
        })
      )
    }
    ids.add(value)
  }
  return Result.succeed([...ids])
}

const unknownMembers = (missing: ReadonlyArray<string>): InvalidValue => {
  const named = missing.slice(0, namedIdsLimit).map((id) => JSON.stringify(id)).join(", ")
  const more = missing.length > namedIdsLimit ? ` and ${missing.length - namedIdsLimit} more` : ""
  return new InvalidValue({
    attribute: "members",
    detail:
      `${missing.length === 1 ? "Member" : "Members"} ${named}${more} ${missing.length === 1 ? "is" : "are"} not ` +
      `${
        missing.length === 1 ? "a user" : "users"
      } of this platform; provision the users first (POST /Users) or leave them out. ` +
      `Nothing of this request was applied`
  })
}

/** The steps' members that must be users, for one validation before anything is written. */
const idsToValidate = (steps: ReadonlyArray<MemberPlan.MemberStep>): ReadonlyArray<string> =>
  steps.flatMap((step) => step._tag === "Add" || step._tag === "Set" ? step.members.map((m) => m.value) : [])

const membersDef: AttributeDef = findAttribute(rt.schema, "members")!

/** What the service needs: the stores it writes, the options and the crypto services. */
export type Requirements =
  | ProjectStore
  | UserStore
  | PlatformStore
  | EventStore
  | Transactions
  | ScimOptions
  | Crypto.Services

export const make: Effect.Effect<ResourceApi, never, Requirements> = Effect.gen(function*() {
  const store = yield* ProjectStore
  const users = yield* UserStore
  const platforms = yield* PlatformStore
  const events = yield* EventStore
  const transactions = yield* Transactions
  const options = yield* ScimOptions
  const crypto = yield* Crypto.bind
  // optional, so that the layer's requirements stay the stores' (without it no hook runs)
  const hooks = yield* Effect.serviceOption(Hooks.Hooks)
  const before = Changes.beforeHooks(hooks)
  // signs the cursors of platforms without a secret of their own: valid as long as this process runs
  const fallbackCursorSecret = yield* Keys.randomSecret(crypto)

  const render = (scope: RequestScope, project: StoredProject, projection: Projection.Projection, withMembers = true) =>
    Effect.flatMap(
      Effect.provideService(Render.project(scope, project, projection, withMembers), ProjectStore, store),
      (result) => Write.checkServed("Group", project.id, result, options)
    )

  /** The platform's compatibility profile (read only when a request needs a quirk). */
  const loadProfile = (scope: RequestScope) =>
    Effect.map(Write.loadPlatform(platforms, scope.platform), (platform) => Write.profileOf(platform, options))

  const parseProjection = (
    scope: RequestScope,
    operation: string,
    projection: Projection.ProjectionRequest | undefined
  ) => ListFlow.parseProjection(rt, scope.platform, projection ?? {}, loadProfile(scope), operation)

  /** Checks that every id is a user of the platform: `InvalidValue` naming the others. */
  const validateUsers = (platform: PlatformId, ids: ReadonlyArray<string>) =>
    Effect.gen(function*() {
      if (ids.length === 0) return [] as ReadonlyArray<UserId>
      const distinct = [...new Set(ids)]
      const found = new Set<string>(
        (yield* users.getMany(platform, distinct.map((id) => UserId.make(id)))).map((u) => u.id)
      )
      const missing = distinct.filter((id) => !found.has(id))
      if (missing.length > 0) return yield* unknownMembers(missing)
      return distinct.map((id) => UserId.make(id))
    })

  const memberships = (ids: ReadonlyArray<UserId>): ReadonlyArray<Membership> =>
    ids.map((userId) => new Membership({ userId, role: options.defaultProjectRole }, { disableChecks: true }))

  // Everything SCIM does to members is SCIM-managed: host-managed memberships are neither seen nor removed.

  /** Adds the users that are not SCIM-managed members yet (members already there keep their role). */
  const addMembers = (
    platform: PlatformId,
    id: ProjectId,
    ids: ReadonlyArray<UserId>,
    changes: Changes.MemberChanges
  ) =>
    ids.length === 0
      ? Effect.void
      : Effect.map(store.addMembers(platform, id, memberships(ids), "scim"), (added) => changes.added(added))

  const removeMembers = (
    platform: PlatformId,
    id: ProjectId,
    ids: ReadonlyArray<UserId>,
    changes: Changes.MemberChanges
  ) =>
    ids.length === 0
      ? Effect.void
      : Effect.map(store.removeMembers(platform, id, ids, "scim"), (removed) => changes.removed(removed))

  /** Makes the SCIM-managed member list exactly `ids`. */
  const setMembers = (
    platform: PlatformId,
    id: ProjectId,
    ids: ReadonlyArray<UserId>,
    changes: Changes.MemberChanges
  ) =>
    Effect.gen(function*() {
      const desired = new Set<string>(ids)
      const current = (yield* store.listMembers(platform, id)).map((m) => m.userId)
      const have = new Set<string>(current)
      yield* removeMembers(platform, id, current.filter((user) => !desired.has(user)), changes)
      yield* addMembers(platform, id, ids.filter((user) => !have.has(user)), changes)
    })

  const removeWhere = (scope: RequestScope, id: ProjectId, filter: FilterAst, changes: Changes.MemberChanges) =>
    Effect.gen(function*() {
      const matches = yield* Effect.fromResult(Filter.compileElement(rt, membersDef, filter))
      const members = yield* store.listMembers(scope.platform, id)
      const matching = members
        .filter((view) => matches(Render.member(scope.baseUrl, view)))
        .map((view) => view.userId)
      yield* removeMembers(scope.platform, id, matching, changes)
    })

  /** Runs the membership steps in request order, recording what they changed. */
  const runSteps = (
    scope: RequestScope,
    id: ProjectId,
    steps: ReadonlyArray<MemberPlan.MemberStep>,
    changes: Changes.MemberChanges
  ) =>
    Effect.forEach(steps, (step) => {
      const ids = (values: ReadonlyArray<string>) => values.map((value) => UserId.make(value))
      switch (step._tag) {
        case "Add":
          return addMembers(scope.platform, id, ids(step.members.map((m) => m.value)), changes)
        case "Remove":
          return removeMembers(scope.platform, id, ids(step.ids), changes)
        case "RemoveAll":
          return Effect.map(store.removeAllMembers(scope.platform, id, "scim"), (removed) => changes.removed(removed))
        case "Set":
          return setMembers(scope.platform, id, ids(step.members.map((m) => m.value)), changes)
        case "RemoveWhere":
          return removeWhere(scope, id, step.filter, changes)
      }
    }, { discard: true })

  /**
   * Settles the memberships a write's steps changed, still inside its transaction: a member removed
   * and added again gets its role back (nothing changed for it), then the `before` member hooks see
   * the members that went and the ones that appeared (a veto rolls the whole write back; new roles
   * are set). Returns the memberships that went and appeared, as stored.
   */
  const settleMembers = (
    context: Changes.WriteContext,
    project: StoredProject,
    changes: Changes.MemberChanges
  ) =>
    Effect.gen(function*() {
      const net = changes.net
      for (const { was } of net.readded) yield* store.setRole(context.platform, project.id, was.userId, was.role)
      if (net.removed.length > 0 && before.membersRemoving !== undefined) {
        yield* before.membersRemoving(Changes.hookContext(context), { project, members: net.removed })
      }
      let added = net.added
      if (added.length > 0 && before.membersAdding !== undefined) {
        const answer = yield* before.membersAdding(Changes.hookContext(context), { project, members: added })
        if (answer !== undefined) {
          const roles = new Map<string, ProjectRole>(answer.map((m) => [m.userId, m.role]))
          added = yield* Effect.forEach(added, (m) => {
            const role = roles.get(m.userId)
            return role === undefined || role === m.role
              ? Effect.succeed(m)
              : Effect.as(
                store.setRole(context.platform, project.id, m.userId, role),
                new Membership({ userId: m.userId, role }, { disableChecks: true })
              )
          })
        }
      }
      return { added, removed: net.removed }
    })

  /** The events of a write that changed `project` to `next` (same document: only members) and its members. */
  const emitted = (
    context: Changes.WriteContext,
    project: StoredProject,
    next: StoredProject,
    members: { readonly added: ReadonlyArray<Membership>; readonly removed: ReadonlyArray<Membership> }
  ): ReadonlyArray<Changes.Emitted> => [
    ...Changes.projectEvents(context, project, next),
    ...Changes.memberEvents(context, next, members.added, members.removed)
  ]

  const changedMembers = (
    members: { readonly added: ReadonlyArray<Membership>; readonly removed: ReadonlyArray<Membership> }
  ) => members.added.length > 0 || members.removed.length > 0

  const nextProject = (current: StoredProject, document: JsonObject, now: DateTime.Utc) =>
    Effect.map(Effect.fromResult(Columns.projectColumns(document)), (columns) =>
      new StoredProject({
        ...columns,
        id: current.id,
        document,
        version: current.version + 1,
        created: current.created,
        lastModified: now
      }, { disableChecks: true }))

  /**
   * The project a `before` hook adjusted, checked as a client's document would be (the body limits,
   * the schema, the columns; `members` are not the document's and are dropped); `next` itself when
   * the hook kept it.
   */
  const adjusted = (
    next: StoredProject,
    adjustment: Hooks.Adjusted,
    profile: CompatibilityProfile
  ) =>
    adjustment === undefined
      ? Effect.succeed(next)
      : Effect.gen(function*() {
        yield* Write.checkBody(adjustment, options)
        const validated = yield* Effect.fromResult(Resource.validate(rt, adjustment, { profile }))
        const { document } = splitMembers(validated)
        const columns = yield* Effect.fromResult(Columns.projectColumns(document))
        return new StoredProject({ ...next, ...columns, document }, { disableChecks: true })
      })

  /** The document change of an update, through the `projectUpdating` hook when the document changes. */
  const updatedDocument = (
    context: Changes.WriteContext,
    current: StoredProject,
    proposed: StoredProject,
    profile: CompatibilityProfile
  ) =>
    Write.sameJson(current.document, proposed.document) || before.projectUpdating === undefined
      ? Effect.succeed(proposed)
      : Effect.flatMap(
        before.projectUpdating(Changes.hookContext(context), { before: current, after: proposed }),
        (adjustment) => adjusted(proposed, adjustment, profile)
      )

  const create = Effect.fnUntraced(
    function*(scope: RequestScope, body: unknown, projection?: Projection.ProjectionRequest) {
      yield* Write.checkBody(body, options)
      const selected = yield* parseProjection(scope, "Projects.create", projection)
      const platform = yield* Write.loadPlatform(platforms, scope.platform)
      const profile = Write.profileOf(platform, options)
      const normalized = yield* Effect.fromResult(Resource.normalize(rt, body, { profile }))
      yield* Write.logQuirks("Projects.create", normalized.quirks, { platform: scope.platform, profile })
      const { document, members } = splitMembers(normalized.document)
      const columns = yield* Effect.fromResult(Columns.projectColumns(document))
      const ids = yield* validateUsers(scope.platform, yield* Effect.fromResult(memberIds(members)))
      const now = yield* DateTime.now
      const project = new StoredProject({
        ...columns,
        id: ProjectId.make(yield* crypto.randomUUID),
        document,
        version: 1,
        created: now,
        lastModified: now
      }, { disableChecks: true })
      const context = Changes.writeContext(scope, now)
      const { notices, result: inserted } = yield* Changes.transact(
        transactions,
        events,
        Effect.gen(function*() {
          const next = before.projectCreating === undefined ? project : yield* Effect.flatMap(
            before.projectCreating(Changes.hookContext(context), project),
            (adjustment) => adjusted(project, adjustment, profile)
          )
          const stored = yield* store.insert(scope.platform, next)
          const changes = new Changes.MemberChanges()
          yield* addMembers(scope.platform, stored.id, ids, changes)
          const members = yield* settleMembers(context, stored, changes)
          return {
            result: stored,
            emitted: [
              ...Changes.projectEvents(context, undefined, stored),
              ...Changes.memberEvents(context, stored, members.added, members.removed)
            ]
          }
        })
      )
      yield* Changes.notify(hooks, notices)
      return yield* render(scope, inserted, selected)
    }
  )

  const get = Effect.fnUntraced(function*(scope: RequestScope, id: string, projection?: Projection.ProjectionRequest) {
    yield* Write.checkId("Group", id)
    const selected = yield* parseProjection(scope, "Projects.get", projection)
    const project = yield* store.get(scope.platform, ProjectId.make(id))
    return yield* render(scope, project, selected)
  })

  const list = Effect.fnUntraced(function*(scope: RequestScope, request: ListRequest) {
    return yield* ListFlow.list(scope, request, options, {
      rt,
      query: store.query,
      resourceOf: (project) => Render.projectResource(project, scope.baseUrl, Option.none()),
      renderPage: (items, projection) =>
        ListFlow.renderEach(
          items,
          (project) => Effect.map(render(scope, project, projection), (result) => result.resource)
        ),
      profile: loadProfile(scope),
      operation: "Projects.list",
      mac: crypto.mac,
      cursorSecret: Effect.map(
        Write.loadPlatform(platforms, scope.platform),
        (platform) => Write.cursorSecretOf(platform, options, fallbackCursorSecret)
      )
    })
  })

  /**
   * Writes an update whose memberships the steps already changed: the document (version + 1,
   * conditional on the version read) when it or the SCIM-visible members changed, and its events;
   * nothing when neither did.
   */
  const finishUpdate = (
    context: Changes.WriteContext,
    current: StoredProject,
    next: StoredProject,
    changes: Changes.MemberChanges
  ) =>
    Effect.gen(function*() {
      const members = yield* settleMembers(context, current, changes)
      if (!changedMembers(members) && Write.sameJson(current.document, next.document)) {
        return { result: current, emitted: [] }
      }
      const written = yield* store.update(context.platform, next, current.version)
      return { result: written, emitted: emitted(context, current, written, members) }
    })

  const replace = Effect.fnUntraced(function*(
    scope: RequestScope,
    id: string,
    body: unknown,
    ifMatch: Option.Option<string>,
    projection?: Projection.ProjectionRequest
  ) {
    yield* Write.checkId("Group", id)
    yield* Write.checkBody(body, options)
    const selected = yield* parseProjection(scope, "Projects.replace", projection)
    const platform: Option.Option<Platform> = yield* Write.loadPlatform(platforms, scope.platform)
    const profile = Write.profileOf(platform, options)
    const { notices, result: project } = yield* Write.retryOnConflict(
      ifMatch,
      Changes.transact(
        transactions,
        events,
        Effect.gen(function*() {
          const current = yield* store.get(scope.platform, ProjectId.make(id))
          yield* Effect.fromResult(Version.check(ifMatch, "Group", current.id, current.version))
          const replaced = yield* Effect.fromResult(Replace.apply(rt, current.document, body, { profile }))
          yield* Write.logQuirks("Projects.replace", replaced.quirks, { platform: scope.platform, profile })
          const { document, members } = splitMembers(replaced.document)
          const ids = yield* validateUsers(scope.platform, yield* Effect.fromResult(memberIds(members)))
          const context = Changes.writeContext(scope, yield* DateTime.now)
          const next = yield* updatedDocument(
            context,
            current,
            yield* nextProject(current, document, context.at),
            profile
          )
          const changes = new Changes.MemberChanges()
          yield* setMembers(scope.platform, current.id, ids, changes)
          return yield* finishUpdate(context, current, next, changes)
        })
      )
    )
    yield* Changes.notify(hooks, notices)
    return yield* render(scope, project, selected)
  })

  const patch = Effect.fnUntraced(function*(
    scope: RequestScope,
    id: string,
    body: unknown,
    ifMatch: Option.Option<string>,
    projection?: Projection.ProjectionRequest
  ) {
    yield* Write.checkId("Group", id)
    yield* Write.checkPatchBody(body, options)
    const selected = yield* parseProjection(scope, "Projects.patch", projection)
    const platform = yield* Write.loadPlatform(platforms, scope.platform)
    const profile = Write.profileOf(platform, options)
    const plan = yield* Effect.fromResult(MemberPlan.split(body, { profile }))
    yield* Write.logQuirks("Projects.patch", plan.quirks, { platform: scope.platform, profile })
    if (!MemberPlan.hasRest(plan) && Option.isNone(ifMatch)) {
      // Only memberships change and no precondition was asked for: the steps are correct under any
      // concurrency by themselves (insert-if-absent, delete), and the version is bumped atomically,
      // so writers on any number of nodes never conflict (no read-compare-write, never a 412).
      const { notices, result: project } = yield* Changes.transact(
        transactions,
        events,
        Effect.gen(function*() {
          const current = yield* store.get(scope.platform, ProjectId.make(id))
          yield* validateUsers(scope.platform, idsToValidate(plan.steps))
          const context = Changes.writeContext(scope, yield* DateTime.now)
          const changes = new Changes.MemberChanges()
          yield* runSteps(scope, current.id, plan.steps, changes)
          const members = yield* settleMembers(context, current, changes)
          if (!changedMembers(members)) return { result: current, emitted: [] }
          const touched = yield* store.touch(scope.platform, current.id, context.at)
          return { result: touched, emitted: emitted(context, current, touched, members) }
        })
      )
      yield* Changes.notify(hooks, notices)
      return yield* render(scope, project, selected, selected._tag === "Include")
    }
    const { notices, result: project } = yield* Write.retryOnConflict(
      ifMatch,
      Changes.transact(
        transactions,
        events,
        Effect.gen(function*() {
          // the group first: a missing group is a 404 whatever its members name (RFC 7644 §3.12)
          const current = yield* store.get(scope.platform, ProjectId.make(id))
          yield* Effect.fromResult(Version.check(ifMatch, "Group", current.id, current.version))
          yield* validateUsers(scope.platform, idsToValidate(plan.steps))
          let document = current.document
          if (MemberPlan.hasRest(plan)) {
            const patched = yield* Effect.fromResult(Patch.apply(rt, current.document, plan.rest, { profile }))
            yield* Write.logQuirks("Projects.patch", patched.quirks, { platform: scope.platform, profile })
            document = splitMembers(patched.document).document
          }
          const context = Changes.writeContext(scope, yield* DateTime.now)
          const next = yield* updatedDocument(
            context,
            current,
            yield* nextProject(current, document, context.at),
            profile
          )
          const changes = new Changes.MemberChanges()
          yield* runSteps(scope, current.id, plan.steps, changes)
          return yield* finishUpdate(context, current, next, changes)
        })
      )
    )
    yield* Changes.notify(hooks, notices)
    // The HTTP layer answers 204 unless `attributes` was given; members are read only when asked for.
    return yield* render(scope, project, selected, selected._tag === "Include")
  })

  const remove = Effect.fnUntraced(function*(scope: RequestScope, id: string, ifMatch: Option.Option<string>) {
    yield* Write.checkId("Group", id)
    const { notices } = yield* Write.retryOnConflict(
      ifMatch,
      Changes.transact(
        transactions,
        events,
        Effect.gen(function*() {
          const current = yield* store.get(scope.platform, ProjectId.make(id))
          yield* Effect.fromResult(Version.check(ifMatch, "Group", current.id, current.version))
          const context = Changes.writeContext(scope, yield* DateTime.now)
          if (before.projectDeleting !== undefined) {
            yield* before.projectDeleting(Changes.hookContext(context), current)
          }
          yield* store.remove(scope.platform, current.id, current.version)
          return { result: undefined, emitted: Changes.projectEvents(context, current, undefined) }
        })
      )
    )
    yield* Changes.notify(hooks, notices)
  })

  return Trace.withSpans("Projects", { create, get, list, replace, patch, remove })
})

export const layer: Layer.Layer<Projects, never, Requirements> = Layer.effect(Projects, make)
