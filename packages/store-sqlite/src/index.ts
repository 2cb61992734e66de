/**
 * The SQLite storage adapter of scimkit: the SQL store in one SQLite file.
 */
export * as StoreSqlite from "./StoreSqlite.js"
