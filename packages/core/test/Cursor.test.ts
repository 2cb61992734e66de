import { assert, describe, it } from "@effect/vitest"
import * as Digest from "effect/crypto/Digest"
import * as Mac from "effect/crypto/Mac"
import * as Effect from "effect/Effect"
import * as Result from "effect/Result"
import * as fc from "fast-check"
import { createHash, createHmac } from "node:crypto"
import * as Crypto from "../src/Crypto.js"
import * as Cursor from "../src/query/Cursor.js"

const hex = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text, "hex"))
const toHex = (bytes: Uint8Array): string => Buffer.from(bytes).toString("hex")

/** Runs effects that need the crypto services (inside fast-check's async properties) with those of the test. */
const runner = Effect.map(
  Effect.context<Crypto.Services>(),
  (context) => <A, E>(effect: Effect.Effect<A, E, Crypto.Services>): Promise<A> =>
    Effect.runPromiseWith(context)(effect)
)

/** HMAC-SHA-256 over raw bytes with the `Mac` service the core is given. */
const hmacBytes = (key: Uint8Array, data: Uint8Array) =>
  Effect.flatMap(Mac.key(Mac.hmacSha256, key), (k) => Mac.Mac.use((mac) => mac.sign(k, data)))

describe("sha256", () => {
  it.layer(Crypto.layerWebCrypto)((it) => {
    it.effect("matches the FIPS 180-4 vectors", () =>
      Effect.gen(function*() {
        assert.strictEqual(
          yield* Crypto.sha256Hex(""),
          "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        )
        assert.strictEqual(
          yield* Crypto.sha256Hex("abc"),
          "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        )
        assert.strictEqual(
          yield* Crypto.sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
          "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        )
        assert.strictEqual(
          yield* Crypto.sha256Hex(
            "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu"
          ),
          "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"
        )
        assert.strictEqual(
          yield* Crypto.sha256Hex("a".repeat(1_000_000)),
          "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
        )
      }))

    it.effect("matches the RFC 4231 HMAC-SHA-256 vectors", () =>
      Effect.gen(function*() {
        assert.strictEqual(
          toHex(yield* Crypto.hmacSha256("\x0b".repeat(20), "Hi There")),
          "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
        )
        assert.strictEqual(
          toHex(yield* Crypto.hmacSha256("Jefe", "what do ya want for nothing?")),
          "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        )
        // a key of 0xaa bytes is not UTF-8 text, so this vector goes to the Mac service as bytes
        assert.strictEqual(
          toHex(
            yield* hmacBytes(
              hex("aa".repeat(131)),
              new TextEncoder().encode("Test Using Larger Than Block-Size Key - Hash Key First")
            )
          ),
          "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        )
      }))

    it.effect("agrees with node:crypto on every length", () =>
      Effect.gen(function*() {
        const run = yield* runner
        yield* Effect.promise(() =>
          fc.assert(
            fc.asyncProperty(
              fc.record({ data: fc.uint8Array({ maxLength: 300 }), key: fc.uint8Array({ maxLength: 150 }) }),
              ({ data, key }) =>
                run(Effect.gen(function*() {
                  assert.strictEqual(
                    yield* Digest.Digest.use((digest) => digest.digestHex(Digest.sha256, data)),
                    createHash("sha256").update(data).digest("hex")
                  )
                  if (key.length === 0) {
                    // Mac keys cannot be empty (the core never uses an empty secret): rejected, not silently accepted
                    assert.isTrue(Result.isFailure(yield* Effect.result(hmacBytes(key, data))))
                  } else {
                    assert.strictEqual(
                      toHex(yield* hmacBytes(key, data)),
                      createHmac("sha256", key).update(data).digest("hex")
                    )
                  }
                }))
            )
          )
        )
      }))

    it.effect("hashes strings as UTF-8", () =>
      Effect.gen(function*() {
        const run = yield* runner
        yield* Effect.promise(() =>
          fc.assert(fc.asyncProperty(fc.record({ text: fc.string({ unit: "grapheme", maxLength: 40 }) }), ({ text }) =>
            run(Effect.gen(function*() {
              assert.strictEqual(yield* Crypto.sha256Hex(text), createHash("sha256").update(text, "utf8").digest("hex"))
            }))))
        )
      }))

    it("constantTimeEquals compares bytes", () => {
      assert.isTrue(Crypto.constantTimeEquals(hex("0102"), hex("0102")))
      assert.isFalse(Crypto.constantTimeEquals(hex("0102"), hex("0103")))
      assert.isFalse(Crypto.constantTimeEquals(hex("01"), hex("0102")))
    })
  })
})

const secret = "test-secret"
const fp = Cursor.fingerprint({ resourceType: "User", filter: "userName sw \"a\"", sortBy: "userName" })

describe("Cursor", () => {
  it.layer(Crypto.layerWebCrypto)((it) => {
    it.effect("round-trips a position and direction", () =>
      Effect.gen(function*() {
        const token = yield* Cursor.encode({ sortValue: "bjensen@example.com", id: "u-1" }, "forward", fp, secret)
        assert.match(token, /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/)
        assert.deepStrictEqual(
          yield* Effect.result(Cursor.decode(token, fp, secret)),
          Result.succeed({ position: { sortValue: "bjensen@example.com", id: "u-1" }, backward: false })
        )
        const back = yield* Cursor.encode({ sortValue: null, id: "u-2" }, "backward", fp, secret)
        assert.deepStrictEqual(
          yield* Effect.result(Cursor.decode(back, fp, secret)),
          Result.succeed({ position: { sortValue: null, id: "u-2" }, backward: true })
        )
      }))

    it.effect("is opaque: the id and sort value are not readable as plain text", () =>
      Effect.gen(function*() {
        const token = yield* Cursor.encode({ sortValue: "alice", id: "u-1" }, "forward", fp, secret)
        assert.notInclude(token, "alice")
      }))

    it.effect("rejects a tampered cursor", () =>
      Effect.gen(function*() {
        const token = yield* Cursor.encode({ sortValue: "alice", id: "u-1" }, "forward", fp, secret)
        const [payload, tag] = token.split(".") as [string, string]
        const forgedPayload = Buffer.from(JSON.stringify({ v: 1, k: "zed", i: "u-9", b: false, f: "x" })).toString(
          "base64url"
        )
        for (const bad of [`${forgedPayload}.${tag}`, `${payload}.${tag.slice(0, -2)}AA`, `${payload}x.${tag}`]) {
          const result = yield* Effect.result(Cursor.decode(bad, fp, secret))
          assert.isTrue(Result.isFailure(result), bad)
          if (Result.isFailure(result)) assert.include(result.failure.message, "not one this server issued")
        }
        assert.isTrue(Result.isFailure(yield* Effect.result(Cursor.decode(token, fp, "another-secret"))))
      }))

    it.effect("rejects malformed cursors", () =>
      Effect.gen(function*() {
        for (const bad of ["", "abc", "a.b.c", "!!.??", "x".repeat(10_000) + ".y"]) {
          const result = yield* Effect.result(Cursor.decode(bad, fp, secret))
          assert.isTrue(Result.isFailure(result) && result.failure._tag === "InvalidCursor", bad)
        }
      }))

    it.effect("rejects a cursor minted for another filter, sort or resource type", () =>
      Effect.gen(function*() {
        const token = yield* Cursor.encode({ sortValue: "alice", id: "u-1" }, "forward", fp, secret)
        for (
          const other of [
            Cursor.fingerprint({ resourceType: "User", filter: "userName sw \"b\"", sortBy: "userName" }),
            Cursor.fingerprint({
              resourceType: "User",
              filter: "userName sw \"a\"",
              sortBy: "userName",
              sortOrder: "descending"
            }),
            Cursor.fingerprint({ resourceType: "Group", filter: "userName sw \"a\"", sortBy: "userName" })
          ]
        ) {
          const result = yield* Effect.result(Cursor.decode(token, other, secret))
          assert.isTrue(Result.isFailure(result))
          if (Result.isFailure(result)) assert.include(result.failure.message, "different query")
        }
      }))

    it("fingerprint ignores the case of sortBy and sortOrder and defaults the order", () => {
      assert.strictEqual(
        Cursor.fingerprint({ resourceType: "User", filter: " x ", sortBy: "USERNAME", sortOrder: "Ascending" }),
        Cursor.fingerprint({ resourceType: "User", filter: "x", sortBy: "userName" })
      )
      assert.notStrictEqual(
        Cursor.fingerprint({ resourceType: "User", filter: "a eq \"X\"" }),
        Cursor.fingerprint({ resourceType: "User", filter: "a eq \"x\"" })
      )
    })

    it.effect("decode inverts encode", () =>
      Effect.gen(function*() {
        const run = yield* runner
        yield* Effect.promise(() =>
          fc.assert(fc.asyncProperty(
            fc.record({
              sortValue: fc.oneof(
                fc.string({ unit: "grapheme" }),
                fc.double({ noNaN: true, noDefaultInfinity: true }).filter((n) => !Object.is(n, -0)),
                fc.boolean(),
                fc.constant(null)
              ),
              id: fc.string({ unit: "grapheme" }),
              direction: fc.constantFrom("forward" as const, "backward" as const),
              filter: fc.string()
            }),
            ({ direction, filter, id, sortValue }) =>
              run(Effect.gen(function*() {
                const f = Cursor.fingerprint({ resourceType: "User", filter })
                const decoded = yield* Effect.result(
                  Cursor.decode(yield* Cursor.encode({ sortValue, id }, direction, f, secret), f, secret)
                )
                assert.deepStrictEqual(
                  decoded,
                  Result.succeed({ position: { sortValue, id }, backward: direction === "backward" })
                )
              }))
          ))
        )
      }))
  })
})
