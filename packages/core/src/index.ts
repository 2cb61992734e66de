/**
 * `@scimkit/core`: every public module as a namespace named after its file
 * (`import { Filter, Users } from "@scimkit/core"`, then `Filter.parse`, `Users.layer`).
 */

// schema: the RFC 7643 schemas as data, input checks, path resolution, body decoding
export * as Attribute from "./schema/Attribute.js"
export * as Discovery from "./schema/Discovery.js"
export * as Document from "./schema/Document.js"
export * as Input from "./schema/Input.js"
export * as JsonValues from "./schema/JsonValues.js"
export * as Resolve from "./schema/Resolve.js"
export * as Resource from "./schema/Resource.js"
export * as Roles from "./schema/Roles.js"
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
export * as ListRequest from "./query/ListRequest.js"
export * as ListResponse from "./query/ListResponse.js"
export * as Paging from "./query/Paging.js"
export * as Projection from "./query/Projection.js"
export * as Sort from "./query/Sort.js"
// policy
export * as PlatformRolePolicy from "./policy/PlatformRolePolicy.js"
export * as ProjectRolePolicy from "./policy/ProjectRolePolicy.js"
export * as Protection from "./policy/Protection.js"
// ports
export * as ApiKeyStore from "./ports/ApiKeyStore.js"
export * as CredentialVerifier from "./ports/CredentialVerifier.js"
export * as DeliveryLog from "./ports/DeliveryLog.js"
export * as EventStore from "./ports/EventStore.js"
export * as PlatformStore from "./ports/PlatformStore.js"
export * as ProjectStore from "./ports/ProjectStore.js"
export * as StoreQuery from "./ports/StoreQuery.js"
export * as Stores from "./ports/Stores.js"
export * as Transactions from "./ports/Transactions.js"
export * as UserStore from "./ports/UserStore.js"
// service
export * as ApiKeys from "./service/ApiKeys.js"
export * as ChangeFeed from "./service/ChangeFeed.js"
export * as Hooks from "./service/Hooks.js"
export * as Live from "./service/Live.js"
export * as Memberships from "./service/Memberships.js"
export * as PlatformCache from "./service/PlatformCache.js"
export * as Platforms from "./service/Platforms.js"
export * as Projects from "./service/Projects.js"
export * as Render from "./service/Render.js"
export * as ResourceApi from "./service/ResourceApi.js"
export * as ServiceMetrics from "./service/ServiceMetrics.js"
export * as Users from "./service/Users.js"
// domain, errors, root modules
export * as Crypto from "./Crypto.js"
export * as ChangeEvent from "./domain/ChangeEvent.js"
export * as DomainModel from "./domain/DomainModel.js"
export * as Model from "./domain/Model.js"
export * as ScimError from "./errors/ScimError.js"
export * as ScimOptions from "./ScimOptions.js"
