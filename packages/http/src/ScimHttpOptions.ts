/**
 * Options of the HTTP edge: where the SCIM root is mounted, whether to trust proxy headers, the
 * request body limit and the public URL used in `Location` and `meta.location`.
 */
import type * as Config from "effect/Config"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type { RateLimit } from "./RateLimit.js"

/** The options of the HTTP edge; {@link make} fills the ones left out from {@link defaults}. */
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

/** The SCIM root at `/api/v1/scim/v2`, no proxy trusted, 1 MiB bodies, URLs from the request, no rate limit. */
export const defaults: ScimHttpOptionsShape = {
  basePath: "/api/v1/scim/v2",
  trustProxy: false,
  // 1 MiB, as core's `bulkMaxPayloadSize`: a guess (no benchmark chose it), far above one User or
  // Group and small enough to buffer per request.
  maxBodySize: 1_048_576,
  publicUrl: Option.none(),
  rateLimit: Option.none()
}

const trimSlashes = (path: string): string => {
  let end = path.length
  while (end > 0 && path.charCodeAt(end - 1) === 47) end--
  return path.slice(0, end)
}

/** Fills defaults and normalises paths: `basePath` starts with `/` and has no trailing slash (`""` for the root). */
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

/** The options as a service, read by the app on every request. */
export class ScimHttpOptions
  extends Context.Service<ScimHttpOptions, ScimHttpOptionsShape>()("@scimkit/http/ScimHttpOptions")
{}

/** The options filled by {@link make}. */
export const layer = (options: Partial<ScimHttpOptionsShape> = {}): Layer.Layer<ScimHttpOptions> =>
  Layer.succeed(ScimHttpOptions, make(options))

/** The options read from configuration, filled by {@link make}. */
export const layerConfig = (
  config: Config.Config<Partial<ScimHttpOptionsShape>>
): Layer.Layer<ScimHttpOptions, Config.ConfigError> =>
  Layer.effect(ScimHttpOptions, Effect.map(config, (options) => make(options)))
