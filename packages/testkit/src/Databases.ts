/**
 * A throwaway database on a Postgres server for one test: created empty, handed over as a
 * `DATABASE_URL`, dropped afterwards (`with (force)`, so an app that still holds connections does
 * not keep it). The driver is the caller's: `client` builds the `SqlClient` layer for a URL (e.g.
 * `(url) => PgClient.layer({ url: Redacted.make(url), maxConnections: 1 })`), so testkit needs none.
 */
import * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import * as SqlClient from "effect/sql/SqlClient"

export interface Database {
  /** The server's URL with the fresh database as its path. */
  readonly url: string
  /** Drops the database (its connections are closed). */
  readonly drop: () => Promise<void>
}

/** A `SqlClient` for a connection URL. */
export type Client = (url: string) => Layer.Layer<SqlClient.SqlClient, unknown>

const admin = (
  client: Client,
  serverUrl: string,
  statement: (sql: SqlClient.SqlClient) => Effect.Effect<unknown, unknown>
) => Effect.runPromise(Effect.flatMap(SqlClient.SqlClient, statement).pipe(Effect.provide(client(serverUrl))))

/** Creates a database named `<prefix>_<pid>_<random>` on the server of `serverUrl`. */
export const fresh = async (serverUrl: string, client: Client, prefix = "scimkit_test"): Promise<Database> => {
  const name = `${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 10)}`
  await admin(client, serverUrl, (sql) => sql`create database ${sql(name)}`)
  const url = new URL(serverUrl)
  url.pathname = `/${name}`
  return {
    url: url.toString(),
    drop: () => admin(client, serverUrl, (sql) => sql`drop database if exists ${sql(name)} with (force)`).then(() => {})
  }
}

/** {@link fresh} for the duration of `use`. */
export const use = async <A>(
  serverUrl: string,
  client: Client,
  use: (url: string) => Promise<A>,
  prefix?: string
): Promise<A> => {
  const database = await fresh(serverUrl, client, prefix)
  try {
    return await use(database.url)
  } finally {
    await database.drop()
  }
}
