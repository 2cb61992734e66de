/**
 * One log line per request (method, path, status, duration, request id), with the request id taken
 * from an incoming `X-Request-Id` or generated, echoed in the response and annotated on every log
 * the request writes.
 */
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as HttpServerRequest from "effect/http/HttpServerRequest"
import * as HttpServerResponse from "effect/http/HttpServerResponse"
import * as LogLevel from "effect/LogLevel"
import * as References from "effect/References"
import * as Url from "./internal/url.js"

/** The header a request id is read from and echoed in. */
export const requestIdHeader = "x-request-id"

// A guess, not measured: room for any tracing id (a W3C traceparent is 55 characters) while a
// client cannot make every log line of its requests arbitrarily long.
const maxIdLength = 200

const isUsableId = (id: string): boolean => {
  if (id.length === 0 || id.length > maxIdLength) return false
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i)
    if (c < 0x21 || c > 0x7e) return false
  }
  return true
}

/** The incoming `X-Request-Id` when it is 1–200 visible ASCII characters, else a fresh UUID. */
export const requestId = (request: HttpServerRequest.HttpServerRequest): string => {
  const incoming = request.headers[requestIdHeader]
  return incoming !== undefined && isUsableId(incoming) ? incoming : globalThis.crypto.randomUUID()
}

/**
 * Middleware: logs `GET /api/v1/scim/v2/Users 200 1.4ms <request id>` (annotated with `requestId`, `method`,
 * `path`, `status`, `durationMs`) once per request, and sets `X-Request-Id` on the response. The
 * query string is left out of the log because filters carry personal data.
 */
export const middleware = <E, R>(
  app: Effect.Effect<HttpServerResponse.HttpServerResponse, E, R>
): Effect.Effect<HttpServerResponse.HttpServerResponse, E, R | HttpServerRequest.HttpServerRequest> =>
  Effect.withFiber((fiber) => {
    const request = Context.get(
      fiber.context as Context.Context<HttpServerRequest.HttpServerRequest>,
      HttpServerRequest.HttpServerRequest
    )
    const clock = fiber.getRef(Clock.Clock)
    const id = requestId(request)
    const method = request.method
    const start = clock.currentTimeNanosUnsafe()
    // the line is built only when Info is logged at all (the example server's default; a load test runs at Warn)
    const logged = LogLevel.isGreaterThanOrEqualTo("Info", fiber.getRef(References.MinimumLogLevel))
    const withId = Effect.map(app, (response) => HttpServerResponse.setHeader(response, requestIdHeader, id))
    return Effect.annotateLogs(
      logged
        ? Effect.onExit(withId, (exit) => {
          const status = Exit.isSuccess(exit) ? exit.value.status : Exit.hasInterrupts(exit) ? 499 : 500
          const durationMs = Math.round(Number(clock.currentTimeNanosUnsafe() - start) / 1e4) / 100
          const path = Url.pathnameOf(request.url)
          return Effect.logInfo(`${method} ${path} ${status} ${durationMs}ms ${id}`).pipe(
            Effect.annotateLogs({ requestId: id, method, path, status, durationMs })
          )
        })
        : withId,
      "requestId",
      id
    )
  })
