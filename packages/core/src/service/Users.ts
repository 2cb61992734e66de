/**
 * SCIM Users of a platform (RFC 7644 §3.3–§3.6): create, get, list, replace, patch and delete, with
 * the platform's rules: `userName` (the email) unique per platform regardless of case, `externalId`
 * unique, `active` to (de)activate, the platform role in the activepieces extension, and the
 * platform owner protected. Every write bumps `meta.version` and `meta.lastModified` and is
 * conditional on the version it read, so concurrent writes never lose updates.
 *
 * Each write is one transaction: the checks, the `before` hooks (`Hooks`), the conditional write
 * and, as its last store call, the change feed's events (`ChangeEvent`); the `after` hooks run
 * once it has committed, with the stored users whatever the response's projection.
 */
import * as Context from "effect/Context"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Result from "effect/Result"
import type * as DomainModel from "../domain/DomainModel.js"
import { type JsonObject, type Platform, type ProjectRef, StoredUser, UserId } from "../domain/Model.js"
import * as Columns from "../internal/service/columns.js"
import * as Changes from "../internal/service/changes.js"
import * as Keys from "../internal/service/keys.js"
import * as ListFlow from "../internal/service/list.js"
import * as Write from "../internal/service/write.js"
import * as Trace from "../internal/service/trace.js"
import * as Patch from "../patch/Patch.js"
import * as Replace from "../patch/Replace.js"
import * as PlatformRolePolicy from "../policy/PlatformRolePolicy.js"
import * as Protection from "../policy/Protection.js"
import { EventStore } from "../ports/EventStore.js"
import { PlatformStore } from "../ports/PlatformStore.js"
import { ProjectStore } from "../ports/ProjectStore.js"
import { Transactions } from "../ports/Transactions.js"
import { UserStore } from "../ports/UserStore.js"
import type { ListRequest } from "../query/ListRequest.js"
import type * as Projection from "../query/Projection.js"
import * as Resource from "../schema/Resource.js"
import * as Version from "../schema/Version.js"
import * as Crypto from "../Crypto.js"
import { ScimOptions } from "../ScimOptions.js"
import * as Hooks from "./Hooks.js"
import * as Render from "./Render.js"
import type { RequestScope, ResourceApi } from "./ResourceApi.js"

/** SCIM Users of a platform: the key of the service. */
export class Users extends Context.Service<Users, ResourceApi>()("@scimkit/core/Users") {}

/**
 * Builds the stored user for a new document: columns derived from the document, which is written
 * back in canonical form (`active` and the uppercase `platformRole` always present).
 */
// `disableChecks`: the columns are already checked; the Schema constructor's checks would walk the whole document again.
const toStored = (
  document: JsonObject,
  fields: Pick<StoredUser, "id" | "version" | "created" | "lastModified">,
  model: DomainModel.DomainModel
) =>
  Effect.map(
    Effect.fromResult(Columns.userColumns(document, model)),
    (columns) =>
      new StoredUser({ ...fields, ...columns, document: Columns.canonicalUserDocument(document, columns, model) }, {
        disableChecks: true
      })
  )

/** Whether two stored users hold the same SCIM data (so a write would change nothing). */
const unchanged = (a: StoredUser, b: StoredUser): boolean => Write.sameJson(a.document, b.document)

/** What the service needs: the stores it writes, the options and the crypto services. */
export type Requirements =
  | UserStore
  | ProjectStore
  | PlatformStore
  | EventStore
  | Transactions
  | ScimOptions
  | Crypto.Services

export const make: Effect.Effect<ResourceApi, never, Requirements> = Effect.gen(
  function*() {
    const store = yield* UserStore
    const projects = yield* ProjectStore
    const platforms = yield* PlatformStore
    const events = yield* EventStore
    const transactions = yield* Transactions
    const options = yield* ScimOptions
    const model = options.model
    const rt = model.userResourceType
    // optional, so that the layer's requirements stay the stores' (without it no hook runs)
    const hooks = yield* Effect.serviceOption(Hooks.Hooks)
    const before = Changes.beforeHooks(hooks)
    const crypto = yield* Crypto.bind
    // signs the cursors of platforms without a secret of their own: valid as long as this process runs
    const fallbackCursorSecret = yield* Keys.randomSecret(crypto)

    const render = (scope: RequestScope, user: StoredUser, projection: Projection.Projection) =>
      Effect.flatMap(
        Effect.provideService(Render.user(scope, user, projection, rt), ProjectStore, projects),
        (result) => Write.checkServed("User", user.id, result, options)
      )

    /** A user whose groups are known (none for a user just created): no store read. */
    const served = (
      scope: RequestScope,
      user: StoredUser,
      groups: ReadonlyArray<ProjectRef>,
      projection: Projection.Projection
    ) =>
      Write.checkServed(
        "User",
        user.id,
        Render.userResult(
          scope,
          user,
          Render.userNeedsGroups(projection) ? Option.some(groups) : Option.none(),
          projection,
          rt
        ),
        options
      )

    /** A page of users with their groups read in one round trip, when the projection includes them. */
    const renderPage = (scope: RequestScope, items: ReadonlyArray<StoredUser>, projection: Projection.Projection) => {
      const renderAll = (groupsOf: (user: StoredUser) => Option.Option<ReadonlyArray<ProjectRef>>) =>
        items.map((user) => {
          const result = Render.userResult(scope, user, groupsOf(user), projection, rt)
          return Result.match(Write.servable("User", user.id, result, options), {
            onSuccess: (served) => served.resource,
            onFailure: (error) => error
          })
        })
      if (items.length === 0 || !Render.userNeedsGroups(projection)) {
        return Effect.succeed(renderAll(() => Option.none()))
      }
      return Effect.map(
        projects.listUsersProjects(scope.platform, items.map((user) => user.id)),
        (groups) => renderAll((user) => Option.some(groups.get(user.id) ?? []))
      )
    }

    /** The platform's compatibility profile (read only when a request needs a quirk). */
    const loadProfile = (scope: RequestScope) =>
      Effect.map(Write.loadPlatform(platforms, scope.platform), (platform) => Write.profileOf(platform, options))

    const parseProjection = (
      scope: RequestScope,
      operation: string,
      projection: Projection.ProjectionRequest | undefined
    ) => ListFlow.parseProjection(rt, scope.platform, projection ?? {}, loadProfile(scope), operation)

    /**
     * The user a `before` hook adjusted, checked as a client's document would be (the body limits,
     * the schema, the columns), with `next`'s id, version and times; `next` itself when the hook
     * kept it.
     */
    const adjusted = (
      next: StoredUser,
      adjustment: Hooks.Adjusted,
      platform: Option.Option<Platform>
    ) =>
      adjustment === undefined
        ? Effect.succeed(next)
        : Effect.gen(function*() {
          yield* Write.checkBody(adjustment, options)
          const document = yield* Effect.fromResult(
            Resource.validate(rt, adjustment, { profile: Write.profileOf(platform, options) })
          )
          return yield* toStored(document, next, model)
        })

    /** The owner-protection check, loading the platform only when the change could matter. */
    const protect = (platform: Option.Option<Platform>, current: StoredUser, next: StoredUser) =>
      Option.isSome(platform) && Protection.updateNeedsCheck(current, next, options.model)
        ? Protection.checkUpdate(platform.value, current, next, options.model)
        : Effect.void

    /**
     * The read-modify-write every update goes through: read, check `If-Match`, compute the next
     * document, protect the owner, write conditionally on the version read (retried when another
     * writer got in between and there is no `If-Match`).
     */
    const update = <E extends { readonly _tag: string }>(
      scope: RequestScope,
      id: string,
      ifMatch: Option.Option<string>,
      nextDocument: (current: StoredUser, platform: Option.Option<Platform>) => Effect.Effect<JsonObject, E>
    ) =>
      Effect.gen(function*() {
        const { notices, result } = yield* Write.retryOnConflict(
          ifMatch,
          Changes.transact(
            transactions,
            events,
            Effect.gen(function*() {
              const current = yield* store.get(scope.platform, UserId.make(id))
              yield* Effect.fromResult(Version.check(ifMatch, "User", current.id, current.version))
              const platform = yield* Write.loadPlatform(platforms, scope.platform)
              const document = yield* nextDocument(current, platform)
              const now = yield* DateTime.now
              const proposed = yield* toStored(document, {
                id: current.id,
                version: current.version + 1,
                created: current.created,
                lastModified: now
              }, model)
              if (unchanged(current, proposed)) return { result: current, emitted: [] }
              yield* protect(platform, current, proposed)
              const context = Changes.writeContext(scope, now)
              const next = before.userUpdating === undefined ? proposed : yield* Effect.flatMap(
                before.userUpdating(Changes.hookContext(context), { before: current, after: proposed }),
                (adjustment) => adjusted(proposed, adjustment, platform)
              )
              if (next !== proposed) {
                if (unchanged(current, next)) return { result: current, emitted: [] }
                yield* protect(platform, current, next)
              }
              const written = yield* store.update(scope.platform, next, current.version)
              return { result: written, emitted: Changes.userEvents(context, current, written) }
            })
          )
        )
        yield* Changes.notify(hooks, notices)
        return result
      })

    const create = Effect.fnUntraced(
      function*(scope: RequestScope, body: unknown, projection?: Projection.ProjectionRequest) {
        yield* Write.checkBody(body, options)
        const selected = yield* parseProjection(scope, "Users.create", projection)
        const platform = yield* Write.loadPlatform(platforms, scope.platform)
        const profile = Write.profileOf(platform, options)
        const normalized = yield* Effect.fromResult(Resource.normalize(rt, body, { profile }))
        yield* Write.logQuirks("Users.create", normalized.quirks, { platform: scope.platform, profile })
        const now = yield* DateTime.now
        const user = yield* toStored(normalized.document, {
          id: UserId.make(yield* crypto.randomUUID),
          version: 1,
          created: now,
          lastModified: now
        }, model)
        const context = Changes.writeContext(scope, now)
        const { notices, result: inserted } = yield* Changes.transact(
          transactions,
          events,
          Effect.gen(function*() {
            const next = before.userCreating === undefined ? user : yield* Effect.flatMap(
              before.userCreating(Changes.hookContext(context), user),
              (adjustment) => adjusted(user, adjustment, platform)
            )
            const inserted = yield* store.insert(scope.platform, next)
            return { result: inserted, emitted: Changes.userEvents(context, undefined, inserted) }
          })
        )
        yield* Changes.notify(hooks, notices)
        // a user just created is in no group yet
        return yield* served(scope, inserted, [], selected)
      }
    )

    const get = Effect.fnUntraced(
      function*(scope: RequestScope, id: string, projection?: Projection.ProjectionRequest) {
        yield* Write.checkId("User", id)
        const selected = yield* parseProjection(scope, "Users.get", projection)
        if (!Render.userNeedsGroups(selected)) {
          return yield* served(scope, yield* store.get(scope.platform, UserId.make(id)), [], selected)
        }
        const { projects: groups, user } = yield* store.getWithProjects(scope.platform, UserId.make(id))
        return yield* served(scope, user, groups, selected)
      }
    )

    const list = Effect.fnUntraced(function*(scope: RequestScope, request: ListRequest) {
      return yield* ListFlow.list(scope, request, options, {
        rt,
        query: store.query,
        resourceOf: (user) => Render.userResource(user, scope.baseUrl, Option.none(), rt),
        renderPage: (items, projection) => renderPage(scope, items, projection),
        profile: loadProfile(scope),
        operation: "Users.list",
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
      yield* Write.checkId("User", id)
      yield* Write.checkBody(body, options)
      const selected = yield* parseProjection(scope, "Users.replace", projection)
      const user = yield* update(scope, id, ifMatch, (current, platform) =>
        Effect.gen(function*() {
          const profile = Write.profileOf(platform, options)
          const replaced = yield* Effect.fromResult(Replace.apply(rt, current.document, body, { profile }))
          yield* Write.logQuirks("Users.replace", replaced.quirks, { platform: scope.platform, profile })
          // Documented deviation from RFC 7644 §3.5.1: a PUT without the extension keeps the role,
          // because IdPs that do not map the role would otherwise demote admins on every update.
          return PlatformRolePolicy.hasExtension(replaced.document, model)
            ? replaced.document
            : PlatformRolePolicy.withRole(replaced.document, current.platformRole, model)
        }))
      return yield* render(scope, user, selected)
    })

    const patch = Effect.fnUntraced(function*(
      scope: RequestScope,
      id: string,
      body: unknown,
      ifMatch: Option.Option<string>,
      projection?: Projection.ProjectionRequest
    ) {
      yield* Write.checkId("User", id)
      yield* Write.checkPatchBody(body, options)
      const selected = yield* parseProjection(scope, "Users.patch", projection)
      const user = yield* update(scope, id, ifMatch, (current, platform) =>
        Effect.gen(function*() {
          const profile = Write.profileOf(platform, options)
          const patched = yield* Effect.fromResult(Patch.apply(rt, current.document, body, { profile }))
          yield* Write.logQuirks("Users.patch", patched.quirks, { platform: scope.platform, profile })
          return patched.document
        }))
      return yield* render(scope, user, selected)
    })

    const remove = Effect.fnUntraced(function*(scope: RequestScope, id: string, ifMatch: Option.Option<string>) {
      yield* Write.checkId("User", id)
      const { notices } = yield* Write.retryOnConflict(
        ifMatch,
        Changes.transact(
          transactions,
          events,
          Effect.gen(function*() {
            const current = yield* store.get(scope.platform, UserId.make(id))
            yield* Effect.fromResult(Version.check(ifMatch, "User", current.id, current.version))
            const platform = yield* Write.loadPlatform(platforms, scope.platform)
            if (Option.isSome(platform)) yield* Protection.checkRemove(platform.value, current)
            const context = Changes.writeContext(scope, yield* DateTime.now)
            if (before.userDeleting !== undefined) yield* before.userDeleting(Changes.hookContext(context), current)
            yield* store.remove(scope.platform, current.id, current.version)
            return { result: undefined, emitted: Changes.userEvents(context, current, undefined) }
          })
        )
      )
      yield* Changes.notify(hooks, notices)
    })

    return Trace.withSpans("Users", { create, get, list, replace, patch, remove })
  }
)

export const layer: Layer.Layer<Users, never, Requirements> = Layer.effect(Users, make)
