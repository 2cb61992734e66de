/**
 * One span per service call (`Users.get`, `Projects.patch`), as `Effect.fn(name)` gives, without
 * its per-call cost: `Effect.fn` captures a stack trace (an `Error`) on every call for the span's
 * source location, which a profile of `GET /Users/{id}` showed among the hottest frames. The spans
 * keep their names and nesting, so a tracer (OpenTelemetry) sees the same tree.
 *
 * @internal
 */
import * as Effect from "effect/Effect"

type Methods = Record<string, (...args: ReadonlyArray<any>) => Effect.Effect<any, any, any>>

const untracedStack = { captureStackTrace: false } as const

/** `api` with each method's effect in a span named `<service>.<method>`. */
export const withSpans = <A extends Methods>(service: string, api: A): A => {
  const out: Record<string, unknown> = {}
  for (const name of Object.keys(api)) {
    const method = api[name]!
    const spanName = `${service}.${name}`
    out[name] = (...args: ReadonlyArray<unknown>) => Effect.withSpan(method(...args), spanName, untracedStack)
  }
  return out as A
}
