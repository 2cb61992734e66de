/**
 * One log line per request (method, path, status, duration, request id), with the request id taken
 * from an incoming `X-Request-Id` or generated, echoed in the response, annotated on every log the
 * request writes and set as the `scimkit.request_id` attribute of its spans (the server's request
 * span, the service calls and the store statements) when a tracer is installed.
 *
 * Also what keeps secrets and personal data out of log lines: {@link redactSecrets} (API keys,
 * bearer tokens: always) and {@link maskPersonalData} (userName, emails, names, displayName: when
 * the host asks), applied to each formatted line by {@link masking}.
 */
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as HttpServerRequest from "effect/http/HttpServerRequest"
import * as HttpServerResponse from "effect/http/HttpServerResponse"
import * as LogLevel from "effect/LogLevel"
import * as References from "effect/References"
import * as Tracer from "effect/Tracer"
import * as Url from "./internal/url.js"

/** The header a request id is read from and echoed in. */
export const requestIdHeader = "x-request-id"

/**
 * The span attribute carrying the request id.
 */
export const spanAttribute = "scimkit.request_id"

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
 * query string is left out of the log because filters carry personal data. With a tracer, the
 * request's span and every span below it get {@link spanAttribute}.
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
    const handled = logged
      ? Effect.onExit(withId, (exit) => {
        const status = Exit.isSuccess(exit) ? exit.value.status : Exit.hasInterrupts(exit) ? 499 : 500
        const durationMs = Math.round(Number(clock.currentTimeNanosUnsafe() - start) / 1e4) / 100
        const path = Url.pathnameOf(request.url)
        return Effect.logInfo(`${method} ${path} ${status} ${durationMs}ms ${id}`).pipe(
          Effect.annotateLogs({ requestId: id, method, path, status, durationMs })
        )
      })
      : withId
    // the request's span (the server's, opened before this middleware) and every span below it;
    // skipped without a tracer, whose spans nobody sees
    const traced = fiber.getRef(Tracer.Tracer) !== Tracer.nativeTracer
      ? Effect.andThen(
        Effect.annotateCurrentSpan(spanAttribute, id),
        Effect.annotateSpans(handled, spanAttribute, id)
      )
      : handled
    return Effect.annotateLogs(traced, "requestId", id)
  })

/**
 * What a masked value becomes.
 */
export const masked = "***"

// An API key (`sk-` and at least 8 more characters) and a bearer token of any kind.
const apiKeyPattern = /\bsk-[A-Za-z0-9_-]{8,}/g
const bearerPattern = /\b(Bearer)\s+[^\s"'\\,;]+/gi

/**
 * `text` with API keys (`sk-…`) and bearer tokens replaced by `***`: nothing the server logs
 * should hold one, and this makes sure of it whatever a cause's message quotes.
 */
export const redactSecrets = (text: string): string =>
  text.replace(apiKeyPattern, `sk-${masked}`).replace(bearerPattern, `$1 ${masked}`)

/**
 * The SCIM attributes whose values are personal data: userName, the name parts, displayName,
 * nickName, title and externalId (Entra ID sends the mail nickname there). Emails are found by
 * their form wherever they are.
 */
const personalAttributes = [
  "userName",
  "displayName",
  "nickName",
  "formatted",
  "givenName",
  "familyName",
  "middleName",
  "honorificPrefix",
  "honorificSuffix",
  "title",
  "externalId",
  "name"
].join("|")

const emailPattern = /[A-Za-z0-9._%+'-]+(@|%40)((?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,})/g
// "userName": "…" in JSON as is, and inside a quoted log value (every quote and backslash of the
// JSON escaped once more: an escaped quote in the value reads \\\", an escaped backslash \\\\)
const jsonValue = new RegExp(String.raw`"(${personalAttributes})"(\s*:\s*)"(?:[^"\\]|\\.)*"`, "gi")
const escapedJsonValue = new RegExp(
  String.raw`\\"(${personalAttributes})\\"(\s*:\s*)\\"(?:[^"\\]|\\\\\\"|\\\\\\\\|\\[^"\\])*\\"`,
  "gi"
)
// a log annotation: userName=bjensen, displayName="Barbara Jensen"
const annotation = new RegExp(String.raw`(^|[\s,{(])(${personalAttributes})=("(?:[^"\\]|\\.)*"|[^\s,)}]+)`, "gi")
// a filter comparing one of them (name.givenName eq "Barbara", userName sw \"b\")
const filterValue = new RegExp(
  String
    .raw`\b((?:[\w:.]*[.:])?(?:${personalAttributes})\s+(?:eq|ne|co|sw|ew|gt|ge|lt|le)\s+)(\\?)"(?:[^"\\]|\\.)*?\2"`,
  "gi"
)
// Postgres's detail of a unique violation: Key (platform, lower(user_name))=(…, bjensen) already exists
const keyDetail = /(Key \((?:[^()]|\([^()]*\))*\))=\((?:[^()]|\([^()]*\))*\)/g

/**
 * `text` with personal data replaced by `***`: email addresses (their domain kept, which names the
 * tenant rather than the person), and the values of userName, displayName, the name parts,
 * nickName, title and externalId where they appear as JSON members, log annotations or filter
 * comparisons, and the values of a store's unique-violation detail.
 */
export const maskPersonalData = (text: string): string =>
  text
    .replace(jsonValue, `"$1"$2"${masked}"`)
    .replace(escapedJsonValue, `\\"$1\\"$2\\"${masked}\\"`)
    .replace(filterValue, `$1$2"${masked}$2"`)
    .replace(annotation, `$1$2=${masked}`)
    .replace(keyDetail, `$1=(${masked})`)
    .replace(emailPattern, `${masked}$1$2`)

/**
 * What a host applies to each formatted log line (`Logger.map(Logger.formatLogFmt, masking(…))`):
 * {@link redactSecrets} always, {@link maskPersonalData} when `personalData` is true.
 */
export const masking = (options: { readonly personalData: boolean }): (line: string) => string =>
  options.personalData ? (line) => maskPersonalData(redactSecrets(line)) : redactSecrets
