/**
 * One log line per request (method, path, status, duration, request id), with the request id taken
 * from an incoming `X-Request-Id` or generated, echoed in the response and annotated on every log
 * the request writes.
 *
 * @since 0.1.0
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as HttpServerRequest from "effect/http/HttpServerRequest"
import * as HttpServerResponse from "effect/http/HttpServerResponse"

/** @since 0.1.0 */
export const requestIdHeader = "x-request-id"

const isUsableId = (id: string): boolean => {
  if (id.length === 0 || id.length > 200) return false
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i)
    if (c < 0x21 || c > 0x7e) return false
  }
  return true
}

/** The incoming `X-Request-Id` when it is 1–200 visible ASCII characters, else a fresh UUID. @since 0.1.0 */
export const requestId = (request: HttpServerRequest.HttpServerRequest): string => {
  const incoming = request.headers[requestIdHeader]
  return incoming !== undefined && isUsableId(incoming) ? incoming : globalThis.crypto.randomUUID()
}

const pathOf = (url: string): string => {
  const q = url.indexOf("?")
  return q === -1 ? url : url.slice(0, q)
}

/**
 * Middleware: logs `GET /api/v1/scim/v2/Users 200 1.4ms <request id>` (annotated with `requestId`, `method`,
 * `path`, `status`, `durationMs`) once per request, and sets `X-Request-Id` on the response. The
 * query string is left out of the log because filters carry personal data.
 *
 * @since 0.1.0
 */
export const withRequestLog = <E, R>(
  app: Effect.Effect<HttpServerResponse.HttpServerResponse, E, R>
): Effect.Effect<HttpServerResponse.HttpServerResponse, E, R | HttpServerRequest.HttpServerRequest> =>
  Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) => {
    const id = requestId(request)
    const method = request.method
    const path = pathOf(request.url)
    return Effect.flatMap(Clock.currentTimeNanos, (start) =>
      app.pipe(
        Effect.map((response) => HttpServerResponse.setHeader(response, requestIdHeader, id)),
        Effect.onExit((exit) =>
          Effect.flatMap(Clock.currentTimeNanos, (end) => {
            const status = Exit.isSuccess(exit) ? exit.value.status : Exit.hasInterrupts(exit) ? 499 : 500
            const durationMs = Math.round(Number(end - start) / 1e4) / 100
            return Effect.logInfo(`${method} ${path} ${status} ${durationMs}ms ${id}`).pipe(
              Effect.annotateLogs({ requestId: id, method, path, status, durationMs })
            )
          })
        ),
        Effect.annotateLogs("requestId", id)
      ))
  })
