/**
 * OpenTelemetry traces through `@effect/opentelemetry`, on only when the standard `OTEL_*`
 * variables ask for them (see `Settings.tracing`): a span per request (the HTTP server's, named
 * after the route template), per service call (`Users.get`, `Projects.patch`…) and per store
 * statement (effect/sql's), each carrying the request id (`scimkit.request_id`). Spans leave in
 * batches (`OTEL_BSP_*` tune them) over OTLP/HTTP, protobuf or JSON, or go to the console. The SDK
 * is loaded only when tracing is on, so a server without it starts as fast as before.
 */
import type * as Resource from "@effect/opentelemetry/Resource"
import type { SpanExporter } from "@opentelemetry/sdk-trace-base"
import * as Effect from "effect/Effect"
import * as HttpMiddleware from "effect/http/HttpMiddleware"
import type * as HttpServerRequest from "effect/http/HttpServerRequest"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { Metrics } from "@scimkit/http"
import type { TracingSettings } from "./Settings.js"

/** What the start-up log says about tracing. */
export const describe = (settings: TracingSettings): string =>
  settings._tag === "Console"
    ? `Tracing: spans to the console (service ${settings.serviceName})`
    : `Tracing: OTLP ${settings.protocol} to ${settings.endpoint} (service ${settings.serviceName})`

const exporterOf = (settings: TracingSettings): Promise<SpanExporter> => {
  if (settings._tag === "Console") {
    return import("@opentelemetry/sdk-trace-base").then(({ ConsoleSpanExporter }) => new ConsoleSpanExporter())
  }
  return settings.protocol === "http/json"
    ? import("@opentelemetry/exporter-trace-otlp-http").then(({ OTLPTraceExporter }) =>
      new OTLPTraceExporter({ url: settings.endpoint })
    )
    : import("@opentelemetry/exporter-trace-otlp-proto").then(({ OTLPTraceExporter }) =>
      new OTLPTraceExporter({ url: settings.endpoint })
    )
}

/**
 * The tracer `settings` asks for. Releasing the layer flushes the spans still batched (within 3
 * seconds), so the requests a shutdown finished are exported too.
 */
export const layer = (settings: TracingSettings): Layer.Layer<Resource.Resource> =>
  Layer.unwrap(
    Effect.promise(async () => {
      const [{ layer: sdkLayer }, { BatchSpanProcessor }, exporter] = await Promise.all([
        import("@effect/opentelemetry/NodeSdk"),
        import("@opentelemetry/sdk-trace-base"),
        exporterOf(settings)
      ])
      return sdkLayer(() => ({
        resource: { serviceName: settings.serviceName },
        spanProcessor: new BatchSpanProcessor(exporter)
      }))
    })
  )

/** Runs `effect` with the tracer `settings` asks for, or as it is when tracing is off. */
export const traced =
  (settings: Option.Option<TracingSettings>) => <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Option.match(settings, {
      onNone: () => effect,
      onSome: (tracing) => Effect.provide(effect, layer(tracing))
    })

/**
 * The name of a request's server span: method and route template (`GET /Users/{id}`), as the
 * OpenTelemetry HTTP conventions name server spans, never the raw path.
 */
export const spanName = (basePath: string) => (request: HttpServerRequest.HttpServerRequest): string =>
  `${request.method} ${Metrics.routeOf(pathOf(request.url), basePath)}`

const pathOf = (url: string): string => {
  const query = url.indexOf("?")
  return query === -1 ? url : url.slice(0, query)
}

/** Names server spans with {@link spanName} for the effect it is applied to (the serving one). */
export const withSpanNames = (basePath: string) => <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.provideService(effect, HttpMiddleware.SpanNameGenerator, spanName(basePath))
