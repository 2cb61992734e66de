/**
 * What every value from a client must be before anything reads it further or stores it: text that
 * every store can hold, and a shape every reader can walk.
 *
 * - No U+0000 and no lone UTF-16 surrogates in any string or object key: PostgreSQL's text and
 *   jsonb refuse both (`invalid byte sequence`), JSON encoders replace lone surrogates, so such a
 *   value would be stored differently by each store, or not at all.
 * - No number that JSON cannot carry back (`1e400` parses to `Infinity`, which encodes as `null`).
 * - No `__proto__` key: no SCIM attribute has that name (RFC 7643 §2.1 `ATTRNAME` starts with a
 *   letter), and assigning it would change an object's prototype instead of adding a property.
 * - Nesting at most {@link Limits.maxDepth} levels. SCIM values nest three levels (a resource, a
 *   complex attribute, its sub-attributes); the bound keeps a hostile value from being accepted and
 *   then breaking every reader whose walk is recursive.
 *
 * The walk is iterative, so the check itself never runs out of stack.
 */
import * as Result from "effect/Result"
import { InvalidSyntax, InvalidValue, PayloadTooLarge } from "../errors/ScimError.js"

export interface Limits {
  /** Deepest nesting of arrays and objects in a body, the body itself being level 1. */
  readonly maxDepth: number
}

/** The bound used when a caller names none: far above what an IdP sends, far below any reader's stack. */
export const defaultLimits: Limits = { maxDepth: 64 }

// A high surrogate not followed by a low one, or a low one not preceded by a high one.
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

/**
 * Why a string cannot be stored and where (the UTF-16 offset), or `undefined` when it can.
 */
export const firstProblem = (text: string): { readonly offset: number; readonly problem: string } | undefined => {
  const nul = text.indexOf("\u0000")
  const lone = loneSurrogate.exec(text)
  if (nul < 0 && lone === null) return undefined
  if (lone === null || (nul >= 0 && nul < lone.index)) {
    return { offset: nul, problem: "contains the NUL character (U+0000)" }
  }
  return { offset: lone.index, problem: "contains a lone UTF-16 surrogate (text that is not valid Unicode)" }
}

/**
 * Why a string cannot be stored, or `undefined` when it can.
 */
export const stringProblem = (text: string): string | undefined => firstProblem(text)?.problem

/**
 * Whether a string can be stored (see {@link stringProblem}).
 */
export const isStorable = (text: string): boolean => stringProblem(text) === undefined

const show = (path: ReadonlyArray<string | number>): string => {
  if (path.length === 0) return "the request body"
  let out = ""
  for (const part of path) out += typeof part === "number" ? `[${part}]` : out === "" ? part : `.${part}`
  return `"${out}"`
}

const preview = (text: string): string => JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text)

interface Frame {
  readonly value: unknown
  readonly parent: Frame | undefined
  readonly key: string | number
  readonly depth: number
}

// the path is built only when a check fails: a walk over a large body allocates nothing per value
const pathOf = (frame: Frame): ReadonlyArray<string | number> => {
  const path: Array<string | number> = []
  for (let f: Frame | undefined = frame; f !== undefined && f.parent !== undefined; f = f.parent) path.push(f.key)
  return path.reverse()
}

const attributeOf = (frame: Frame): string => pathOf(frame).filter((p) => typeof p === "string").join(".")

/**
 * Checks a decoded JSON body against the rules above. A failure names where the offending value
 * is and what to change.
 */
export const check = (
  body: unknown,
  limits: Limits = defaultLimits
): Result.Result<void, InvalidValue | InvalidSyntax> => {
  const stack: Array<Frame> = [{ value: body, parent: undefined, key: "", depth: 1 }]
  while (stack.length > 0) {
    const frame = stack.pop()!
    const { depth, value } = frame
    if (typeof value === "string") {
      const problem = stringProblem(value)
      if (problem !== undefined) {
        return Result.fail(
          new InvalidValue({
            attribute: attributeOf(frame),
            detail: `The value of ${show(pathOf(frame))} ${problem}; send text without it`
          })
        )
      }
      continue
    }
    if (typeof value === "number") {
      if (!Number.isFinite(value)) {
        return Result.fail(
          new InvalidValue({
            attribute: attributeOf(frame),
            detail: `The number at ${show(pathOf(frame))} is too large to represent; send a finite number`
          })
        )
      }
      continue
    }
    if (value === null || typeof value !== "object") continue
    if (depth > limits.maxDepth) {
      return Result.fail(
        new InvalidSyntax({
          detail: `The value at ${show(pathOf(frame))} is nested more than ${limits.maxDepth} levels deep; ` +
            `SCIM resources nest three levels (resource, attribute, sub-attribute), so flatten the value`
        })
      )
    }
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) {
        stack.push({ value: value[i], parent: frame, key: i, depth: depth + 1 })
      }
      continue
    }
    for (const key of Object.keys(value)) {
      const problem = key === "__proto__" ? "is not an attribute name" : stringProblem(key)
      if (problem !== undefined) {
        return Result.fail(
          new InvalidValue({
            attribute: key,
            detail: `The attribute name ${preview(key)} at ${show(pathOf(frame))} ${problem}; rename or remove it`
          })
        )
      }
      stack.push({ value: (value as Record<string, unknown>)[key], parent: frame, key, depth: depth + 1 })
    }
  }
  return Result.void
}

export interface PatchBudget {
  /** Most operations in one PATCH request. */
  readonly maxOperations: number
  /** Most values one operation may carry: the elements of an array `value` (or of its `members`). */
  readonly maxValues: number
}

const valuesOf = (value: unknown): number => {
  if (Array.isArray(value)) return value.length
  if (value !== null && typeof value === "object") {
    let most = 0
    for (const v of Object.values(value)) if (Array.isArray(v)) most = Math.max(most, v.length)
    return most
  }
  return 0
}

/**
 * Checks the size of a PATCH request (RFC 7644 §3.5.2) before it is decoded: how many operations,
 * and how many values each carries. Anything over the budget is 413, naming the limit; the shape
 * itself is checked by the decoder.
 */
export const checkPatchBudget = (body: unknown, budget: PatchBudget): Result.Result<void, PayloadTooLarge> => {
  if (body === null || typeof body !== "object" || Array.isArray(body)) return Result.void
  for (const key of Object.keys(body)) {
    if (key.toLowerCase() !== "operations") continue
    const operations: unknown = (body as Record<string, unknown>)[key]
    if (!Array.isArray(operations)) continue
    if (operations.length > budget.maxOperations) {
      return Result.fail(
        new PayloadTooLarge({
          detail:
            `A PATCH request may carry at most ${budget.maxOperations} operations, this one has ${operations.length}; ` +
            `send them in several requests`
        })
      )
    }
    for (let i = 0; i < operations.length; i++) {
      const operation: unknown = operations[i]
      if (operation === null || typeof operation !== "object") continue
      for (const field of Object.keys(operation)) {
        if (field.toLowerCase() !== "value") continue
        const count = valuesOf((operation as Record<string, unknown>)[field])
        if (count > budget.maxValues) {
          return Result.fail(
            new PayloadTooLarge({
              detail: `A PATCH operation may carry at most ${budget.maxValues} values, operation ${i} has ${count}; ` +
                `split it into several operations or requests`
            })
          )
        }
      }
    }
  }
  return Result.void
}
