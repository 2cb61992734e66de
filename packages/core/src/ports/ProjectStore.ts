/**
 * The storage port for projects (SCIM groups) and their memberships. Membership is its own
 * relation: adding or removing one member never rewrites the others.
 */
import * as Context from "effect/Context"
import type * as DateTime from "effect/DateTime"
import type * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import type {
  ManagedMember,
  Membership,
  MemberSource,
  MemberView,
  PlatformId,
  ProjectId,
  ProjectRole,
  ProjectRef,
  StoredProject,
  UserId
} from "../domain/Model.js"
import type { ResourceNotFound, StoreError, Uniqueness, VersionMismatch } from "../errors/ScimError.js"
import type { Page, StoreQuery } from "./StoreQuery.js"

/**
 * - `insert`: `Uniqueness` when `displayName` (case-insensitive) or `externalId` (exact) is taken on the platform.
 * - `update`/`remove`: only if the stored version equals `expectedVersion` (`VersionMismatch` otherwise).
 *   `remove` deletes the project's memberships, never the users.
 * - `query` evaluates filters on the group document *with* `members` (e.g. `members[value eq "…"]`)
 *   but returns projects without members; with no sort the order is `created` ascending, then `id`.
 * - Memberships are managed by `scim`, by the `host`, or both (see `MemberSource`). Everything SCIM
 *   reads — `listMembers`, `countMembers`, `listUserProjects`, `listUsersProjects`, and the
 *   `members` a `query` filter sees — holds only memberships `scim` manages; `listAllMembers` holds every one.
 * - `addMembers(…, source)` makes `source` manage each given membership: a new membership gets the
 *   given role; an existing one keeps its role (and gains `source`). It returns the memberships that
 *   `source` did not manage before, with their role as stored. Callers check that the users exist first.
 * - `removeMembers(…, source)` / `removeAllMembers(…, source)` stop `source` managing the given /
 *   every membership it manages; a membership no source manages any more is deleted. They return the
 *   memberships `source` managed before, with their role (absent ones are ignored).
 * - `setRole` changes the role of an existing membership (whoever manages it); None when there is none.
 * - `touch` records a change of the memberships alone: version + 1 and `lastModified`, atomically.
 * - `listMembers` returns members in a stable order (userId ascending) with user name and display name.
 */
export class ProjectStore extends Context.Service<ProjectStore, {
  readonly get: (platform: PlatformId, id: ProjectId) => Effect.Effect<StoredProject, ResourceNotFound | StoreError>
  readonly query: (platform: PlatformId, query: StoreQuery) => Effect.Effect<Page<StoredProject>, StoreError>
  readonly insert: (
    platform: PlatformId,
    project: StoredProject
  ) => Effect.Effect<StoredProject, Uniqueness | StoreError>
  readonly update: (
    platform: PlatformId,
    project: StoredProject,
    expectedVersion: number
  ) => Effect.Effect<StoredProject, ResourceNotFound | VersionMismatch | Uniqueness | StoreError>
  readonly remove: (
    platform: PlatformId,
    id: ProjectId,
    expectedVersion: number
  ) => Effect.Effect<void, ResourceNotFound | VersionMismatch | StoreError>
  /**
   * Bumps the version by one and sets `lastModified`, whatever the current version: an atomic
   * increment (no compare), so membership changes from any number of writers never conflict.
   */
  readonly touch: (
    platform: PlatformId,
    id: ProjectId,
    lastModified: DateTime.Utc
  ) => Effect.Effect<StoredProject, ResourceNotFound | StoreError>
  readonly listMembers: (platform: PlatformId, id: ProjectId) => Effect.Effect<ReadonlyArray<MemberView>, StoreError>
  /** Every membership of the project, whoever manages it, userId ascending. */
  readonly listAllMembers: (
    platform: PlatformId,
    id: ProjectId
  ) => Effect.Effect<ReadonlyArray<ManagedMember>, StoreError>
  readonly countMembers: (platform: PlatformId, id: ProjectId) => Effect.Effect<number, StoreError>
  readonly addMembers: (
    platform: PlatformId,
    id: ProjectId,
    members: ReadonlyArray<Membership>,
    source: MemberSource
  ) => Effect.Effect<ReadonlyArray<Membership>, StoreError>
  readonly removeMembers: (
    platform: PlatformId,
    id: ProjectId,
    users: ReadonlyArray<UserId>,
    source: MemberSource
  ) => Effect.Effect<ReadonlyArray<Membership>, StoreError>
  readonly removeAllMembers: (
    platform: PlatformId,
    id: ProjectId,
    source: MemberSource
  ) => Effect.Effect<ReadonlyArray<Membership>, StoreError>
  readonly setRole: (
    platform: PlatformId,
    id: ProjectId,
    user: UserId,
    role: ProjectRole
  ) => Effect.Effect<Option.Option<Membership>, StoreError>
  /** The projects a user is a member of (for the user's read-only `groups`), displayName ascending. */
  readonly listUserProjects: (
    platform: PlatformId,
    user: UserId
  ) => Effect.Effect<ReadonlyArray<ProjectRef>, StoreError>
  /**
   * The projects of each of `users` in one round trip (a page of users renders its `groups` with
   * one read): every id asked for is a key, with `[]` when the user is in no project or does not
   * exist; each list is displayName ascending, as `listUserProjects`.
   */
  readonly listUsersProjects: (
    platform: PlatformId,
    users: ReadonlyArray<UserId>
  ) => Effect.Effect<ReadonlyMap<UserId, ReadonlyArray<ProjectRef>>, StoreError>
}>()("@scimkit/core/ProjectStore") {}
