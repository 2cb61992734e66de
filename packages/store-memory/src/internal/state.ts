/**
 * The memory store's state as one immutable value, and every write as a pure transition
 * `State -> Result<[result, State], error>`. Persistent maps make each transition cheap and let a
 * transaction keep the state it started from for free.
 *
 * Memberships are kept per source (`MemberSource`): `members`/`memberOf` hold the SCIM-managed
 * ones, exactly what every SCIM read sees, so those reads cost what they did before sources existed;
 * `hostMembers`/`hostMemberOf` hold the host-managed ones. A membership both sources manage is in
 * both, with the same role. The change feed's events live in an `EventLog` beside the state (see
 * `eventLog.ts`); the state holds only the highest position it contains.
 */
import * as DateTime from "effect/DateTime"
import * as HashMap from "effect/HashMap"
import * as HashSet from "effect/HashSet"
import * as Option from "effect/Option"
import * as Result from "effect/Result"
import { type DeliveryLog, Model, ScimError } from "@scimkit/core"

/** One platform's users, projects and memberships, with the indexes that make lookups O(1). */
export interface Tenant {
  readonly users: HashMap.HashMap<Model.UserId, Model.StoredUser>
  /** lower(userName) → id */
  readonly userNames: HashMap.HashMap<string, Model.UserId>
  /** externalId → ids (unique only when the platform asks for it) */
  readonly userExternalIds: HashMap.HashMap<string, HashSet.HashSet<Model.UserId>>
  readonly projects: HashMap.HashMap<Model.ProjectId, Model.StoredProject>
  /** lower(displayName) → id */
  readonly projectNames: HashMap.HashMap<string, Model.ProjectId>
  readonly projectExternalIds: HashMap.HashMap<string, HashSet.HashSet<Model.ProjectId>>
  /** project → its SCIM-managed memberships, keyed by user id. */
  readonly members: HashMap.HashMap<Model.ProjectId, Members>
  /**
   * user → the projects whose SCIM-managed memberships they hold (the reverse index, for cascades
   * and `listUserProjects`).
   */
  readonly memberOf: HashMap.HashMap<Model.UserId, HashSet.HashSet<Model.ProjectId>>
  /** project → its host-managed memberships, keyed by user id. */
  readonly hostMembers: HashMap.HashMap<Model.ProjectId, Members>
  /** user → the projects whose host-managed memberships they hold (for cascades). */
  readonly hostMemberOf: HashMap.HashMap<Model.UserId, HashSet.HashSet<Model.ProjectId>>
}

/** One membership as the store keeps it. */
export type Member = Model.Membership

/** A project's memberships, keyed by user id. */
export type Members = HashMap.HashMap<Model.UserId, Member>

export interface State {
  readonly tenants: HashMap.HashMap<Model.PlatformId, Tenant>
  readonly platforms: HashMap.HashMap<Model.PlatformId, Model.Platform>
  /** lower(name) → id */
  readonly platformNames: HashMap.HashMap<string, Model.PlatformId>
  readonly keys: HashMap.HashMap<Model.ApiKeyId, Model.StoredApiKey>
  readonly keyHashes: HashMap.HashMap<string, Model.ApiKeyId>
  /** The highest event position this state holds (0: none); the events are in the `EventLog`. */
  readonly eventsLatest: number
  /** consumer → the last position it handled */
  readonly checkpoints: HashMap.HashMap<string, number>
  readonly leases: HashMap.HashMap<string, Lease>
  /** The webhook delivery attempts by id, and the highest id given. */
  readonly deliveries: HashMap.HashMap<number, DeliveryLog.DeliveryAttempt>
  readonly deliveriesLatest: number
}

/** Who holds a named lease, until when (epoch milliseconds). */
export interface Lease {
  readonly owner: string
  readonly expires: number
}

export type Transition<A, E> = Result.Result<readonly [A, State], E>

export const emptyTenant: Tenant = {
  users: HashMap.empty(),
  userNames: HashMap.empty(),
  userExternalIds: HashMap.empty(),
  projects: HashMap.empty(),
  projectNames: HashMap.empty(),
  projectExternalIds: HashMap.empty(),
  members: HashMap.empty(),
  memberOf: HashMap.empty(),
  hostMembers: HashMap.empty(),
  hostMemberOf: HashMap.empty()
}

export const emptyState: State = {
  tenants: HashMap.empty(),
  platforms: HashMap.empty(),
  platformNames: HashMap.empty(),
  keys: HashMap.empty(),
  keyHashes: HashMap.empty(),
  eventsLatest: 0,
  checkpoints: HashMap.empty(),
  leases: HashMap.empty(),
  deliveries: HashMap.empty(),
  deliveriesLatest: 0
}

const emptyMembers: Members = HashMap.empty()

export const tenant = (state: State, platform: Model.PlatformId): Tenant =>
  Option.getOrElse(HashMap.get(state.tenants, platform), () => emptyTenant)

const withTenant = (state: State, platform: Model.PlatformId, next: Tenant): State => ({
  ...state,
  tenants: HashMap.set(state.tenants, platform, next)
})

export const ok = <A>(value: A, state: State): Transition<A, never> => Result.succeed([value, state] as const)

const lower = (s: string): string => s.toLowerCase()

const taken = (attribute: string, value: string, what: string): ScimError.Uniqueness =>
  new ScimError.Uniqueness({
    attribute,
    value,
    detail: `${attribute} ${
      JSON.stringify(value)
    } is already taken by another ${what} on this platform; choose another value or update the existing ${what}`
  })

const mismatch = (resourceType: string, id: string, expected: number, actual: number): ScimError.VersionMismatch =>
  new ScimError.VersionMismatch({ resourceType, id, expected: String(expected), actual: String(actual) })

/** Whether `key` is free in `index`, or held by `self`. */
const freeFor = <K, V>(index: HashMap.HashMap<K, V>, key: K, self: V): boolean =>
  Option.match(HashMap.get(index, key), { onNone: () => true, onSome: (holder) => holder === self })

const reindex = <K, V>(
  index: HashMap.HashMap<K, V>,
  before: Option.Option<K>,
  after: Option.Option<K>,
  value: V
): HashMap.HashMap<K, V> => {
  const removed = Option.match(before, { onNone: () => index, onSome: (key) => HashMap.remove(index, key) })
  return Option.match(after, { onNone: () => removed, onSome: (key) => HashMap.set(removed, key, value) })
}

/** Moves `value` from the set under `before` to the set under `after`, for indexes whose keys repeat. */
const reindexMany = <K, V>(
  index: HashMap.HashMap<K, HashSet.HashSet<V>>,
  before: Option.Option<K>,
  after: Option.Option<K>,
  value: V
): HashMap.HashMap<K, HashSet.HashSet<V>> => {
  let out = index
  if (Option.isSome(before)) {
    const rest = HashSet.remove(Option.getOrElse(HashMap.get(out, before.value), () => HashSet.empty<V>()), value)
    out = HashSet.size(rest) === 0 ? HashMap.remove(out, before.value) : HashMap.set(out, before.value, rest)
  }
  if (Option.isSome(after)) {
    out = HashMap.set(
      out,
      after.value,
      HashSet.add(Option.getOrElse(HashMap.get(out, after.value), () => HashSet.empty<V>()), value)
    )
  }
  return out
}

/** The ids holding `key` in a repeating index. */
export const holders = <K, V>(index: HashMap.HashMap<K, HashSet.HashSet<V>>, key: K): ReadonlyArray<V> =>
  Option.match(HashMap.get(index, key), { onNone: () => [], onSome: (set) => [...set] })

/** Whether `key` is held by another id than `self` in a repeating index. */
const heldByOther = <K, V>(index: HashMap.HashMap<K, HashSet.HashSet<V>>, key: K, self: V): boolean =>
  holders(index, key).some((holder) => holder !== self)

/** Whether the platform asks for `externalId` to be unique (RFC 7643 §3.1 does not). */
const uniqueExternalIds = (state: State, platform: Model.PlatformId): boolean =>
  Option.match(HashMap.get(state.platforms, platform), { onNone: () => false, onSome: (p) => p.uniqueExternalId })

// ---------------------------------------------------------------------------------------------
// users

export const userByName = (t: Tenant, userName: string): Option.Option<Model.StoredUser> =>
  Option.flatMap(HashMap.get(t.userNames, lower(userName)), (id) => HashMap.get(t.users, id))

export const insertUser = (
  state: State,
  platform: Model.PlatformId,
  user: Model.StoredUser
): Transition<Model.StoredUser, ScimError.Uniqueness> => {
  const t = tenant(state, platform)
  if (HashMap.has(t.users, user.id)) return Result.fail(taken("id", user.id, "user"))
  if (HashMap.has(t.userNames, lower(user.userName))) return Result.fail(taken("userName", user.userName, "user"))
  if (
    Option.isSome(user.externalId) && uniqueExternalIds(state, platform) &&
    heldByOther(t.userExternalIds, user.externalId.value, user.id)
  ) {
    return Result.fail(taken("externalId", user.externalId.value, "user"))
  }
  return ok(
    user,
    withTenant(state, platform, {
      ...t,
      users: HashMap.set(t.users, user.id, user),
      userNames: HashMap.set(t.userNames, lower(user.userName), user.id),
      userExternalIds: reindexMany(t.userExternalIds, Option.none(), user.externalId, user.id)
    })
  )
}

export const updateUser = (
  state: State,
  platform: Model.PlatformId,
  user: Model.StoredUser,
  expectedVersion: number
): Transition<Model.StoredUser, ScimError.ResourceNotFound | ScimError.VersionMismatch | ScimError.Uniqueness> => {
  const t = tenant(state, platform)
  const current = HashMap.get(t.users, user.id)
  if (Option.isNone(current)) return Result.fail(new ScimError.ResourceNotFound({ resourceType: "User", id: user.id }))
  const stored = current.value
  if (stored.version !== expectedVersion) return Result.fail(mismatch("User", user.id, expectedVersion, stored.version))
  if (!freeFor(t.userNames, lower(user.userName), user.id)) return Result.fail(taken("userName", user.userName, "user"))
  if (
    Option.isSome(user.externalId) && uniqueExternalIds(state, platform) &&
    heldByOther(t.userExternalIds, user.externalId.value, user.id)
  ) {
    return Result.fail(taken("externalId", user.externalId.value, "user"))
  }
  return ok(
    user,
    withTenant(state, platform, {
      ...t,
      users: HashMap.set(t.users, user.id, user),
      userNames: reindex(t.userNames, Option.some(lower(stored.userName)), Option.some(lower(user.userName)), user.id),
      userExternalIds: reindexMany(t.userExternalIds, stored.externalId, user.externalId, user.id)
    })
  )
}

/** The memberships maps without `user`'s, found through the reverse index. */
const withoutUser = (
  members: Tenant["members"],
  memberOf: Tenant["memberOf"],
  user: Model.UserId
): Tenant["members"] => {
  let out = members
  for (const project of Option.getOrElse(HashMap.get(memberOf, user), () => HashSet.empty<Model.ProjectId>())) {
    out = HashMap.modify(out, project, (m) => HashMap.remove(m, user))
  }
  return out
}

export const removeUser = (
  state: State,
  platform: Model.PlatformId,
  id: Model.UserId,
  expectedVersion: number
): Transition<void, ScimError.ResourceNotFound | ScimError.VersionMismatch> => {
  const t = tenant(state, platform)
  const current = HashMap.get(t.users, id)
  if (Option.isNone(current)) return Result.fail(new ScimError.ResourceNotFound({ resourceType: "User", id }))
  const stored = current.value
  if (stored.version !== expectedVersion) return Result.fail(mismatch("User", id, expectedVersion, stored.version))
  return ok(
    undefined,
    withTenant(state, platform, {
      ...t,
      users: HashMap.remove(t.users, id),
      userNames: HashMap.remove(t.userNames, lower(stored.userName)),
      userExternalIds: reindexMany(t.userExternalIds, stored.externalId, Option.none(), id),
      members: withoutUser(t.members, t.memberOf, id),
      memberOf: HashMap.remove(t.memberOf, id),
      hostMembers: withoutUser(t.hostMembers, t.hostMemberOf, id),
      hostMemberOf: HashMap.remove(t.hostMemberOf, id)
    })
  )
}

// ---------------------------------------------------------------------------------------------
// projects

export const insertProject = (
  state: State,
  platform: Model.PlatformId,
  project: Model.StoredProject
): Transition<Model.StoredProject, ScimError.Uniqueness> => {
  const t = tenant(state, platform)
  if (HashMap.has(t.projects, project.id)) return Result.fail(taken("id", project.id, "group"))
  if (HashMap.has(t.projectNames, lower(project.displayName))) {
    return Result.fail(taken("displayName", project.displayName, "group"))
  }
  if (
    Option.isSome(project.externalId) && uniqueExternalIds(state, platform) &&
    heldByOther(t.projectExternalIds, project.externalId.value, project.id)
  ) {
    return Result.fail(taken("externalId", project.externalId.value, "group"))
  }
  return ok(
    project,
    withTenant(state, platform, {
      ...t,
      projects: HashMap.set(t.projects, project.id, project),
      projectNames: HashMap.set(t.projectNames, lower(project.displayName), project.id),
      projectExternalIds: reindexMany(t.projectExternalIds, Option.none(), project.externalId, project.id)
    })
  )
}

export const updateProject = (
  state: State,
  platform: Model.PlatformId,
  project: Model.StoredProject,
  expectedVersion: number
): Transition<Model.StoredProject, ScimError.ResourceNotFound | ScimError.VersionMismatch | ScimError.Uniqueness> => {
  const t = tenant(state, platform)
  const current = HashMap.get(t.projects, project.id)
  if (Option.isNone(current)) {
    return Result.fail(new ScimError.ResourceNotFound({ resourceType: "Group", id: project.id }))
  }
  const stored = current.value
  if (stored.version !== expectedVersion) {
    return Result.fail(mismatch("Group", project.id, expectedVersion, stored.version))
  }
  if (!freeFor(t.projectNames, lower(project.displayName), project.id)) {
    return Result.fail(taken("displayName", project.displayName, "group"))
  }
  if (
    Option.isSome(project.externalId) && uniqueExternalIds(state, platform) &&
    heldByOther(t.projectExternalIds, project.externalId.value, project.id)
  ) {
    return Result.fail(taken("externalId", project.externalId.value, "group"))
  }
  return ok(
    project,
    withTenant(state, platform, {
      ...t,
      projects: HashMap.set(t.projects, project.id, project),
      projectNames: reindex(
        t.projectNames,
        Option.some(lower(stored.displayName)),
        Option.some(lower(project.displayName)),
        project.id
      ),
      projectExternalIds: reindexMany(t.projectExternalIds, stored.externalId, project.externalId, project.id)
    })
  )
}

/** Version + 1 and `lastModified`, whatever the version was: a change of the memberships alone. */
export const touchProject = (
  state: State,
  platform: Model.PlatformId,
  id: Model.ProjectId,
  lastModified: DateTime.Utc
): Transition<Model.StoredProject, ScimError.ResourceNotFound> => {
  const t = tenant(state, platform)
  const current = HashMap.get(t.projects, id)
  if (Option.isNone(current)) return Result.fail(new ScimError.ResourceNotFound({ resourceType: "Group", id }))
  const project = new Model.StoredProject({ ...current.value, version: current.value.version + 1, lastModified }, {
    disableChecks: true
  })
  return ok(project, withTenant(state, platform, { ...t, projects: HashMap.set(t.projects, id, project) }))
}

const dropMemberships = (
  index: Tenant["memberOf"],
  id: Model.ProjectId,
  users: Iterable<Model.UserId>
): Tenant["memberOf"] => {
  let memberOf = index
  for (const user of users) memberOf = HashMap.modify(memberOf, user, (projects) => HashSet.remove(projects, id))
  return memberOf
}

export const removeProject = (
  state: State,
  platform: Model.PlatformId,
  id: Model.ProjectId,
  expectedVersion: number
): Transition<void, ScimError.ResourceNotFound | ScimError.VersionMismatch> => {
  const t = tenant(state, platform)
  const current = HashMap.get(t.projects, id)
  if (Option.isNone(current)) return Result.fail(new ScimError.ResourceNotFound({ resourceType: "Group", id }))
  const stored = current.value
  if (stored.version !== expectedVersion) return Result.fail(mismatch("Group", id, expectedVersion, stored.version))
  return ok(
    undefined,
    withTenant(state, platform, {
      ...t,
      projects: HashMap.remove(t.projects, id),
      projectNames: HashMap.remove(t.projectNames, lower(stored.displayName)),
      projectExternalIds: reindexMany(t.projectExternalIds, stored.externalId, Option.none(), id),
      members: HashMap.remove(t.members, id),
      memberOf: dropMemberships(t.memberOf, id, HashMap.keys(membersOf(t, id))),
      hostMembers: HashMap.remove(t.hostMembers, id),
      hostMemberOf: dropMemberships(t.hostMemberOf, id, HashMap.keys(hostMembersOf(t, id)))
    })
  )
}

export const membersOf = (t: Tenant, id: Model.ProjectId): Members =>
  Option.getOrElse(HashMap.get(t.members, id), () => emptyMembers)

const byUserId = (a: Member, b: Member): number => (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0)

// The sorted list of each memberships map: maps are persistent (a change makes a new one), so a
// list sorted once serves every read until the project's memberships change.
const sortedMembers = new WeakMap<Members, ReadonlyArray<Member>>()

/** A project's memberships ordered by user id (string order, by UTF-16 code units), sorted once per change. */
export const membersInOrder = (t: Tenant, id: Model.ProjectId): ReadonlyArray<Member> => {
  const members = membersOf(t, id)
  let sorted = sortedMembers.get(members)
  if (sorted === undefined) {
    sorted = Array.from(HashMap.values(members)).sort(byUserId)
    sortedMembers.set(members, sorted)
  }
  return sorted
}

/** A project's host-managed memberships. */
export const hostMembersOf = (t: Tenant, id: Model.ProjectId): Members =>
  Option.getOrElse(HashMap.get(t.hostMembers, id), () => emptyMembers)

/** The maps of one source: its memberships by project and its reverse index. */
interface SourceMaps {
  readonly members: Tenant["members"]
  readonly memberOf: Tenant["memberOf"]
}

const mapsOf = (t: Tenant, source: Model.MemberSource): SourceMaps =>
  source === "scim"
    ? { members: t.members, memberOf: t.memberOf }
    : { members: t.hostMembers, memberOf: t.hostMemberOf }

const withMaps = (t: Tenant, source: Model.MemberSource, maps: SourceMaps): Tenant =>
  source === "scim"
    ? { ...t, members: maps.members, memberOf: maps.memberOf }
    : { ...t, hostMembers: maps.members, hostMemberOf: maps.memberOf }

/**
 * Makes `source` manage each given membership (the first occurrence of a user in `add` wins): a new
 * membership gets the given role, one the other source manages keeps its role. Returns the
 * memberships `source` did not manage before, with their role as stored. Like a foreign key would,
 * a project or user that is not on the platform fails the whole call.
 */
export const addMembers = (
  state: State,
  platform: Model.PlatformId,
  id: Model.ProjectId,
  add: ReadonlyArray<Model.Membership>,
  source: Model.MemberSource
): Transition<ReadonlyArray<Model.Membership>, ScimError.StoreError> => {
  const t = tenant(state, platform)
  if (!HashMap.has(t.projects, id)) {
    return Result.fail(
      new ScimError.StoreError({ message: `Cannot add members to group ${id}: it does not exist on this platform` })
    )
  }
  const missing = add.filter((m) => !HashMap.has(t.users, m.userId)).map((m) => m.userId)
  if (missing.length > 0) {
    return Result.fail(
      new ScimError.StoreError({
        message: `Cannot add members to group ${id}: no user ${
          missing.join(", ")
        } on this platform; check the users exist first`
      })
    )
  }
  const maps = mapsOf(t, source)
  // the role of a membership the other source manages: one membership, one role
  const other = source === "scim" ? hostMembersOf(t, id) : membersOf(t, id)
  let members = Option.getOrElse(HashMap.get(maps.members, id), () => emptyMembers)
  let memberOf = maps.memberOf
  const added: Array<Model.Membership> = []
  for (const m of add) {
    if (HashMap.has(members, m.userId)) continue
    const kept = HashMap.get(other, m.userId)
    const stored = Option.isSome(kept) ? kept.value : m
    members = HashMap.set(members, m.userId, stored)
    memberOf = HashMap.set(
      memberOf,
      m.userId,
      HashSet.add(Option.getOrElse(HashMap.get(memberOf, m.userId), () => HashSet.empty<Model.ProjectId>()), id)
    )
    added.push(stored)
  }
  if (added.length === 0) return ok(added, state)
  return ok(
    added,
    withTenant(state, platform, withMaps(t, source, { members: HashMap.set(maps.members, id, members), memberOf }))
  )
}

/**
 * Stops `source` managing the given memberships (a membership the other source still manages
 * stays); returns the memberships `source` managed before, with their role.
 */
export const removeMembers = (
  state: State,
  platform: Model.PlatformId,
  id: Model.ProjectId,
  users: Iterable<Model.UserId>,
  source: Model.MemberSource
): Transition<ReadonlyArray<Model.Membership>, never> => {
  const t = tenant(state, platform)
  const maps = mapsOf(t, source)
  let members = Option.getOrElse(HashMap.get(maps.members, id), () => emptyMembers)
  const removed: Array<Model.Membership> = []
  for (const user of users) {
    const member = HashMap.get(members, user)
    if (Option.isNone(member)) continue
    members = HashMap.remove(members, user)
    removed.push(member.value)
  }
  if (removed.length === 0) return ok(removed, state)
  return ok(
    removed,
    withTenant(
      state,
      platform,
      withMaps(t, source, {
        members: HashMap.set(maps.members, id, members),
        memberOf: dropMemberships(maps.memberOf, id, removed.map((m) => m.userId))
      })
    )
  )
}

export const removeAllMembers = (
  state: State,
  platform: Model.PlatformId,
  id: Model.ProjectId,
  source: Model.MemberSource
): Transition<ReadonlyArray<Model.Membership>, never> => {
  const t = tenant(state, platform)
  const members = Option.getOrElse(HashMap.get(mapsOf(t, source).members, id), () => emptyMembers)
  return removeMembers(state, platform, id, Array.from(HashMap.keys(members)), source)
}

/** Changes the role of an existing membership in every source that manages it; None when there is none. */
export const setRole = (
  state: State,
  platform: Model.PlatformId,
  id: Model.ProjectId,
  user: Model.UserId,
  role: Model.ProjectRole
): Transition<Option.Option<Model.Membership>, never> => {
  const t = tenant(state, platform)
  const scim = HashMap.get(membersOf(t, id), user)
  const host = HashMap.get(hostMembersOf(t, id), user)
  const current = Option.orElse(scim, () => host)
  if (Option.isNone(current)) return ok(Option.none(), state)
  if (current.value.role === role) return ok(current, state)
  const next = new Model.Membership({ userId: user, role }, { disableChecks: true })
  return ok(
    Option.some(next),
    withTenant(state, platform, {
      ...t,
      members: Option.isSome(scim) ? HashMap.modify(t.members, id, (m) => HashMap.set(m, user, next)) : t.members,
      hostMembers: Option.isSome(host)
        ? HashMap.modify(t.hostMembers, id, (m) => HashMap.set(m, user, next))
        : t.hostMembers
    })
  )
}

/** Every membership of a project, whoever manages it, userId ascending, with the sources. */
export const allMembersInOrder = (
  t: Tenant,
  id: Model.ProjectId
): ReadonlyArray<{ readonly member: Member; readonly scim: boolean; readonly host: boolean }> => {
  const scim = membersOf(t, id)
  const host = hostMembersOf(t, id)
  const out: Array<{ readonly member: Member; readonly scim: boolean; readonly host: boolean }> = []
  for (const member of membersInOrder(t, id)) out.push({ member, scim: true, host: HashMap.has(host, member.userId) })
  for (const member of HashMap.values(host)) {
    if (!HashMap.has(scim, member.userId)) out.push({ member, scim: false, host: true })
  }
  return out.sort((a, b) => byUserId(a.member, b.member))
}

// ---------------------------------------------------------------------------------------------
// platforms and API keys

export const insertPlatform = (
  state: State,
  platform: Model.Platform
): Transition<Model.Platform, ScimError.Uniqueness> => {
  if (HashMap.has(state.platforms, platform.id)) return Result.fail(taken("id", platform.id, "platform"))
  if (HashMap.has(state.platformNames, lower(platform.name))) {
    return Result.fail(
      new ScimError.Uniqueness({
        attribute: "name",
        value: platform.name,
        detail: `A platform named ${JSON.stringify(platform.name)} already exists; choose another name`
      })
    )
  }
  return ok(platform, {
    ...state,
    platforms: HashMap.set(state.platforms, platform.id, platform),
    platformNames: HashMap.set(state.platformNames, lower(platform.name), platform.id)
  })
}

export const updatePlatform = (
  state: State,
  platform: Model.Platform
): Transition<Model.Platform, ScimError.ResourceNotFound | ScimError.Uniqueness | ScimError.StoreError> => {
  const current = HashMap.get(state.platforms, platform.id)
  if (Option.isNone(current)) {
    return Result.fail(new ScimError.ResourceNotFound({ resourceType: "Platform", id: platform.id }))
  }
  if (!freeFor(state.platformNames, lower(platform.name), platform.id)) {
    return Result.fail(
      new ScimError.StoreError({
        message: `Cannot rename platform ${platform.id} to ${
          JSON.stringify(platform.name)
        }: another platform has that name`
      })
    )
  }
  if (platform.uniqueExternalId && !current.value.uniqueExternalId) {
    const t = tenant(state, platform.id)
    for (const [kind, index] of [["user", t.userExternalIds], ["group", t.projectExternalIds]] as const) {
      for (const [externalId, ids] of index as HashMap.HashMap<string, HashSet.HashSet<string>>) {
        if (HashSet.size(ids) > 1) {
          return Result.fail(
            new ScimError.Uniqueness({
              attribute: "externalId",
              value: externalId,
              detail:
                `externalId ${JSON.stringify(externalId)} is shared by ${
                  HashSet.size(ids)
                } ${kind}s of this platform ` +
                `(${[...ids].slice(0, 5).join(", ")}); give them distinct externalIds before making externalId unique`
            })
          )
        }
      }
    }
  }
  return ok(platform, {
    ...state,
    platforms: HashMap.set(state.platforms, platform.id, platform),
    platformNames: reindex(
      state.platformNames,
      Option.some(lower(current.value.name)),
      Option.some(lower(platform.name)),
      platform.id
    )
  })
}

export const insertKey = (
  state: State,
  key: Model.StoredApiKey
): Transition<Model.StoredApiKey, ScimError.StoreError> => {
  if (HashMap.has(state.keys, key.id)) {
    return Result.fail(new ScimError.StoreError({ message: `An API key with id ${key.id} already exists` }))
  }
  if (HashMap.has(state.keyHashes, key.hash)) {
    return Result.fail(
      new ScimError.StoreError({ message: "An API key with the same hash already exists; generate a new secret" })
    )
  }
  return ok(key, {
    ...state,
    keys: HashMap.set(state.keys, key.id, key),
    keyHashes: HashMap.set(state.keyHashes, key.hash, key.id)
  })
}

export const modifyKey = (
  state: State,
  id: Model.ApiKeyId,
  f: (key: Model.StoredApiKey) => Model.StoredApiKey
): Transition<Model.StoredApiKey, ScimError.ResourceNotFound> =>
  Option.match(HashMap.get(state.keys, id), {
    onNone: () => Result.fail(new ScimError.ResourceNotFound({ resourceType: "ApiKey", id })),
    onSome: (key) => {
      const next = f(key)
      return ok(next, next === key ? state : { ...state, keys: HashMap.set(state.keys, id, next) })
    }
  })

// ---------------------------------------------------------------------------------------------
// change feed: checkpoints, leases, webhook deliveries (the events are in `EventLog`)

/** A consumer's position moves forward only: saving a lower one keeps the stored one. */
export const saveCheckpoint = (state: State, consumer: string, position: number): Transition<void, never> =>
  Option.match(HashMap.get(state.checkpoints, consumer), {
      onNone: () => true,
      onSome: (stored) => position > stored
    })
    ? ok(undefined, { ...state, checkpoints: HashMap.set(state.checkpoints, consumer, position) })
    : ok(undefined, state)

/** Takes or renews the lease when it is free, expired at `now`, or already `owner`'s. */
export const acquireLease = (
  state: State,
  name: string,
  owner: string,
  now: number,
  ttlMillis: number
): Transition<boolean, never> => {
  const held = HashMap.get(state.leases, name)
  if (Option.isSome(held) && held.value.owner !== owner && held.value.expires > now) return ok(false, state)
  return ok(true, { ...state, leases: HashMap.set(state.leases, name, { owner, expires: now + ttlMillis }) })
}

export const releaseLease = (state: State, name: string, owner: string): Transition<void, never> =>
  Option.exists(HashMap.get(state.leases, name), (lease) => lease.owner === owner)
    ? ok(undefined, { ...state, leases: HashMap.remove(state.leases, name) })
    : ok(undefined, state)

export const recordDelivery = (
  state: State,
  attempt: DeliveryLog.NewDeliveryAttempt,
  make: (id: number) => DeliveryLog.DeliveryAttempt
): Transition<DeliveryLog.DeliveryAttempt, never> => {
  const id = state.deliveriesLatest + 1
  const recorded = make(id)
  return ok(recorded, {
    ...state,
    deliveries: HashMap.set(state.deliveries, id, recorded),
    deliveriesLatest: id
  })
}

/** Attempts newest first: those with `id < before` when given, of `endpoint` when given, at most `limit`. */
export const listDeliveries = (
  state: State,
  options: { readonly limit: number; readonly before?: number | undefined; readonly endpoint?: string | undefined }
): ReadonlyArray<DeliveryLog.DeliveryAttempt> => {
  const out: Array<DeliveryLog.DeliveryAttempt> = []
  const from = Math.min(state.deliveriesLatest, (options.before ?? Number.POSITIVE_INFINITY) - 1)
  // ids are dense until pruned: stop once every attempt left has been seen
  let left = HashMap.size(state.deliveries)
  for (let id = from; id >= 1 && out.length < options.limit && left > 0; id--) {
    const attempt = HashMap.get(state.deliveries, id)
    if (Option.isNone(attempt)) continue
    left--
    if (options.endpoint === undefined || attempt.value.endpoint === options.endpoint) out.push(attempt.value)
  }
  return out
}

export const pruneDeliveries = (state: State, before: DateTime.Utc): Transition<number, never> => {
  let deliveries = state.deliveries
  let deleted = 0
  for (const [id, attempt] of state.deliveries) {
    if (DateTime.isLessThan(attempt.at, before)) {
      deliveries = HashMap.remove(deliveries, id)
      deleted++
    }
  }
  return ok(deleted, deleted === 0 ? state : { ...state, deliveries })
}
