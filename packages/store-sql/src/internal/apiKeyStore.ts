/**
 * The `ApiKeyStore` port over SQL: keys in `scimkit_api_keys`, by id and by the SHA-256 hash of the
 * secret (unique). Read with `SqlSchema`: the services cache verified keys, so no read here is on
 * a request's path.
 *
 * @internal
 */
import { ApiKeyStore, ScimError } from "@scimkit/core"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as SqlSchema from "effect/sql/SqlSchema"
import { notFound, type StoreClient } from "./store/client.js"

const apiKeyColumns = "id, platform, name, hash, prefix, created, last_used, revoked"

/** @internal */
export const make = (client: StoreClient): ApiKeyStore.ApiKeyStore["Service"] => {
  const { d, dialect, schemaRead, schemaReadOne, schemas, sql, timestamp, timestampOrNull, traced } = client
  const apiKeySelect = sql.literal(apiKeyColumns)

  const byHash = SqlSchema.findOneOption({
    Request: Schema.String,
    Result: schemas.apiKey,
    execute: (hash) => sql`select ${apiKeySelect} from scimkit_api_keys where hash = ${d.text(hash)}`
  })
  const byId = SqlSchema.findOne({
    Request: Schema.String,
    Result: schemas.apiKey,
    execute: (id) => sql`select ${apiKeySelect} from scimkit_api_keys where id = ${d.text(id)}`
  })
  const ofPlatform = SqlSchema.findAll({
    Request: Schema.String,
    Result: schemas.apiKey,
    execute: (platform) =>
      sql`select ${apiKeySelect} from scimkit_api_keys where platform = ${platform} order by created, id`
  })
  // the first revocation is kept: revoking twice changes nothing
  const revoked = SqlSchema.findOne({
    Request: Schema.Struct({ id: Schema.String, at: Schema.DateTimeUtc }),
    Result: schemas.apiKey,
    execute: ({ at, id }) =>
      sql`update scimkit_api_keys set revoked = coalesce(revoked, ${timestamp(at)}) where id = ${d.text(id)}
        returning ${apiKeySelect}`
  })

  return ApiKeyStore.ApiKeyStore.of({
    insert: (key) =>
      sql`insert into scimkit_api_keys (id, platform, name, hash, prefix, created, last_used, revoked)
        values (${key.id}, ${key.platform}, ${key.name}, ${key.hash}, ${key.prefix}, ${timestamp(key.created)},
          ${timestampOrNull(key.lastUsed)}, ${timestampOrNull(key.revoked)})`.pipe(
        Effect.matchEffect({
          onFailure: (e) => {
            const index = dialect.errors.uniqueIndex(e)
            return Effect.fail(
              index === "scimkit_api_keys_pkey"
                ? new ScimError.StoreError({ message: `An API key with id ${key.id} already exists`, cause: e })
                : index === "scimkit_api_keys_hash_key"
                ? new ScimError.StoreError({
                  message: "An API key with the same hash already exists; generate a new secret",
                  cause: e
                })
                : client.failure("store an API key")(e)
            )
          },
          onSuccess: () => Effect.succeed(key)
        }),
        traced("ApiKeyStore.insert")
      ),
    findByHash: (hash) => byHash(hash).pipe(schemaRead("find an API key"), traced("ApiKeyStore.findByHash")),
    get: (id) =>
      byId(id).pipe(schemaReadOne(`read API key ${id}`, () => notFound("ApiKey", id)), traced("ApiKeyStore.get")),
    list: (platform) => ofPlatform(platform).pipe(schemaRead("list API keys"), traced("ApiKeyStore.list")),
    revoke: (id, at) =>
      revoked({ id, at }).pipe(
        schemaReadOne(`revoke API key ${id}`, () => notFound("ApiKey", id)),
        traced("ApiKeyStore.revoke")
      ),
    // written only when it moves forward, so verifying a key on every request rarely writes
    touch: (id, at) =>
      sql`update scimkit_api_keys set last_used = ${timestamp(at)}
        where id = ${d.text(id)} and (last_used is null or last_used < ${timestamp(at)})`.pipe(
        Effect.matchEffect({
          onFailure: client.sqlFailure(`record the use of API key ${id}`),
          onSuccess: () => Effect.void
        }),
        traced("ApiKeyStore.touch")
      )
  })
}
