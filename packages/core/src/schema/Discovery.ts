/**
 * The discovery documents (RFC 7643 §5–§7, RFC 7644 §4): `/ServiceProviderConfig`,
 * `/ResourceTypes` and `/Schemas`, generated from the schemas-as-data, the domain model and the
 * server options so that they always tell the truth about what the server does. Each takes the
 * model last and defaults to today's (`DomainModel.defaults`).
 */
import * as Result from "effect/Result"
import * as DomainModel from "../domain/DomainModel.js"
import type { Json, JsonObject } from "../domain/Model.js"
import { ResourceNotFound } from "../errors/ScimError.js"
import * as ListResponse from "../query/ListResponse.js"
import { pageSize } from "../query/Paging.js"
import type { ScimOptionsShape } from "../ScimOptions.js"
import type { AttributeDef, SchemaDef } from "./Attribute.js"
import type { ResourceTypeDef } from "./Schemas.js"
import * as Schemas from "./Schemas.js"

const root = (baseUrl: string): string => baseUrl.replace(/\/+$/, "")

/**
 * An attribute definition as RFC 7643 §7 represents it, with every characteristic (and the
 * sub-attributes of complex attributes).
 */
export const attribute = (def: AttributeDef): JsonObject => {
  const out: Record<string, Json> = {
    name: def.name,
    type: def.type,
    multiValued: def.multiValued,
    description: def.description,
    required: def.required
  }
  if (def.canonicalValues !== undefined) out.canonicalValues = def.canonicalValues
  out.caseExact = def.caseExact
  out.mutability = def.mutability
  out.returned = def.returned
  out.uniqueness = def.uniqueness
  if (def.type === "reference") out.referenceTypes = def.referenceTypes ?? []
  if (def.subAttributes !== undefined) out.subAttributes = def.subAttributes.map(attribute)
  return out
}

const schemaDocument = (def: SchemaDef, baseUrl: string): JsonObject => ({
  schemas: [Schemas.SchemaUrn],
  id: def.id,
  name: def.name,
  description: def.description,
  attributes: def.attributes.map(attribute),
  meta: { resourceType: "Schema", location: `${root(baseUrl)}/Schemas/${def.id}` }
})

const resourceTypeDocument = (rt: ResourceTypeDef, baseUrl: string): JsonObject => ({
  schemas: [Schemas.ResourceTypeUrn],
  id: rt.id,
  name: rt.name,
  endpoint: rt.endpoint,
  description: rt.description,
  schema: rt.schema.id,
  schemaExtensions: rt.extensions.map((e) => ({ schema: e.schema.id, required: e.required })),
  meta: { resourceType: "ResourceType", location: `${root(baseUrl)}/ResourceTypes/${rt.id}` }
})

/**
 * `/ServiceProviderConfig` (RFC 7643 §5) with the RFC 9865 `pagination` block: PATCH, bulk (with
 * its limits), filtering (with `maxResults`), sorting and ETags are supported, password change is
 * not, and clients authenticate with an OAuth bearer token (the platform's API key).
 */
export const serviceProviderConfig = (options: ScimOptionsShape, baseUrl: string): JsonObject => ({
  schemas: [Schemas.ServiceProviderConfigUrn],
  patch: { supported: true },
  bulk: { supported: true, maxOperations: options.bulkMaxOperations, maxPayloadSize: options.bulkMaxPayloadSize },
  filter: { supported: true, maxResults: options.maxResults },
  changePassword: { supported: false },
  sort: { supported: true },
  etag: { supported: true },
  pagination: {
    cursor: true,
    index: true,
    defaultPaginationMethod: "index",
    defaultPageSize: pageSize(undefined, options),
    maxPageSize: options.maxResults
  },
  authenticationSchemes: [{
    type: "oauthbearertoken",
    name: "OAuth Bearer Token",
    description: "Authentication with a platform API key sent as a bearer token: Authorization: Bearer <key>",
    specUri: "https://www.rfc-editor.org/info/rfc6750",
    primary: true
  }],
  meta: { resourceType: "ServiceProviderConfig", location: `${root(baseUrl)}/ServiceProviderConfig` }
})

/**
 * `/ResourceTypes` (RFC 7643 §6) as a ListResponse: User (with the model's extension), Group and,
 * unless the model hides it, the read-only Role.
 */
export const resourceTypes = (baseUrl: string, model: DomainModel.DomainModel = DomainModel.defaults): JsonObject => {
  const resources = DomainModel.resourceTypes(model).map((rt) => resourceTypeDocument(rt, baseUrl))
  return ListResponse.make({ resources, totalResults: resources.length, startIndex: 1, itemsPerPage: resources.length })
}

/** `/ResourceTypes/{id}` (case-insensitive id); unknown ids fail with `ResourceNotFound`. */
export const resourceType = (
  id: string,
  baseUrl: string,
  model: DomainModel.DomainModel = DomainModel.defaults
): Result.Result<JsonObject, ResourceNotFound> => {
  const rt = DomainModel.resourceTypes(model).find((r) => r.id.toLowerCase() === id.toLowerCase())
  return rt === undefined
    ? Result.fail(new ResourceNotFound({ resourceType: "ResourceType", id }))
    : Result.succeed(resourceTypeDocument(rt, baseUrl))
}

/** `/Schemas` (RFC 7643 §7) as a ListResponse: every resource schema of the model, with every attribute. */
export const schemas = (baseUrl: string, model: DomainModel.DomainModel = DomainModel.defaults): JsonObject => {
  const resources = DomainModel.schemas(model).map((s) => schemaDocument(s, baseUrl))
  return ListResponse.make({ resources, totalResults: resources.length, startIndex: 1, itemsPerPage: resources.length })
}

/** `/Schemas/{urn}` (case-insensitive URN); unknown ids fail with `ResourceNotFound`. */
export const schema = (
  id: string,
  baseUrl: string,
  model: DomainModel.DomainModel = DomainModel.defaults
): Result.Result<JsonObject, ResourceNotFound> => {
  const def = DomainModel.schemas(model).find((s) => s.id.toLowerCase() === id.toLowerCase())
  return def === undefined
    ? Result.fail(new ResourceNotFound({ resourceType: "Schema", id }))
    : Result.succeed(schemaDocument(def, baseUrl))
}
