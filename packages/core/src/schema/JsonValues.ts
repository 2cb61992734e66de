/**
 * JSON values as SCIM documents hold them: the one structural equality used across core (PATCH,
 * decoding, the services' "nothing changed" check) and the short description of a value that
 * error details quote ("got the number 42").
 */
import type { Json } from "../domain/Model.js"

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
    if (other === undefined || !Object.prototype.hasOwnProperty.call(bo, key) || !jsonEquals(ao[key], other)) {
      return false
    }
    count++
  }
  return count === Object.keys(bo).length
}
