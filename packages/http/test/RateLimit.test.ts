import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import * as Result from "effect/Result"
import * as RateLimiter from "../src/internal/rateLimit.js"
import * as RateLimit from "../src/RateLimit.js"
import { call, server, user } from "./fixtures.js"

describe("RateLimit.parse", () => {
  it("reads per-second and per-minute rates with an optional burst, and off", () => {
    assert.deepStrictEqual(RateLimit.parse("50/s"), Result.succeed(Option.some({ perSecond: 50, burst: 200 })))
    assert.deepStrictEqual(
      RateLimit.parse(" 50/s, burst=500 "),
      Result.succeed(Option.some({ perSecond: 50, burst: 500 }))
    )
    assert.deepStrictEqual(RateLimit.parse("600/min"), Result.succeed(Option.some({ perSecond: 10, burst: 40 })))
    assert.deepStrictEqual(RateLimit.parse("off"), Result.succeed(Option.none()))
  })

  it("says what it expected for anything else", () => {
    for (const bad of ["fast", "50", "50/h", "-1/s", "0/s,burst=3", "50/s,burst=0"]) {
      const parsed = RateLimit.parse(bad)
      assert.isTrue(Result.isFailure(parsed), bad)
    }
    const parsed = RateLimit.parse("fast")
    if (Result.isFailure(parsed)) assert.include(parsed.failure, "50/s,burst=200")
  })
})

describe("rate limiter", () => {
  it("lets a burst through, then one request per refill, per key", () => {
    const limiter = RateLimiter.make({ perSecond: 2, burst: 3 })
    assert.deepStrictEqual([0, 0, 0].map(() => limiter.take("a", 1000)), [0, 0, 0])
    assert.strictEqual(limiter.take("a", 1000), 1)
    assert.strictEqual(limiter.take("b", 1000), 0, "another tenant has its own bucket")
    assert.strictEqual(limiter.take("a", 1500), 0, "half a second refills one token at 2/s")
    assert.strictEqual(limiter.take("a", 1500), 1)
    assert.strictEqual(limiter.take("a", 10_000), 0, "a full bucket again after a pause")
  })
})

describe("ScimHttpApp rate limit", () => {
  it.layer(server({ rateLimit: Option.some({ perSecond: 0.5, burst: 3 }) }))("over the limit", (it) => {
    it.effect("answers 429 with Retry-After and a SCIM error body once the burst is spent, and counts it", () =>
      Effect.gen(function*() {
        const before = (yield* Metric.value(RateLimiter.rateLimited)).count
        const statuses: Array<number> = []
        for (let i = 0; i < 3; i++) statuses.push((yield* call("GET", "Users")).status)
        assert.deepStrictEqual(statuses, [200, 200, 200])
        const limited = yield* call("POST", "Users", { body: user("limited@example.com") })
        assert.strictEqual(limited.status, 429)
        assert.strictEqual(limited.headers["retry-after"], "2")
        assert.strictEqual(limited.body["status"], "429")
        assert.deepStrictEqual(limited.body["schemas"], ["urn:ietf:params:scim:api:messages:2.0:Error"])
        assert.include(String(limited.body["detail"]), "rate limit")
        assert.strictEqual((yield* Metric.value(RateLimiter.rateLimited)).count - before, 1)
        const unauthenticated = yield* call("GET", "Users", { auth: false })
        assert.strictEqual(unauthenticated.status, 401, "a request without a key is refused before it costs a token")
      }))
  })
})
