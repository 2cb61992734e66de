/**
 * Health endpoints for load balancers and orchestrators, outside the SCIM base path and without
 * authentication: liveness (`/healthz`: the process answers) and readiness (`/readyz`: the store
 * answers a cheap query and the node is not shutting down). A server calls {@link HealthShape.drain}
 * as its graceful shutdown starts: readiness answers 503 from then on while requests in flight
 * finish, so a load balancer stops sending new ones before the node goes away.
 *
 * Readiness answers only `ok` / `failed` / `timed out` per check (it is unauthenticated: store
 * errors can name internal hosts); the reason is logged, once per change of state.
 */
import { EventStore } from "@scimkit/core"
import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as HttpServerRequest from "effect/http/HttpServerRequest"
import * as HttpServerResponse from "effect/http/HttpServerResponse"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Url from "./internal/url.js"

/**
 * One readiness check: ready when `run` succeeds within the timeout.
 */
export interface Check<R = never> {
  readonly name: string
  readonly run: Effect.Effect<unknown, unknown, R>
}

/**
 * How the endpoints are mounted and what readiness checks.
 */
export interface Options<R = never> {
  /** Default `/healthz`. */
  readonly livenessPath?: string | undefined
  /** Default `/readyz`. */
  readonly readinessPath?: string | undefined
  /** Default: {@link storeCheck}. */
  readonly checks?: ReadonlyArray<Check<R>> | undefined
  /** How long a check may take before it counts as failed. Default 2 seconds. */
  readonly timeout?: Duration.Input | undefined
}

/**
 * What readiness found: `checks` maps each check (and `shutdown`) to `ok`, `failed`, `timed out`
 * or `draining`; `reason` says why the node is not ready.
 */
export interface Readiness {
  readonly ready: boolean
  readonly reason: Option.Option<string>
  readonly checks: Readonly<Record<string, string>>
}

/**
 * The health state of a server.
 */
export interface HealthShape {
  readonly livenessPath: string
  readonly readinessPath: string
  /** Readiness answers 503 from now on (a graceful shutdown started). Idempotent. */
  readonly drain: Effect.Effect<void>
  /** Whether {@link drain} was called. */
  readonly draining: Effect.Effect<boolean>
  /** Runs the checks (none once draining). */
  readonly readiness: Effect.Effect<Readiness>
}

/**
 * The health state: the key of the service.
 */
export class Health extends Context.Service<Health, HealthShape>()("@scimkit/http/Health") {}

/**
 * The default check: the store answers `EventStore.latest` (the highest change-feed position, one
 * indexed read on every engine). A store opened by the stores' layers is migrated before it is
 * provided, so a server that answers at all runs on a migrated schema.
 */
export const storeCheck: Check<EventStore.EventStore> = {
  name: "store",
  run: Effect.flatMap(EventStore.EventStore, (store) => store.latest)
}

/** A guess: well inside the 5 s a load balancer's probe usually waits, long enough for a busy store. */
const defaultTimeout = Duration.seconds(2)

const describeFailure = (error: unknown): string =>
  typeof error === "object" && error !== null && "message" in error && typeof error.message === "string"
    ? error.message
    : String(error)

/**
 * The health state over the checks, with their requirements taken from the context it is made in.
 */
export const make = <R = EventStore.EventStore>(options: Options<R> = {}): Effect.Effect<HealthShape, never, R> =>
  Effect.map(Effect.context<R>(), (context) => {
    const checks: ReadonlyArray<Check<R>> = options.checks ?? [storeCheck as unknown as Check<R>]
    const timeout = Duration.fromInputUnsafe(options.timeout ?? defaultTimeout)
    let draining = false
    // the last readiness, so that only a change of state is logged (a probe comes every few seconds)
    let wasReady: boolean | undefined

    const runCheck = (check: Check<R>) =>
      check.run.pipe(
        Effect.provide(context),
        Effect.timeoutOption(timeout),
        Effect.map(Option.match({
          onNone: () => ({
            name: check.name,
            state: "timed out",
            detail: `timed out after ${Duration.format(timeout)}`
          }),
          onSome: () => ({ name: check.name, state: "ok", detail: "" })
        })),
        Effect.catchCause((cause) =>
          Effect.succeed({
            name: check.name,
            state: "failed",
            detail: Option.match(Cause.findErrorOption(cause), {
              onNone: () => "defect",
              onSome: describeFailure
            })
          })
        )
      )

    const note = (readiness: Readiness, details: ReadonlyArray<string>): Effect.Effect<void> => {
      if (wasReady === readiness.ready) return Effect.void
      const first = wasReady === undefined
      wasReady = readiness.ready
      if (readiness.ready) return first ? Effect.void : Effect.logInfo("Ready again: every readiness check passes")
      return Effect.logWarning(
        `Not ready: ${Option.getOrElse(readiness.reason, () => "")}${
          details.length > 0 ? ` (${details.join("; ")})` : ""
        }`
      )
    }

    const readiness: Effect.Effect<Readiness> = Effect.suspend(() => {
      if (draining) {
        const result: Readiness = {
          ready: false,
          reason: Option.some("shutting down"),
          checks: { shutdown: "draining" }
        }
        return Effect.as(note(result, []), result)
      }
      return Effect.flatMap(Effect.forEach(checks, runCheck, { concurrency: "unbounded" }), (results) => {
        const failed = results.filter((result) => result.state !== "ok")
        const result: Readiness = {
          ready: failed.length === 0,
          reason: failed.length === 0
            ? Option.none()
            : Option.some(failed.map((result) => `${result.name} ${result.state}`).join(", ")),
          checks: Object.fromEntries([["shutdown", "no"], ...results.map((result) => [result.name, result.state])])
        }
        return Effect.as(note(result, failed.map((result) => `${result.name}: ${result.detail}`)), result)
      })
    })

    return Health.of({
      livenessPath: options.livenessPath ?? "/healthz",
      readinessPath: options.readinessPath ?? "/readyz",
      drain: Effect.sync(() => {
        draining = true
      }),
      draining: Effect.sync(() => draining),
      readiness
    })
  })

/**
 * The health state as a layer (see {@link make}).
 */
export const layer = <R = EventStore.EventStore>(options: Options<R> = {}): Layer.Layer<Health, never, R> =>
  Layer.effect(Health, make(options))

const noStore = { "cache-control": "no-store" }

const methodNotAllowed = HttpServerResponse.jsonUnsafe({ status: "method not allowed" }, {
  status: 405,
  headers: { ...noStore, allow: "GET, HEAD" }
})

/**
 * The answer to a health request, or none when `pathname` is neither endpoint: `/healthz` 200
 * `{"status":"ok"}`; `/readyz` 200 `{"status":"ready","checks":{…}}` or 503
 * `{"status":"unavailable","reason":"…","checks":{…}}`.
 */
export const respond = (
  health: HealthShape,
  method: string,
  pathname: string
): Option.Option<Effect.Effect<HttpServerResponse.HttpServerResponse>> => {
  if (pathname !== health.livenessPath && pathname !== health.readinessPath) return Option.none()
  if (method !== "GET" && method !== "HEAD") return Option.some(Effect.succeed(methodNotAllowed))
  if (pathname === health.livenessPath) {
    return Option.some(Effect.succeed(HttpServerResponse.jsonUnsafe({ status: "ok" }, { headers: noStore })))
  }
  return Option.some(Effect.map(health.readiness, (readiness) =>
    HttpServerResponse.jsonUnsafe(
      readiness.ready
        ? { status: "ready", checks: readiness.checks }
        : { status: "unavailable", reason: Option.getOrElse(readiness.reason, () => ""), checks: readiness.checks },
      { status: readiness.ready ? 200 : 503, headers: noStore }
    )))
}

/**
 * Middleware: answers the health endpoints (GET and HEAD) and passes every other request to `app`.
 * Put it outermost, before request logs and metrics, so probes add no log line or series.
 */
export const middleware = <E, R>(
  app: Effect.Effect<HttpServerResponse.HttpServerResponse, E, R>
): Effect.Effect<HttpServerResponse.HttpServerResponse, E, R | Health | HttpServerRequest.HttpServerRequest> =>
  Effect.withFiber((fiber) => {
    const context = fiber.context as Context.Context<Health | HttpServerRequest.HttpServerRequest>
    const request = Context.get(context, HttpServerRequest.HttpServerRequest)
    const answer = respond(Context.get(context, Health), request.method, Url.pathnameOf(request.url))
    return Option.isSome(answer) ? answer.value : app
  })
