/**
 * Resolves attribute paths against a resource type's schemas, case-insensitively, with or without
 * the schema URN prefix (RFC 7644 §3.10).
 */
import * as Result from "effect/Result"
import { InvalidPath } from "../errors/ScimError.js"
import { type AttrPath, printAttrPath } from "../filter/Ast.js"
import type { AttributeDef, SchemaDef } from "./Attribute.js"
import { findAttribute, findSubAttribute } from "./Attribute.js"
import type { ResourceTypeDef } from "./Schemas.js"
import { commonAttributes } from "./Schemas.js"

/** A path resolved to its definitions. `schema` is undefined for the common attributes (id, externalId, meta). */
export interface ResolvedPath {
  readonly schema: SchemaDef | undefined
  readonly attribute: AttributeDef
  readonly subAttribute: AttributeDef | undefined
}

/**
 * The definitions of every schema of a resource type: the core one first, then the extensions.
 * (The `schemas` URNs a document lists are `Resource.schemaUrnsOf`.)
 */
export const schemaDefsOf = (
  rt: ResourceTypeDef
): ReadonlyArray<SchemaDef> => [rt.schema, ...rt.extensions.map((e) => e.schema)]

/** Finds a schema of the resource type by URN, case-insensitively (the legacy Entra group URI maps to Group). */
export const findSchema = (rt: ResourceTypeDef, urn: string): SchemaDef | undefined => {
  const lower = urn.toLowerCase()
  return schemaDefsOf(rt).find((s) => s.id.toLowerCase() === lower)
}

/**
 * Splits `urn:…:User:name.givenName` into its URI and the rest, knowing the resource type's schema
 * URNs (a URN itself contains dots and colons, so it is matched as a known prefix).
 */
export const splitUri = (rt: ResourceTypeDef, path: string): { readonly uri?: string; readonly rest: string } => {
  const lower = path.toLowerCase()
  for (const schema of schemaDefsOf(rt)) {
    const id = schema.id.toLowerCase()
    if (lower.startsWith(id + ":")) return { uri: schema.id, rest: path.slice(id.length + 1) }
    if (lower === id) return { uri: schema.id, rest: "" }
  }
  return { rest: path }
}

/** Parses a plain attribute path string (`name.givenName`, `urn:…:manager.value`) into an {@link AttrPath}. */
export const parseAttrPath = (rt: ResourceTypeDef, path: string): Result.Result<AttrPath, InvalidPath> => {
  const { rest, uri } = splitUri(rt, path.trim())
  if (rest === "" && uri === undefined) return Result.fail(new InvalidPath({ path, detail: "the path is empty" }))
  if (rest === "") return Result.fail(new InvalidPath({ path, detail: "a schema URN alone names no attribute" }))
  if (rest.startsWith("urn:")) {
    return Result.fail(new InvalidPath({ path, detail: `"${path}" names a schema this resource type does not have` }))
  }
  const parts = rest.split(".")
  if (parts.length > 2 || parts.some((p) => !/^\$?[A-Za-z][\w$-]*$/.test(p))) {
    return Result.fail(
      new InvalidPath({ path, detail: `"${rest}" is not an attribute name or attribute.subAttribute` })
    )
  }
  return Result.succeed({
    ...(uri !== undefined ? { uri } : {}),
    attribute: parts[0]!,
    ...(parts[1] !== undefined ? { subAttribute: parts[1] } : {})
  })
}

/**
 * Resolves an {@link AttrPath} against the resource type: a path without URI is looked up in the
 * common attributes, then the core schema, then the extensions (RFC 7644 §3.10).
 */
export const resolve = (rt: ResourceTypeDef, path: AttrPath): Result.Result<ResolvedPath, InvalidPath> => {
  const text = printAttrPath(path)
  let schema: SchemaDef | undefined
  let attribute: AttributeDef | undefined
  if (path.uri !== undefined) {
    schema = findSchema(rt, path.uri)
    if (schema === undefined) {
      return Result.fail(new InvalidPath({ path: text, detail: `unknown schema "${path.uri}" for ${rt.name}` }))
    }
    attribute = findAttribute(schema, path.attribute)
  } else {
    const lower = path.attribute.toLowerCase()
    attribute = commonAttributes.find((a) => a.name.toLowerCase() === lower)
    if (attribute === undefined) {
      for (const s of schemaDefsOf(rt)) {
        attribute = findAttribute(s, path.attribute)
        if (attribute !== undefined) {
          schema = s
          break
        }
      }
    }
  }
  if (attribute === undefined) {
    return Result.fail(new InvalidPath({ path: text, detail: `${rt.name} has no attribute "${path.attribute}"` }))
  }
  if (path.subAttribute === undefined) return Result.succeed({ schema, attribute, subAttribute: undefined })
  const subAttribute = findSubAttribute(attribute, path.subAttribute)
  if (subAttribute === undefined) {
    return Result.fail(
      new InvalidPath({
        path: text,
        detail: attribute.subAttributes === undefined
          ? `"${attribute.name}" has no sub-attributes`
          : `"${attribute.name}" has no sub-attribute "${path.subAttribute}"; it has ${
            attribute.subAttributes.map((a) => a.name).join(", ")
          }`
      })
    )
  }
  return Result.succeed({ schema, attribute, subAttribute })
}

/** The canonical, fully qualified name of a resolved path (`urn:…:User:name.givenName`, `meta.created`). */
export const canonicalName = (resolved: ResolvedPath): string =>
  (resolved.schema !== undefined ? resolved.schema.id + ":" : "") + resolved.attribute.name +
  (resolved.subAttribute !== undefined ? "." + resolved.subAttribute.name : "")
