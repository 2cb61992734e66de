/**
 * The server's crypto layer: the pooled secure random source gives well-formed, distinct UUIDs
 * across refills of its buffer, and large requests bypass the pool.
 */
import { assert, describe, it } from "@effect/vitest"
import * as SecureRandom from "effect/crypto/SecureRandom"
import * as Effect from "effect/Effect"
import * as Services from "../src/Services.js"

describe("Services.crypto", () => {
  it.effect("UUIDs from the pooled source are v4 and distinct across many refills of the pool", () =>
    Effect.gen(function*() {
      const random = yield* SecureRandom.SecureRandom
      const seen = new Set<string>()
      // 4096-byte pool, 16 bytes a UUID: 2,000 UUIDs refill it about eight times
      for (let i = 0; i < 2000; i++) {
        const uuid = yield* random.uuidV4()
        assert.match(uuid, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
        seen.add(uuid)
      }
      assert.strictEqual(seen.size, 2000)
      const big = yield* random.randomBytes(1000)
      assert.strictEqual(big.length, 1000)
      assert.isTrue(big.some((b) => b !== 0))
      const a = yield* random.randomBytes(32)
      const b = yield* random.randomBytes(32)
      assert.notDeepEqual(Array.from(a), Array.from(b))
    }).pipe(Effect.provide(Services.crypto)))
})
