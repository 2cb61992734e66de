import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Result from "effect/Result"
import * as Path from "../src/filter/Path.js"
import { CustomUserAttributesUrn, EnterpriseUserUrn, UserUrn } from "../src/schema/Schemas.js"

const invalid = (input: string) => {
  const result = Path.parsePathResult(input)
  if (Result.isSuccess(result)) assert.fail(`${input} parsed as ${JSON.stringify(result.success)}`)
  return result.failure
}

describe("Path.parsePath", () => {
  it.effect("parses an attribute and a sub-attribute", () =>
    Effect.gen(function*() {
      assert.deepStrictEqual(yield* Path.parsePath("userName"), { path: { attribute: "userName" } })
      assert.deepStrictEqual(yield* Path.parsePath("name.givenName"), {
        path: { attribute: "name", subAttribute: "givenName" }
      })
    }))

  it.effect("parses URN-prefixed paths, splitting at the last colon", () =>
    Effect.gen(function*() {
      assert.deepStrictEqual(yield* Path.parsePath(`${EnterpriseUserUrn}:manager.value`), {
        path: { uri: EnterpriseUserUrn, attribute: "manager", subAttribute: "value" }
      })
      assert.deepStrictEqual(yield* Path.parsePath(`${EnterpriseUserUrn}:employeeNumber`), {
        path: { uri: EnterpriseUserUrn, attribute: "employeeNumber" }
      })
      assert.deepStrictEqual(yield* Path.parsePath(`${CustomUserAttributesUrn}:platformRole`), {
        path: { uri: CustomUserAttributesUrn, attribute: "platformRole" }
      })
      assert.deepStrictEqual(yield* Path.parsePath(`${UserUrn}:emails[type eq "work"].value`), {
        path: { uri: UserUrn, attribute: "emails" },
        valueFilter: { _tag: "Compare", path: { attribute: "type" }, op: "eq", value: "work" },
        subAttribute: "value"
      })
    }))

  it.effect("parses value filters with and without a trailing sub-attribute", () =>
    Effect.gen(function*() {
      assert.deepStrictEqual(yield* Path.parsePath("members[value eq \"2819c223-7f76-453a-919d-413861904646\"]"), {
        path: { attribute: "members" },
        valueFilter: {
          _tag: "Compare",
          path: { attribute: "value" },
          op: "eq",
          value: "2819c223-7f76-453a-919d-413861904646"
        }
      })
      assert.deepStrictEqual(yield* Path.parsePath("addresses[type eq \"work\" AND primary eq true].streetAddress"), {
        path: { attribute: "addresses" },
        valueFilter: {
          _tag: "And",
          left: { _tag: "Compare", path: { attribute: "type" }, op: "eq", value: "work" },
          right: { _tag: "Compare", path: { attribute: "primary" }, op: "eq", value: true }
        },
        subAttribute: "streetAddress"
      })
      assert.deepStrictEqual(yield* Path.parsePath(" emails[not (type eq \"home\")] "), {
        path: { attribute: "emails" },
        valueFilter: { _tag: "Not", filter: { _tag: "Compare", path: { attribute: "type" }, op: "eq", value: "home" } }
      })
    }))

  it.effect("reports malformed paths as InvalidPath with the offset", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Path.parsePath("emails[type eq \"work\"] value"))
      assert.strictEqual(error._tag, "InvalidPath")
      assert.include(error.detail, "offset 23")
      const cases: ReadonlyArray<readonly [string, string]> = [
        ["", "found an empty string"],
        ["emails[", "expected an attribute path"],
        ["emails[type eq \"work\"", "close the \"[\""],
        ["emails[type eq]", "expected a value"],
        ["emails[type eq \"work\"].", "expected an attribute path"],
        ["emails[type eq \"work\"].value.x", "one sub-attribute"],
        ["name.givenName[value pr]", "not a sub-attribute"],
        ["a.b.c", "at most one sub-attribute"],
        [":userName", "schema URI"],
        ["urn:x:", "attribute name after the schema URI"],
        ["userName eq \"x\"", "expected the end of the path"],
        ["emails[type eq \"work\" and x[y pr]]", "do not nest"]
      ]
      for (const [input, detail] of cases) {
        const e = invalid(input)
        assert.strictEqual(e.path, input)
        assert.include(e.detail, detail, input)
      }
    }))

  it("applies the length and depth limits", () => {
    assert.include(
      Path.parsePathResult("x".repeat(5000)).pipe(Result.flip, Result.getOrThrow).detail,
      "at most 4096 characters"
    )
    assert.isTrue(Result.isFailure(Path.parsePathResult("emails[((type pr))]", { maxDepth: 2 })))
    assert.isTrue(Result.isSuccess(Path.parsePathResult("emails[((type pr))]", { maxDepth: 3 })))
  })
})
