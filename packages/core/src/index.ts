/**
 * @since 0.1.0
 */
export * as Attribute from "./schema/Attribute.js"
export * as Schemas from "./schema/Schemas.js"
export * as Resolve from "./schema/Resolve.js"
export * as Ast from "./filter/Ast.js"
export * as Model from "./domain/Model.js"
export * as ScimError from "./errors/ScimError.js"
export * from "./errors/ScimError.js"
export * from "./domain/Model.js"
export * from "./ScimOptions.js"
export * from "./ports/UserStore.js"
export * from "./ports/ProjectStore.js"
export * from "./ports/ApiKeyStore.js"
export * from "./ports/Transactions.js"
export * as StoreQuery from "./ports/StoreQuery.js"
export type * from "./service/Types.js"
