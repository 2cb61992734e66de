/**
 * @since 0.1.0
 */
export * as StorePostgres from "./StorePostgres.js"
export * as PgliteClient from "./PgliteClient.js"
export * from "./StorePostgres.js"
