/**
 * A fresh Postgres database for the `postgres` server of `pnpm bench http`: created on the server
 * of SCIMKIT_BENCH_DATABASE_URL (else SCIMKIT_TEST_DATABASE_URL, else DATABASE_URL, else the
 * local postgres://postgres@127.0.0.1:5432/test when it answers) as `scimkit_bench_<pid>`, and
 * dropped at the end of the run (also after a failure or Ctrl-C).
 */
import * as PgClient from "@effect/sql-pg/PgClient"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as SqlClient from "effect/sql/SqlClient"

export const adminUrl = (): { readonly url: string; readonly explicit: boolean } => {
  const given = process.env["SCIMKIT_BENCH_DATABASE_URL"] ?? process.env["SCIMKIT_TEST_DATABASE_URL"] ??
    process.env["DATABASE_URL"]
  return given !== undefined && given !== ""
    ? { url: given, explicit: true }
    : { url: "postgres://postgres@127.0.0.1:5432/test", explicit: false }
}

const run = (url: string, statement: string): Promise<void> =>
  Effect.runPromise(
    Effect.flatMap(SqlClient.SqlClient, (sql) => sql.unsafe(statement)).pipe(
      Effect.asVoid,
      Effect.provide(PgClient.layer({ url: Redacted.make(url), maxConnections: 1 })),
      Effect.timeout(Duration.seconds(15)),
      Effect.scoped
    )
  )

export interface Database {
  readonly name: string
  /** The connection URL of the new database (the server's URL with its path replaced). */
  readonly url: string
  readonly drop: () => Promise<void>
}

/** Creates `scimkit_bench_<pid>` on the server of `admin`; fails when the server does not answer. */
export const createDatabase = async (admin: string): Promise<Database> => {
  const name = `scimkit_bench_${process.pid}`
  await run(admin, `drop database if exists "${name}" with (force)`)
  await run(admin, `create database "${name}"`)
  const url = new URL(admin)
  url.pathname = `/${name}`
  let dropped = false
  return {
    name,
    url: url.toString(),
    drop: async () => {
      if (dropped) return
      dropped = true
      await run(admin, `drop database if exists "${name}" with (force)`)
    }
  }
}
