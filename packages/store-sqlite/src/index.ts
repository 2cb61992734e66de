/**
 * @since 0.1.0
 */
export * as StoreSqlite from "./StoreSqlite.js"
export * from "./StoreSqlite.js"
