/**
 * Paging of list and search requests: index paging (RFC 7644 §3.4.2.4: `startIndex`, `count`)
 * and cursor paging (RFC 9865: `cursor`, `nextCursor`, `previousCursor`), plus the reference
 * slicing of a sorted list that the memory store and the tests use.
 */
import type * as Mac from "effect/crypto/Mac"
import * as Effect from "effect/Effect"
import * as Result from "effect/Result"
import * as Option from "effect/Option"
import type { InvalidCursor } from "../errors/ScimError.js"
import { InvalidValue } from "../errors/ScimError.js"
import type { CursorPage, CursorPosition, IndexPage, Page } from "../ports/StoreQuery.js"
import type { ScimOptionsShape } from "../ScimOptions.js"
import type { ResourceTypeDef } from "../schema/Schemas.js"
import * as Cursor from "./Cursor.js"
import type { ListRequest } from "./ListRequest.js"

export type { CursorPage, IndexPage } from "../ports/StoreQuery.js"

const integer = (name: string, value: string | number | undefined): Result.Result<number | undefined, InvalidValue> => {
  if (value === undefined) return Result.succeed(undefined)
  if (typeof value === "number") {
    return Number.isInteger(value)
      ? Result.succeed(clamp(value))
      : Result.fail(new InvalidValue({ attribute: name, detail: `${name} must be an integer; got ${value}` }))
  }
  const text = value.trim()
  if (text === "") return Result.succeed(undefined)
  if (!/^[+-]?\d+$/.test(text)) {
    return Result.fail(
      new InvalidValue({ attribute: name, detail: `${name} must be an integer; got ${JSON.stringify(value)}` })
    )
  }
  return Result.succeed(clamp(Number(text)))
}

// Beyond 2^53 a number no longer names one integer, and every store's OFFSET refuses such values;
// a start that far past any data means the same as the largest exact one: an empty page.
const clamp = (n: number): number => Math.max(Number.MIN_SAFE_INTEGER, Math.min(Number.MAX_SAFE_INTEGER, n))

/** The page size for a requested `count`: absent → the default, negative → 0, above the maximum → the maximum. */
export const pageSize = (
  count: number | undefined,
  options: Pick<ScimOptionsShape, "maxResults" | "defaultCount">
): number => {
  const max = Math.max(0, options.maxResults)
  if (count === undefined) return Math.min(Math.max(0, options.defaultCount), max)
  return Math.min(Math.max(0, count), max)
}

/**
 * Reads the paging parameters of a list request. `startIndex` is 1-based (below 1 means 1),
 * `count` 0 asks for `totalResults` only, a negative `count` means 0 and a `count` above
 * `maxResults` is clamped to it (RFC 7644 §3.4.2.4); numbers may arrive as strings, other text
 * fails with `InvalidValue` naming the parameter. A `cursor` parameter (empty for the first page)
 * selects cursor paging (RFC 9865) and cannot be combined with `startIndex`; its cursor must have
 * been signed with `secret`. `fingerprint` defaults to {@link Cursor.fingerprint} of the request's
 * filter and sort.
 */
export const parse = (
  request: ListRequest,
  options: Pick<ScimOptionsShape, "maxResults" | "defaultCount">,
  rt: ResourceTypeDef,
  secret: string,
  fingerprint?: string
): Effect.Effect<IndexPage | CursorPage, InvalidValue | InvalidCursor, Mac.Mac> =>
  Effect.gen(function*() {
    const count = pageSize(yield* Effect.fromResult(integer("count", request.count)), options)
    const startIndex = yield* Effect.fromResult(integer("startIndex", request.startIndex))
    if (request.cursor === undefined) {
      return { _tag: "Index", startIndex: Math.max(1, startIndex ?? 1), count } satisfies IndexPage
    }
    if (startIndex !== undefined) {
      return yield* Effect.fail(
        new InvalidValue({
          attribute: "startIndex",
          detail:
            "cursor and startIndex cannot be combined (RFC 9865): send cursor for cursor paging or startIndex for index paging, not both"
        })
      )
    }
    const token = request.cursor.trim()
    if (token === "") return { _tag: "Cursor", after: Option.none(), backward: false, count } satisfies CursorPage
    const fp = fingerprint ??
      Cursor.fingerprint({
        resourceType: rt.id,
        filter: request.filter,
        sortBy: request.sortBy,
        sortOrder: request.sortOrder
      })
    const decoded = yield* Cursor.decode(token, fp, secret)
    return {
      _tag: "Cursor",
      after: Option.some(decoded.position),
      backward: decoded.backward,
      count
    } satisfies CursorPage
  })

const firstAfter = <A>(
  sorted: ReadonlyArray<A>,
  after: CursorPosition,
  keyOf: (a: A) => CursorPosition,
  compare: (a: CursorPosition, b: CursorPosition) => number
): number => {
  let lo = 0
  let hi = sorted.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (compare(keyOf(sorted[mid]!), after) <= 0) lo = mid + 1
    else hi = mid
  }
  return lo
}

const firstNotBefore = <A>(
  sorted: ReadonlyArray<A>,
  before: CursorPosition,
  keyOf: (a: A) => CursorPosition,
  compare: (a: CursorPosition, b: CursorPosition) => number
): number => {
  let lo = 0
  let hi = sorted.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (compare(keyOf(sorted[mid]!), before) < 0) lo = mid + 1
    else hi = mid
  }
  return lo
}

/**
 * Takes a page out of a list sorted by `compare` (the reference semantics every store follows).
 * Index paging slices from `startIndex`; cursor paging takes the `count` items strictly after the
 * cursor position, or, walking backward, strictly before it (still in sort order). `hasMore` says
 * whether items exist beyond the page in the walking direction.
 */
export const slice = <A>(
  sorted: ReadonlyArray<A>,
  page: IndexPage | CursorPage,
  keyOf: (a: A) => CursorPosition,
  compare: (a: CursorPosition, b: CursorPosition) => number
): Page<A> => {
  if (page._tag === "Index") {
    const start = page.startIndex - 1
    return {
      items: sorted.slice(start, start + page.count),
      total: sorted.length,
      hasMore: start + page.count < sorted.length
    }
  }
  if (!page.backward) {
    const start = Option.match(page.after, {
      onNone: () => 0,
      onSome: (after) => firstAfter(sorted, after, keyOf, compare)
    })
    return {
      items: sorted.slice(start, start + page.count),
      total: sorted.length,
      hasMore: start + page.count < sorted.length
    }
  }
  const end = Option.match(page.after, {
    onNone: () => sorted.length,
    onSome: (before) => firstNotBefore(sorted, before, keyOf, compare)
  })
  const start = Math.max(0, end - page.count)
  return { items: sorted.slice(start, end), total: sorted.length, hasMore: start > 0 }
}

/**
 * The RFC 9865 cursors of a cursor page: `nextCursor` unless this is the last page,
 * `previousCursor` unless this is the first. Both are bound to the query fingerprint.
 */
export const cursors = <A>(
  page: CursorPage,
  result: Page<A>,
  keyOf: (a: A) => CursorPosition,
  fingerprint: string,
  secret: string
): Effect.Effect<{ readonly nextCursor?: string; readonly previousCursor?: string }, never, Mac.Mac> =>
  Effect.gen(function*() {
    const first = result.items[0]
    const last = result.items[result.items.length - 1]
    if (first === undefined || last === undefined) return {}
    const moreAfter = page.backward ? Option.isSome(page.after) : result.hasMore
    const moreBefore = page.backward ? result.hasMore : Option.isSome(page.after)
    return {
      ...(moreAfter ? { nextCursor: yield* Cursor.encode(keyOf(last), "forward", fingerprint, secret) } : {}),
      ...(moreBefore ? { previousCursor: yield* Cursor.encode(keyOf(first), "backward", fingerprint, secret) } : {})
    }
  })
