/**
 * The body of `RateLimit`: per-tenant token buckets. Each platform may send `perSecond` requests a
 * second on average and `burst` at once. The buckets live in this process, so with several server
 * nodes each node applies the limit on its own.
 *
 * @internal
 */
import type * as HttpServerResponse from "effect/http/HttpServerResponse"
import * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import type { RateLimit } from "../RateLimit.js"
import type { ScimHttpOptionsShape } from "../ScimHttpOptions.js"
import * as ScimResponse from "../ScimResponse.js"

/** Requests answered 429 because their platform was over its rate limit (every node counts its own). */
export const rateLimited: Metric.Counter<number> = Metric.counter("scimkit_rate_limited_total", {
  description: "SCIM requests refused with 429 because their platform exceeded its rate limit",
  incremental: true
})

interface Bucket {
  tokens: number
  at: number
}

/**
 * Buckets untouched this long are forgotten (a guess, not measured). A bucket that refills within
 * a minute (`burst / perSecond` ≤ 60 s) is full again by then; a slower one is forgotten a little
 * early, which errs towards letting requests through.
 */
const idleMillis = 60_000
/**
 * How many tenants' buckets are kept before the idle ones are swept (a guess, not measured): the
 * sweep walks every bucket, so it runs only when a new tenant arrives at this size, which bounds
 * the memory to about this many live tenants.
 */
const sweepAt = 10_000

export interface Limiter {
  /** Takes one token for `key` at `now` (ms); 0 when the request may go on, else the seconds to wait. */
  readonly take: (key: string, now: number) => number
}

export const make = (limit: RateLimit): Limiter => {
  const buckets = new Map<string, Bucket>()
  const perMilli = limit.perSecond / 1000
  const sweep = (now: number) => {
    for (const [key, bucket] of buckets) if (now - bucket.at > idleMillis) buckets.delete(key)
  }
  return {
    take: (key, now) => {
      let bucket = buckets.get(key)
      if (bucket === undefined) {
        if (buckets.size >= sweepAt) sweep(now)
        bucket = { tokens: limit.burst, at: now }
        buckets.set(key, bucket)
      } else {
        bucket.tokens = Math.min(limit.burst, bucket.tokens + (now - bucket.at) * perMilli)
        bucket.at = now
      }
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1
        return 0
      }
      return Math.max(1, Math.ceil((1 - bucket.tokens) / limit.perSecond))
    }
  }
}

// one limiter per options value: the options of an app are built once
const limiters = new WeakMap<ScimHttpOptionsShape, Limiter>()

/** The limiter of these options; call it only when `options.rateLimit` is set. */
export const limiterOf = (options: ScimHttpOptionsShape): Limiter => {
  let limiter = limiters.get(options)
  if (limiter === undefined && Option.isSome(options.rateLimit)) {
    limiter = make(options.rateLimit.value)
    limiters.set(options, limiter)
  }
  return limiter!
}

/** 429 with `Retry-After` (RFC 6585 §4) and a SCIM error body. */
export const tooManyRequests = (seconds: number): HttpServerResponse.HttpServerResponse =>
  ScimResponse.error(
    429,
    `This platform sent more requests than its rate limit allows; retry in ${seconds} second${
      seconds === 1 ? "" : "s"
    }`,
    { headers: { "retry-after": String(seconds) } }
  )
