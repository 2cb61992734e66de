/**
 * A per-platform request rate limit (`ScimHttpOptions.rateLimit`): its shape and its text form
 * (`50/s,burst=200`, `3000/min`, `off`), so that an app can read it from its configuration.
 */
import * as Option from "effect/Option"
import * as Result from "effect/Result"

/** A token bucket: `perSecond` requests a second on average, `burst` at once. */
export interface RateLimit {
  readonly perSecond: number
  readonly burst: number
}

/**
 * The burst when none is written, in seconds' worth of the rate: a guess (no benchmark chose it)
 * meant to let a client that pauses and then sends a small batch through without a 429.
 */
const defaultBurstSeconds = 4

/**
 * Reads a rate limit written as `50/s`, `50/s,burst=200`, `3000/min,burst=500` or `off`. The
 * burst defaults to four seconds' worth of requests. Fails with a sentence naming what is wrong.
 */
export const parse = (text: string): Result.Result<Option.Option<RateLimit>, string> => {
  const trimmed = text.trim().toLowerCase()
  if (trimmed === "off" || trimmed === "none" || trimmed === "0") return Result.succeed(Option.none())
  const match = /^(\d+(?:\.\d+)?)\s*\/\s*(s|sec|second|m|min|minute)\s*(?:,\s*burst\s*=\s*(\d+))?$/.exec(trimmed)
  if (match === null) {
    return Result.fail(
      `expected a rate like "50/s", "50/s,burst=200", "3000/min" or "off", got ${JSON.stringify(text)}`
    )
  }
  const perSecond = Number(match[1]) / (match[2]!.startsWith("m") ? 60 : 1)
  const burst = match[3] === undefined ? Math.max(1, Math.ceil(perSecond * defaultBurstSeconds)) : Number(match[3])
  if (!(perSecond > 0) || !(burst >= 1)) {
    return Result.fail(`the rate and the burst must be positive, got ${JSON.stringify(text)}`)
  }
  return Result.succeed(Option.some({ perSecond, burst }))
}
