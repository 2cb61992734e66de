import { assert, describe, it } from "@effect/vitest"
import * as Option from "effect/Option"
import * as Result from "effect/Result"
import * as fc from "fast-check"
import * as Version from "../src/schema/Version.js"

describe("Version", () => {
  it("etag is a weak entity tag", () => {
    assert.strictEqual(Version.etag(3), "W/\"3\"")
  })

  it("parseIfMatch accepts *, weak and strong tags, bare numbers and lists", () => {
    assert.deepStrictEqual(Version.parseIfMatch(" * "), Result.succeed({ _tag: "Any" as const }))
    assert.deepStrictEqual(
      Version.parseIfMatch("W/\"3\""),
      Result.succeed({ _tag: "Versions" as const, versions: [3] })
    )
    assert.deepStrictEqual(Version.parseIfMatch("\"3\""), Result.succeed({ _tag: "Versions" as const, versions: [3] }))
    assert.deepStrictEqual(Version.parseIfMatch("7"), Result.succeed({ _tag: "Versions" as const, versions: [7] }))
    assert.deepStrictEqual(
      Version.parseIfMatch("W/\"1\", \"2\",W/\"10\""),
      Result.succeed({ _tag: "Versions" as const, versions: [1, 2, 10] })
    )
  })

  it("parseIfMatch rejects what is not a version of this server", () => {
    for (const header of ["", "W/\"abc\"", "\"3", "W/\"3\" junk\"", ",", "\"1\" \"2\""]) {
      const result = Version.parseIfMatch(header)
      assert.isTrue(Result.isFailure(result), header)
      if (Result.isFailure(result)) {
        assert.strictEqual(result.failure._tag, "InvalidVers")
        assert.include(result.failure.message, "W/\"3\"")
      }
    }
  })

  it("check passes without If-Match, with * and with the current version", () => {
    assert.isTrue(Result.isSuccess(Version.check(Option.none(), "User", "u1", 4)))
    assert.isTrue(Result.isSuccess(Version.check(Option.some("*"), "User", "u1", 4)))
    assert.isTrue(Result.isSuccess(Version.check(Option.some("W/\"4\""), "User", "u1", 4)))
    assert.isTrue(Result.isSuccess(Version.check(Option.some("\"3\", \"4\""), "User", "u1", 4)))
  })

  it("check fails with VersionMismatch naming both versions", () => {
    const result = Version.check(Option.some("W/\"3\""), "User", "u1", 4)
    assert.isTrue(Result.isFailure(result))
    if (Result.isFailure(result)) {
      assert.strictEqual(result.failure._tag, "VersionMismatch")
      assert.include(result.failure.message, "User u1 is at version 4, not 3")
    }
    const malformed = Version.check(Option.some("yesterday's"), "User", "u1", 4)
    assert.isTrue(Result.isFailure(malformed) && malformed.failure._tag === "InvalidVers")
  })

  it("matchesNoneMatch: * and the current version match; others and garbage do not", () => {
    assert.isTrue(Version.matchesNoneMatch("*", 2))
    assert.isTrue(Version.matchesNoneMatch("W/\"2\"", 2))
    assert.isTrue(Version.matchesNoneMatch("\"1\", W/\"2\"", 2))
    assert.isFalse(Version.matchesNoneMatch("W/\"1\"", 2))
    assert.isFalse(Version.matchesNoneMatch("garbage\"", 2))
  })

  it("parseIfMatch inverts etag", () => {
    fc.assert(fc.property(fc.record({ version: fc.nat() }), ({ version }) => {
      assert.deepStrictEqual(
        Version.parseIfMatch(Version.etag(version)),
        Result.succeed({ _tag: "Versions" as const, versions: [version] })
      )
      assert.isTrue(Version.matchesNoneMatch(Version.etag(version), version))
    }))
  })
})
