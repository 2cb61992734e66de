/**
 * `pnpm scimkit migrate`: copies everything one store holds into another, through the core's ports
 * only, so any pair of stores works (the PGlite directory of earlier versions to SQLite, SQLite to a
 * Postgres server, …): every platform, API key (hash, prefix, created, last used, revoked), user,
 * group (project) and membership with its role, keeping ids, versions and timestamps, so that keys,
 * `ETag`s, `meta` and cursors stay valid.
 *
 * The target must be empty (no platform): the copy is refused otherwise, so running it twice never
 * duplicates or overwrites anything. It runs in one transaction of the target: it is complete or
 * nothing is written, and a failed copy can simply be run again.
 */
import {
  ApiKeyStore,
  Model,
  PlatformStore,
  ProjectStore,
  ScimError,
  Transactions,
  UserStore,
  type StoreQuery,
  type Stores
} from "@scimkit/core"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"

/** What a copy wrote. */
export interface Copied {
  readonly platforms: number
  readonly apiKeys: number
  readonly users: number
  readonly groups: number
  readonly memberships: number
}

/** Items read per page from the source. */
const pageSize = 500

/** Every item of a paged query, in the store's default order (created, then id). */
const readAll = <A>(
  query: (page: StoreQuery.StoreQuery) => Effect.Effect<StoreQuery.Page<A>, ScimError.CoreError>
): Effect.Effect<ReadonlyArray<A>, ScimError.CoreError> =>
  Effect.gen(function*() {
    const items: Array<A> = []
    for (;;) {
      const page = yield* query({
        filter: Option.none(),
        sort: Option.none(),
        page: { _tag: "Index", startIndex: items.length + 1, count: pageSize }
      })
      for (const item of page.items) items.push(item)
      if (!page.hasMore || page.items.length === 0) return items
    }
  })

const toMembership = (member: Model.ManagedMember): Model.Membership =>
  new Model.Membership({ userId: member.userId, role: member.role }, { disableChecks: true })

/** Copies one platform's users, groups with their members, and keys. */
const copyPlatform = (
  source: Context.Context<Stores.Stores>,
  target: Context.Context<Stores.Stores>,
  platform: Model.Platform
) =>
  Effect.gen(function*() {
    const from = {
      users: Context.get(source, UserStore.UserStore),
      projects: Context.get(source, ProjectStore.ProjectStore),
      keys: Context.get(source, ApiKeyStore.ApiKeyStore)
    }
    const to = {
      users: Context.get(target, UserStore.UserStore),
      projects: Context.get(target, ProjectStore.ProjectStore),
      keys: Context.get(target, ApiKeyStore.ApiKeyStore)
    }
    const id: Model.PlatformId = platform.id
    const users: ReadonlyArray<Model.StoredUser> = yield* readAll((query) => from.users.query(id, query))
    yield* Effect.forEach(users, (user) => to.users.insert(id, user), { discard: true })
    const projects: ReadonlyArray<Model.StoredProject> = yield* readAll((query) => from.projects.query(id, query))
    let memberships = 0
    for (const project of projects) {
      yield* to.projects.insert(id, project)
      // every membership, with who manages it (SCIM, the host or both)
      const members = yield* from.projects.listAllMembers(id, project.id)
      for (const source of ["scim", "host"] as const) {
        const managed = members.filter((member) => member[source]).map(toMembership)
        if (managed.length > 0) yield* to.projects.addMembers(id, project.id, managed, source)
      }
      memberships += members.length
      // a store may count adding members as a change of the group: put its version and
      // lastModified back to the source's
      const written = yield* to.projects.get(id, project.id)
      if (
        written.version !== project.version ||
        written.lastModified.epochMilliseconds !== project.lastModified.epochMilliseconds
      ) {
        yield* to.projects.update(id, project, written.version)
      }
    }
    const keys = yield* from.keys.list(id)
    yield* Effect.forEach(keys, (key) => to.keys.insert(key), { discard: true })
    return { users: users.length, groups: projects.length, memberships, apiKeys: keys.length }
  })

/**
 * Copies everything `source` holds into `target`, which must hold no platform.
 */
export const copy = (
  source: Context.Context<Stores.Stores>,
  target: Context.Context<Stores.Stores>
): Effect.Effect<Copied, ScimError.CoreError> =>
  Effect.gen(function*() {
    const existing = yield* Context.get(target, PlatformStore.PlatformStore).list()
    if (existing.length > 0) {
      return yield* Effect.fail(
        new ScimError.StoreError({
          message: `The target store is not empty: it holds ${existing.length} platform${
            existing.length === 1 ? "" : "s"
          } (${
            existing.map((p) => JSON.stringify(p.name)).join(", ")
          }). migrate copies into an empty store only, so nothing was changed: give --to a new directory or an empty database`
        })
      )
    }
    const platforms = yield* Context.get(source, PlatformStore.PlatformStore).list()
    const copyAll = Effect.gen(function*() {
      const totals = { platforms: platforms.length, apiKeys: 0, users: 0, groups: 0, memberships: 0 }
      for (const platform of platforms) {
        yield* Context.get(target, PlatformStore.PlatformStore).insert(platform)
        const copied = yield* copyPlatform(source, target, platform)
        totals.apiKeys += copied.apiKeys
        totals.users += copied.users
        totals.groups += copied.groups
        totals.memberships += copied.memberships
      }
      return totals
    })
    return yield* Context.get(target, Transactions.Transactions).run(copyAll)
  })
