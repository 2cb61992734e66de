import { assert, describe, it } from "@effect/vitest"
import { Input } from "@scimkit/core"
import * as Result from "effect/Result"
import * as fc from "fast-check"

const nested = (depth: number): unknown => {
  let value: unknown = "leaf"
  for (let i = 0; i < depth; i++) value = [value]
  return value
}

// fast-check's JSON values include `__proto__` keys and lone surrogates on purpose: the laws below
// are about values without them (the tests after them are about those)
const storable = (json: unknown): boolean => !/"__proto__"|\\ud[89a-f]/i.test(JSON.stringify(json))
const storableJson = (maxDepth: number) => fc.jsonValue({ maxDepth }).filter(storable)

// Any JSON value with one string (a value or a key) replaced by one that holds `bad`.
const poisoned = (bad: string) =>
  fc.tuple(storableJson(4), fc.nat(), fc.boolean(), fc.string(), fc.string()).map(([json, pick, asKey, pre, post]) => {
    const poison = pre + bad + post
    const strings: Array<{ readonly set: (text: string) => void }> = []
    const walk = (value: unknown, set: (v: unknown) => void): void => {
      if (typeof value === "string") strings.push({ set })
      else if (Array.isArray(value)) value.forEach((v, i) => walk(v, (n) => (value[i] = n)))
      else if (value !== null && typeof value === "object") {
        const object = value as Record<string, unknown>
        for (const key of Object.keys(object)) {
          if (asKey) {
            strings.push({
              set: (text) => {
                object[text] = object[key]
                delete object[key]
              }
            })
          }
          walk(object[key], (n) => (object[key] = n))
        }
      }
    }
    const root = { body: json }
    walk(root.body, (n) => (root.body = n as never))
    if (strings.length === 0) return { poison }
    strings[pick % strings.length]!.set(poison)
    return root.body
  })

describe("Input", () => {
  it("accepts every JSON value of ordinary depth", () =>
    fc.assert(fc.property(storableJson(10), (json) => Result.isSuccess(Input.check(json))), { numRuns: 500 }))

  it("refuses a NUL anywhere, in a value or a key", () =>
    fc.assert(
      fc.property(poisoned("\u0000"), (body) => {
        const checked = Input.check(body)
        return Result.isFailure(checked) && checked.failure.message.includes("NUL")
      }),
      { numRuns: 500 }
    ))

  it("refuses a lone surrogate anywhere, in a value or a key", () =>
    fc.assert(
      fc.property(poisoned("\uD800"), poisoned("\uDFFF"), (a, b) => {
        const x = Input.check(a)
        const y = Input.check(b)
        return Result.isFailure(x) && x.failure.message.includes("surrogate") && Result.isFailure(y)
      }),
      { numRuns: 300 }
    ))

  it("accepts surrogate pairs (emoji, CJK extensions)", () => {
    assert.isTrue(Result.isSuccess(Input.check({ displayName: "Ana 😀 𠀋", emails: [{ value: "a@b.c" }] })))
  })

  it("bounds nesting at maxDepth and says how deep", () => {
    assert.isTrue(Result.isSuccess(Input.check(nested(64))))
    const deep = Input.check(nested(65))
    assert.isTrue(Result.isFailure(deep))
    if (Result.isFailure(deep)) {
      assert.strictEqual(deep.failure._tag, "InvalidSyntax")
      assert.include(deep.failure.message, "64 levels")
    }
    assert.isTrue(Result.isSuccess(Input.check(nested(5), { maxDepth: 5 })))
    assert.isTrue(Result.isFailure(Input.check(nested(6), { maxDepth: 5 })))
  })

  it("walks without recursion: a value nested 200,000 deep is refused, not a stack overflow", () => {
    assert.isTrue(Result.isFailure(Input.check(nested(200_000))))
  })

  it("refuses __proto__ keys and non-finite numbers, naming the attribute", () => {
    const proto = Input.check(JSON.parse("{\"name\":{\"__proto__\":{\"admin\":true}}}"))
    assert.isTrue(Result.isFailure(proto))
    if (Result.isFailure(proto)) assert.include(proto.failure.message, "__proto__")
    const huge = Input.check(JSON.parse("{\"urn:x:ext\":{\"score\":1e400}}"))
    assert.isTrue(Result.isFailure(huge))
    if (Result.isFailure(huge)) assert.include(huge.failure.message, "urn:x:ext.score")
  })

  it("locates the first problem in a string", () => {
    assert.deepStrictEqual(Input.firstProblem("ab\u0000c"), {
      offset: 2,
      problem: "contains the NUL character (U+0000)"
    })
    assert.strictEqual(Input.firstProblem("x\uDC00")?.offset, 1)
    assert.strictEqual(Input.firstProblem("ok 😀"), undefined)
  })

  it("bounds PATCH requests: operations per request and values per operation, 413 naming the limit", () => {
    const budget = { maxOperations: 3, maxValues: 4 }
    const op = (value: unknown) => ({ op: "add", path: "members", value })
    assert.isTrue(
      Result.isSuccess(
        Input.checkPatchBudget({ Operations: [op([1, 2, 3, 4]), op(1), op({ members: [1, 2] })] }, budget)
      )
    )
    const many = Input.checkPatchBudget({ operations: [op(1), op(1), op(1), op(1)] }, budget)
    assert.isTrue(Result.isFailure(many))
    if (Result.isFailure(many)) {
      assert.strictEqual(many.failure._tag, "PayloadTooLarge")
      assert.include(many.failure.message, "at most 3 operations")
    }
    const wide = Input.checkPatchBudget(
      { Operations: [op(1), { op: "add", Value: { members: [1, 2, 3, 4, 5] } }] },
      budget
    )
    assert.isTrue(Result.isFailure(wide))
    if (Result.isFailure(wide)) assert.include(wide.failure.message, "operation 1 has 5")
    assert.isTrue(Result.isSuccess(Input.checkPatchBudget("not a patch", budget)), "the decoder reports a wrong shape")
  })
})
