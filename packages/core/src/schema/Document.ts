/**
 * Reading values out of a normalized SCIM document. In a normalized document every known
 * attribute has its canonical name, core-schema and common attributes sit at the top level and
 * extension attributes sit under their schema URN (`doc["urn:…:enterprise:2.0:User"].department`).
 */
import type { Json, JsonObject } from "../domain/Model.js"
import type { ResolvedPath } from "./Resolve.js"
import type { ResourceTypeDef } from "./Schemas.js"

export const isObject = (value: unknown): value is JsonObject =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/** The object that holds the attribute: the document itself, or its extension object. */
export const container = (rt: ResourceTypeDef, doc: JsonObject, resolved: ResolvedPath): JsonObject | undefined => {
  if (resolved.schema === undefined || resolved.schema.id === rt.schema.id) return doc
  const ext = doc[resolved.schema.id]
  return isObject(ext) ? ext : undefined
}

/** The attribute's value (no sub-attribute step), or undefined. */
export const attributeValue = (rt: ResourceTypeDef, doc: JsonObject, resolved: ResolvedPath): Json | undefined =>
  container(rt, doc, resolved)?.[resolved.attribute.name]

/**
 * The values a path denotes, flattened: for `emails.value` every email's value; for a single
 * valued attribute a one-element array; absent and null values are left out.
 */
export const values = (rt: ResourceTypeDef, doc: JsonObject, resolved: ResolvedPath): ReadonlyArray<Json> => {
  const value = attributeValue(rt, doc, resolved)
  if (value === undefined || value === null) return []
  const items: ReadonlyArray<Json> = Array.isArray(value) ? value : [value]
  if (resolved.subAttribute === undefined) return items
  const sub = resolved.subAttribute.name
  const out: Array<Json> = []
  for (const item of items) {
    if (isObject(item)) {
      const v = item[sub]
      if (v !== undefined && v !== null) {
        if (Array.isArray(v)) { for (const element of v) out.push(element) }
        else out.push(v)
      }
    }
  }
  return out
}
