/**
 * @since 0.1.0
 */
export * as StoreSql from "./StoreSql.js"
export * as Dialect from "./Dialect.js"
export * as FileLock from "./FileLock.js"
