/**
 * The storage port for platforms (tenants): their settings (compatibility profile, owner, cursor
 * secret, whether `externalId` is unique). `name` is unique, compared case-insensitively.
 */
import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import type { Platform, PlatformId } from "../domain/Model.js"
import type { ResourceNotFound, StoreError, Uniqueness } from "../errors/ScimError.js"

export class PlatformStore extends Context.Service<PlatformStore, {
  readonly insert: (platform: Platform) => Effect.Effect<Platform, Uniqueness | StoreError>
  readonly get: (id: PlatformId) => Effect.Effect<Platform, ResourceNotFound | StoreError>
  readonly findByName: (name: string) => Effect.Effect<Option.Option<Platform>, StoreError>
  readonly list: () => Effect.Effect<ReadonlyArray<Platform>, StoreError>
  /**
   * Writes the platform. Turning `uniqueExternalId` on fails with `Uniqueness` (nothing written)
   * when users or groups of the platform already share an externalId.
   */
  readonly update: (platform: Platform) => Effect.Effect<Platform, ResourceNotFound | Uniqueness | StoreError>
}>()("@scimkit/core/PlatformStore") {}
