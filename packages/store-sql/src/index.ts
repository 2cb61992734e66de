/**
 * The SQL store of scimkit, written once over the dialect a driver package provides.
 */
export * as Dialect from "./Dialect.js"
export * as FileLock from "./FileLock.js"
export * as StoreSql from "./StoreSql.js"
