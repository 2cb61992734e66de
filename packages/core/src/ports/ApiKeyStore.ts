/**
 * The storage port for API keys. Secrets are never stored: only their SHA-256 hash (see `Crypto.sha256Hex`).
 */
import * as Context from "effect/Context"
import type * as DateTime from "effect/DateTime"
import type * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import type { ApiKeyId, PlatformId, StoredApiKey } from "../domain/Model.js"
import type { ResourceNotFound, StoreError } from "../errors/ScimError.js"

export class ApiKeyStore extends Context.Service<ApiKeyStore, {
  readonly insert: (key: StoredApiKey) => Effect.Effect<StoredApiKey, StoreError>
  readonly findByHash: (hash: string) => Effect.Effect<Option.Option<StoredApiKey>, StoreError>
  readonly get: (id: ApiKeyId) => Effect.Effect<StoredApiKey, ResourceNotFound | StoreError>
  /** Every key of the platform, revoked ones included, oldest first. */
  readonly list: (platform: PlatformId) => Effect.Effect<ReadonlyArray<StoredApiKey>, StoreError>
  /** Marks the key revoked (idempotent: revoking twice keeps the first time). */
  readonly revoke: (id: ApiKeyId, at: DateTime.Utc) => Effect.Effect<StoredApiKey, ResourceNotFound | StoreError>
  readonly touch: (id: ApiKeyId, at: DateTime.Utc) => Effect.Effect<void, StoreError>
}>()("@scimkit/core/ApiKeyStore") {}
