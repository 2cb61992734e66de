/**
 * The Postgres storage adapter of scimkit: the SQL store over a Postgres server or PGlite.
 */
export * as PgliteClient from "./PgliteClient.js"
export * as StorePostgres from "./StorePostgres.js"
export * as TestDatabase from "./TestDatabase.js"
