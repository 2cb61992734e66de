/**
 * Everything the example server and the CLI read from the environment, through `effect/Config`.
 * An invalid value fails with a `Config.ConfigError` naming the variable and what it accepts; the
 * settings are read together, so one start-up reports every invalid variable at once, and
 * `describeConfigError` turns the error into the lines printed at start-up.
 */
import { ProjectRolePolicy, type Model } from "@scimkit/core"
import { RateLimit } from "@scimkit/http"
import * as Config from "effect/Config"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as LogLevel from "effect/LogLevel"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import * as SchemaIssue from "effect/SchemaIssue"
import * as Fs from "node:fs"
import * as NodePath from "node:path"

/** The SCIM root under the server's origin. */
export const basePath = "/api/v1/scim/v2"

/**
 * Where the data lives: a Postgres server (`DATABASE_URL`), the embedded SQLite database in a data
 * directory (the default), or this process's memory (`SCIMKIT_STORE=memory`: lost at exit).
 */
export type StoreSettings =
  | { readonly _tag: "Postgres"; readonly url: Redacted.Redacted<string> }
  | { readonly _tag: "Sqlite"; readonly dataDir: string }
  | { readonly _tag: "Memory" }

/** The database file of the embedded store, inside its data directory. */
export const sqliteFileName = "scimkit.db"

/** The embedded store's database file in `dataDir`. */
export const sqliteFile = (dataDir: string): string => NodePath.join(dataDir, sqliteFileName)

/** What both the server and the CLI need. */
export interface CommonSettings {
  readonly store: StoreSettings
  readonly defaultProjectRole: Model.ProjectRole
  readonly maxResults: number
  /** `SCIMKIT_LOG_LEVEL` when set; the server defaults to Info, the CLI to Warning. */
  readonly logLevel: Option.Option<LogLevel.LogLevel>
}

export interface ServerSettings extends CommonSettings {
  readonly port: number
  readonly bootstrapKey: Option.Option<Redacted.Redacted<string>>
  readonly trustProxy: boolean
  readonly publicUrl: Option.Option<string>
  readonly ownerEmail: string
  readonly rateLimit: Option.Option<RateLimit.RateLimit>
  /** `SCIMKIT_CREDENTIAL_CACHE_TTL`, in seconds. */
  readonly credentialCacheTtl: number
  /** `SCIMKIT_METRICS_PORT` / `SCIMKIT_METRICS_HOST`: where Prometheus scrapes, when enabled. */
  readonly metrics: Option.Option<MetricsSettings>
  /** `SCIMKIT_LOG_MASK_PII`: mask personal data in every log line. */
  readonly logMaskPii: boolean
  /** `SCIMKIT_DRAIN_SECONDS`: how long a shutdown keeps serving with `/readyz` at 503 before it closes. */
  readonly drainSeconds: number
  /** `SCIMKIT_EVENT_RETENTION`: how long change-feed events (the audit log) are kept. */
  readonly eventRetention: Duration.Duration
  /** `SCIMKIT_WEBHOOK_*`: the signed webhook, when `SCIMKIT_WEBHOOK_URL` is set. */
  readonly webhook: Option.Option<WebhookSettings>
  /** The standard `OTEL_*` variables: the trace exporter, when they ask for one. */
  readonly tracing: Option.Option<TracingSettings>
}

/** The Prometheus endpoint: `GET http://<host>:<port>/metrics`. */
export interface MetricsSettings {
  readonly host: string
  readonly port: number
}

/** The webhook worker's settings (see `Webhooks.Options` in @scimkit/http). */
export interface WebhookSettings {
  readonly url: string
  readonly secret: Redacted.Redacted<string>
  readonly batchSize: number
  /** Seconds one delivery attempt may take. */
  readonly timeoutSeconds: number
}

/** Where spans go: OTLP over HTTP (protobuf or JSON) to `endpoint`, or the console. */
export type TracingSettings =
  | {
    readonly _tag: "Otlp"
    readonly endpoint: string
    readonly protocol: "http/protobuf" | "http/json"
    readonly serviceName: string
  }
  | { readonly _tag: "Console"; readonly serviceName: string }

/** The accepted names of `SCIMKIT_LOG_LEVEL`, lower-case, each with its level. */
const logLevels: ReadonlyArray<readonly [name: string, level: LogLevel.LogLevel]> = [
  ["all", "All"],
  ["trace", "Trace"],
  ["debug", "Debug"],
  ["info", "Info"],
  ["warning", "Warn"],
  ["error", "Error"],
  ["fatal", "Fatal"],
  ["none", "None"]
]

/** Also accepted, as before: the short labels of the levels. */
const logLevelAliases: ReadonlyArray<readonly [name: string, level: LogLevel.LogLevel]> = [["warn", "Warn"], [
  "off",
  "None"
]]

/** A failure naming the variable: the message starts with its name, and its path is the name. */
const invalidError = (name: string, detail: string): Config.ConfigError =>
  new Config.ConfigError(
    new Schema.SchemaError(
      new SchemaIssue.Pointer([name], new SchemaIssue.InvalidValue({ message: `${name} ${detail}` }))
    )
  )

const invalid = <A>(name: string, detail: string): Result.Result<A, Config.ConfigError> =>
  Result.fail(invalidError(name, detail))

/** Validates a config's value; a failure is a `ConfigError` (what effect 3's `Config.mapOrFail` did). */
const mapOrFail =
  <A, B>(f: (value: A) => Result.Result<B, Config.ConfigError>) => (self: Config.Config<A>): Config.Config<B> =>
    Config.mapEffect(self, (value) => Effect.fromResult(f(value)))

/** A variable that is unset or blank is absent (compose files often pass `VAR=`). */
const optionalString = (name: string): Config.Config<Option.Option<string>> =>
  Config.option(Config.String(name)).pipe(
    Config.map((value) => Option.filter(value, (text) => text.trim() !== ""))
  )

const optionalSecret = (name: string): Config.Config<Option.Option<Redacted.Redacted<string>>> =>
  Config.option(Config.Redacted(name)).pipe(
    Config.map((value) => Option.filter(value, (secret) => Redacted.value(secret).trim() !== ""))
  )

/** `INIT_CWD` is the directory pnpm was run from; pnpm runs the script itself in examples/node. */
export const invocationDirectory: Config.Config<string> = optionalString("INIT_CWD").pipe(
  Config.map(Option.getOrElse(() => process.cwd()))
)

/**
 * The real path of `path`, symbolic links resolved, also when its last components do not exist
 * yet (they are created later): the longest existing prefix is resolved and the rest appended. A
 * data directory that is a symlink (a mounted volume, a link under /var/lib) and one reached
 * through a symlink then name the same directory, so the lock and the database agree on it.
 */
export const realPath = (path: string): string => {
  const absolute = NodePath.resolve(path)
  const missing: Array<string> = []
  let current = absolute
  for (;;) {
    try {
      return NodePath.join(Fs.realpathSync.native(current), ...missing.reverse())
    } catch {
      const parent = NodePath.dirname(current)
      // nothing of it exists (or it cannot be read): leave it as given, opening it says why
      if (parent === current) return absolute
      missing.push(NodePath.basename(current))
      current = parent
    }
  }
}

/**
 * `SCIMKIT_DATA_DIR`, resolved against the directory the command was run from, symbolic links
 * resolved (see {@link realPath}); default `.scimkit`.
 */
export const dataDir: Config.Config<string> = Config.all([optionalString("SCIMKIT_DATA_DIR"), invocationDirectory])
  .pipe(
    Config.map(([dir, cwd]) => realPath(NodePath.resolve(cwd, Option.getOrElse(dir, () => ".scimkit"))))
  )

/** The accepted values of `SCIMKIT_STORE`. */
export const storeKinds = ["sqlite", "memory", "postgres"] as const

const postgresUrl = /^postgres(ql)?:\/\//i

/**
 * `SCIMKIT_STORE` and `DATABASE_URL`: which store, and where.
 *
 * - unset: a Postgres server when `DATABASE_URL` is set, else SQLite in `SCIMKIT_DATA_DIR`;
 * - `sqlite`: SQLite in `SCIMKIT_DATA_DIR`; `memory`: this process's memory, lost at exit;
 *   `postgres`: the server of `DATABASE_URL`, which must then be set.
 *
 * `sqlite` or `memory` together with `DATABASE_URL` is refused rather than guessed: an operator who
 * set a database URL and gets another store would lose data without noticing.
 */
export const store: Config.Config<StoreSettings> = Config.all([
  optionalString("SCIMKIT_STORE"),
  optionalSecret("DATABASE_URL"),
  dataDir
])
  .pipe(
    mapOrFail(([kind, url, dir]): Result.Result<StoreSettings, Config.ConfigError> => {
      const chosen = Option.map(kind, (text) => text.trim().toLowerCase())
      if (Option.isSome(chosen) && !storeKinds.some((k) => k === chosen.value)) {
        return invalid(
          "SCIMKIT_STORE",
          `must be one of ${storeKinds.join(", ")} (case-insensitive), got ${
            JSON.stringify(Option.getOrElse(kind, () => ""))
          }`
        )
      }
      const postgres = Option.match(url, {
        onNone: () => Result.succeed(Option.none<StoreSettings>()),
        onSome: (secret): Result.Result<Option.Option<StoreSettings>, Config.ConfigError> =>
          postgresUrl.test(Redacted.value(secret).trim())
            ? Result.succeed(Option.some({ _tag: "Postgres", url: Redacted.make(Redacted.value(secret).trim()) }))
            : invalid(
              "DATABASE_URL",
              "must be a Postgres connection URL such as postgres://user:password@host:5432/scimkit"
            )
      })
      if (Result.isFailure(postgres)) return Result.fail(postgres.failure)
      const server = postgres.success
      const wanted = Option.getOrUndefined(chosen)
      switch (wanted) {
        case undefined:
          return Result.succeed(Option.getOrElse(server, (): StoreSettings => ({ _tag: "Sqlite", dataDir: dir })))
        case "postgres":
          return Option.match(server, {
            onNone: () =>
              invalid(
                "SCIMKIT_STORE",
                "is postgres but DATABASE_URL is not set: set DATABASE_URL=postgres://user:password@host:5432/scimkit"
              ),
            onSome: Result.succeed
          })
        default: {
          const local: StoreSettings = wanted === "memory" ? { _tag: "Memory" } : { _tag: "Sqlite", dataDir: dir }
          return Option.isSome(server)
            ? invalid(
              "SCIMKIT_STORE",
              `is ${wanted} but DATABASE_URL is set too: unset DATABASE_URL, or SCIMKIT_STORE (or set it to postgres) to use that server`
            )
            : Result.succeed(local)
        }
      }
    })
  )

/** `SCIMKIT_LOG_LEVEL`, case-insensitive. */
export const logLevel: Config.Config<Option.Option<LogLevel.LogLevel>> = optionalString("SCIMKIT_LOG_LEVEL").pipe(
  mapOrFail((value): Result.Result<Option.Option<LogLevel.LogLevel>, Config.ConfigError> =>
    Option.match(value, {
      onNone: () => Result.succeed(Option.none()),
      onSome: (text) => {
        const lower = text.trim().toLowerCase()
        const found = [...logLevels, ...logLevelAliases].find(([name]) => name === lower)
        return found === undefined
          ? invalid(
            "SCIMKIT_LOG_LEVEL",
            `must be one of ${logLevels.map(([name]) => name).join(", ")} (case-insensitive), got ${
              JSON.stringify(text)
            }`
          )
          : Result.succeed(Option.some(found[1]))
      }
    })
  )
)

/** An optional whole-number variable within [min, max]; `what` completes "must be …" in the error. */
const integerSetting = (
  name: string,
  fallback: number,
  min: number,
  max: number,
  what: string
): Config.Config<number> =>
  optionalString(name).pipe(
    mapOrFail((value) =>
      Option.match(value, {
        onNone: () => Result.succeed(fallback),
        onSome: (text) => {
          const number = Number(text.trim())
          return Number.isInteger(number) && number >= min && number <= max
            ? Result.succeed(number)
            : invalid(name, `must be ${what}, got ${JSON.stringify(text)}`)
        }
      })
    )
  )

/** `SCIMKIT_MAX_RESULTS`: the largest page a list returns, advertised as `filter.maxResults`. */
export const maxResults: Config.Config<number> = integerSetting(
  "SCIMKIT_MAX_RESULTS",
  1000,
  1,
  100_000,
  "a whole number from 1 to 100000"
)

/**
 * `SCIMKIT_CREDENTIAL_CACHE_TTL`: seconds a verified API key and a platform's settings are reused
 * without reading the store (default 5; 0 reads them on every request). The bound within which a
 * key revoked by another process (the CLI, another node on the same Postgres) stops working.
 */
export const credentialCacheTtl: Config.Config<number> = integerSetting(
  "SCIMKIT_CREDENTIAL_CACHE_TTL",
  5,
  0,
  3600,
  "a whole number of seconds from 0 to 3600"
)

/** `PORT`, default 3000; 0 picks a free port. */
export const port: Config.Config<number> = integerSetting("PORT", 3000, 0, 65535, "a TCP port from 0 to 65535")

/** An optional true/false variable (also yes/no, on/off, 1/0), case-insensitive. */
const booleanSetting = (name: string, fallback: boolean): Config.Config<boolean> =>
  optionalString(name).pipe(
    mapOrFail((value) =>
      Option.match(value, {
        onNone: () => Result.succeed(fallback),
        onSome: (text) => {
          const lower = text.trim().toLowerCase()
          if (["true", "yes", "on", "1"].includes(lower)) return Result.succeed(true)
          if (["false", "no", "off", "0"].includes(lower)) return Result.succeed(false)
          return invalid(name, `must be true or false, got ${JSON.stringify(text)}`)
        }
      })
    )
  )

/** `SCIMKIT_TRUST_PROXY`: true/false (also yes/no, on/off, 1/0), case-insensitive, default false. */
export const trustProxy: Config.Config<boolean> = booleanSetting("SCIMKIT_TRUST_PROXY", false)

/** The rate limit when `SCIMKIT_RATE_LIMIT` is unset: far above Entra ID's ~25 requests/s per tenant. */
export const defaultRateLimit = "200/s,burst=1000"

/**
 * `SCIMKIT_RATE_LIMIT`: requests per platform (API key's tenant) and process, as `50/s`,
 * `50/s,burst=200`, `3000/min` or `off`; default {@link defaultRateLimit}.
 */
export const rateLimit: Config.Config<Option.Option<RateLimit.RateLimit>> = optionalString("SCIMKIT_RATE_LIMIT").pipe(
  mapOrFail((value) => {
    const text = Option.getOrElse(value, () => defaultRateLimit)
    const parsed = RateLimit.parse(text)
    return Result.isSuccess(parsed) ? Result.succeed(parsed.success) : invalid("SCIMKIT_RATE_LIMIT", parsed.failure)
  })
)

/**
 * `SCIMKIT_PUBLIC_URL`: the Tenant URL as identity providers reach it (behind a proxy or TLS
 * terminator). A bare origin such as `https://scim.example.com` gets the base path appended.
 */
export const publicUrl: Config.Config<Option.Option<string>> = optionalString("SCIMKIT_PUBLIC_URL").pipe(
  mapOrFail((value): Result.Result<Option.Option<string>, Config.ConfigError> => {
    if (Option.isNone(value)) return Result.succeed(Option.none())
    const text = value.value.trim()
    const url = URL.canParse(text) ? new URL(text) : undefined
    if (
      url === undefined || (url.protocol !== "http:" && url.protocol !== "https:") || url.search !== "" ||
      url.hash !== ""
    ) {
      return invalid(
        "SCIMKIT_PUBLIC_URL",
        `must be an absolute http(s) URL without query or fragment, such as https://scim.example.com${basePath}, got ${
          JSON.stringify(text)
        }`
      )
    }
    const path = url.pathname.replace(/\/+$/, "")
    return Result.succeed(Option.some(`${url.origin}${path === "" ? basePath : path}`))
  })
)

/** `SCIMKIT_OWNER_EMAIL`: the owner of the default platform created on the first start. */
export const ownerEmail: Config.Config<string> = optionalString("SCIMKIT_OWNER_EMAIL").pipe(
  mapOrFail((value) => {
    const email = Option.getOrElse(value, () => "admin@example.com").trim()
    return /^[^\s@]+@[^\s@]+$/.test(email)
      ? Result.succeed(email)
      : invalid(
        "SCIMKIT_OWNER_EMAIL",
        `must be an email address such as admin@example.com, got ${JSON.stringify(email)}`
      )
  })
)

/**
 * `SCIMKIT_BOOTSTRAP_KEY`: at start-up this exact secret becomes a key of the default platform. The
 * core checks its form (`sk-…`, at least 32 characters) when it is installed.
 */
export const bootstrapKey: Config.Config<Option.Option<Redacted.Redacted<string>>> = optionalSecret(
  "SCIMKIT_BOOTSTRAP_KEY"
)

/**
 * `SCIMKIT_LOG_MASK_PII`: true masks personal data (userName, emails, names, displayName) in every
 * log line; default false. API keys are kept out of log lines either way.
 */
export const logMaskPii: Config.Config<boolean> = booleanSetting("SCIMKIT_LOG_MASK_PII", false)

/** `SCIMKIT_METRICS_HOST`'s default: only this machine reaches the unauthenticated endpoint. */
export const defaultMetricsHost = "127.0.0.1"

/**
 * `SCIMKIT_METRICS_PORT` (unset: no metrics endpoint; 0 picks a free port) and
 * `SCIMKIT_METRICS_HOST` (default {@link defaultMetricsHost}; `0.0.0.0` to let a Prometheus in
 * another container scrape). The port must differ from `PORT`.
 */
export const metrics: Config.Config<Option.Option<MetricsSettings>> = Config.all([
  optionalString("SCIMKIT_METRICS_PORT"),
  optionalString("SCIMKIT_METRICS_HOST"),
  port
]).pipe(
  mapOrFail(([portText, hostText, serverPort]): Result.Result<Option.Option<MetricsSettings>, Config.ConfigError> => {
    const host = Option.getOrElse(Option.map(hostText, (text) => text.trim()), () => defaultMetricsHost)
    if (!/^[A-Za-z0-9.:[\]-]+$/.test(host)) {
      return invalid(
        "SCIMKIT_METRICS_HOST",
        `must be an IP address or a host name such as 127.0.0.1 or 0.0.0.0, got ${JSON.stringify(host)}`
      )
    }
    if (Option.isNone(portText)) {
      return Option.isSome(hostText)
        ? invalid("SCIMKIT_METRICS_PORT", "is not set but SCIMKIT_METRICS_HOST is: set the port to serve metrics on")
        : Result.succeed(Option.none())
    }
    const number = Number(portText.value.trim())
    if (!Number.isInteger(number) || number < 0 || number > 65535) {
      return invalid(
        "SCIMKIT_METRICS_PORT",
        `must be a TCP port from 0 to 65535, got ${JSON.stringify(portText.value)}`
      )
    }
    if (number !== 0 && number === serverPort) {
      return invalid("SCIMKIT_METRICS_PORT", `must differ from PORT (${serverPort}): metrics have a port of their own`)
    }
    return Result.succeed(Option.some({ host, port: number }))
  })
)

/**
 * `SCIMKIT_DRAIN_SECONDS`: on SIGTERM, how long the server keeps serving with `/readyz` answering
 * 503 before it stops accepting connections (0–300, default 0: at once). Set it above the load
 * balancer's probe interval times its failure threshold.
 */
export const drainSeconds: Config.Config<number> = integerSetting(
  "SCIMKIT_DRAIN_SECONDS",
  0,
  0,
  300,
  "a whole number of seconds from 0 to 300"
)

const durationUnits: ReadonlyArray<readonly [pattern: RegExp, seconds: number]> = [
  [/^(s|sec|secs|second|seconds)$/, 1],
  [/^(m|min|mins|minute|minutes)$/, 60],
  [/^(h|hour|hours)$/, 3600],
  [/^(d|day|days)$/, 86_400],
  [/^(w|week|weeks)$/, 604_800]
]

/** Longest retention accepted: ten years, beyond which "keep everything" is what is meant. */
const maxRetentionSeconds = 3650 * 86_400

/**
 * `SCIMKIT_EVENT_RETENTION`: how long change-feed events (the audit log) and webhook delivery
 * attempts are kept, as `30d`, `12h`, `90m`, `45s` or `2w` (1 second to 3650 days); default 30d.
 */
export const eventRetention: Config.Config<Duration.Duration> = optionalString("SCIMKIT_EVENT_RETENTION").pipe(
  mapOrFail((value) =>
    Option.match(value, {
      onNone: () => Result.succeed(Duration.days(30)),
      onSome: (text) => {
        const match = /^(\d+)\s*([a-z]+)$/.exec(text.trim().toLowerCase())
        const unit = match === null ? undefined : durationUnits.find(([pattern]) => pattern.test(match[2]!))
        const seconds = match === null || unit === undefined ? Number.NaN : Number(match[1]) * unit[1]
        return Number.isSafeInteger(seconds) && seconds >= 1 && seconds <= maxRetentionSeconds
          ? Result.succeed(Duration.seconds(seconds))
          : invalid(
            "SCIMKIT_EVENT_RETENTION",
            `must be a duration from 1s to 3650d such as 30d, 12h, 90m or 45s, got ${JSON.stringify(text)}`
          )
      }
    })
  )
)

/** The longest pause between two prunes of the change feed: a guess, often enough for any retention. */
const maxPruneInterval = Duration.hours(1)

/** How often the server prunes the change feed: hourly, or four times per retention when that is shorter. */
export const pruneInterval = (retention: Duration.Duration): Duration.Duration =>
  Duration.min(maxPruneInterval, Duration.max(Duration.seconds(1), Duration.divideUnsafe(retention, 4)))

/** Shortest webhook secret accepted: 16 characters, about 95 bits when random. */
const minWebhookSecret = 16

/**
 * `SCIMKIT_WEBHOOK_URL` (http or https; unset: no webhooks), `SCIMKIT_WEBHOOK_SECRET` (the signing
 * secret, at least 16 characters, required with the URL), `SCIMKIT_WEBHOOK_BATCH_SIZE` (events per
 * POST, 1–1000, default 100) and `SCIMKIT_WEBHOOK_TIMEOUT` (seconds per attempt, 1–300, default 10).
 */
export const webhook: Config.Config<Option.Option<WebhookSettings>> = Config.all([
  optionalString("SCIMKIT_WEBHOOK_URL"),
  optionalSecret("SCIMKIT_WEBHOOK_SECRET"),
  integerSetting("SCIMKIT_WEBHOOK_BATCH_SIZE", 100, 1, 1000, "a whole number from 1 to 1000"),
  integerSetting("SCIMKIT_WEBHOOK_TIMEOUT", 10, 1, 300, "a whole number of seconds from 1 to 300")
]).pipe(
  mapOrFail(([urlText, secret, batchSize, timeoutSeconds]): Result.Result<
    Option.Option<WebhookSettings>,
    Config.ConfigError
  > => {
    if (Option.isNone(urlText)) {
      return Option.isSome(secret)
        ? invalid("SCIMKIT_WEBHOOK_URL", "is not set but SCIMKIT_WEBHOOK_SECRET is: set the URL to post events to")
        : Result.succeed(Option.none())
    }
    const text = urlText.value.trim()
    const url = URL.canParse(text) ? new URL(text) : undefined
    if (url === undefined || (url.protocol !== "http:" && url.protocol !== "https:") || url.hash !== "") {
      return invalid(
        "SCIMKIT_WEBHOOK_URL",
        `must be an absolute http(s) URL such as https://hooks.example.com/scimkit, got ${JSON.stringify(text)}`
      )
    }
    if (Option.isNone(secret)) {
      return invalid(
        "SCIMKIT_WEBHOOK_SECRET",
        "must be set with SCIMKIT_WEBHOOK_URL: the secret the receiver checks signatures with (e.g. $(openssl rand -hex 32))"
      )
    }
    const key = Redacted.value(secret.value).trim()
    if (key.length < minWebhookSecret) {
      return invalid(
        "SCIMKIT_WEBHOOK_SECRET",
        `must be at least ${minWebhookSecret} characters, e.g. $(openssl rand -hex 32)`
      )
    }
    return Result.succeed(Option.some({ url: url.href, secret: Redacted.make(key), batchSize, timeoutSeconds }))
  })
)

/** The default OTLP/HTTP endpoint of the OpenTelemetry specification (a collector on this machine). */
const defaultOtlpEndpoint = "http://localhost:4318"

const otlpUrl = (name: string, text: string): Result.Result<string, Config.ConfigError> => {
  const url = URL.canParse(text) ? new URL(text) : undefined
  return url !== undefined && (url.protocol === "http:" || url.protocol === "https:")
    ? Result.succeed(text)
    : invalid(name, `must be an http(s) URL such as http://otel-collector:4318, got ${JSON.stringify(text)}`)
}

/**
 * The standard OpenTelemetry variables, read as the specification defines them for traces:
 * tracing is on when `OTEL_TRACES_EXPORTER` is `otlp` or `console`, or when it is unset and an
 * OTLP endpoint is (`OTEL_EXPORTER_OTLP_ENDPOINT`, `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`); off with
 * `OTEL_TRACES_EXPORTER=none` or `OTEL_SDK_DISABLED=true`. The protocol is
 * `OTEL_EXPORTER_OTLP_TRACES_PROTOCOL` / `OTEL_EXPORTER_OTLP_PROTOCOL` (`http/protobuf`, the
 * default, or `http/json`); the service `OTEL_SERVICE_NAME` (default `scimkit`). Headers, timeout
 * and compression (`OTEL_EXPORTER_OTLP_HEADERS` …) are read by the exporter itself.
 */
export const tracing: Config.Config<Option.Option<TracingSettings>> = Config.all([
  optionalString("OTEL_SDK_DISABLED"),
  optionalString("OTEL_TRACES_EXPORTER"),
  optionalString("OTEL_EXPORTER_OTLP_ENDPOINT"),
  optionalString("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"),
  optionalString("OTEL_EXPORTER_OTLP_PROTOCOL"),
  optionalString("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"),
  optionalString("OTEL_SERVICE_NAME")
]).pipe(
  mapOrFail(
    (
      [disabled, exporter, endpoint, tracesEndpoint, protocol, tracesProtocol, service]
    ): Result.Result<Option.Option<TracingSettings>, Config.ConfigError> => {
      if (Option.getOrElse(disabled, () => "").trim().toLowerCase() === "true") return Result.succeed(Option.none())
      const serviceName = Option.getOrElse(Option.map(service, (name) => name.trim()), () => "scimkit")
      const chosen = Option.map(exporter, (text) => text.trim().toLowerCase())
      const kind = Option.getOrElse(
        chosen,
        () => Option.isSome(endpoint) || Option.isSome(tracesEndpoint) ? "otlp" : "none"
      )
      if (kind === "none") return Result.succeed(Option.none())
      if (kind === "console") return Result.succeed(Option.some({ _tag: "Console", serviceName }))
      if (kind !== "otlp") {
        return invalid(
          "OTEL_TRACES_EXPORTER",
          `must be otlp, console or none (this server has no other trace exporter), got ${
            JSON.stringify(Option.getOrElse(exporter, () => ""))
          }`
        )
      }
      const protocolName = Option.isSome(tracesProtocol)
        ? "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"
        : "OTEL_EXPORTER_OTLP_PROTOCOL"
      const wire = Option.getOrElse(Option.orElse(tracesProtocol, () => protocol), () => "http/protobuf").trim()
        .toLowerCase()
      if (wire !== "http/protobuf" && wire !== "http/json") {
        return invalid(
          protocolName,
          `must be http/protobuf or http/json (this server does not export over grpc), got ${JSON.stringify(wire)}`
        )
      }
      // the specification: a signal-specific endpoint is used as is; the general one gets /v1/traces
      const url = Option.isSome(tracesEndpoint)
        ? otlpUrl("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", tracesEndpoint.value.trim())
        : Result.map(
          otlpUrl("OTEL_EXPORTER_OTLP_ENDPOINT", Option.getOrElse(endpoint, () => defaultOtlpEndpoint).trim()),
          (base) => `${base.replace(/\/+$/, "")}/v1/traces`
        )
      return Result.map(
        url,
        (resolved) => Option.some<TracingSettings>({ _tag: "Otlp", endpoint: resolved, protocol: wire, serviceName })
      )
    }
  )
)

/** A config that always succeeds, carrying its value or its error, so that failures can be collected. */
const attempt = <A>(config: Config.Config<A>): Config.Config<Result.Result<A, Config.ConfigError>> =>
  config.pipe(
    Config.map((value): Result.Result<A, Config.ConfigError> => Result.succeed(value)),
    Config.orElse((error) => Config.succeed<Result.Result<A, Config.ConfigError>>(Result.fail(error)))
  )

const issueOf = (error: Config.ConfigError): SchemaIssue.Issue =>
  Schema.isSchemaError(error.cause) ? error.cause.issue : new SchemaIssue.InvalidValue({ message: error.cause.message })

/**
 * Like `Config.all` over a record, but reading every member and failing with all their errors
 * together (effect 4's `Config.all` stops at the first), so that start-up names every invalid
 * variable at once.
 */
const allSettings = <const Configs extends Record<string, Config.Config<unknown>>>(
  configs: Configs
): Config.Config<{ -readonly [K in keyof Configs]: Config.Success<Configs[K]> }> => {
  const attempts: Record<string, Config.Config<Result.Result<unknown, Config.ConfigError>>> = {}
  for (const [key, config] of Object.entries(configs)) attempts[key] = attempt(config)
  return Config.all(attempts).pipe(
    Config.mapEffect((results) => {
      const values: Record<string, unknown> = {}
      const errors: Array<Config.ConfigError> = []
      for (const [key, result] of Object.entries(results)) {
        if (Result.isSuccess(result)) values[key] = result.success
        else errors.push(result.failure)
      }
      const [first, ...rest] = errors
      if (first === undefined) {
        // every member of `configs` read successfully, so `values` has each key with its config's type
        return Effect.succeed(values as { -readonly [K in keyof Configs]: Config.Success<Configs[K]> })
      }
      if (rest.length === 0) return Effect.fail(first)
      return Effect.fail(
        new Config.ConfigError(
          new Schema.SchemaError(new SchemaIssue.Composite(Schema.Unknown.ast, [issueOf(first), ...rest.map(issueOf)]))
        )
      )
    })
  )
}

export const common: Config.Config<CommonSettings> = allSettings({
  store,
  defaultProjectRole: ProjectRolePolicy.defaultProjectRoleConfig,
  maxResults,
  logLevel
})

export const server: Config.Config<ServerSettings> = allSettings({
  common,
  port,
  bootstrapKey,
  trustProxy,
  publicUrl,
  ownerEmail,
  rateLimit,
  credentialCacheTtl,
  metrics,
  logMaskPii,
  drainSeconds,
  eventRetention,
  webhook,
  tracing
}).pipe(Config.map(({ common, ...rest }) => ({ ...common, ...rest })))

/** One line per problem, each naming the variable: what start-up prints instead of a stack trace. */
export const describeConfigError = (error: Config.ConfigError): ReadonlyArray<string> => {
  if (!Schema.isSchemaError(error.cause)) return [error.cause.message]
  const { issues } = SchemaIssue.makeFormatterStandardSchemaV1()(error.cause.issue)
  const lines = issues.map((issue) =>
    messageWithPath(
      (issue.path ?? []).map((segment) => String(typeof segment === "object" ? segment.key : segment)),
      issue.message
    )
  )
  return Array.from(new Set(lines))
}

const messageWithPath = (path: ReadonlyArray<string>, message: string): string => {
  const name = path.join("_")
  return name === "" || message.startsWith(name) ? message : `${name}: ${message}`
}

/** What the store is, for logs: never the credentials. */
export const describeStore = (settings: StoreSettings): string => {
  if (settings._tag === "Sqlite") return `SQLite in ${sqliteFile(settings.dataDir)}`
  if (settings._tag === "Memory") return "memory (data is lost at exit)"
  const text = Redacted.value(settings.url)
  const url = URL.canParse(text) ? new URL(text) : undefined
  return url === undefined
    ? "Postgres (DATABASE_URL)"
    : `Postgres at ${url.hostname}${url.port ? `:${url.port}` : ""}${url.pathname}`
}
