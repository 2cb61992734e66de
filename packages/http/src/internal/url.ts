/**
 * URLs of a request: its path, whether it lies under the base path (RFC 7644 §3.13 "base URI"),
 * the path below it, and the absolute URL of the SCIM root that `Location` and `meta.location`
 * start with (§3.1).
 *
 * @internal
 */
import type * as HttpServerRequest from "effect/http/HttpServerRequest"
import * as Predicate from "effect/Predicate"
import type { ScimHttpOptionsShape } from "../ScimHttpOptions.js"

/** The URL without its query string. */
export const pathnameOf = (url: string): string => {
  const q = url.indexOf("?")
  return q === -1 ? url : url.slice(0, q)
}

/** Whether `pathname` is `base` or below it (case-insensitive; `""` is the root and holds everything). */
export const startsWithBase = (pathname: string, base: string): boolean => {
  if (base === "") return true
  if (pathname.length < base.length) return false
  const head = pathname.length === base.length ? pathname : pathname.slice(0, base.length)
  if (head !== base && head.toLowerCase() !== base.toLowerCase()) return false
  return pathname.length === base.length || pathname.charCodeAt(base.length) === 47 ||
    pathname.charCodeAt(base.length) === 63
}

/** The URL below the base path (query string kept), starting with `/`; `url` must lie under `base`. */
export const belowBase = (url: string, base: string): string => {
  const rest = url.slice(base.length)
  return rest === "" ? "/" : rest.charCodeAt(0) === 47 ? rest : `/${rest}`
}

const firstValue = (header: string | undefined): string | undefined => {
  if (header === undefined) return undefined
  const comma = header.indexOf(",")
  const value = (comma === -1 ? header : header.slice(0, comma)).trim()
  return value === "" ? undefined : value
}

const isEncrypted = (source: unknown): boolean =>
  Predicate.hasProperty(source, "socket") && Predicate.hasProperty(source.socket, "encrypted") &&
  source.socket.encrypted === true

const hostOf = (url: string): string | undefined => {
  if (url.charCodeAt(0) === 47) return undefined
  const start = url.indexOf("//")
  if (start === -1) return undefined
  const end = url.indexOf("/", start + 2)
  return url.slice(start + 2, end === -1 ? undefined : end)
}

/**
 * The absolute URL of the SCIM root for this request: `publicUrl` if configured, else
 * `<proto>://<host><basePath>`, with `X-Forwarded-Proto`/`X-Forwarded-Host` followed only when trusted.
 */
export const baseUrl = (request: HttpServerRequest.HttpServerRequest, options: ScimHttpOptionsShape): string => {
  if (options.publicUrl._tag === "Some") return options.publicUrl.value
  const headers = request.headers
  let proto: string | undefined
  let host: string | undefined
  if (options.trustProxy) {
    const forwarded = firstValue(headers["x-forwarded-proto"])?.toLowerCase()
    proto = forwarded === "https" || forwarded === "http" ? forwarded : undefined
    host = firstValue(headers["x-forwarded-host"])
  }
  if (proto === undefined) {
    const original = request.originalUrl
    proto = original.startsWith("https:") || isEncrypted(request.source) ? "https" : "http"
  }
  host ??= headers["host"] ?? hostOf(request.originalUrl) ?? "localhost"
  return `${proto}://${host}${options.basePath}`
}
