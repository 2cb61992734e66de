/**
 * `@scimkit/core`: every public module as a namespace named after its file
 * (`import { Filter, Users } from "@scimkit/core"`, then `Filter.parse`, `Users.layer`).
 *
 * @since 0.1.0
 */

// schema: the RFC 7643 schemas as data, input checks, path resolution, body decoding
export * as Attribute from "./schema/Attribute.js"
export * as Discovery from "./schema/Discovery.js"
export * as Document from "./schema/Document.js"
export * as Input from "./schema/Input.js"
export * as JsonValues from "./schema/JsonValues.js"
export * as Resolve from "./schema/Resolve.js"
export * as Resource from "./schema/Resource.js"
export * as Schemas from "./schema/Schemas.js"
export * as Value from "./schema/Value.js"
export * as Version from "./schema/Version.js"
// filter: the AST, parse, print, check and evaluate; PATCH paths
export * as Ast from "./filter/Ast.js"
export * as Filter from "./filter/Filter.js"
export * as Path from "./filter/Path.js"
// patch: PATCH, PUT, group membership plans
export * as MemberPlan from "./patch/MemberPlan.js"
export * as Patch from "./patch/Patch.js"
export * as Replace from "./patch/Replace.js"
// profile: the compatibility profiles and their named quirks
export * as Profiles from "./profile/Profiles.js"
// query: cursors, paging, projection, sort, the in-memory evaluator, ListResponse
export * as Cursor from "./query/Cursor.js"
export * as InMemory from "./query/InMemory.js"
export * as ListResponse from "./query/ListResponse.js"
export * as Paging from "./query/Paging.js"
export * as Projection from "./query/Projection.js"
export * as Sort from "./query/Sort.js"
// policy
export * as PlatformRolePolicy from "./policy/PlatformRolePolicy.js"
export * as ProjectRolePolicy from "./policy/ProjectRolePolicy.js"
export * as Protection from "./policy/Protection.js"
// ports
export * as StoreQuery from "./ports/StoreQuery.js"
// service
export * as Live from "./service/Live.js"
export * as PlatformCache from "./service/PlatformCache.js"
export * as Render from "./service/Render.js"
// domain, errors, root modules
export * as Crypto from "./Crypto.js"
export * as Model from "./domain/Model.js"
export * as ScimError from "./errors/ScimError.js"

// The final list also holds the namespaces below; each has the name of a flat export of the legacy
// block, so it is added when that block goes (/work/tmp16/A/index.final.ts is the final file):
//   ApiKeyStore, PlatformStore, ProjectStore, Stores, Transactions, UserStore (ports/),
//   ApiKeys, Platforms, Projects, ResourceApi, Users (service/), ListRequest (query/), ScimOptions.

// LEGACY flat exports: removed in wave 2 of issue 16 (MIGRATION.md gives each one's new spelling)
import {
  layer as scimOptionsLayer,
  layerConfig as scimOptionsLayerConfig,
  ScimOptions as ScimOptionsKey
} from "./ScimOptions.js"
export * from "./errors/ScimError.js"
export * from "./domain/Model.js"
export { defaults, type ScimOptionsShape } from "./ScimOptions.js"
/** @deprecated `ScimOptions.ScimOptions` (the key), `ScimOptions.layer`, `ScimOptions.layerConfig`. */
export const ScimOptions: typeof ScimOptionsKey & {
  readonly layer: typeof scimOptionsLayer
  readonly layerConfig: typeof scimOptionsLayerConfig
} = Object.assign(Object.create(ScimOptionsKey) as typeof ScimOptionsKey, {
  layer: scimOptionsLayer,
  layerConfig: scimOptionsLayerConfig
})
/** @deprecated `ScimOptions.ScimOptions`. */
export type ScimOptions = ScimOptionsKey
export { ApiKeyStore } from "./ports/ApiKeyStore.js"
export { PlatformStore } from "./ports/PlatformStore.js"
export { ProjectStore } from "./ports/ProjectStore.js"
export type { Stores } from "./ports/Stores.js"
export { Transactions } from "./ports/Transactions.js"
export { UserStore } from "./ports/UserStore.js"
export type { ListRequest } from "./query/ListRequest.js"
export type { ProjectionRequest } from "./query/Projection.js"
export { ApiKeys, type ApiKeysApi, type CreatedApiKey } from "./service/ApiKeys.js"
export { type CreatedPlatform, Platforms, type PlatformsApi } from "./service/Platforms.js"
export { Projects } from "./service/Projects.js"
export type { RequestScope, ResourceApi, ScimResult } from "./service/ResourceApi.js"
export { Users } from "./service/Users.js"
export * as ApiKeysLive from "./service/ApiKeys.js"
export * as PlatformsLive from "./service/Platforms.js"
export * as ProjectsLive from "./service/Projects.js"
export * as UsersLive from "./service/Users.js"
