/**
 * The `PlatformStore` port over SQL: platforms (tenants) in `scimkit_platforms`, `name` unique
 * regardless of case. Read with `SqlSchema`: the services cache platforms (`PlatformCache`), so no
 * read here is on a request's path. Turning `uniqueExternalId` on or off fills or empties the
 * `external_id_key` column of the platform's users and groups in the same transaction.
 *
 * @internal
 */
import { PlatformStore, ScimError, type Model } from "@scimkit/core"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as SqlSchema from "effect/sql/SqlSchema"
import { notFound, type StoreClient } from "./store/client.js"
import { uniqueOr } from "./store/errors.js"

const platformColumns = "id, name, owner_id, compatibility, created, unique_external_id, cursor_secret"

const secretOf = (platform: Model.Platform): string | null =>
  Option.getOrNull(Option.map(platform.cursorSecret, Redacted.value))

/** @internal */
export const make = (client: StoreClient): PlatformStore.PlatformStore["Service"] => {
  const { d, dialect, schemaRead, schemaReadOne, schemas, sql, timestamp, traced } = client
  const errors = dialect.errors
  const platformSelect = sql.literal(platformColumns)

  const byId = SqlSchema.findOne({
    Request: Schema.String,
    Result: schemas.platform,
    execute: (id) => sql`select ${platformSelect} from scimkit_platforms where id = ${d.text(id)}`
  })
  const byName = SqlSchema.findOneOption({
    Request: Schema.String,
    Result: schemas.platform,
    execute: (name) => sql`select ${platformSelect} from scimkit_platforms where lower(name) = lower(${d.text(name)})`
  })
  const all = SqlSchema.findAll({
    Request: Schema.Void,
    Result: schemas.platform,
    execute: () => sql`select ${platformSelect} from scimkit_platforms order by created, id`
  })
  const get = (id: string) => byId(id).pipe(schemaReadOne(`read platform ${id}`, () => notFound("Platform", id)))

  return PlatformStore.PlatformStore.of({
    insert: (platform) =>
      sql`insert into scimkit_platforms (id, name, owner_id, compatibility, created, unique_external_id, cursor_secret)
        values (${platform.id}, ${platform.name}, ${Option.getOrNull(platform.ownerId)}, ${platform.compatibility},
          ${timestamp(platform.created)}, ${platform.uniqueExternalId ? 1 : 0}, ${secretOf(platform)})`.pipe(
        Effect.matchEffect({
          onFailure: uniqueOr(
            errors,
            `create platform ${platform.name}`,
            "platform",
            (index) =>
              index === "scimkit_platforms_pkey"
                ? { attribute: "id", value: platform.id }
                : index === "scimkit_platforms_name_key"
                ? { attribute: "name", value: platform.name }
                : undefined
          ),
          onSuccess: () => Effect.succeed(platform)
        }),
        traced("PlatformStore.insert")
      ),
    get: (id) => get(id).pipe(traced("PlatformStore.get")),
    findByName: (name) => byName(name).pipe(schemaRead("find a platform by name"), traced("PlatformStore.findByName")),
    list: () => all(undefined).pipe(schemaRead("list platforms"), traced("PlatformStore.list")),
    update: (platform) =>
      sql.withTransaction(Effect.gen(function*() {
        const before = yield* get(platform.id)
        yield* sql`update scimkit_platforms set name = ${platform.name}, owner_id = ${
          Option.getOrNull(platform.ownerId)
        },
            compatibility = ${platform.compatibility}, created = ${timestamp(platform.created)},
            unique_external_id = ${platform.uniqueExternalId ? 1 : 0}, cursor_secret = ${secretOf(platform)}
          where id = ${platform.id}`.pipe(
          Effect.catchTag("SqlError", (e) =>
            Effect.fail(
              errors.uniqueIndex(e) === "scimkit_platforms_name_key"
                ? new ScimError.StoreError({
                  message: `Cannot rename platform ${platform.id} to ${
                    JSON.stringify(platform.name)
                  }: another platform has that name`,
                  cause: e
                })
                : client.failure(`update platform ${platform.id}`)(e)
            ))
        )
        if (before.uniqueExternalId !== platform.uniqueExternalId) {
          // the unique index on external_id_key now decides: filling it in fails on duplicates, so nothing changes
          for (const [table, what] of [["scimkit_users", "user"], ["scimkit_projects", "group"]] as const) {
            yield* sql`update ${sql(table)} set external_id_key = ${platform.uniqueExternalId ? sql`external_id` : null}
              where platform = ${platform.id}`.pipe(
              Effect.catchTag("SqlError", (e): Effect.Effect<never, ScimError.Uniqueness | ScimError.StoreError> =>
                errors.uniqueIndex(e) === undefined
                  ? Effect.fail(client.failure(`update platform ${platform.id}`)(e))
                  : Effect.fail(
                    new ScimError.Uniqueness({
                      attribute: "externalId",
                      value: "",
                      detail:
                        `Some ${what}s of this platform share an externalId; give them distinct externalIds before making externalId unique`
                    })
                  ))
            )
          }
        }
        return platform
      })).pipe(
        // BEGIN and COMMIT of the transaction (its statements map their own failures)
        Effect.catchTag("SqlError", client.sqlFailure(`update platform ${platform.id}`)),
        traced("PlatformStore.update")
      )
  })
}
