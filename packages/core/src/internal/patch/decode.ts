/**
 * Decoding of a PatchOp request body (RFC 7644 §3.5.2): `schemas`, a non-empty `Operations` array,
 * each operation an `op` of add/remove/replace with an optional string `path` and a `value`.
 * Member names are matched case-insensitively (RFC 7643 §2.1).
 *
 * @internal
 */
import type { Json } from "../../domain/Model.js"
import { InvalidSyntax, InvalidValue } from "../../errors/ScimError.js"
import { EmptyOperations, OpCaseInsensitive, PatchSchemaMissing } from "../../profile/Profiles.js"
import { PatchOpUrn } from "../../schema/Schemas.js"
import type { PatchContext } from "./context.js"
import { fail } from "./context.js"

/** The three PATCH operations. */
export type OpName = "add" | "remove" | "replace"

/** One decoded operation. `value` is undefined when the member is absent (null when sent as null). */
export interface Operation {
  readonly op: OpName
  readonly path: string | undefined
  readonly value: Json | undefined
}

const isRecord = (value: unknown): value is { readonly [key: string]: unknown } =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/** The member of an object whose name matches case-insensitively (exact name first). */
export const member = (object: { readonly [key: string]: unknown }, name: string): unknown => {
  const direct = object[name]
  if (direct !== undefined || Object.prototype.hasOwnProperty.call(object, name)) return direct
  const lower = name.toLowerCase()
  for (const key in object) if (key.toLowerCase() === lower) return object[key]
  return undefined
}

const hasMember = (object: { readonly [key: string]: unknown }, name: string): boolean => {
  if (object[name] !== undefined || Object.prototype.hasOwnProperty.call(object, name)) return true
  const lower = name.toLowerCase()
  for (const key in object) if (key.toLowerCase() === lower) return true
  return false
}

const isJson = (value: unknown, depth: number): value is Json => {
  if (value === null) return true
  switch (typeof value) {
    case "string":
    case "boolean":
      return true
    case "number":
      return Number.isFinite(value)
    case "object": {
      // Keeps the recursion off the stack's limit for callers of `Patch.apply` that did not check the
      // body; the services check it first (`Input.check` against `maxValueDepth`, by default the same 64)
      if (depth > 64) return false
      if (Array.isArray(value)) {
        for (const item of value) if (!isJson(item, depth + 1)) return false
        return true
      }
      for (const key in value) if (!isJson((value as { readonly [key: string]: unknown })[key], depth + 1)) return false
      return true
    }
    default:
      return false
  }
}

const opName = (text: string): OpName | undefined =>
  text === "add" || text === "remove" || text === "replace" ? text : undefined

const decodeOperation = (ctx: PatchContext, raw: unknown, index: number): Operation => {
  const where = `Operations[${index}]`
  if (!isRecord(raw)) {
    return fail(new InvalidSyntax({ detail: `${where} must be an object like {"op": "add", "path": "…", "value": …}` }))
  }
  const op = member(raw, "op")
  if (typeof op !== "string") {
    return fail(new InvalidSyntax({ detail: `${where} needs an "op" member: "add", "remove" or "replace"` }))
  }
  let name = opName(op)
  if (name === undefined) {
    name = opName(op.toLowerCase())
    if (name === undefined) {
      return fail(
        new InvalidSyntax({
          detail: `${where}.op must be "add", "remove" or "replace", not ${JSON.stringify(op)} (RFC 7644 §3.5.2)`
        })
      )
    }
    if (!ctx.allow(OpCaseInsensitive)) {
      return fail(
        new InvalidSyntax({
          detail: `${where}.op must be written in lower case: "${name}", not ${JSON.stringify(op)}${
            ctx.hint(OpCaseInsensitive)
          }`
        })
      )
    }
  }
  const path = member(raw, "path")
  if (path !== undefined && path !== null && typeof path !== "string") {
    return fail(
      new InvalidSyntax({ detail: `${where}.path must be a string such as "emails[type eq \\"work\\"].value"` })
    )
  }
  let value: unknown = raw["value"]
  const present = value !== undefined || hasMember(raw, "value")
  if (value === undefined && present) value = member(raw, "value")
  if (present && !isJson(value, 0)) {
    return fail(new InvalidSyntax({ detail: `${where}.value is not a JSON value` }))
  }
  if (name !== "remove" && (!present || value === undefined)) {
    return fail(
      new InvalidValue({
        detail: `${where} is an "${name}" without a "value": send the value to ${
          name === "add" ? "add" : "set"
        } (RFC 7644 §3.5.2.${name === "add" ? 1 : 3})`
      })
    )
  }
  return { op: name, path: typeof path === "string" ? path : undefined, value: present ? (value as Json) : undefined }
}

const patchOpLower = PatchOpUrn.toLowerCase()

/** Decodes a PatchOp body into its operations, recording the quirks accepted on the way. */
export const decodeBody = (ctx: PatchContext, body: unknown): ReadonlyArray<Operation> => {
  if (!isRecord(body)) {
    return fail(
      new InvalidSyntax({
        detail: `a PATCH body must be a JSON object {"schemas": ["${PatchOpUrn}"], "Operations": […]}`
      })
    )
  }
  const schemas = member(body, "schemas")
  let hasSchema = false
  if (Array.isArray(schemas)) {
    for (const s of schemas) {
      if (typeof s === "string" && (s === PatchOpUrn || s.toLowerCase() === patchOpLower)) hasSchema = true
    }
  }
  if (!hasSchema && !ctx.allow(PatchSchemaMissing)) {
    return fail(
      new InvalidSyntax({
        detail: `"schemas" must contain "${PatchOpUrn}" (RFC 7644 §3.5.2)${ctx.hint(PatchSchemaMissing)}`
      })
    )
  }
  const operations = member(body, "Operations")
  if (!Array.isArray(operations)) {
    return fail(
      new InvalidSyntax({
        detail:
          `a PATCH body needs "Operations": an array of one or more operations like {"op": "replace", "path": "active", "value": false}`
      })
    )
  }
  if (operations.length === 0 && !ctx.allow(EmptyOperations)) {
    return fail(
      new InvalidSyntax({
        detail: `"Operations" must hold at least one operation (RFC 7644 §3.5.2)${ctx.hint(EmptyOperations)}`
      })
    )
  }
  const out: Array<Operation> = []
  for (let i = 0; i < operations.length; i++) out.push(decodeOperation(ctx, operations[i], i))
  return out
}
