/**
 * What reading a user row costs: the hand-written reader the store uses on a request's path
 * (`internal/store/rows.ts`) against Effect's `SqlSchema.findAll` with a row schema built as the
 * store builds those of API keys and platforms (`internal/store/rowSchemas.ts`: the columns
 * decoded by the dialect's readers, then into the core's class), over 10,000 rows as each engine's
 * driver returns them (SQLite: integers, JSON text; Postgres: `Date`s, parsed `jsonb`). No
 * database: only the decoding is timed. Run from the repository root:
 *   npx tsx --conditions=@scimkit/source bench/run.ts Rows
 */
import { Model } from "@scimkit/core"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as SchemaTransformation from "effect/SchemaTransformation"
import * as SqlSchema from "effect/sql/SqlSchema"
import type { Row } from "effect/sql/SqlConnection"
import { StorePostgres } from "@scimkit/store-postgres"
import { StoreSqlite } from "@scimkit/store-sqlite"
import type { Dialect } from "../src/Dialect.js"
import { readers } from "../src/internal/store/rows.js"
import { type ColumnSchemas, columnSchemas } from "../src/internal/store/rowSchemas.js"

const N = Number(process.env["N"] ?? 10_000)
const rounds = 21

/** A user row as a schema, the way `rowSchemas.ts` writes the rows it decodes. */
const userRow = (c: ColumnSchemas) =>
  Schema.Struct({
    id: Schema.String,
    user_name: Schema.String,
    external_id: Schema.NullOr(Schema.String),
    display_name: Schema.NullOr(Schema.String),
    active: c.boolean,
    platform_role: Model.PlatformRole,
    document: c.document,
    version: Schema.Int,
    created: c.timestamp,
    last_modified: c.timestamp
  }).pipe(Schema.decodeTo(
    Model.StoredUser,
    SchemaTransformation.transform({
      decode: (row) => ({
        id: row.id,
        userName: row.user_name,
        externalId: row.external_id,
        displayName: row.display_name,
        active: row.active,
        platformRole: row.platform_role,
        document: row.document,
        version: row.version,
        created: row.created,
        lastModified: row.last_modified
      }),
      encode: (user) => ({
        id: user.id,
        user_name: user.userName,
        external_id: user.externalId,
        display_name: user.displayName,
        active: user.active,
        platform_role: user.platformRole,
        document: user.document,
        version: user.version,
        created: user.created,
        last_modified: user.lastModified
      })
    })
  ))

const document = (i: number) => ({
  userName: `user${i}@example.com`,
  displayName: `User ${i}`,
  active: true,
  name: { givenName: "User", familyName: `${i}` },
  emails: [{ value: `user${i}@example.com`, type: "work", primary: true }]
})

const rowsOf = (engine: "sqlite" | "postgres"): ReadonlyArray<Row> =>
  Array.from({ length: N }, (_, i) => {
    const at = 1_700_000_000_000 + i
    return {
      id: `u-${i.toString().padStart(7, "0")}`,
      user_name: `user${i}@example.com`,
      external_id: i % 2 === 0 ? `ext-${i}` : null,
      display_name: `User ${i}`,
      active: engine === "sqlite" ? 1 : true,
      platform_role: "MEMBER",
      document: engine === "sqlite" ? JSON.stringify(document(i)) : document(i),
      version: 1,
      created: engine === "sqlite" ? at : new Date(at),
      last_modified: engine === "sqlite" ? at : new Date(at)
    }
  })

/** One timed run of `effect`, in µs per row. */
const once = async <A, E>(effect: Effect.Effect<A, E>): Promise<number> => {
  const t = performance.now()
  await Effect.runPromise(effect)
  return ((performance.now() - t) * 1000) / N
}

const median = (xs: ReadonlyArray<number>): number => {
  const sorted = [...xs].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]!
}

const compare = async (name: string, dialect: Dialect, engine: "sqlite" | "postgres"): Promise<void> => {
  const rows = rowsOf(engine)
  const read = readers(dialect.columns)
  const byReader = Effect.sync(() => rows.map((row) => read.user(row)))
  const bySchema = SqlSchema.findAll({
    Request: Schema.Void,
    Result: userRow(columnSchemas(dialect.columns)),
    execute: () => Effect.succeed(rows)
  })(undefined)
  // warm-up, then the two ways in alternation, so that both see the same machine
  for (let i = 0; i < 3; i++) {
    await once(byReader)
    await once(bySchema)
  }
  const reader: Array<number> = []
  const schema: Array<number> = []
  for (let i = 0; i < rounds; i++) {
    reader.push(await once(byReader))
    schema.push(await once(bySchema))
  }
  const [r, s] = [median(reader), median(schema)]
  console.log(
    `${name.padEnd(10)} reader ${r.toFixed(2).padStart(6)} µs/row (best ${
      Math.min(...reader).toFixed(2)
    })   SqlSchema ${s.toFixed(2).padStart(6)} µs/row (best ${Math.min(...schema).toFixed(2)})   ×${(s / r).toFixed(1)}`
  )
}

export default async function(): Promise<void> {
  console.log(`decoding ${N} user rows: median of ${rounds} rounds`)
  await compare("sqlite", StoreSqlite.dialect, "sqlite")
  await compare("postgres", StorePostgres.dialect, "postgres")
}
