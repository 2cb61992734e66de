/**
 * The in-memory storage adapter: every port of `@scimkit/core` over one immutable state value in a
 * `Ref`. Each write is a pure check-and-write transition applied atomically, so concurrent writes
 * lose nothing and uniqueness holds under concurrency; `Transactions.run` works on a private copy
 * of the state and publishes it only when the effect succeeds (memberships, checkpoints and the
 * change feed's events with it). Queries run through core's in-memory evaluator (`InMemory`) over
 * the filter views of `Render`.
 */
import {
  ApiKeyStore,
  DeliveryLog,
  EventStore,
  InMemory,
  Model,
  PlatformStore,
  ProjectStore,
  Render,
  Schemas,
  ScimError,
  Transactions,
  UserStore,
  type StoreQuery,
  type Stores
} from "@scimkit/core"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Fiber from "effect/Fiber"
import * as HashMap from "effect/HashMap"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import * as Semaphore from "effect/Semaphore"
import { EventLog } from "./internal/eventLog.js"
import * as State from "./internal/state.js"

const some = <A>(value: Option.Option<A>): ReadonlyArray<A> => (Option.isSome(value) ? [value.value] : [])

// Equality on id, userName (any case) or externalId is answered from the indexes, never by a scan;
// undefined when no index helps (the query runs over every user).
const userCandidates = (t: State.Tenant, query: StoreQuery.StoreQuery): ReadonlyArray<Model.StoredUser> | undefined =>
  Option.match(query.filter, {
    onNone: () => undefined,
    onSome: (filter) =>
      InMemory.candidates(filter.ast, (attribute, value) => {
        switch (attribute) {
          case "id":
            return some(HashMap.get(t.users, Model.UserId.make(value)))
          case "username":
            return some(State.userByName(t, value))
          case "externalid":
            return State.holders(t.userExternalIds, value).flatMap((id) => some(HashMap.get(t.users, id)))
          default:
            return undefined
        }
      }, Schemas.UserUrn)
  })

const projectCandidates = (
  t: State.Tenant,
  query: StoreQuery.StoreQuery
): ReadonlyArray<Model.StoredProject> | undefined =>
  Option.match(query.filter, {
    onNone: () => undefined,
    onSome: (filter) =>
      InMemory.candidates(filter.ast, (attribute, value) => {
        switch (attribute) {
          case "id":
            return some(HashMap.get(t.projects, Model.ProjectId.make(value)))
          case "displayname":
            return some(
              Option.flatMap(HashMap.get(t.projectNames, value.toLowerCase()), (id) => HashMap.get(t.projects, id))
            )
          case "externalid":
            return State.holders(t.projectExternalIds, value).flatMap((id) => some(HashMap.get(t.projects, id)))
          default:
            return undefined
        }
      }, Schemas.GroupUrn)
  })

/** Whether the group view needs `members` for this query (reading them costs; most queries do not). */
const readsMembers = (query: StoreQuery.StoreQuery): boolean =>
  Option.exists(query.filter, (filter) => InMemory.mentions(filter.ast, "members"))

/** A project's filter view without `members`. */
const projectView = (project: Model.StoredProject) => Render.projectView(project)

// Values built from stored values of the same schema: their checks need not run again.
const trusted = { disableChecks: true } as const

// One span per query, without the stack trace Effect would capture for it (an Error per call).
const noStackTrace = { captureStackTrace: false } as const

const byDisplayName = (a: Model.ProjectRef, b: Model.ProjectRef): number =>
  a.displayName < b.displayName ? -1 : a.displayName > b.displayName ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0

/** The projects `user` is a member of, displayName ascending, then id. */
const projectRefs = (t: State.Tenant, user: Model.UserId): ReadonlyArray<Model.ProjectRef> => {
  const memberOf = HashMap.get(t.memberOf, user)
  if (Option.isNone(memberOf)) return []
  const refs: Array<Model.ProjectRef> = []
  for (const id of memberOf.value) {
    const project = HashMap.get(t.projects, id)
    if (Option.isSome(project)) refs.push(new Model.ProjectRef({ id, displayName: project.value.displayName }, trusted))
  }
  return refs.sort(byDisplayName)
}

// Each store built gets its own transaction reference, so stores never see each other's transactions.
let storesBuilt = 0

/**
 * Builds a fresh, empty store and returns the context holding all of its ports (they share one
 * state, so a transaction spans all of them).
 */
export const make: Effect.Effect<Context.Context<Stores.Stores>> = Effect.gen(function*() {
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

  // The state a fiber sees: its transaction's copy, else the committed state. Reads are one step.
  const stateOf = (fiber: Fiber.Fiber<unknown, unknown>): State.State => {
    const tx = fiber.getRef(transaction)
    return Ref.getUnsafe(Option.isSome(tx) ? tx.value : committed)
  }
  const read = <A>(f: (state: State.State) => A): Effect.Effect<A> =>
    Effect.withFiberSucceed((fiber) => f(stateOf(fiber)))
  const readWith = <A, E>(f: (state: State.State) => Effect.Effect<A, E>): Effect.Effect<A, E> =>
    Effect.withFiber((fiber) => f(stateOf(fiber)))
  // The orders of whole collections, kept while a collection is unchanged (per store, per resource type).
  const userOrders = new InMemory.OrderCache<Model.StoredUser>()
  const projectOrders = new InMemory.OrderCache<Model.StoredProject>()

  const apply = <A, E>(
    ref: Ref.Ref<State.State>,
    f: (state: State.State) => State.Transition<A, E>
  ): Effect.Effect<A, E> =>
    Effect.flatten(Ref.modify(ref, (state): readonly [Effect.Effect<A, E>, State.State] => {
      const result = f(state)
      return result._tag === "Success"
        ? [Effect.succeed(result.success[0]), result.success[1]]
        : [Effect.fail(result.failure), state]
    }))

  // Outside a transaction a write waits for running transactions (they publish a whole state);
  // inside one it writes the transaction's copy, so a transaction's own writes never deadlock.
  const write = <A, E>(f: (state: State.State) => State.Transition<A, E>): Effect.Effect<A, E> =>
    Effect.flatMap(
      currentTransaction,
      Option.match({
        onNone: () => writers.withPermits(1)(apply(committed, f)),
        onSome: (ref) => apply(ref, f)
      })
    )

  // Commits by publishing a value: nothing can fail after the effect, so no StoreError of its own.
  const run = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Effect.flatMap(
      currentTransaction,
      Option.match({
        // nested: a savepoint over the enclosing transaction's copy
        onSome: (ref) =>
          Effect.flatMap(
            Ref.get(ref),
            (saved) => Effect.onExit(effect, (exit) => Exit.isFailure(exit) ? Ref.set(ref, saved) : Effect.void)
          ),
        onNone: () =>
          writers.withPermits(1)(Effect.uninterruptibleMask((restore) =>
            Effect.gen(function*() {
              const copy = yield* Ref.make(yield* Ref.get(committed))
              const exit = yield* Effect.exit(restore(Effect.provideService(effect, transaction, Option.some(copy))))
              if (Exit.isSuccess(exit)) yield* Ref.set(committed, yield* Ref.get(copy))
              return yield* exit
            })
          ))
      })
    )

  const users = UserStore.UserStore.of({
    get: (platform, id) =>
      readWith((s) => {
        const user = HashMap.get(State.tenant(s, platform).users, id)
        return Option.isSome(user)
          ? Effect.succeed(user.value)
          : Effect.fail(new ScimError.ResourceNotFound({ resourceType: "User", id }))
      }),
    getWithProjects: (platform, id) =>
      readWith((s) => {
        const t = State.tenant(s, platform)
        const user = HashMap.get(t.users, id)
        return Option.isSome(user)
          ? Effect.succeed({ user: user.value, projects: projectRefs(t, id) })
          : Effect.fail(new ScimError.ResourceNotFound({ resourceType: "User", id }))
      }),
    getMany: (platform, ids) =>
      read((s) => {
        const t = State.tenant(s, platform)
        const out: Array<Model.StoredUser> = []
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
        const indexed = userCandidates(t, query)
        // the domain model's User resource type: where its extension's attributes and the role column are
        const rt = query.resourceType ?? Schemas.UserResourceType
        const view = (user: Model.StoredUser) => Render.userView(user, rt)
        return indexed !== undefined
          ? InMemory.query(rt, indexed, view, query)
          : InMemory.queryCollection(userOrders, t.users, rt, () => HashMap.values(t.users), view, query)
      }).pipe(Effect.withSpan("StoreMemory.UserStore.query", undefined, noStackTrace)),
    insert: (platform, user) => write((s) => State.insertUser(s, platform, user)),
    update: (platform, user, expectedVersion) => write((s) => State.updateUser(s, platform, user, expectedVersion)),
    remove: (platform, id, expectedVersion) => write((s) => State.removeUser(s, platform, id, expectedVersion))
  })

  // The member views of each memberships map, built once while neither the memberships nor the
  // users (their names) change: a big group's members are not rebuilt on every read.
  const views = new WeakMap<
    State.Members,
    { readonly users: State.Tenant["users"]; readonly views: ReadonlyArray<Model.MemberView> }
  >()
  const memberViews = (t: State.Tenant, project: Model.StoredProject): ReadonlyArray<Model.MemberView> => {
    const members = State.membersOf(t, project.id)
    const cached = views.get(members)
    if (cached !== undefined && cached.users === t.users) return cached.views
    const out: Array<Model.MemberView> = []
    for (const { role, userId } of State.membersInOrder(t, project.id)) {
      const user = HashMap.get(t.users, userId)
      if (Option.isSome(user)) {
        out.push(
          new Model.MemberView(
            { userId, role, userName: user.value.userName, displayName: user.value.displayName },
            trusted
          )
        )
      }
    }
    views.set(members, { users: t.users, views: out })
    return out
  }

  const projects = ProjectStore.ProjectStore.of({
    get: (platform, id) =>
      readWith((s) => {
        const project = HashMap.get(State.tenant(s, platform).projects, id)
        return Option.isSome(project)
          ? Effect.succeed(project.value)
          : Effect.fail(new ScimError.ResourceNotFound({ resourceType: "Group", id }))
      }),
    query: (platform, query) =>
      read((s) => {
        const t = State.tenant(s, platform)
        const indexed = projectCandidates(t, query)
        // a filter on members sees each group with its members, which change apart from the groups: not kept
        if (readsMembers(query)) {
          return InMemory.query(
            Schemas.GroupResourceType,
            indexed ?? HashMap.values(t.projects),
            (project) => Render.projectView(project, memberViews(t, project)),
            query
          )
        }
        return indexed !== undefined
          ? InMemory.query(Schemas.GroupResourceType, indexed, projectView, query)
          : InMemory.queryCollection(
            projectOrders,
            t.projects,
            Schemas.GroupResourceType,
            () => HashMap.values(t.projects),
            projectView,
            query
          )
      }).pipe(Effect.withSpan("StoreMemory.ProjectStore.query", undefined, noStackTrace)),
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
    listAllMembers: (platform, id) =>
      read((s) => {
        const t = State.tenant(s, platform)
        const out: Array<Model.ManagedMember> = []
        for (const { host, member, scim } of State.allMembersInOrder(t, id)) {
          const user = HashMap.get(t.users, member.userId)
          if (Option.isNone(user)) continue
          out.push(
            new Model.ManagedMember({
              userId: member.userId,
              role: member.role,
              userName: user.value.userName,
              displayName: user.value.displayName,
              scim,
              host
            }, trusted)
          )
        }
        return out
      }),
    countMembers: (platform, id) => read((s) => HashMap.size(State.membersOf(State.tenant(s, platform), id))),
    addMembers: (platform, id, members, source) => write((s) => State.addMembers(s, platform, id, members, source)),
    removeMembers: (platform, id, users, source) => write((s) => State.removeMembers(s, platform, id, users, source)),
    removeAllMembers: (platform, id, source) => write((s) => State.removeAllMembers(s, platform, id, source)),
    setRole: (platform, id, user, role) => write((s) => State.setRole(s, platform, id, user, role)),
    listUserProjects: (platform, user) => read((s) => projectRefs(State.tenant(s, platform), user)),
    listUsersProjects: (platform, users) =>
      users.length === 0
        ? Effect.succeed(new Map())
        : read((s) => {
          const t = State.tenant(s, platform)
          const out = new Map<Model.UserId, ReadonlyArray<Model.ProjectRef>>()
          for (const user of users) if (!out.has(user)) out.set(user, projectRefs(t, user))
          return out
        })
  })

  const byCreated = <A extends { readonly id: string; readonly created: DateTime.Utc }>(a: A, b: A): number => {
    const d = DateTime.toEpochMillis(a.created) - DateTime.toEpochMillis(b.created)
    return d !== 0 ? d : a.id < b.id ? -1 : a.id > b.id ? 1 : 0
  }

  const apiKeys = ApiKeyStore.ApiKeyStore.of({
    insert: (key) => write((s) => State.insertKey(s, key)),
    findByHash: (hash) => read((s) => Option.flatMap(HashMap.get(s.keyHashes, hash), (id) => HashMap.get(s.keys, id))),
    get: (id) =>
      readWith((s) => {
        const key = HashMap.get(s.keys, id)
        return Option.isSome(key)
          ? Effect.succeed(key.value)
          : Effect.fail(new ScimError.ResourceNotFound({ resourceType: "ApiKey", id }))
      }),
    list: (platform) =>
      read((s) => {
        const out: Array<Model.StoredApiKey> = []
        for (const key of HashMap.values(s.keys)) if (key.platform === platform) out.push(key)
        return out.sort(byCreated)
      }),
    revoke: (id, at) =>
      write((s) =>
        State.modifyKey(
          s,
          id,
          (key) =>
            Option.isSome(key.revoked) ? key : new Model.StoredApiKey({ ...key, revoked: Option.some(at) }, trusted)
        )
      ),
    touch: (id, at) =>
      write((s) =>
        State.modifyKey(
          s,
          id,
          (key) =>
            Option.isSome(key.lastUsed) && DateTime.isGreaterThanOrEqualTo(key.lastUsed.value, at)
              ? key
              : new Model.StoredApiKey({ ...key, lastUsed: Option.some(at) }, trusted)
        )
      ).pipe(Effect.catchTag("ResourceNotFound", () => Effect.void), Effect.asVoid)
  })

  const platforms = PlatformStore.PlatformStore.of({
    insert: (platform) => write((s) => State.insertPlatform(s, platform)),
    get: (id) =>
      readWith((s) => {
        const platform = HashMap.get(s.platforms, id)
        return Option.isSome(platform)
          ? Effect.succeed(platform.value)
          : Effect.fail(new ScimError.ResourceNotFound({ resourceType: "Platform", id }))
      }),
    findByName: (name) =>
      read((s) =>
        Option.flatMap(HashMap.get(s.platformNames, name.toLowerCase()), (id) => HashMap.get(s.platforms, id))
      ),
    list: () => read((s): ReadonlyArray<Model.Platform> => Array.from(HashMap.values(s.platforms)).sort(byCreated)),
    update: (platform) => write((s) => State.updatePlatform(s, platform))
  })

  const log = new EventLog()
  const events = EventStore.EventStore.of({
    append: (batch) =>
      batch.length === 0
        ? Effect.succeed([])
        : write((s) =>
          State.ok(log.append(s.eventsLatest, batch), { ...s, eventsLatest: s.eventsLatest + batch.length })
        ),
    read: (query) => read((s) => log.read(s.eventsLatest, query)),
    latest: read((s) => s.eventsLatest),
    // not undone by a rollback: pruning is never part of a write's transaction
    prune: (before) => write((s) => State.ok(log.prune(s.eventsLatest, before), s)),
    checkpoint: (consumer) => read((s) => HashMap.get(s.checkpoints, consumer)),
    saveCheckpoint: (consumer, position) => write((s) => State.saveCheckpoint(s, consumer, position)),
    acquireLease: (name, owner, ttlMillis) =>
      Effect.flatMap(
        Clock.currentTimeMillis,
        (now) => write((s) => State.acquireLease(s, name, owner, now, ttlMillis))
      ),
    releaseLease: (name, owner) => write((s) => State.releaseLease(s, name, owner))
  })

  const deliveries = DeliveryLog.DeliveryLog.of({
    record: (attempt) =>
      write((s) =>
        State.recordDelivery(s, attempt, (id) => new DeliveryLog.DeliveryAttempt({ ...attempt, id }, trusted))
      ),
    list: (options) => read((s) => State.listDeliveries(s, options)),
    prune: (before) => write((s) => State.pruneDeliveries(s, before))
  })

  return Context.make(UserStore.UserStore, users).pipe(
    Context.add(ProjectStore.ProjectStore, projects),
    Context.add(ApiKeyStore.ApiKeyStore, apiKeys),
    Context.add(PlatformStore.PlatformStore, platforms),
    Context.add(EventStore.EventStore, events),
    Context.add(DeliveryLog.DeliveryLog, deliveries),
    Context.add(Transactions.Transactions, Transactions.Transactions.of({ run }))
  )
})

/**
 * All ports over one fresh in-memory state. Each build of the layer is a new, empty store.
 */
export const layer: Layer.Layer<Stores.Stores> = Layer.effectContext(make)
