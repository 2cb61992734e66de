/**
 * Per-tenant token buckets: each platform may send `perSecond` requests a second on average and
 * `burst` at once. The buckets live in this process, so with several server nodes each node
 * applies the limit on its own.
 *
 * @internal
 */
import type { RateLimit as Limit } from "../ScimHttpOptions.js"

interface Bucket {
  tokens: number
  at: number
}

/** Buckets untouched this long are full again and can be forgotten. */
const idleMillis = 60_000
/** How many tenants' buckets are kept before the idle ones are swept. */
const sweepAt = 10_000

export interface Limiter {
  /** Takes one token for `key` at `now` (ms); 0 when the request may go on, else the seconds to wait. */
  readonly take: (key: string, now: number) => number
}

export const make = (limit: Limit): Limiter => {
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
