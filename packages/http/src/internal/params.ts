/**
 * The parameters of a list or read: RFC 7644 §3.4.2 query parameters, §3.9 `attributes` /
 * `excludedAttributes`, and the §3.4.3 `SearchRequest` body, each as core's request types.
 *
 * @internal
 */
import { Schemas, ScimError, type ListRequest, type Projection } from "@scimkit/core"
import * as Effect from "effect/Effect"
import * as Predicate from "effect/Predicate"

/** Query parameters as the router hands them over (a repeated name gives an array). */
export type QueryParams = Readonly<Record<string, string | ReadonlyArray<string> | undefined>>

const listKeys: Readonly<Record<string, keyof ListRequest.ListRequest>> = {
  filter: "filter",
  sortby: "sortBy",
  sortorder: "sortOrder",
  startindex: "startIndex",
  count: "count",
  cursor: "cursor",
  attributes: "attributes",
  excludedattributes: "excludedAttributes"
}

const single = (value: string | ReadonlyArray<string>): string => typeof value === "string" ? value : value[0] ?? ""
const joined = (value: string | ReadonlyArray<string>): string => typeof value === "string" ? value : value.join(",")

/** RFC 7644 §3.4.2 query parameters (names matched case-insensitively). */
export const listRequest = (params: QueryParams): ListRequest.ListRequest => {
  const out: { -readonly [K in keyof ListRequest.ListRequest]: ListRequest.ListRequest[K] } = {}
  for (const name in params) {
    const value = params[name]
    if (value === undefined) continue
    const key = listKeys[name] ?? listKeys[name.toLowerCase()]
    if (key === undefined) continue
    if (key === "attributes" || key === "excludedAttributes") out[key] = joined(value)
    else out[key] = single(value)
  }
  return out
}

/** RFC 7644 §3.9 `attributes` / `excludedAttributes`, or `undefined` when neither is given. */
export const projection = (params: QueryParams): Projection.ProjectionRequest | undefined => {
  let attributes: string | undefined
  let excludedAttributes: string | undefined
  for (const name in params) {
    const value = params[name]
    if (value === undefined) continue
    const lower = name.toLowerCase()
    if (lower === "attributes") attributes = joined(value)
    else if (lower === "excludedattributes") excludedAttributes = joined(value)
  }
  if (attributes === undefined && excludedAttributes === undefined) return undefined
  return { attributes, excludedAttributes }
}

/** */
export const hasParam = (params: QueryParams, lowerName: string): boolean => {
  for (const name in params) {
    if (name.toLowerCase() === lowerName && params[name] !== undefined) return true
  }
  return false
}

const stringField = (
  body: Record<string, unknown>,
  name: string
): Effect.Effect<string | undefined, ScimError.InvalidSyntax> => {
  const value = body[name]
  if (value === undefined || value === null) return Effect.succeed(undefined)
  return typeof value === "string"
    ? Effect.succeed(value)
    : Effect.fail(new ScimError.InvalidSyntax({ detail: `SearchRequest "${name}" must be a string` }))
}

const numberField = (
  body: Record<string, unknown>,
  name: string
): Effect.Effect<string | number | undefined, ScimError.InvalidSyntax> => {
  const value = body[name]
  if (value === undefined || value === null) return Effect.succeed(undefined)
  return typeof value === "number" || typeof value === "string"
    ? Effect.succeed(value)
    : Effect.fail(new ScimError.InvalidSyntax({ detail: `SearchRequest "${name}" must be an integer` }))
}

const attributesField = (
  body: Record<string, unknown>,
  name: string
): Effect.Effect<string | ReadonlyArray<string> | undefined, ScimError.InvalidSyntax> => {
  const value = body[name]
  if (value === undefined || value === null) return Effect.succeed(undefined)
  if (typeof value === "string") return Effect.succeed(value)
  if (Array.isArray(value) && value.every(Predicate.isString)) return Effect.succeed(value)
  return Effect.fail(
    new ScimError.InvalidSyntax({ detail: `SearchRequest "${name}" must be an array of attribute names` })
  )
}

/** RFC 7644 §3.4.3: a `SearchRequest` body as a list request. */
export const searchRequest = (
  body: Record<string, unknown>
): Effect.Effect<ListRequest.ListRequest, ScimError.InvalidSyntax> => {
  const schemas = body["schemas"]
  if (schemas !== undefined && !(Array.isArray(schemas) && schemas.includes(Schemas.SearchRequestUrn))) {
    return Effect.fail(
      new ScimError.InvalidSyntax({ detail: `A SearchRequest must have "schemas": ["${Schemas.SearchRequestUrn}"]` })
    )
  }
  return Effect.all({
    attributes: attributesField(body, "attributes"),
    excludedAttributes: attributesField(body, "excludedAttributes"),
    filter: stringField(body, "filter"),
    sortBy: stringField(body, "sortBy"),
    sortOrder: stringField(body, "sortOrder"),
    startIndex: numberField(body, "startIndex"),
    count: numberField(body, "count"),
    cursor: stringField(body, "cursor")
  })
}
