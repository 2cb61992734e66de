/**
 * The stores the service-level tests run on: memory, SQLite (the embedded default), PGlite, and the
 * Postgres server where one is configured (SCIMKIT_TEST_DATABASE_URL; CI sets it). The adapters are
 * imported through their package roots (workspace dev dependencies): they depend on core, not the
 * other way round.
 */
import type { Stores } from "@scimkit/core"
import { StoreMemory } from "@scimkit/store-memory"
import { StorePostgres, TestDatabase } from "@scimkit/store-postgres"
import { StoreSql } from "@scimkit/store-sql"
import { StoreSqlite } from "@scimkit/store-sqlite"
import * as Layer from "effect/Layer"

const serverUrl = TestDatabase.serverUrlFromEnv()

/** Each store by name; every build is a fresh, empty database. */
export const storeLayers: ReadonlyArray<readonly [string, Layer.Layer<Stores.Stores, unknown>]> = [
  ["memory", StoreMemory.layer],
  ["sqlite", StoreSqlite.layerMemory],
  ["pglite", StorePostgres.layerMemoryPglite],
  ...(serverUrl === undefined ? [] : [
    [
      "postgres server",
      StoreSql.layerMigrated(StorePostgres.dialect).pipe(Layer.provide(TestDatabase.serverClient(serverUrl)))
    ] as const
  ])
]
