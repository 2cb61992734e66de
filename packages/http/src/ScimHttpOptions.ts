/**
 * Options of the HTTP edge: where the SCIM root is mounted, whether to trust proxy headers, the
 * request body limit and the public URL used in `Location` and `meta.location`.
 *
 * @since 0.1.0
 */
import type * as Config from "effect/Config"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Result from "effect/Result"

/** @since 0.1.0 */
export interface ScimHttpOptionsShape {
  /** Path of the SCIM root (RFC 7644 §3.13 "base URI"), without a trailing slash. */
  readonly basePath: string
  /** Follow `X-Forwarded-Proto` / `X-Forwarded-Host` when building absolute URLs. Only behind a proxy you control. */
  readonly trustProxy: boolean
  /** Largest request body in bytes; larger ones get 413. */
  readonly maxBodySize: number
  /** Absolute URL of the SCIM root as clients see it (e.g. `https://scim.example.com/api/v1/scim/v2`); wins over headers. */
  readonly publicUrl: Option.Option<string>
  /** Requests each platform (API key's tenant) may send, per process: over it, 429 with `Retry-After`. None: no limit. */
  readonly rateLimit: Option.Option<RateLimit>
}

/** A token bucket: `perSecond` requests a second on average, `burst` at once. @since 0.2.0 */
export interface RateLimit {
  readonly perSecond: number
  readonly burst: number
}

/**
 * Reads a rate limit written as `50/s`, `50/s,burst=200`, `3000/min,burst=500` or `off`. The
 * burst defaults to four seconds' worth of requests. Fails with a sentence naming what is wrong.
 *
 * @since 0.2.0
 */
export const parseRateLimit = (text: string): Result.Result<Option.Option<RateLimit>, string> => {
  const trimmed = text.trim().toLowerCase()
  if (trimmed === "off" || trimmed === "none" || trimmed === "0") return Result.succeed(Option.none())
  const match = /^(\d+(?:\.\d+)?)\s*\/\s*(s|sec|second|m|min|minute)\s*(?:,\s*burst\s*=\s*(\d+))?$/.exec(trimmed)
  if (match === null) {
    return Result.fail(`expected a rate like "50/s", "50/s,burst=200", "3000/min" or "off", got ${JSON.stringify(text)}`)
  }
  const perSecond = Number(match[1]) / (match[2]!.startsWith("m") ? 60 : 1)
  const burst = match[3] === undefined ? Math.max(1, Math.ceil(perSecond * 4)) : Number(match[3])
  if (!(perSecond > 0) || !(burst >= 1)) return Result.fail(`the rate and the burst must be positive, got ${JSON.stringify(text)}`)
  return Result.succeed(Option.some({ perSecond, burst }))
}

/** @since 0.1.0 */
export const defaults: ScimHttpOptionsShape = {
  basePath: "/api/v1/scim/v2",
  trustProxy: false,
  maxBodySize: 1_048_576,
  publicUrl: Option.none(),
  rateLimit: Option.none()
}

const trimSlashes = (path: string): string => {
  let end = path.length
  while (end > 0 && path.charCodeAt(end - 1) === 47) end--
  return path.slice(0, end)
}

/** Fills defaults and normalises paths: `basePath` starts with `/` and has no trailing slash (`""` for the root). @since 0.1.0 */
export const make = (options: Partial<ScimHttpOptionsShape> = {}): ScimHttpOptionsShape => {
  const merged = { ...defaults, ...options }
  const base = trimSlashes(merged.basePath)
  return {
    basePath: base === "" || base.startsWith("/") ? base : `/${base}`,
    trustProxy: merged.trustProxy,
    maxBodySize: merged.maxBodySize,
    publicUrl: Option.map(merged.publicUrl, trimSlashes),
    rateLimit: merged.rateLimit
  }
}

/** @since 0.1.0 */
export class ScimHttpOptions extends Context.Service<ScimHttpOptions, ScimHttpOptionsShape>()("@scimkit/http/ScimHttpOptions") {
  /** @since 0.1.0 */
  static layer = (options: Partial<ScimHttpOptionsShape> = {}): Layer.Layer<ScimHttpOptions> =>
    Layer.succeed(ScimHttpOptions, make(options))
  /** @since 0.1.0 */
  static layerConfig = (
    config: Config.Config<Partial<ScimHttpOptionsShape>>
  ): Layer.Layer<ScimHttpOptions, Config.ConfigError> =>
    Layer.effect(ScimHttpOptions, Effect.map(config, (options) => make(options)))
}
