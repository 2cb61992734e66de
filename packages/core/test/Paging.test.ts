import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Result from "effect/Result"
import * as fc from "fast-check"
import * as Crypto from "../src/Crypto.js"
import type { JsonObject } from "../src/domain/Model.js"
import type { CursorPage, IndexPage } from "../src/ports/StoreQuery.js"
import * as Cursor from "../src/query/Cursor.js"
import * as Paging from "../src/query/Paging.js"
import * as Sort from "../src/query/Sort.js"
import { defaults, type ScimOptionsShape } from "../src/ScimOptions.js"
import { UserResourceType } from "../src/schema/Schemas.js"
import type { ListRequest } from "../src/query/ListRequest.js"

const rt = UserResourceType
const options: ScimOptionsShape = { ...defaults, maxResults: 50, defaultCount: 20 }
const secret = "s3cret"
const parse = (request: ListRequest) => Paging.parse(request, options, rt, secret)
const page = (request: ListRequest) =>
  Effect.gen(function*() {
    const result = yield* Effect.result(parse(request))
    if (Result.isFailure(result)) return assert.fail(result.failure.message)
    return result.success
  })
const failure = (request: ListRequest) =>
  Effect.gen(function*() {
    const result = yield* Effect.result(parse(request))
    if (Result.isSuccess(result)) return assert.fail("expected a failure")
    return result.failure
  })

/** Runs effects that need the crypto services (inside fast-check's async properties) with those of the test. */
const runner = Effect.map(
  Effect.context<Crypto.Services>(),
  (context) => <A, E>(effect: Effect.Effect<A, E, Crypto.Services>): Promise<A> =>
    Effect.runPromiseWith(context)(effect)
)

describe("Paging.parse", () => {
  it.layer(Crypto.layerWebCrypto)((it) => {
    it.effect("defaults to index paging from 1 with the default count", () =>
      Effect.gen(function*() {
        assert.deepStrictEqual(yield* page({}), { _tag: "Index", startIndex: 1, count: 20 })
      }))

    it.effect("reads numbers given as strings", () =>
      Effect.gen(function*() {
        assert.deepStrictEqual(yield* page({ startIndex: "11", count: "10" }), {
          _tag: "Index",
          startIndex: 11,
          count: 10
        })
        assert.deepStrictEqual(yield* page({ startIndex: " ", count: "" }), { _tag: "Index", startIndex: 1, count: 20 })
      }))

    it.effect("startIndex below 1 means 1; negative count means 0; 0 asks for totals only", () =>
      Effect.gen(function*() {
        assert.deepStrictEqual(yield* page({ startIndex: 0, count: -5 }), { _tag: "Index", startIndex: 1, count: 0 })
        assert.deepStrictEqual(yield* page({ startIndex: "-3", count: "0" }), {
          _tag: "Index",
          startIndex: 1,
          count: 0
        })
      }))

    it.effect("a startIndex or count beyond 2^53 is read as the largest exact integer, never passed on as is", () =>
      Effect.gen(function*() {
        assert.deepStrictEqual(yield* page({ startIndex: "99999999999999999999", count: "1" }), {
          _tag: "Index",
          startIndex: Number.MAX_SAFE_INTEGER,
          count: 1
        })
        assert.deepStrictEqual(yield* page({ startIndex: "1", count: "-99999999999999999999" }), {
          _tag: "Index",
          startIndex: 1,
          count: 0
        })
      }))

    it.effect("clamps count to maxResults (also when the default is larger)", () =>
      Effect.gen(function*() {
        assert.strictEqual(((yield* page({ count: 5000 })) as IndexPage).count, 50)
        assert.strictEqual(Paging.pageSize(undefined, { maxResults: 10, defaultCount: 100 }), 10)
      }))

    it.effect("rejects non-numeric values, naming the parameter", () =>
      Effect.gen(function*() {
        const count = yield* failure({ count: "ten" })
        assert.strictEqual(count._tag, "InvalidValue")
        assert.include(count.message, "count must be an integer")
        assert.include((yield* failure({ startIndex: "1.5" })).message, "startIndex must be an integer")
        assert.include((yield* failure({ startIndex: 2.5 })).message, "startIndex must be an integer")
      }))

    it.effect("an empty cursor starts cursor paging at the first page", () =>
      Effect.gen(function*() {
        assert.deepStrictEqual(yield* page({ cursor: "", count: 5 }), {
          _tag: "Cursor",
          after: Option.none(),
          backward: false,
          count: 5
        })
      }))

    it.effect("cursor and startIndex together are rejected", () =>
      Effect.gen(function*() {
        const error = yield* failure({ cursor: "", startIndex: 1 })
        assert.strictEqual(error._tag, "InvalidValue")
        assert.include(error.message, "cursor and startIndex cannot be combined")
      }))

    it.effect("decodes a cursor minted for the same query; rejects others", () =>
      Effect.gen(function*() {
        const fp = Cursor.fingerprint({ resourceType: "User", filter: "active eq true", sortBy: "userName" })
        const token = yield* Cursor.encode({ sortValue: "m", id: "u-9" }, "backward", fp, secret)
        assert.deepStrictEqual(
          yield* page({ cursor: token, filter: "active eq true", sortBy: "USERNAME", count: "3" }),
          {
            _tag: "Cursor",
            after: Option.some({ sortValue: "m", id: "u-9" }),
            backward: true,
            count: 3
          }
        )
        assert.strictEqual(
          (yield* failure({ cursor: token, filter: "active eq false", sortBy: "userName" }))._tag,
          "InvalidCursor"
        )
        assert.strictEqual((yield* failure({ cursor: "garbage" }))._tag, "InvalidCursor")
        assert.strictEqual(
          Result.isFailure(
            yield* Effect.result(
              Paging.parse({ cursor: token, filter: "active eq true", sortBy: "userName" }, options, rt, "other")
            )
          ),
          true
        )
      }))
  })
})

const usersArb = fc.uniqueArray(fc.string({ maxLength: 4 }), { maxLength: 40 }).map((names) =>
  names.map((name, i): JsonObject => ({
    id: `u${String(i).padStart(3, "0")}`,
    userName: name,
    ...(i % 5 === 0 ? {} : { title: name })
  }))
)
const sortSpec = fc.constantFrom<ListRequest>(
  {},
  { sortBy: "userName" },
  { sortBy: "title", sortOrder: "descending" },
  { sortBy: "title" }
)

const sortOf = (request: ListRequest) => {
  const result = Sort.parse(rt, request.sortBy, request.sortOrder)
  if (Result.isFailure(result)) return assert.fail(result.failure.message)
  return result.success
}

/** One cursor step the way the service does it: parse, slice, mint cursors. */
const step = (all: ReadonlyArray<JsonObject>, request: ListRequest) =>
  Effect.gen(function*() {
    const sort = sortOf(request)
    const sorted = [...all].sort(Sort.comparator(rt, sort))
    const p = (yield* page(request)) as CursorPage
    const keyOf = (doc: JsonObject) => Sort.position(rt, sort, doc)
    const result = Paging.slice(sorted, p, keyOf, (a, b) => Sort.comparePositions(rt, sort, a, b))
    const fp = Cursor.fingerprint({
      resourceType: rt.id,
      filter: request.filter,
      sortBy: request.sortBy,
      sortOrder: request.sortOrder
    })
    return { items: result.items, total: result.total, ...(yield* Paging.cursors(p, result, keyOf, fp, secret)) }
  })

describe("Paging laws", () => {
  it.layer(Crypto.layerWebCrypto)((it) => {
    it.effect("index pages partition the sorted list", () =>
      Effect.gen(function*() {
        const run = yield* runner
        yield* Effect.promise(() =>
          fc.assert(
            fc.asyncProperty(
              fc.record({ users: usersArb, count: fc.integer({ min: 1, max: 7 }), request: sortSpec }),
              ({ count, request, users }) =>
                run(Effect.gen(function*() {
                  const sort = sortOf(request)
                  const sorted = [...users].sort(Sort.comparator(rt, sort))
                  const seen: Array<JsonObject> = []
                  for (let startIndex = 1; startIndex <= sorted.length; startIndex += count) {
                    const p = yield* page({ ...request, startIndex: String(startIndex), count: String(count) })
                    const result = Paging.slice(
                      sorted,
                      p,
                      (d) => Sort.position(rt, sort, d),
                      (a, b) => Sort.comparePositions(rt, sort, a, b)
                    )
                    assert.strictEqual(result.total, sorted.length)
                    assert.isAtMost(result.items.length, count)
                    for (const item of result.items) seen.push(item)
                  }
                  assert.deepStrictEqual(seen, sorted)
                }))
            )
          )
        )
      }))

    it.effect("cursor pages partition the sorted list, forward and backward", () =>
      Effect.gen(function*() {
        const run = yield* runner
        yield* Effect.promise(() =>
          fc.assert(
            fc.asyncProperty(
              fc.record({ users: usersArb, count: fc.integer({ min: 1, max: 7 }), request: sortSpec }),
              ({ count, request, users }) =>
                run(Effect.gen(function*() {
                  const sorted = [...users].sort(Sort.comparator(rt, sortOf(request)))
                  const pages: Array<ReadonlyArray<JsonObject>> = []
                  let current = yield* step(users, { ...request, cursor: "", count })
                  assert.isUndefined(current.previousCursor)
                  pages.push(current.items)
                  while (current.nextCursor !== undefined) {
                    current = yield* step(users, { ...request, cursor: current.nextCursor, count })
                    pages.push(current.items)
                  }
                  assert.deepStrictEqual(pages.flat(), sorted)
                  assert.isTrue(pages.every((p, i) => p.length === count || i === pages.length - 1))
                  const back: Array<ReadonlyArray<JsonObject>> = [current.items]
                  while (current.previousCursor !== undefined) {
                    current = yield* step(users, { ...request, cursor: current.previousCursor, count })
                    back.unshift(current.items)
                  }
                  assert.deepStrictEqual(back.flat(), sorted)
                }))
            )
          )
        )
      }))

    it.effect("cursors stay stable while resources are added and removed", () =>
      Effect.gen(function*() {
        const run = yield* runner
        yield* Effect.promise(() =>
          fc.assert(fc.asyncProperty(
            fc.record({
              users: usersArb,
              count: fc.integer({ min: 1, max: 5 }),
              request: sortSpec,
              churn: fc.array(fc.tuple(fc.boolean(), fc.nat(), fc.string({ maxLength: 4 })), { maxLength: 30 })
            }),
            ({ churn, count, request, users }) =>
              run(Effect.gen(function*() {
                const all = [...users]
                const survivors = new Set(users.map((u) => u.id))
                const seen: Array<unknown> = []
                let current = yield* step(all, { ...request, cursor: "", count })
                let i = 0
                for (;;) {
                  for (const item of current.items.map((u) => u.id)) seen.push(item)
                  const change = churn[i++]
                  if (change !== undefined && all.length > 0) {
                    const [add, at, name] = change
                    if (add) all.push({ id: `n${i}`, userName: name, title: name })
                    else {
                      const removed = all.splice(at % all.length, 1)[0]!
                      survivors.delete(removed.id as string)
                    }
                  }
                  if (current.nextCursor === undefined) break
                  current = yield* step(all, { ...request, cursor: current.nextCursor, count })
                }
                assert.strictEqual(new Set(seen).size, seen.length, "no resource appears twice")
                for (const id of survivors) assert.include(seen, id, "no resource present throughout is skipped")
              }))
          ))
        )
      }))
  })
})
