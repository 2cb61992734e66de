/**
 * The in-memory storage adapter: every port of `@scimkit/core` over one immutable state value in a
 * `Ref`. Each write is a pure check-and-write transition applied atomically, so concurrent writes
 * lose nothing and uniqueness holds under concurrency; `Transactions.run` works on a private copy
 * of the state and publishes it only when the effect succeeds.
 *
 * @since 0.1.0
 */
import type { InvalidFilter, JsonObject, Platform, StoredProject, StoredUser, StoreQuery } from "@scimkit/core"
import {
  ApiKeyStore,
  MemberView,
  PlatformStore,
  ProjectId,
  Schemas,
  ProjectRef,
  ProjectStore,
  ResourceNotFound,
  StoredApiKey,
  Transactions,
  UserId,
  UserStore
} from "@scimkit/core"
import * as Context from "effect/Context"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as HashMap from "effect/HashMap"
import * as HashSet from "effect/HashSet"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import type * as Result from "effect/Result"
import * as Semaphore from "effect/Semaphore"
import * as Query from "./internal/query.js"
import * as State from "./internal/state.js"

/**
 * The SCIM view of a stored user that filters and sorts see: the stored document plus `id`,
 * `externalId` and `meta` (`resourceType`, `created`/`lastModified` as ISO 8601 strings, `version`
 * as a weak ETag `W/"n"`).
 *
 * @since 0.1.0
 */
export const userDocument: (user: StoredUser) => JsonObject = Query.userDocument

/**
 * The SCIM view of a stored project that filters and sorts see: the stored document plus `id`,
 * `externalId`, `meta` and, when given, `members` as `[{ value: userId, display, type: "User" }]`
 * (`display` is the user's displayName, else userName).
 *
 * @since 0.1.0
 */
export const projectDocument: (project: StoredProject, members?: ReadonlyArray<MemberView>) => JsonObject =
  Query.projectDocument

/**
 * Filters, sorts and pages items in memory: the fallback for a store without native filtering
 * (RFC 7644 §3.4.2; cursor paging per RFC 9865). Filters run through core's `Filter.compile` over
 * `toDocument(item)`; the order is core's `Sort` (the sort value by its attribute's type, absent
 * last, then `id`, descending the exact reverse; without a sort `created`, then `id`); pages are
 * core's `Paging.slice`. Cursors are keyset positions as `Sort.position` makes them (the default
 * order's sort value is `meta.created`; epoch milliseconds are accepted too). `total` counts
 * every match. A bad filter is an `InvalidFilter`.
 *
 * @since 0.1.0
 */
export const queryInMemory: <A extends { readonly id: string; readonly created: DateTime.Utc }>(
  rt: Schemas.ResourceTypeDef,
  items: Iterable<A>,
  toDocument: (item: A) => JsonObject,
  query: StoreQuery.StoreQuery
) => Result.Result<StoreQuery.Page<A>, InvalidFilter> = Query.queryInMemory

const some = <A>(value: Option.Option<A>): ReadonlyArray<A> => (Option.isSome(value) ? [value.value] : [])

// Equality on id, userName (any case) or externalId is answered from the indexes, never by a scan.
const userCandidates = (t: State.Tenant, query: StoreQuery.StoreQuery): Iterable<StoredUser> =>
  Option.match(query.filter, {
    onNone: () => HashMap.values(t.users),
    onSome: (filter) =>
      Query.candidates(filter, (attribute, value) => {
        switch (attribute) {
          case "id":
            return some(HashMap.get(t.users, UserId.make(value)))
          case "username":
            return some(State.userByName(t, value))
          case "externalid":
            return State.holders(t.userExternalIds, value).flatMap((id) => some(HashMap.get(t.users, id)))
          default:
            return undefined
        }
      }, Schemas.UserUrn) ?? HashMap.values(t.users)
  })

const projectCandidates = (t: State.Tenant, query: StoreQuery.StoreQuery): Iterable<StoredProject> =>
  Option.match(query.filter, {
    onNone: () => HashMap.values(t.projects),
    onSome: (filter) =>
      Query.candidates(filter, (attribute, value) => {
        switch (attribute) {
          case "id":
            return some(HashMap.get(t.projects, ProjectId.make(value)))
          case "displayname":
            return some(Option.flatMap(HashMap.get(t.projectNames, value.toLowerCase()), (id) => HashMap.get(t.projects, id)))
          case "externalid":
            return State.holders(t.projectExternalIds, value).flatMap((id) => some(HashMap.get(t.projects, id)))
          default:
            return undefined
        }
      }, Schemas.GroupUrn) ?? HashMap.values(t.projects)
  })

// Values built from stored values of the same schema: their checks need not run again.
const trusted = { disableChecks: true } as const

/** Every port the memory store provides. @since 0.1.0 */
export type Stores = UserStore | ProjectStore | ApiKeyStore | PlatformStore | Transactions

const storeDefect = (message: string) => (error: unknown) => Effect.die(new Error(`${message}: ${String(error)}`))

// Each store built gets its own transaction reference, so stores never see each other's transactions.
let storesBuilt = 0

/**
 * Builds a fresh, empty store and returns the context holding all of its ports (they share one
 * state, so a transaction spans all of them).
 *
 * @since 0.1.0
 */
export const make: Effect.Effect<Context.Context<Stores>> = Effect.gen(function*() {
  const committed = yield* Ref.make(State.emptyState)
  // The transaction's copy of the state, for the fibers running in a transaction (and the fibers
  // they fork, which inherit it).
  const transaction = yield* Effect.sync(() =>
    Context.Reference<Option.Option<Ref.Ref<State.State>>>(`@scimkit/store-memory/transaction/${++storesBuilt}`, {
      defaultValue: Option.none
    })
  )
  const currentTransaction = Effect.service(transaction)
  const writers = yield* Semaphore.make(1)

  const current: Effect.Effect<State.State> = Effect.flatMap(
    currentTransaction,
    (tx) => Ref.get(Option.getOrElse(tx, () => committed))
  )
  const read = <A>(f: (state: State.State) => A): Effect.Effect<A> => Effect.map(current, f)

  const apply = <A, E>(ref: Ref.Ref<State.State>, f: (state: State.State) => State.Transition<A, E>): Effect.Effect<A, E> =>
    Effect.flatten(Ref.modify(ref, (state): readonly [Effect.Effect<A, E>, State.State] => {
      const result = f(state)
      return result._tag === "Success" ? [Effect.succeed(result.success[0]), result.success[1]] : [Effect.fail(result.failure), state]
    }))

  // Outside a transaction a write waits for running transactions (they publish a whole state);
  // inside one it writes the transaction's copy, so a transaction's own writes never deadlock.
  const write = <A, E>(f: (state: State.State) => State.Transition<A, E>): Effect.Effect<A, E> =>
    Effect.flatMap(currentTransaction, Option.match({
      onNone: () => writers.withPermits(1)(apply(committed, f)),
      onSome: (ref) => apply(ref, f)
    }))

  const run = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Effect.flatMap(currentTransaction, Option.match({
      // nested: a savepoint over the enclosing transaction's copy
      onSome: (ref) =>
        Effect.flatMap(Ref.get(ref), (saved) =>
          Effect.onExit(effect, (exit) => Exit.isFailure(exit) ? Ref.set(ref, saved) : Effect.void)),
      onNone: () =>
        writers.withPermits(1)(Effect.uninterruptibleMask((restore) =>
          Effect.gen(function*() {
            const copy = yield* Ref.make(yield* Ref.get(committed))
            const exit = yield* Effect.exit(restore(Effect.provideService(effect, transaction, Option.some(copy))))
            if (Exit.isSuccess(exit)) yield* Ref.set(committed, yield* Ref.get(copy))
            return yield* exit
          })
        ))
    }))

  const users = UserStore.of({
    get: (platform, id) =>
      Effect.flatMap(
        read((s) => HashMap.get(State.tenant(s, platform).users, id)),
        Option.match({
          onNone: () => Effect.fail(new ResourceNotFound({ resourceType: "User", id })),
          onSome: (found) => Effect.succeed(found)
        })
      ),
    getMany: (platform, ids) =>
      read((s) => {
        const t = State.tenant(s, platform)
        const out: Array<StoredUser> = []
        for (const id of new Set(ids)) {
          const user = HashMap.get(t.users, id)
          if (Option.isSome(user)) out.push(user.value)
        }
        return out
      }),
    findByUserName: (platform, userName) =>
      read((s) => Option.toArray(State.userByName(State.tenant(s, platform), userName))),
    query: (platform, query) =>
      read((s) => {
        const t = State.tenant(s, platform)
        return Query.queryInMemory(Schemas.UserResourceType, userCandidates(t, query), Query.userDocument, query)
      }).pipe(
        Effect.flatMap(Effect.fromResult),
        Effect.catchTag("InvalidFilter", storeDefect("The filter reached the store without being checked")),
        Effect.withSpan("StoreMemory.UserStore.query")
      ),
    insert: (platform, user) => write((s) => State.insertUser(s, platform, user)),
    update: (platform, user, expectedVersion) => write((s) => State.updateUser(s, platform, user, expectedVersion)),
    remove: (platform, id, expectedVersion) => write((s) => State.removeUser(s, platform, id, expectedVersion))
  })

  const memberViews = (t: State.Tenant, project: StoredProject): ReadonlyArray<MemberView> => {
    const out: Array<MemberView> = []
    for (const { role, userId } of State.membersInOrder(t, project.id)) {
      const user = HashMap.get(t.users, userId)
      if (Option.isSome(user)) {
        out.push(new MemberView({ userId, role, userName: user.value.userName, displayName: user.value.displayName }, trusted))
      }
    }
    return out
  }

  const projects = ProjectStore.of({
    get: (platform, id) =>
      Effect.flatMap(
        read((s) => HashMap.get(State.tenant(s, platform).projects, id)),
        Option.match({
          onNone: () => Effect.fail(new ResourceNotFound({ resourceType: "Group", id })),
          onSome: (found) => Effect.succeed(found)
        })
      ),
    query: (platform, query) =>
      read((s) => {
        const t = State.tenant(s, platform)
        const withMembers = Query.referencesMembers(query)
        return Query.queryInMemory(
          Schemas.GroupResourceType,
          projectCandidates(t, query),
          (project) => Query.projectDocument(project, withMembers ? memberViews(t, project) : undefined),
          query
        )
      }).pipe(
        Effect.flatMap(Effect.fromResult),
        Effect.catchTag("InvalidFilter", storeDefect("The filter reached the store without being checked")),
        Effect.withSpan("StoreMemory.ProjectStore.query")
      ),
    insert: (platform, project) => write((s) => State.insertProject(s, platform, project)),
    update: (platform, project, expectedVersion) =>
      write((s) => State.updateProject(s, platform, project, expectedVersion)),
    remove: (platform, id, expectedVersion) => write((s) => State.removeProject(s, platform, id, expectedVersion)),
    touch: (platform, id, lastModified) => write((s) => State.touchProject(s, platform, id, lastModified)),
    listMembers: (platform, id) =>
      read((s) => {
        const t = State.tenant(s, platform)
        return Option.match(HashMap.get(t.projects, id), { onNone: () => [], onSome: (p) => memberViews(t, p) })
      }),
    countMembers: (platform, id) => read((s) => HashMap.size(State.membersOf(State.tenant(s, platform), id))),
    addMembers: (platform, id, members) => write((s) => State.addMembers(s, platform, id, members)),
    removeMembers: (platform, id, users) => write((s) => State.removeMembers(s, platform, id, users)),
    removeAllMembers: (platform, id) => write((s) => State.removeAllMembers(s, platform, id)),
    listUserProjects: (platform, user) =>
      read((s) => {
        const t = State.tenant(s, platform)
        const refs: Array<ProjectRef> = []
        for (const id of Option.getOrElse(HashMap.get(t.memberOf, user), () => HashSet.empty())) {
          const project = HashMap.get(t.projects, id)
          if (Option.isSome(project)) refs.push(new ProjectRef({ id, displayName: project.value.displayName }, trusted))
        }
        return refs.sort((a, b) =>
          a.displayName < b.displayName ? -1 : a.displayName > b.displayName ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0
        )
      })
  })

  const byCreated = <A extends { readonly id: string; readonly created: DateTime.Utc }>(a: A, b: A): number => {
    const d = DateTime.toEpochMillis(a.created) - DateTime.toEpochMillis(b.created)
    return d !== 0 ? d : a.id < b.id ? -1 : a.id > b.id ? 1 : 0
  }

  const apiKeys = ApiKeyStore.of({
    insert: (key) => write((s) => State.insertKey(s, key)),
    findByHash: (hash) => read((s) => Option.flatMap(HashMap.get(s.keyHashes, hash), (id) => HashMap.get(s.keys, id))),
    get: (id) =>
      Effect.flatMap(
        read((s) => HashMap.get(s.keys, id)),
        Option.match({
          onNone: () => Effect.fail(new ResourceNotFound({ resourceType: "ApiKey", id })),
          onSome: (found) => Effect.succeed(found)
        })
      ),
    list: (platform) =>
      read((s) => {
        const out: Array<StoredApiKey> = []
        for (const key of HashMap.values(s.keys)) if (key.platform === platform) out.push(key)
        return out.sort(byCreated)
      }),
    revoke: (id, at) =>
      write((s) =>
        State.modifyKey(s, id, (key) => Option.isSome(key.revoked) ? key : new StoredApiKey({ ...key, revoked: Option.some(at) }, trusted))
      ),
    touch: (id, at) =>
      write((s) =>
        State.modifyKey(s, id, (key) =>
          Option.isSome(key.lastUsed) && DateTime.isGreaterThanOrEqualTo(key.lastUsed.value, at)
            ? key
            : new StoredApiKey({ ...key, lastUsed: Option.some(at) }, trusted))
      ).pipe(Effect.catchTag("ResourceNotFound", () => Effect.void), Effect.asVoid)
  })

  const platforms = PlatformStore.of({
    insert: (platform) => write((s) => State.insertPlatform(s, platform)),
    get: (id) =>
      Effect.flatMap(
        read((s) => HashMap.get(s.platforms, id)),
        Option.match({
          onNone: () => Effect.fail(new ResourceNotFound({ resourceType: "Platform", id })),
          onSome: (found) => Effect.succeed(found)
        })
      ),
    findByName: (name) =>
      read((s) => Option.flatMap(HashMap.get(s.platformNames, name.toLowerCase()), (id) => HashMap.get(s.platforms, id))),
    list: () => read((s): ReadonlyArray<Platform> => Array.from(HashMap.values(s.platforms)).sort(byCreated)),
    update: (platform) => write((s) => State.updatePlatform(s, platform))
  })

  return Context.make(UserStore, users).pipe(
    Context.add(ProjectStore, projects),
    Context.add(ApiKeyStore, apiKeys),
    Context.add(PlatformStore, platforms),
    Context.add(Transactions, Transactions.of({ run }))
  )
})

/**
 * All ports over one fresh in-memory state. Each build of the layer is a new, empty store.
 *
 * @since 0.1.0
 */
export const layer: Layer.Layer<Stores> = Layer.effectContext(make)
