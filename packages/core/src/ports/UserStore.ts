/**
 * The storage port for users. Every call is scoped to a platform (tenant): nothing of another
 * platform is ever visible, and a foreign id is `ResourceNotFound`.
 */
import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type { PlatformId, ProjectRef, StoredUser, UserId } from "../domain/Model.js"
import type { ResourceNotFound, StoreError, Uniqueness, VersionMismatch } from "../errors/ScimError.js"
import type { Page, StoreQuery } from "./StoreQuery.js"

/**
 * - `insert` fails with `Uniqueness` when `userName` (case-insensitive) or `externalId` (exact) is taken on the platform.
 * - `update` writes `user` (whose `version` is already the next one) only if the stored version is
 *   `expectedVersion`: `VersionMismatch` otherwise (check and write are one step).
 * - `remove` deletes the user and all of their project memberships, same version rule.
 * - `query` filters, sorts and pages; with no sort the order is `created` ascending, then `id`.
 */
export class UserStore extends Context.Service<UserStore, {
  readonly get: (platform: PlatformId, id: UserId) => Effect.Effect<StoredUser, ResourceNotFound | StoreError>
  /**
   * A user with the projects they are a member of (displayName ascending, as `listUserProjects`),
   * in one round trip: what `GET /Users/{id}` serves.
   */
  readonly getWithProjects: (
    platform: PlatformId,
    id: UserId
  ) => Effect.Effect<
    { readonly user: StoredUser; readonly projects: ReadonlyArray<ProjectRef> },
    ResourceNotFound | StoreError
  >
  /** The users among `ids` that exist on the platform (any order); missing ids are simply absent. */
  readonly getMany: (
    platform: PlatformId,
    ids: ReadonlyArray<UserId>
  ) => Effect.Effect<ReadonlyArray<StoredUser>, StoreError>
  readonly findByUserName: (
    platform: PlatformId,
    userName: string
  ) => Effect.Effect<ReadonlyArray<StoredUser>, StoreError>
  readonly query: (platform: PlatformId, query: StoreQuery) => Effect.Effect<Page<StoredUser>, StoreError>
  readonly insert: (platform: PlatformId, user: StoredUser) => Effect.Effect<StoredUser, Uniqueness | StoreError>
  readonly update: (
    platform: PlatformId,
    user: StoredUser,
    expectedVersion: number
  ) => Effect.Effect<StoredUser, ResourceNotFound | VersionMismatch | Uniqueness | StoreError>
  readonly remove: (
    platform: PlatformId,
    id: UserId,
    expectedVersion: number
  ) => Effect.Effect<void, ResourceNotFound | VersionMismatch | StoreError>
}>()("@scimkit/core/UserStore") {}
