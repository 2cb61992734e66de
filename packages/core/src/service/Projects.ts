/**
 * SCIM Groups, which are the platform's projects (RFC 7644 §3.3–§3.6). `displayName` is the
 * project's name, unique per platform regardless of case; members live in their own relation and
 * each member added through SCIM gets the configured default project role (re-added members keep
 * theirs). Member ids that are not users of the platform fail the whole request. Every change —
 * to the document or to the members — bumps `meta.version` in the same transaction.
 */
import * as Context from "effect/Context"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Result from "effect/Result"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type { Json, JsonObject, Platform, PlatformId } from "../domain/Model.js"
import { Membership, ProjectId, StoredProject, UserId } from "../domain/Model.js"
import { InvalidValue } from "../errors/ScimError.js"
import type { Filter as FilterAst } from "../filter/Ast.js"
import * as Filter from "../filter/Filter.js"
import * as Columns from "../internal/service/columns.js"
import * as Keys from "../internal/service/keys.js"
import * as ListFlow from "../internal/service/list.js"
import * as Write from "../internal/service/write.js"
import * as Trace from "../internal/service/trace.js"
import * as MemberPlan from "../patch/MemberPlan.js"
import * as Patch from "../patch/Patch.js"
import * as Replace from "../patch/Replace.js"
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

export const make: Effect.Effect<
  ResourceApi,
  never,
  ProjectStore | UserStore | PlatformStore | Transactions | ScimOptions | Crypto.Services
> = Effect.gen(function*() {
  const store = yield* ProjectStore
  const users = yield* UserStore
  const platforms = yield* PlatformStore
  const transactions = yield* Transactions
  const options = yield* ScimOptions
  const crypto = yield* Crypto.bind
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
  ) => ListFlow.parseProjection(rt, projection ?? {}, loadProfile(scope), operation)

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

  /** Adds the users that are not members yet (members already there keep their role); the number added. */
  const addMembers = (platform: PlatformId, id: ProjectId, ids: ReadonlyArray<UserId>) =>
    ids.length === 0 ? Effect.succeed(0) : store.addMembers(platform, id, memberships(ids))

  const removeMembers = (platform: PlatformId, id: ProjectId, ids: ReadonlyArray<UserId>) =>
    ids.length === 0 ? Effect.succeed(0) : store.removeMembers(platform, id, ids)

  /** Makes the member list exactly `ids`; the number of memberships changed. */
  const setMembers = (platform: PlatformId, id: ProjectId, ids: ReadonlyArray<UserId>) =>
    Effect.gen(function*() {
      const desired = new Set<string>(ids)
      const current = (yield* store.listMembers(platform, id)).map((m) => m.userId)
      const have = new Set<string>(current)
      const removed = yield* removeMembers(platform, id, current.filter((user) => !desired.has(user)))
      const added = yield* addMembers(platform, id, ids.filter((user) => !have.has(user)))
      return removed + added
    })

  const removeWhere = (scope: RequestScope, id: ProjectId, filter: FilterAst) =>
    Effect.gen(function*() {
      const matches = yield* Effect.fromResult(Filter.compileElement(rt, membersDef, filter))
      const members = yield* store.listMembers(scope.platform, id)
      const matching = members
        .filter((view) => matches(Render.member(scope.baseUrl, view)))
        .map((view) => view.userId)
      return yield* removeMembers(scope.platform, id, matching)
    })

  /** Runs the membership steps in request order; the number of memberships changed. */
  const runSteps = (scope: RequestScope, id: ProjectId, steps: ReadonlyArray<MemberPlan.MemberStep>) =>
    Effect.reduce(steps, () => 0, (changed: number, step) => {
      const ids = (values: ReadonlyArray<string>) => values.map((value) => UserId.make(value))
      switch (step._tag) {
        case "Add":
          return Effect.map(addMembers(scope.platform, id, ids(step.members.map((m) => m.value))), (n) => changed + n)
        case "Remove":
          return Effect.map(removeMembers(scope.platform, id, ids(step.ids)), (n) => changed + n)
        case "RemoveAll":
          return Effect.map(store.removeAllMembers(scope.platform, id), (n) => changed + n)
        case "Set":
          return Effect.map(setMembers(scope.platform, id, ids(step.members.map((m) => m.value))), (n) => changed + n)
        case "RemoveWhere":
          return Effect.map(removeWhere(scope, id, step.filter), (n) => changed + n)
      }
    })

  const nextProject = (current: StoredProject, document: JsonObject) =>
    Effect.gen(function*() {
      const columns = yield* Effect.fromResult(Columns.projectColumns(document))
      const now = yield* DateTime.now
      return new StoredProject({
        ...columns,
        id: current.id,
        document,
        version: current.version + 1,
        created: current.created,
        lastModified: now
      }, { disableChecks: true })
    })

  const create = Effect.fnUntraced(
    function*(scope: RequestScope, body: unknown, projection?: Projection.ProjectionRequest) {
      yield* Write.checkBody(body, options)
      const selected = yield* parseProjection(scope, "Projects.create", projection)
      const platform = yield* Write.loadPlatform(platforms, scope.platform)
      const normalized = yield* Effect.fromResult(
        Resource.normalize(rt, body, { profile: Write.profileOf(platform, options) })
      )
      yield* Write.logQuirks("Projects.create", normalized.quirks)
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
      const inserted = yield* transactions.run(Effect.gen(function*() {
        const stored = yield* store.insert(scope.platform, project)
        yield* addMembers(scope.platform, stored.id, ids)
        return stored
      }))
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
    const project = yield* Write.retryOnConflict(
      ifMatch,
      Effect.gen(function*() {
        const current = yield* store.get(scope.platform, ProjectId.make(id))
        yield* Effect.fromResult(Version.check(ifMatch, "Group", current.id, current.version))
        const replaced = yield* Effect.fromResult(
          Replace.apply(rt, current.document, body, { profile: Write.profileOf(platform, options) })
        )
        yield* Write.logQuirks("Projects.replace", replaced.quirks)
        const { document, members } = splitMembers(replaced.document)
        const ids = yield* validateUsers(scope.platform, yield* Effect.fromResult(memberIds(members)))
        const next = yield* nextProject(current, document)
        return yield* transactions.run(Effect.gen(function*() {
          const changed = yield* setMembers(scope.platform, current.id, ids)
          if (changed === 0 && Write.sameJson(current.document, next.document)) return current
          return yield* store.update(scope.platform, next, current.version)
        }))
      })
    )
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
    yield* Write.logQuirks("Projects.patch", plan.quirks)
    if (!MemberPlan.hasRest(plan) && Option.isNone(ifMatch)) {
      // Only memberships change and no precondition was asked for: the steps are correct under any
      // concurrency by themselves (insert-if-absent, delete), and the version is bumped atomically,
      // so writers on any number of nodes never conflict (no read-compare-write, never a 412).
      const project = yield* transactions.run(Effect.gen(function*() {
        const current = yield* store.get(scope.platform, ProjectId.make(id))
        yield* validateUsers(scope.platform, idsToValidate(plan.steps))
        const changed = yield* runSteps(scope, current.id, plan.steps)
        return changed === 0 ? current : yield* store.touch(scope.platform, current.id, yield* DateTime.now)
      }))
      return yield* render(scope, project, selected, selected._tag === "Include")
    }
    const project = yield* Write.retryOnConflict(
      ifMatch,
      transactions.run(Effect.gen(function*() {
        // the group first: a missing group is a 404 whatever its members name (RFC 7644 §3.12)
        const current = yield* store.get(scope.platform, ProjectId.make(id))
        yield* Effect.fromResult(Version.check(ifMatch, "Group", current.id, current.version))
        yield* validateUsers(scope.platform, idsToValidate(plan.steps))
        let document = current.document
        if (MemberPlan.hasRest(plan)) {
          const patched = yield* Effect.fromResult(Patch.apply(rt, current.document, plan.rest, { profile }))
          yield* Write.logQuirks("Projects.patch", patched.quirks)
          document = splitMembers(patched.document).document
        }
        const next = yield* nextProject(current, document)
        const changed = yield* runSteps(scope, current.id, plan.steps)
        if (changed === 0 && Write.sameJson(current.document, next.document)) return current
        return yield* store.update(scope.platform, next, current.version)
      }))
    )
    // The HTTP layer answers 204 unless `attributes` was given; members are read only when asked for.
    return yield* render(scope, project, selected, selected._tag === "Include")
  })

  const remove = Effect.fnUntraced(function*(scope: RequestScope, id: string, ifMatch: Option.Option<string>) {
    yield* Write.checkId("Group", id)
    yield* Write.retryOnConflict(
      ifMatch,
      Effect.gen(function*() {
        const current = yield* store.get(scope.platform, ProjectId.make(id))
        yield* Effect.fromResult(Version.check(ifMatch, "Group", current.id, current.version))
        yield* store.remove(scope.platform, current.id, current.version)
      })
    )
  })

  return Trace.withSpans("Projects", { create, get, list, replace, patch, remove })
})

export const layer: Layer.Layer<
  Projects,
  never,
  ProjectStore | UserStore | PlatformStore | Transactions | ScimOptions | Crypto.Services
> = Layer.effect(Projects, make)
