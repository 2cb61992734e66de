/**
 * Running the schema's migrations (`effect/sql`'s `Migrator` over the dialect's migrations),
 * checking a database is current without migrating it, and the one migration every engine shares
 * (a cursor secret per platform).
 *
 * @internal
 */
import { ScimError } from "@scimkit/core"
import * as Effect from "effect/Effect"
import * as Base64Url from "effect/encoding/Base64Url"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"
import * as Migrator from "effect/sql/Migrator"
import * as SqlClient from "effect/sql/SqlClient"
import type { SqlError } from "effect/sql/SqlError"
import * as SqlSchema from "effect/sql/SqlSchema"
import type { Dialect } from "../Dialect.js"
import { storeError } from "./store/errors.js"

/** The table of applied migrations. @internal */
export const migrationsTable = "scimkit_migrations"

/** @internal */
export const migrateCursorSecrets: Effect.Effect<void, unknown, SqlClient.SqlClient> = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql.unsafe("alter table scimkit_platforms add column cursor_secret text")
  const platforms = yield* SqlSchema.findAll({
    Request: Schema.Void,
    Result: Schema.Struct({ id: Schema.String }),
    execute: () => sql`select id from scimkit_platforms`
  })(undefined)
  for (const { id } of platforms) {
    const secret = Base64Url.encode(globalThis.crypto.getRandomValues(new Uint8Array(32)))
    yield* sql`update scimkit_platforms set cursor_secret = ${secret} where id = ${id}`
  }
})

/** @internal */
export const migrate = (
  dialect: Dialect
): Effect.Effect<ReadonlyArray<readonly [id: number, name: string]>, ScimError.StoreError, SqlClient.SqlClient> =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    return yield* sql.withTransaction(
      Effect.gen(function*() {
        yield* dialect.beforeMigrate(migrationsTable)
        return yield* Migrator.make({})({ loader: Migrator.fromRecord(dialect.migrations), table: migrationsTable })
      })
    )
  }).pipe(
    Effect.catchTags({
      SqlError: (e: SqlError) => Effect.fail(storeError(dialect.errors, "migrate the database")(e)),
      MigrationError: (e) =>
        Effect.fail(new ScimError.StoreError({ message: `Cannot migrate the database: ${e.message}`, cause: e }))
    }),
    Effect.catchDefect((defect) =>
      Predicate.isTagged(defect, "MigrationError") || Predicate.isTagged(defect, "SqlError")
        ? Effect.fail(
          new ScimError.StoreError({ message: `Cannot migrate the database: ${String(defect)}`, cause: defect })
        )
        : Effect.die(defect)
    ),
    Effect.withSpan(`Store${dialect.name}.migrate`)
  )

/** @internal */
export const checkMigrated = (dialect: Dialect): Effect.Effect<void, ScimError.StoreError, SqlClient.SqlClient> =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const latest = Math.max(...Object.keys(dialect.migrations).map((key) => Number.parseInt(key, 10)))
    const applied = yield* SqlSchema.findOneOption({
      Request: Schema.Void,
      Result: Schema.Struct({ latest: Schema.NullOr(Schema.Int) }),
      execute: () => sql`select max(migration_id) as latest from ${sql(migrationsTable)}`
    })(undefined).pipe(
      Effect.catchTags({
        SqlError: (e) =>
          Effect.fail(
            new ScimError.StoreError({
              message: `The database has no scimkit schema (${e.message}); start the server once to create it`,
              cause: e
            })
          ),
        SchemaError: (e) =>
          Effect.fail(
            new ScimError.StoreError({
              message: `Cannot read the migrations applied to the database: ${e.message}`,
              cause: e
            })
          )
      })
    )
    const found = Option.getOrElse(Option.flatMapNullishOr(applied, (row) => row.latest), () => 0)
    if (found < latest) {
      return yield* Effect.fail(
        new ScimError.StoreError({
          message:
            `The database is at migration ${found}, this version needs ${latest}; start the server once to migrate it`
        })
      )
    }
  })
