/**
 * The settings of operations (metrics, log masking, draining, event retention, webhooks, traces):
 * their defaults, what they accept, and a start-up error naming the variable for what they refuse.
 */
import { assert, describe, it } from "@effect/vitest"
import type * as Config from "effect/Config"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Settings from "../src/Settings.js"

const read = <A>(config: Config.Config<A>, env: Record<string, string>) =>
  config.parse(ConfigProvider.fromEnvRecord(env))

const refused = <A>(config: Config.Config<A>, env: Record<string, string>) =>
  Effect.map(Effect.flip(read(config, env)), (error) => Settings.describeConfigError(error).join("\n"))

describe("Settings", () => {
  it.effect("metrics are off unless SCIMKIT_METRICS_PORT is set; the host defaults to loopback", () =>
    Effect.gen(function*() {
      assert.isTrue(Option.isNone(yield* read(Settings.metrics, {})))
      assert.deepStrictEqual(
        yield* read(Settings.metrics, { SCIMKIT_METRICS_PORT: "9464" }),
        Option.some({
          host: "127.0.0.1",
          port: 9464
        })
      )
      assert.deepStrictEqual(
        yield* read(Settings.metrics, { SCIMKIT_METRICS_PORT: "0", SCIMKIT_METRICS_HOST: "0.0.0.0" }),
        Option.some({ host: "0.0.0.0", port: 0 })
      )
      assert.include(yield* refused(Settings.metrics, { SCIMKIT_METRICS_PORT: "http" }), "SCIMKIT_METRICS_PORT must be")
      assert.include(
        yield* refused(Settings.metrics, { SCIMKIT_METRICS_PORT: "8080", PORT: "8080" }),
        "SCIMKIT_METRICS_PORT must differ from PORT"
      )
      assert.include(yield* refused(Settings.metrics, { SCIMKIT_METRICS_HOST: "0.0.0.0" }), "SCIMKIT_METRICS_PORT")
      assert.include(
        yield* refused(Settings.metrics, { SCIMKIT_METRICS_PORT: "9464", SCIMKIT_METRICS_HOST: "a b" }),
        "SCIMKIT_METRICS_HOST"
      )
    }))

  it.effect("SCIMKIT_LOG_MASK_PII and SCIMKIT_DRAIN_SECONDS", () =>
    Effect.gen(function*() {
      assert.isFalse(yield* read(Settings.logMaskPii, {}))
      assert.isTrue(yield* read(Settings.logMaskPii, { SCIMKIT_LOG_MASK_PII: "TRUE" }))
      assert.include(yield* refused(Settings.logMaskPii, { SCIMKIT_LOG_MASK_PII: "maybe" }), "SCIMKIT_LOG_MASK_PII")
      assert.strictEqual(yield* read(Settings.drainSeconds, {}), 0)
      assert.strictEqual(yield* read(Settings.drainSeconds, { SCIMKIT_DRAIN_SECONDS: "15" }), 15)
      assert.include(yield* refused(Settings.drainSeconds, { SCIMKIT_DRAIN_SECONDS: "-1" }), "SCIMKIT_DRAIN_SECONDS")
    }))

  it.effect("SCIMKIT_EVENT_RETENTION takes a duration with a unit; the feed is pruned at most hourly", () =>
    Effect.gen(function*() {
      const seconds = (env: Record<string, string>) =>
        Effect.map(read(Settings.eventRetention, env), (d) => Duration.toSeconds(d))
      assert.strictEqual(yield* seconds({}), 30 * 86_400)
      assert.strictEqual(yield* seconds({ SCIMKIT_EVENT_RETENTION: "7d" }), 7 * 86_400)
      assert.strictEqual(yield* seconds({ SCIMKIT_EVENT_RETENTION: "12 hours" }), 12 * 3600)
      assert.strictEqual(yield* seconds({ SCIMKIT_EVENT_RETENTION: "90m" }), 5400)
      assert.strictEqual(yield* seconds({ SCIMKIT_EVENT_RETENTION: "2w" }), 14 * 86_400)
      for (const bad of ["30", "0s", "forever", "1y", "-3d", "3651d"]) {
        assert.include(
          yield* refused(Settings.eventRetention, { SCIMKIT_EVENT_RETENTION: bad }),
          "SCIMKIT_EVENT_RETENTION"
        )
      }
      assert.strictEqual(Duration.toSeconds(Settings.pruneInterval(Duration.days(30))), 3600)
      assert.strictEqual(Duration.toSeconds(Settings.pruneInterval(Duration.minutes(20))), 300)
      assert.strictEqual(Duration.toSeconds(Settings.pruneInterval(Duration.seconds(2))), 1)
    }))

  it.effect("webhooks: off without a URL; the URL needs a secret of 16 characters or more", () =>
    Effect.gen(function*() {
      assert.isTrue(Option.isNone(yield* read(Settings.webhook, {})))
      const on = Option.getOrThrow(
        yield* read(Settings.webhook, {
          SCIMKIT_WEBHOOK_URL: "https://hooks.example.com/scim",
          SCIMKIT_WEBHOOK_SECRET: "0123456789abcdef0123",
          SCIMKIT_WEBHOOK_BATCH_SIZE: "25"
        })
      )
      assert.strictEqual(on.url, "https://hooks.example.com/scim")
      assert.strictEqual(Redacted.value(on.secret), "0123456789abcdef0123")
      assert.strictEqual(on.batchSize, 25)
      assert.strictEqual(on.timeoutSeconds, 10)
      assert.include(
        yield* refused(Settings.webhook, { SCIMKIT_WEBHOOK_URL: "https://hooks.example.com/scim" }),
        "SCIMKIT_WEBHOOK_SECRET must be set"
      )
      assert.include(
        yield* refused(Settings.webhook, { SCIMKIT_WEBHOOK_SECRET: "0123456789abcdef0123" }),
        "SCIMKIT_WEBHOOK_URL"
      )
      assert.include(
        yield* refused(Settings.webhook, {
          SCIMKIT_WEBHOOK_URL: "ftp://x",
          SCIMKIT_WEBHOOK_SECRET: "0123456789abcdef"
        }),
        "SCIMKIT_WEBHOOK_URL must be"
      )
      assert.include(
        yield* refused(Settings.webhook, { SCIMKIT_WEBHOOK_URL: "https://x.example", SCIMKIT_WEBHOOK_SECRET: "short" }),
        "SCIMKIT_WEBHOOK_SECRET must be at least 16"
      )
      assert.include(
        yield* refused(Settings.webhook, {
          SCIMKIT_WEBHOOK_URL: "https://x.example",
          SCIMKIT_WEBHOOK_SECRET: "0123456789abcdef",
          SCIMKIT_WEBHOOK_TIMEOUT: "0"
        }),
        "SCIMKIT_WEBHOOK_TIMEOUT"
      )
    }))

  it.effect("traces follow the standard OTEL_* variables", () =>
    Effect.gen(function*() {
      const tracing = (env: Record<string, string>) => read(Settings.tracing, env)
      assert.isTrue(Option.isNone(yield* tracing({})))
      assert.isTrue(Option.isNone(yield* tracing({ OTEL_SERVICE_NAME: "scim" })))
      assert.deepStrictEqual(
        yield* tracing({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318/" }),
        Option.some(
          {
            _tag: "Otlp",
            endpoint: "http://collector:4318/v1/traces",
            protocol: "http/protobuf",
            serviceName: "scimkit"
          } as const
        )
      )
      assert.deepStrictEqual(
        yield* tracing({
          OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "https://otel.example.com/custom",
          OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
          OTEL_SERVICE_NAME: "scim-eu"
        }),
        Option.some(
          {
            _tag: "Otlp",
            endpoint: "https://otel.example.com/custom",
            protocol: "http/json",
            serviceName: "scim-eu"
          } as const
        )
      )
      assert.deepStrictEqual(
        yield* tracing({ OTEL_TRACES_EXPORTER: "otlp" }),
        Option.some(
          {
            _tag: "Otlp",
            endpoint: "http://localhost:4318/v1/traces",
            protocol: "http/protobuf",
            serviceName: "scimkit"
          } as const
        )
      )
      assert.deepStrictEqual(
        yield* tracing({ OTEL_TRACES_EXPORTER: "console" }),
        Option.some({ _tag: "Console", serviceName: "scimkit" } as const)
      )
      assert.isTrue(
        Option.isNone(yield* tracing({ OTEL_TRACES_EXPORTER: "none", OTEL_EXPORTER_OTLP_ENDPOINT: "http://c" }))
      )
      assert.isTrue(
        Option.isNone(yield* tracing({ OTEL_SDK_DISABLED: "true", OTEL_EXPORTER_OTLP_ENDPOINT: "http://c" }))
      )
      assert.include(yield* refused(Settings.tracing, { OTEL_TRACES_EXPORTER: "zipkin" }), "OTEL_TRACES_EXPORTER")
      assert.include(
        yield* refused(Settings.tracing, {
          OTEL_EXPORTER_OTLP_ENDPOINT: "http://c",
          OTEL_EXPORTER_OTLP_PROTOCOL: "grpc"
        }),
        "OTEL_EXPORTER_OTLP_PROTOCOL"
      )
      assert.include(
        yield* refused(Settings.tracing, { OTEL_EXPORTER_OTLP_ENDPOINT: "collector:4318" }),
        "OTEL_EXPORTER_OTLP_ENDPOINT"
      )
    }))

  it.effect("the server reports every invalid new variable at once", () =>
    Effect.gen(function*() {
      const message = yield* refused(Settings.server, {
        SCIMKIT_METRICS_PORT: "x",
        SCIMKIT_EVENT_RETENTION: "soon",
        SCIMKIT_WEBHOOK_URL: "https://x.example"
      })
      for (const name of ["SCIMKIT_METRICS_PORT", "SCIMKIT_EVENT_RETENTION", "SCIMKIT_WEBHOOK_SECRET"]) {
        assert.include(message, name)
      }
    }))
})
