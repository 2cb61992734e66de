/**
 * Databases for the tests: PGlite in memory (always), and a fresh schema on the Postgres server when
 * one is configured (`SCIMKIT_TEST_DATABASE_URL`, else `DATABASE_URL`, else the standard `PG*`
 * variables), dropped at the end, so parallel test files and reruns never collide.
 */
import type * as SqlClient from "effect/sql/SqlClient"
import type { ScimError, Stores } from "@scimkit/core"
import * as Layer from "effect/Layer"
import { StorePostgres, TestDatabase } from "../src/index.js"

/** The Postgres server the tests may use, if any. */
export const serverUrl: string | undefined = TestDatabase.serverUrlFromEnv()
export const { pgliteClient, serverClient } = TestDatabase

/** Every port plus the migrated database's `SqlClient`, over the given client. */
export const storesOver = <R, E>(
  client: Layer.Layer<SqlClient.SqlClient | R, E>
): Layer.Layer<Stores.Stores | SqlClient.SqlClient | R, E | ScimError.StoreError> =>
  Layer.merge(StorePostgres.layer, StorePostgres.layerMigrations).pipe(Layer.provideMerge(client))

/** The databases every test runs on: PGlite always, the server when configured. */
export const databases: ReadonlyArray<{
  readonly name: string
  readonly client: Layer.Layer<SqlClient.SqlClient, ScimError.StoreError>
}> = [
  { name: "pglite", client: pgliteClient },
  ...(serverUrl !== undefined ? [{ name: "postgres server", client: serverClient(serverUrl) }] : [])
]

const runId = Math.random().toString(36).slice(2, 8)
let sequence = 0
/** A name unique to this test run, so reruns and parallel files on one database never collide. */
export const unique = (label: string): string => `${label}-${runId}-${++sequence}`
