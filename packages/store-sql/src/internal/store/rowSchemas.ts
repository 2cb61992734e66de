/**
 * The rows of the reads off a request's path as `Schema`s, for Effect's `SqlSchema`: API keys,
 * platforms, counts and versions. Each is a struct of the table's columns (snake_case, as the
 * statement returns them) decoded into the core's class. The columns whose driver representation
 * differs by engine (timestamps, booleans, documents) decode through the dialect's
 * {@link DialectColumns}, so both ways of reading a row accept exactly the same values.
 *
 * The reads on a request's path keep the hand-written readers of `rows.ts`: see the figures there.
 *
 * @internal
 */
import { Model } from "@scimkit/core"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as SchemaGetter from "effect/SchemaGetter"
import * as SchemaIssue from "effect/SchemaIssue"
import * as SchemaTransformation from "effect/SchemaTransformation"
import type { DialectColumns } from "../../Dialect.js"

/** Rows are only read: statements bind their parameters through the dialect, never by encoding a row. */
const readOnly = SchemaGetter.forbidden<never, unknown>(() => "a row schema only decodes rows")

/** A column read by one of the dialect's readers (`undefined`: the value does not have the column's type). */
const column = <S extends Schema.Constraint>(
  to: S,
  read: (value: unknown) => S["Encoded"] | undefined,
  expected: string
) =>
  Schema.Unknown.pipe(Schema.decodeTo(to, {
    decode: SchemaGetter.transformEffect((value: unknown) => {
      const found = read(value)
      return found === undefined
        ? Effect.fail(new SchemaIssue.InvalidValue({ expected }, value, { reportInput: true }))
        : Effect.succeed(found)
    }),
    encode: readOnly
  }))

/** The engine-dependent columns of one dialect as schemas. @internal */
export const columnSchemas = (columns: DialectColumns) => ({
  timestamp: column(Schema.DateTimeUtc, columns.timestamp, "a timestamp"),
  boolean: column(Schema.Boolean, columns.boolean, "a boolean"),
  document: column(Model.StoredDocument, columns.document, "a JSON object")
})

/** @internal */
export type ColumnSchemas = ReturnType<typeof columnSchemas>

const apiKey = (c: ColumnSchemas) =>
  Schema.Struct({
    id: Schema.String,
    platform: Schema.String,
    name: Schema.String,
    hash: Schema.String,
    prefix: Schema.String,
    created: c.timestamp,
    last_used: Schema.NullOr(c.timestamp),
    revoked: Schema.NullOr(c.timestamp)
  }).pipe(Schema.decodeTo(
    Model.StoredApiKey,
    SchemaTransformation.transform({
      decode: (row) => ({
        id: row.id,
        platform: row.platform,
        name: row.name,
        hash: row.hash,
        prefix: row.prefix,
        created: row.created,
        lastUsed: row.last_used,
        revoked: row.revoked
      }),
      encode: (key) => ({
        id: key.id,
        platform: key.platform,
        name: key.name,
        hash: key.hash,
        prefix: key.prefix,
        created: key.created,
        last_used: key.lastUsed,
        revoked: key.revoked
      })
    })
  ))

const platform = (c: ColumnSchemas) =>
  Schema.Struct({
    id: Schema.String,
    name: Schema.String,
    owner_id: Schema.NullOr(Schema.String),
    compatibility: Model.CompatibilityProfile,
    created: c.timestamp,
    // 0 or 1 on every engine (a plain integer column, compared with 1 in SQL)
    unique_external_id: Schema.BooleanFromBit,
    cursor_secret: Schema.NullOr(Schema.String)
  }).pipe(Schema.decodeTo(
    Model.Platform,
    SchemaTransformation.transform({
      decode: (row) => ({
        id: row.id,
        name: row.name,
        ownerId: row.owner_id,
        compatibility: row.compatibility,
        created: row.created,
        uniqueExternalId: row.unique_external_id,
        cursorSecret: Option.map(Option.fromNullishOr(row.cursor_secret), Redacted.make)
      }),
      encode: (p) => ({
        id: p.id,
        name: p.name,
        owner_id: p.ownerId,
        compatibility: p.compatibility,
        created: p.created,
        unique_external_id: p.uniqueExternalId,
        cursor_secret: Option.getOrNull(Option.map(p.cursorSecret, Redacted.value))
      })
    })
  ))

/** A count, `select cast(count(*) as integer) as total`. @internal */
export const Total = Schema.Struct({ total: Schema.Int })

/** The version of a user or group row. @internal */
export const Version = Schema.Struct({ version: Schema.Int })

/** @internal */
export interface RowSchemas {
  readonly apiKey: ReturnType<typeof apiKey>
  readonly platform: ReturnType<typeof platform>
}

/** The row schemas of one dialect. @internal */
export const rowSchemas = (columns: DialectColumns): RowSchemas => {
  const c = columnSchemas(columns)
  return { apiKey: apiKey(c), platform: platform(c) }
}
