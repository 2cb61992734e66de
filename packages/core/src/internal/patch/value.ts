/**
 * Values of PATCH operations checked against their attribute definition (RFC 7643 §2.3): JSON
 * types, canonical sub-attribute names, read-only sub-attributes dropped from element values (the
 * server owns them, RFC 7644 §3.5.1), and the dialect forms a profile accepts (booleans as strings,
 * a bare string for `{"value": …}`, one element for an array). `null` stays `null`: it means
 * "unassign" (RFC 7643 §2.5).
 *
 * @internal
 */
import type { Json, JsonObject } from "../../domain/Model.js"
import { InvalidValue } from "../../errors/ScimError.js"
import { BareStringValue, BooleanAsString, SingleValueForMultiValued } from "../../profile/Profiles.js"
import type { AttributeDef } from "../../schema/Attribute.js"
import { findSubAttribute } from "../../schema/Attribute.js"
import { isObject } from "../../schema/Document.js"
import { describe } from "../../schema/JsonValues.js"
import type { PatchContext } from "./context.js"
import { fail } from "./context.js"

const typeName = (def: AttributeDef): string => {
  switch (def.type) {
    case "string":
      return "a string"
    case "boolean":
      return "a boolean (true or false)"
    case "decimal":
      return "a number"
    case "integer":
      return "an integer"
    case "dateTime":
      return "a dateTime string such as \"2024-05-01T10:00:00Z\""
    case "reference":
      return "a reference (URI string)"
    case "binary":
      return "a base64 string"
    case "complex":
      return `an object of ${(def.subAttributes ?? []).map((a) => a.name).join(", ")}`
  }
}

const wrong = (def: AttributeDef, label: string, value: Json): never =>
  fail(new InvalidValue({ attribute: label, detail: `"${label}" takes ${typeName(def)}, not ${describe(value)}` }))

/** A simple (non-complex) value of `def`; null passes through. */
export const coerceSimple = (ctx: PatchContext, def: AttributeDef, value: Json, label: string): Json => {
  if (value === null) return null
  switch (def.type) {
    case "boolean":
      if (typeof value === "boolean") return value
      if (typeof value === "string") {
        const lower = value.toLowerCase()
        if (lower === "true" || lower === "false") {
          if (ctx.allow(BooleanAsString)) return lower === "true"
          return fail(
            new InvalidValue({
              attribute: label,
              detail: `"${label}" takes a JSON boolean: write ${lower} without quotes, not ${JSON.stringify(value)}${
                ctx.hint(BooleanAsString)
              }`
            })
          )
        }
      }
      return wrong(def, label, value)
    case "integer":
      return typeof value === "number" && Number.isInteger(value) ? value : wrong(def, label, value)
    case "decimal":
      return typeof value === "number" ? value : wrong(def, label, value)
    case "complex":
      return wrong(def, label, value)
    default:
      return typeof value === "string" ? value : wrong(def, label, value)
  }
}

/**
 * A complex value of `def` with canonical sub-attribute names. Sub-attributes set to null stay null
 * (they unassign on merge); read-only ones are dropped when `dropReadOnly`.
 */
export const coerceComplex = (
  ctx: PatchContext,
  def: AttributeDef,
  value: Json,
  label: string,
  dropReadOnly: boolean
): JsonObject => {
  if (typeof value === "string" && findSubAttribute(def, "value") !== undefined) {
    if (ctx.allow(BareStringValue)) return { value }
    return fail(
      new InvalidValue({
        attribute: label,
        detail: `"${label}" takes objects like {"value": ${JSON.stringify(value)}}, not a bare string${
          ctx.hint(BareStringValue)
        }`
      })
    )
  }
  if (!isObject(value)) return wrong(def, label, value)
  const out: { [key: string]: Json } = {}
  for (const key in value) {
    const sub = findSubAttribute(def, key)
    if (sub === undefined) {
      return fail(
        new InvalidValue({
          attribute: label,
          detail: `"${label}" has no sub-attribute "${key}"; it has ${
            (def.subAttributes ?? []).map((a) => a.name).join(", ")
          }`
        })
      )
    }
    if (dropReadOnly && sub.mutability === "readOnly") continue
    const raw = value[key]!
    out[sub.name] = sub.multiValued && Array.isArray(raw)
      ? raw.filter((v) => v !== null).map((v) => coerceSimple(ctx, sub, v, `${label}.${sub.name}`))
      : coerceSimple(ctx, sub, raw, `${label}.${sub.name}`)
  }
  return out
}

/** One element (or single value) of `def`: complex or simple. */
export const coerceElement = (
  ctx: PatchContext,
  def: AttributeDef,
  value: Json,
  label: string,
  dropReadOnly: boolean
): Json =>
  def.type === "complex" ? coerceComplex(ctx, def, value, label, dropReadOnly) : coerceSimple(ctx, def, value, label)

/** The elements of a multi-valued attribute's value: an array (nulls dropped), or one element as a quirk. */
export const coerceElements = (
  ctx: PatchContext,
  def: AttributeDef,
  value: Json,
  label: string,
  dropReadOnly: boolean = true
): ReadonlyArray<Json> => {
  if (!Array.isArray(value)) {
    if (value === null) return []
    const bare = typeof value === "string" && def.type === "complex"
    if (!bare && !ctx.allow(SingleValueForMultiValued)) {
      return fail(
        new InvalidValue({
          attribute: label,
          detail: `"${label}" is multi-valued: send an array of elements, like [${JSON.stringify(value)}]${
            ctx.hint(SingleValueForMultiValued)
          }`
        })
      )
    }
    return [stripNulls(coerceElement(ctx, def, value, label, dropReadOnly))]
  }
  const out: Array<Json> = []
  for (const item of value) {
    if (item === null) continue
    out.push(stripNulls(coerceElement(ctx, def, item, label, dropReadOnly)))
  }
  return out
}

/**
 * A shallow copy of an object. `Object.assign` rather than a spread: on V8 an object copied by
 * spread falls onto a slow path as soon as a key is added to it (microseconds per write).
 */
export const copyObject = (object: JsonObject): { [key: string]: Json } => Object.assign({}, object)

/** A copy of the object without one key (no `delete`, which turns an object into a slow dictionary). */
export const without = (object: JsonObject, key: string): { [key: string]: Json } => {
  const out: { [key: string]: Json } = {}
  for (const k in object) if (k !== key) out[k] = object[k]!
  return out
}

/** The value without null sub-attributes (a new element has no "unassign" markers). */
export const stripNulls = (value: Json): Json => {
  if (!isObject(value)) return value
  let nulls = false
  for (const key in value) if (value[key] === null) nulls = true
  if (!nulls) return value
  const out: { [key: string]: Json } = {}
  for (const key in value) if (value[key] !== null) out[key] = value[key]!
  return out
}

/**
 * Case-insensitive equality of two strings without allocating for the common mismatch: compares
 * ASCII letters folded and falls back to `toLowerCase` for other characters.
 */
export const equalsIgnoreCase = (a: string, b: string): boolean => {
  if (a === b) return true
  const length = a.length
  if (length !== b.length || length === 0) return false
  const x = a.charCodeAt(length - 1)
  const y = b.charCodeAt(length - 1)
  if (x !== y && x < 128 && y < 128 && (x | 32) !== (y | 32)) return false
  for (let i = 0; i < length; i++) {
    let x = a.charCodeAt(i)
    let y = b.charCodeAt(i)
    if (x === y) continue
    if (x > 127 || y > 127) return a.toLowerCase() === b.toLowerCase()
    if (x >= 65 && x <= 90) x += 32
    if (y >= 65 && y <= 90) y += 32
    if (x !== y) return false
  }
  return true
}
