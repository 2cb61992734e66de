/**
 * Value-level helpers for resource normalization: lexical checks of the RFC 7643 §2.3 data types,
 * a readable description of a JSON value for error details, and structural equality.
 *
 * @internal
 */
import type { Json } from "../../domain/Model.js"
import type { AttributeDef } from "../../schema/Attribute.js"
import type { ResourceTypeDef } from "../../schema/Schemas.js"
import { commonAttributes } from "../../schema/Schemas.js"

const dateTimePattern = /^(-?\d{4,})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-](\d{2}):(\d{2}))?$/

/** xsd:dateTime (RFC 7643 §2.3.5), e.g. `2008-01-23T04:56:22Z`; the time zone is optional as in XML Schema. */
export const isDateTime = (value: string): boolean => {
  const m = dateTimePattern.exec(value)
  if (m === null) return false
  const year = Number(m[1])
  const month = Number(m[2])
  const day = Number(m[3])
  const hour = Number(m[4])
  const minute = Number(m[5])
  const second = Number(m[6])
  if (month < 1 || month > 12 || day < 1) return false
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0
  const maxDay = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!
  if (day > maxDay) return false
  const endOfDay = hour === 24 && minute === 0 && second === 0 && (m[7] === undefined || /^\.0+$/.test(m[7]))
  if ((hour > 23 && !endOfDay) || minute > 59 || second > 59) return false
  if (m[9] !== undefined && (Number(m[9]) > 14 || Number(m[10]) > 59)) return false
  return true
}

const base64Pattern = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/

/** xsd:base64Binary (RFC 7643 §2.3.6); whitespace between characters is allowed. */
export const isBase64 = (value: string): boolean => base64Pattern.test(value.replace(/\s+/g, ""))

/** A short description of a JSON value for an error detail: `the string "x"`, `the number 3`, `an object`. */
export const describe = (value: unknown): string => {
  if (value === null) return "null"
  if (Array.isArray(value)) return "an array"
  switch (typeof value) {
    case "string": {
      const shown = value.length > 60 ? value.slice(0, 57) + "..." : value
      return `the string ${JSON.stringify(shown)}`
    }
    case "number":
      return `the number ${value}`
    case "boolean":
      return `the boolean ${value}`
    case "object":
      return "an object"
    default:
      return `a ${typeof value}`
  }
}

/** Structural equality of JSON values (object key order does not matter); the one used across core. */
export const jsonEquals = (a: Json | undefined, b: Json | undefined): boolean => {
  if (a === b) return true
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false
  if (Array.isArray(a)) {
    if (!Array.isArray(b)) return false
    const left: ReadonlyArray<Json> = a
    const right: ReadonlyArray<Json> = b
    if (left.length !== right.length) return false
    for (let i = 0; i < left.length; i++) if (!jsonEquals(left[i], right[i])) return false
    return true
  }
  if (Array.isArray(b)) return false
  const ao = a as { readonly [key: string]: Json }
  const bo = b as { readonly [key: string]: Json }
  let count = 0
  for (const key in ao) {
    const other = bo[key]
    if (other === undefined || !Object.prototype.hasOwnProperty.call(bo, key) || !jsonEquals(ao[key], other)) return false
    count++
  }
  return count === Object.keys(bo).length
}

/** Definitions by name and the required ones, built once per definition list. */
export interface DefIndex {
  /** Each definition under its canonical name and its lower-cased name. */
  readonly byName: ReadonlyMap<string, AttributeDef>
  readonly required: ReadonlyArray<AttributeDef>
}

const indexes = new WeakMap<ReadonlyArray<AttributeDef>, DefIndex>()

/** The index of a definition list (built on first use). */
export const indexOf = (defs: ReadonlyArray<AttributeDef>): DefIndex => {
  let index = indexes.get(defs)
  if (index === undefined) {
    const byName = new Map<string, AttributeDef>()
    for (const d of defs) {
      if (!byName.has(d.name)) byName.set(d.name, d)
      if (!byName.has(d.name.toLowerCase())) byName.set(d.name.toLowerCase(), d)
    }
    index = { byName, required: defs.filter((d) => d.required) }
    indexes.set(defs, index)
  }
  return index
}

/** Finds a definition by name, case-insensitively (a name in canonical case is found without lower-casing it). */
export const findIn = (index: DefIndex, name: string): AttributeDef | undefined =>
  index.byName.get(name) ?? index.byName.get(name.toLowerCase())

/** A sub-attribute of a complex attribute by name, case-insensitively (`findSubAttribute` through the index). */
export const findSub = (parent: AttributeDef, name: string): AttributeDef | undefined =>
  parent.subAttributes === undefined ? undefined : findIn(indexOf(parent.subAttributes), name)

/** Finds a definition by name, case-insensitively, through an index built once per definition list. */
export const findByName = (defs: ReadonlyArray<AttributeDef>, name: string): AttributeDef | undefined => findIn(indexOf(defs), name)

const coreDefsCache = new WeakMap<ResourceTypeDef, ReadonlyArray<AttributeDef>>()

/** The attributes at the top level of a resource's document: the common ones, then the core schema's (one list per resource type). */
export const coreDefs = (rt: ResourceTypeDef): ReadonlyArray<AttributeDef> => {
  let defs = coreDefsCache.get(rt)
  if (defs === undefined) {
    defs = [...commonAttributes, ...rt.schema.attributes]
    coreDefsCache.set(rt, defs)
  }
  return defs
}
