import { assert, describe, it } from "@effect/vitest"
import * as Either from "effect/Either"
import * as fc from "effect/FastCheck"
import { createHash, createHmac } from "node:crypto"
import { constantTimeEquals, hmacSha256, sha256, toHex } from "../src/internal/sha256.js"
import * as Cursor from "../src/query/Cursor.js"

const hex = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text, "hex"))

describe("sha256", () => {
  it("matches the FIPS 180-4 vectors", () => {
    assert.strictEqual(toHex(sha256("")), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    assert.strictEqual(toHex(sha256("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    assert.strictEqual(
      toHex(sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
    )
    assert.strictEqual(
      toHex(sha256("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu")),
      "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"
    )
    assert.strictEqual(toHex(sha256("a".repeat(1_000_000))), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
  })

  it("matches the RFC 4231 HMAC-SHA-256 vectors", () => {
    assert.strictEqual(toHex(hmacSha256(hex("0b".repeat(20)), "Hi There")), "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")
    assert.strictEqual(toHex(hmacSha256("Jefe", "what do ya want for nothing?")), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    assert.strictEqual(
      toHex(hmacSha256(hex("aa".repeat(131)), "Test Using Larger Than Block-Size Key - Hash Key First")),
      "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
    )
  })

  it.prop("agrees with node:crypto on every length", { data: fc.uint8Array({ maxLength: 300 }), key: fc.uint8Array({ maxLength: 150 }) }, ({ data, key }) => {
    assert.strictEqual(toHex(sha256(data)), createHash("sha256").update(data).digest("hex"))
    assert.strictEqual(toHex(hmacSha256(key, data)), createHmac("sha256", key).update(data).digest("hex"))
  })

  it.prop("hashes strings as UTF-8", { text: fc.string({ unit: "grapheme", maxLength: 40 }) }, ({ text }) => {
    assert.strictEqual(toHex(sha256(text)), createHash("sha256").update(text, "utf8").digest("hex"))
  })

  it("constantTimeEquals compares bytes", () => {
    assert.isTrue(constantTimeEquals(hex("0102"), hex("0102")))
    assert.isFalse(constantTimeEquals(hex("0102"), hex("0103")))
    assert.isFalse(constantTimeEquals(hex("01"), hex("0102")))
  })
})

const secret = "test-secret"
const fp = Cursor.fingerprint({ resourceType: "User", filter: "userName sw \"a\"", sortBy: "userName" })

describe("Cursor", () => {
  it("round-trips a position and direction", () => {
    const token = Cursor.encode({ sortValue: "bjensen@example.com", id: "u-1" }, "forward", fp, secret)
    assert.match(token, /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/)
    assert.deepStrictEqual(Cursor.decode(token, fp, secret), Either.right({ position: { sortValue: "bjensen@example.com", id: "u-1" }, backward: false }))
    const back = Cursor.encode({ sortValue: null, id: "u-2" }, "backward", fp, secret)
    assert.deepStrictEqual(Cursor.decode(back, fp, secret), Either.right({ position: { sortValue: null, id: "u-2" }, backward: true }))
  })

  it("is opaque: the id and sort value are not readable as plain text", () => {
    const token = Cursor.encode({ sortValue: "alice", id: "u-1" }, "forward", fp, secret)
    assert.notInclude(token, "alice")
  })

  it("rejects a tampered cursor", () => {
    const token = Cursor.encode({ sortValue: "alice", id: "u-1" }, "forward", fp, secret)
    const [payload, tag] = token.split(".") as [string, string]
    const forgedPayload = Buffer.from(JSON.stringify({ v: 1, k: "zed", i: "u-9", b: false, f: "x" })).toString("base64url")
    for (const bad of [`${forgedPayload}.${tag}`, `${payload}.${tag.slice(0, -2)}AA`, `${payload}x.${tag}`]) {
      const result = Cursor.decode(bad, fp, secret)
      assert.isTrue(Either.isLeft(result), bad)
      if (Either.isLeft(result)) assert.include(result.left.message, "not one this server issued")
    }
    assert.isTrue(Either.isLeft(Cursor.decode(token, fp, "another-secret")))
  })

  it("rejects malformed cursors", () => {
    for (const bad of ["", "abc", "a.b.c", "!!.??", "x".repeat(10_000) + ".y"]) {
      const result = Cursor.decode(bad, fp, secret)
      assert.isTrue(Either.isLeft(result) && result.left._tag === "InvalidCursor", bad)
    }
  })

  it("rejects a cursor minted for another filter, sort or resource type", () => {
    const token = Cursor.encode({ sortValue: "alice", id: "u-1" }, "forward", fp, secret)
    for (const other of [
      Cursor.fingerprint({ resourceType: "User", filter: "userName sw \"b\"", sortBy: "userName" }),
      Cursor.fingerprint({ resourceType: "User", filter: "userName sw \"a\"", sortBy: "userName", sortOrder: "descending" }),
      Cursor.fingerprint({ resourceType: "Group", filter: "userName sw \"a\"", sortBy: "userName" })
    ]) {
      const result = Cursor.decode(token, other, secret)
      assert.isTrue(Either.isLeft(result))
      if (Either.isLeft(result)) assert.include(result.left.message, "different query")
    }
  })

  it("fingerprint ignores the case of sortBy and sortOrder and defaults the order", () => {
    assert.strictEqual(
      Cursor.fingerprint({ resourceType: "User", filter: " x ", sortBy: "USERNAME", sortOrder: "Ascending" }),
      Cursor.fingerprint({ resourceType: "User", filter: "x", sortBy: "userName" })
    )
    assert.notStrictEqual(Cursor.fingerprint({ resourceType: "User", filter: "a eq \"X\"" }), Cursor.fingerprint({ resourceType: "User", filter: "a eq \"x\"" }))
  })

  it.prop("decode inverts encode", {
    sortValue: fc.oneof(fc.string({ unit: "grapheme" }), fc.double({ noNaN: true, noDefaultInfinity: true }).filter((n) => !Object.is(n, -0)), fc.boolean(), fc.constant(null)),
    id: fc.string({ unit: "grapheme" }),
    direction: fc.constantFrom("forward" as const, "backward" as const),
    filter: fc.string()
  }, ({ direction, filter, id, sortValue }) => {
    const f = Cursor.fingerprint({ resourceType: "User", filter })
    const decoded = Cursor.decode(Cursor.encode({ sortValue, id }, direction, f, secret), f, secret)
    assert.deepStrictEqual(decoded, Either.right({ position: { sortValue, id }, backward: direction === "backward" }))
  })
})
