/**
 * Values of the RFC 7643 §2.3 data types: the lexical checks a request's values must pass
 * ({@link isDateTime}, {@link isBase64}), and type-aware comparison (RFC 7644 §3.4.2.2 and
 * §3.4.2.3), the one definition of equality and ordering shared by filter evaluation, sorting and
 * PATCH:
 *
 * - `dateTime` values compare as instants (`2015-10-10T14:38:21-07:00` equals `2015-10-10T21:38:21Z`).
 * - `integer` and `decimal` compare numerically, `boolean` as false < true.
 * - `string`, `reference` and `binary` compare by UTF-16 code units, after lower-casing both sides
 *   when the attribute is not `caseExact`.
 * - A complex value compares by its `value` sub-attribute; a multi-valued attribute by its primary
 *   value, or else its first (RFC 7644 §3.4.2.3).
 * - `null` (no value) sorts after every value, so "no data" comes last in ascending order.
 *   Values of an unexpected JSON type sort by type (boolean, number, string, array, object).
 */
import type { Json, JsonObject } from "../domain/Model.js"
import type { AttributeDef } from "./Attribute.js"
import { findSubAttribute } from "./Attribute.js"

const dateTimePattern = /^(-?\d{4,})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-](\d{2}):(\d{2}))?$/

/**
 * Whether a string is an xsd:dateTime (RFC 7643 §2.3.5), e.g. `2008-01-23T04:56:22Z`, as a
 * `dateTime` attribute must hold; the time zone is optional as in XML Schema. Stricter than
 * {@link parseInstant}, which also reads the date-only filter literals clients compare with.
 */
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

/** Whether a string is xsd:base64Binary (RFC 7643 §2.3.6), as a `binary` attribute must hold; whitespace between characters is allowed. */
export const isBase64 = (value: string): boolean => base64Pattern.test(value.replace(/\s+/g, ""))

const isObject = (value: Json | undefined): value is JsonObject =>
  typeof value === "object" && value !== null && !Array.isArray(value)
const isArray = (value: Json | undefined): value is ReadonlyArray<Json> => Array.isArray(value)

const digits = (text: string, at: number, count: number): number => {
  let n = 0
  for (let i = at; i < at + count; i++) {
    const c = text.charCodeAt(i) - 48
    if (!(c >= 0 && c <= 9)) return -1
    n = n * 10 + c
  }
  return n
}

const isDigitAt = (text: string, i: number): boolean => {
  const c = text.charCodeAt(i)
  return c >= 48 && c <= 57
}

const daysIn = (year: number, month: number): number =>
  month === 2
    ? ((year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28)
    : [4, 6, 9, 11].includes(month)
    ? 30
    : 31

/**
 * The instant of an `xsd:dateTime` (RFC 7643 §2.3.5), in milliseconds since the epoch (with
 * sub-millisecond fractions), or `NaN` when the text is not one. Accepts `YYYY-MM-DD`, then
 * optionally `THH:MM[:SS[.fraction]]` and `Z` or `±HH:MM`; without a zone the time is UTC.
 */
export const parseInstant = (text: string): number => {
  const length = text.length
  const year = digits(text, 0, 4)
  const month = digits(text, 5, 2)
  const day = digits(text, 8, 2)
  if (year < 0 || month < 1 || month > 12 || day < 1 || text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45) {
    return NaN
  }
  if (length < 10 || day > daysIn(year, month)) return NaN
  let hour = 0
  let minute = 0
  let second = 0
  let fraction = 0
  let offset = 0
  let i = 10
  if (i < length) {
    const t = text.charCodeAt(i)
    if (t !== 84 && t !== 116 && t !== 32) return NaN
    hour = digits(text, i + 1, 2)
    minute = digits(text, i + 4, 2)
    if (hour < 0 || minute < 0 || text.charCodeAt(i + 3) !== 58 || hour > 23 || minute > 59) return NaN
    i += 6
    if (text.charCodeAt(i) === 58) {
      second = digits(text, i + 1, 2)
      if (second < 0 || second > 59) return NaN
      i += 3
      if (text.charCodeAt(i) === 46) {
        // whole milliseconds exactly, finer digits as a fraction of a millisecond
        const start = ++i
        let scale = 100
        for (; i < length; i++) {
          const c = text.charCodeAt(i) - 48
          if (!(c >= 0 && c <= 9)) break
          fraction += c * scale
          scale /= 10
          if (scale < 1) break
        }
        if (i === start) return NaN
        if (scale < 1) {
          const finer = ++i
          while (i < length && isDigitAt(text, i)) i++
          if (i > finer) fraction += Number("0." + text.slice(finer, i))
        }
      }
    }
    if (i < length) {
      const z = text.charCodeAt(i)
      if (z === 90 || z === 122) {
        i++
      } else if (z === 43 || z === 45) {
        const oh = digits(text, i + 1, 2)
        let om = 0
        i += 3
        if (text.charCodeAt(i) === 58) {
          om = digits(text, i + 1, 2)
          i += 3
        } else if (i < length) {
          om = digits(text, i, 2)
          i += 2
        }
        if (oh < 0 || oh > 23 || om < 0 || om > 59) return NaN
        offset = (z === 45 ? -1 : 1) * (oh * 60 + om) * 60_000
      } else {
        return NaN
      }
    }
    if (i !== length) return NaN
  }
  let ms = Date.UTC(year, month - 1, day, hour, minute, second)
  if (year < 100) {
    const date = new Date(ms)
    date.setUTCFullYear(year)
    ms = date.getTime()
  }
  return ms + fraction - offset
}

const typeRank = (value: Json): number => {
  switch (typeof value) {
    case "boolean":
      return 0
    case "number":
      return 1
    case "string":
      return 2
    default:
      return value === null ? 5 : isArray(value) ? 3 : 4
  }
}

const sign = (n: number): number => (n < 0 ? -1 : n > 0 ? 1 : 0)
const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

const compareUntyped = (a: Json, b: Json): number => {
  const ra = typeRank(a)
  const rb = typeRank(b)
  if (ra !== rb) return ra - rb
  if (typeof a === "boolean" && typeof b === "boolean") return Number(a) - Number(b)
  if (typeof a === "number" && typeof b === "number") return sign(a - b)
  if (typeof a === "string" && typeof b === "string") return compareText(a, b)
  return a === null ? 0 : compareText(JSON.stringify(a), JSON.stringify(b))
}

/** The value a multi-valued attribute sorts by: its primary element, else its first, else null (RFC 7644 §3.4.2.3). */
const sortKey = (value: Json): Json => {
  if (!isArray(value)) return value
  for (const item of value) if (isObject(item) && item["primary"] === true) return item
  return value.length > 0 ? value[0]! : null
}

const valueOf = (def: AttributeDef, value: Json): { readonly def: AttributeDef | undefined; readonly value: Json } => {
  const sub = findSubAttribute(def, "value")
  return { def: sub, value: isObject(value) && sub !== undefined ? value[sub.name] ?? null : value }
}

/**
 * Orders two values of an attribute by its type (see the module notes): negative when `a` comes
 * first, positive when `b` does, 0 when they are equal for sorting. `def` undefined compares by JSON
 * type then naturally, strings case-sensitively.
 */
export const compareValues = (def: AttributeDef | undefined, a: Json, b: Json): number => {
  a = sortKey(a)
  b = sortKey(b)
  if (def !== undefined && def.type === "complex") {
    const va = valueOf(def, a)
    const vb = valueOf(def, b)
    if (va.def === undefined) return compareUntyped(a, b)
    return compareValues(va.def, va.value, vb.value)
  }
  if (def === undefined || a === null || b === null) return compareUntyped(a, b)
  switch (def.type) {
    case "dateTime": {
      if (typeof a !== "string" || typeof b !== "string") break
      const ia = parseInstant(a)
      const ib = parseInstant(b)
      const validA = !Number.isNaN(ia)
      const validB = !Number.isNaN(ib)
      if (validA && validB) return sign(ia - ib)
      if (validA !== validB) return validA ? -1 : 1
      return compareText(a, b)
    }
    case "integer":
    case "decimal":
      if (typeof a === "number" && typeof b === "number") return sign(a - b)
      break
    case "boolean":
      if (typeof a === "boolean" && typeof b === "boolean") return Number(a) - Number(b)
      break
    case "string":
    case "reference":
    case "binary":
      if (typeof a === "string" && typeof b === "string") {
        return def.caseExact ? compareText(a, b) : compareText(a.toLowerCase(), b.toLowerCase())
      }
      break
  }
  return compareUntyped(a, b)
}

const byLowerKey = (obj: JsonObject): Map<string, Json> => {
  const out = new Map<string, Json>()
  for (const key in obj) {
    const value = obj[key]!
    if (value !== null) out.set(key.toLowerCase(), value)
  }
  return out
}

/**
 * Whether two values of an attribute are equal by its type: dateTimes as instants, strings with
 * `caseExact`, complex values sub-attribute by sub-attribute (an absent sub-attribute equals null),
 * multi-valued attributes as sets. Used by the `eq` operator and by PATCH to find a value.
 */
export const equalValues = (def: AttributeDef | undefined, a: Json, b: Json): boolean => {
  if (a === b) return true
  if (isArray(a) || isArray(b)) {
    if (!isArray(a) || !isArray(b) || a.length !== b.length) return false
    const element = def === undefined ? undefined : { ...def, multiValued: false }
    return a.every((x) => b.some((y) => equalValues(element, x, y))) &&
      b.every((y) => a.some((x) => equalValues(element, x, y)))
  }
  if (isObject(a) || isObject(b)) {
    if (!isObject(a) || !isObject(b)) return false
    if (def === undefined) {
      for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
        if (!equalValues(undefined, a[key] ?? null, b[key] ?? null)) return false
      }
      return true
    }
    // attribute names are case-insensitive (RFC 7643 §2.1), so sub-attributes pair up by lower-cased name
    const la = byLowerKey(a)
    const lb = byLowerKey(b)
    for (const key of new Set([...la.keys(), ...lb.keys()])) {
      if (!equalValues(findSubAttribute(def, key), la.get(key) ?? null, lb.get(key) ?? null)) return false
    }
    return true
  }
  if (def === undefined || typeof a !== typeof b) return false
  switch (def.type) {
    case "dateTime": {
      if (typeof a !== "string" || typeof b !== "string") return false
      const ia = parseInstant(a)
      return !Number.isNaN(ia) && ia === parseInstant(b)
    }
    case "string":
    case "reference":
    case "binary":
      return !def.caseExact && typeof a === "string" && typeof b === "string" && a.toLowerCase() === b.toLowerCase()
    default:
      return false
  }
}

/**
 * Whether a value counts as present for `pr` (RFC 7644 §3.4.2.2): not null, not an empty string,
 * not an empty array, and for a complex value at least one present sub-attribute.
 */
export const isPresent = (value: Json | undefined): boolean => {
  if (value === undefined || value === null) return false
  if (typeof value === "string") return value.length > 0
  if (isArray(value)) {
    for (const item of value) if (isPresent(item)) return true
    return false
  }
  if (isObject(value)) {
    for (const key in value) if (isPresent(value[key])) return true
    return false
  }
  return true
}
