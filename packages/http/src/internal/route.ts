/**
 * What a route is: a handler gets the request, its path and query parameters, the resolved scope
 * and the HTTP options; a path registers its handlers, and every other method answers 405 with
 * `Allow` (RFC 9110 §15.5.6).
 *
 * @internal
 */
import type { Projects, ResourceApi, ScimOptions, Users } from "@scimkit/core"
import * as Effect from "effect/Effect"
import type * as FindMyWay from "effect/http/FindMyWay"
import type * as HttpServerRequest from "effect/http/HttpServerRequest"
import type * as HttpServerResponse from "effect/http/HttpServerResponse"
import type { ScimHttpOptionsShape } from "../ScimHttpOptions.js"
import * as ScimResponse from "../ScimResponse.js"
import * as Body from "./body.js"
import type { QueryParams } from "./params.js"

/** What a route handler gets. */
export interface Routed {
  readonly request: HttpServerRequest.HttpServerRequest
  readonly params: Readonly<Record<string, string | undefined>>
  readonly query: QueryParams
  readonly scope: ResourceApi.RequestScope
  readonly options: ScimHttpOptionsShape
}

export type Handler = (routed: Routed) => Effect.Effect<
  HttpServerResponse.HttpServerResponse,
  ScimResponse.HandlerError,
  Users.Users | Projects.Projects | ScimOptions.ScimOptions
>

export type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE"

const methods: ReadonlyArray<Method | "OPTIONS"> = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]

const methodNotAllowed = (allowed: ReadonlyArray<Method>): Handler => {
  const allow = allowed.includes("GET") ? ["GET", "HEAD", ...allowed.filter((m) => m !== "GET")] : allowed
  const failure = Effect.fail(
    new ScimResponse.HttpEdgeError({
      status: 405,
      detail: `Method not allowed here; use ${allow.join(", ")}`,
      headers: { allow: allow.join(", ") }
    })
  )
  return () => failure
}

/** One path with its handlers; every other method answers 405 with `Allow`. */
export const path = (
  router: FindMyWay.Router<Handler>,
  route: FindMyWay.PathInput,
  handlers: Partial<Record<Method, Handler>>
): void => {
  const allowed = Object.keys(handlers) as Array<Method>
  const notAllowed = methodNotAllowed(allowed)
  for (const method of methods) {
    router.on(method, route, handlers[method as Method] ?? notAllowed)
  }
  if (!allowed.includes("GET")) router.on("HEAD", route, notAllowed)
}

/** The `:id` path parameter. */
export const pathId = (routed: Routed): string => routed.params["id"] ?? ""

/** The body as a JSON object, within `ScimHttpOptions.maxBodySize`. */
export const readBody = (routed: Routed) => Body.readJsonObject(routed.request, routed.options.maxBodySize)
