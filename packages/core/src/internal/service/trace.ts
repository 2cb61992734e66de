/**
 * One span per service call (`Users.get`, `Projects.patch`), as `Effect.fn(name)` gives, without
 * its per-call cost: `Effect.fn` captures a stack trace (an `Error`) on every call for the span's
 * source location, which a profile of `GET /Users/{id}` showed among the hottest frames. The spans
 * keep their names and nesting, so a tracer (OpenTelemetry) sees the same tree.
 *
 * @internal
 */
import * as Effect from "effect/Effect"

type Method = (...args: never) => Effect.Effect<unknown, unknown, unknown>
type Call = (...args: ReadonlyArray<unknown>) => Effect.Effect<unknown, unknown, unknown>

const untracedStack = { captureStackTrace: false } as const

/** `api` with each method's effect in a span named `<service>.<method>`. */
export const withSpans = <A extends Record<string, Method>>(service: string, api: A): A => {
  const out: Record<string, unknown> = {}
  for (const name of Object.keys(api)) {
    // called with the arguments it was called with, so its own parameter types hold
    const method = api[name] as unknown as Call
    const spanName = `${service}.${name}`
    out[name] = (...args: ReadonlyArray<unknown>) => Effect.withSpan(method(...args), spanName, untracedStack)
  }
  return out as A
}
