/**
 * Everything the example server and the CLI read from the environment, through `effect/Config`.
 * An invalid value fails with a `ConfigError` naming the variable and what it accepts; `describeConfigError`
 * turns that into the one-line message printed at start-up.
 *
 * @since 0.1.0
 */
import { type ProjectRole, ProjectRolePolicy } from "@scimkit/core"
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Either from "effect/Either"
import * as LogLevel from "effect/LogLevel"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as NodePath from "node:path"

/** The SCIM root under the server's origin. @since 0.1.0 */
export const basePath = "/api/v1/scim/v2"

/** Where the data lives: a Postgres server, or the embedded Postgres in a directory. @since 0.1.0 */
export type StoreSettings =
  | { readonly _tag: "Postgres"; readonly url: Redacted.Redacted<string> }
  | { readonly _tag: "Embedded"; readonly dataDir: string }

/** What both the server and the CLI need. @since 0.1.0 */
export interface CommonSettings {
  readonly store: StoreSettings
  readonly defaultProjectRole: ProjectRole
  readonly maxResults: number
  /** `SCIMKIT_LOG_LEVEL` when set; the server defaults to Info, the CLI to Warning. */
  readonly logLevel: Option.Option<LogLevel.LogLevel>
}

/** @since 0.1.0 */
export interface ServerSettings extends CommonSettings {
  readonly port: number
  readonly bootstrapKey: Option.Option<Redacted.Redacted<string>>
  readonly trustProxy: boolean
  readonly publicUrl: Option.Option<string>
  readonly ownerEmail: string
}

const logLevels: ReadonlyArray<LogLevel.LogLevel> = [
  LogLevel.All,
  LogLevel.Trace,
  LogLevel.Debug,
  LogLevel.Info,
  LogLevel.Warning,
  LogLevel.Error,
  LogLevel.Fatal,
  LogLevel.None
]

const invalid = (name: string, detail: string) => Either.left(ConfigError.InvalidData([name], `${name} ${detail}`))

/** A variable that is unset or blank is absent (compose files often pass `VAR=`). */
const optionalString = (name: string): Config.Config<Option.Option<string>> =>
  Config.option(Config.string(name)).pipe(
    Config.map((value) => Option.filter(value, (text) => text.trim() !== ""))
  )

const optionalSecret = (name: string): Config.Config<Option.Option<Redacted.Redacted<string>>> =>
  Config.option(Config.redacted(name)).pipe(
    Config.map((value) => Option.filter(value, (secret) => Redacted.value(secret).trim() !== ""))
  )

/** `INIT_CWD` is the directory pnpm was run from; pnpm runs the script itself in examples/node. */
const invocationDirectory: Config.Config<string> = optionalString("INIT_CWD").pipe(
  Config.map(Option.getOrElse(() => process.cwd()))
)

/** `SCIMKIT_DATA_DIR`, resolved against the directory the command was run from; default `.scimkit`. @since 0.1.0 */
export const dataDir: Config.Config<string> = Config.all([optionalString("SCIMKIT_DATA_DIR"), invocationDirectory]).pipe(
  Config.map(([dir, cwd]) => NodePath.resolve(cwd, Option.getOrElse(dir, () => ".scimkit")))
)

/** `DATABASE_URL` (a Postgres server) wins over the embedded store. @since 0.1.0 */
export const store: Config.Config<StoreSettings> = Config.all([optionalSecret("DATABASE_URL"), dataDir]).pipe(
  Config.mapOrFail(([url, dir]): Either.Either<StoreSettings, ConfigError.ConfigError> =>
    Option.match(url, {
      onNone: () => Either.right({ _tag: "Embedded", dataDir: dir }),
      onSome: (secret) =>
        /^postgres(ql)?:\/\//i.test(Redacted.value(secret).trim())
          ? Either.right({ _tag: "Postgres", url: Redacted.make(Redacted.value(secret).trim()) })
          : invalid("DATABASE_URL", "must be a Postgres connection URL such as postgres://user:password@host:5432/scimkit")
    })
  )
)

/** `SCIMKIT_LOG_LEVEL`, case-insensitive. @since 0.1.0 */
export const logLevel: Config.Config<Option.Option<LogLevel.LogLevel>> = optionalString("SCIMKIT_LOG_LEVEL").pipe(
  Config.mapOrFail((value): Either.Either<Option.Option<LogLevel.LogLevel>, ConfigError.ConfigError> =>
    Option.match(value, {
      onNone: () => Either.right(Option.none()),
      onSome: (text) => {
        const found = logLevels.find((level) =>
          level.label === text.trim().toUpperCase() || level._tag.toUpperCase() === text.trim().toUpperCase()
        )
        return found === undefined
          ? invalid(
            "SCIMKIT_LOG_LEVEL",
            `must be one of ${logLevels.map((level) => level._tag.toLowerCase()).join(", ")} (case-insensitive), got ${
              JSON.stringify(text)
            }`
          )
          : Either.right(Option.some(found))
      }
    })
  )
)

/** An optional whole-number variable within [min, max]; `what` completes "must be …" in the error. */
const integerSetting = (name: string, fallback: number, min: number, max: number, what: string): Config.Config<number> =>
  optionalString(name).pipe(
    Config.mapOrFail((value) =>
      Option.match(value, {
        onNone: () => Either.right(fallback),
        onSome: (text) => {
          const number = Number(text.trim())
          return Number.isInteger(number) && number >= min && number <= max
            ? Either.right(number)
            : invalid(name, `must be ${what}, got ${JSON.stringify(text)}`)
        }
      })
    )
  )

/** `SCIMKIT_MAX_RESULTS`: the largest page a list returns, advertised as `filter.maxResults`. @since 0.1.0 */
export const maxResults: Config.Config<number> = integerSetting(
  "SCIMKIT_MAX_RESULTS",
  1000,
  1,
  100_000,
  "a whole number from 1 to 100000"
)

/** `PORT`, default 3000; 0 picks a free port. @since 0.1.0 */
export const port: Config.Config<number> = integerSetting("PORT", 3000, 0, 65535, "a TCP port from 0 to 65535")

/** `SCIMKIT_TRUST_PROXY`: true/false (also yes/no, on/off, 1/0), case-insensitive, default false. @since 0.1.0 */
export const trustProxy: Config.Config<boolean> = optionalString("SCIMKIT_TRUST_PROXY").pipe(
  Config.mapOrFail((value) =>
    Option.match(value, {
      onNone: () => Either.right(false),
      onSome: (text) => {
        const lower = text.trim().toLowerCase()
        if (["true", "yes", "on", "1"].includes(lower)) return Either.right(true)
        if (["false", "no", "off", "0"].includes(lower)) return Either.right(false)
        return invalid("SCIMKIT_TRUST_PROXY", `must be true or false, got ${JSON.stringify(text)}`)
      }
    })
  )
)

/**
 * `SCIMKIT_PUBLIC_URL`: the Tenant URL as identity providers reach it (behind a proxy or TLS
 * terminator). A bare origin such as `https://scim.example.com` gets the base path appended.
 *
 * @since 0.1.0
 */
export const publicUrl: Config.Config<Option.Option<string>> = optionalString("SCIMKIT_PUBLIC_URL").pipe(
  Config.mapOrFail((value): Either.Either<Option.Option<string>, ConfigError.ConfigError> => {
    if (Option.isNone(value)) return Either.right(Option.none())
    const text = value.value.trim()
    const url = URL.canParse(text) ? new URL(text) : undefined
    if (url === undefined || (url.protocol !== "http:" && url.protocol !== "https:") || url.search !== "" || url.hash !== "") {
      return invalid(
        "SCIMKIT_PUBLIC_URL",
        `must be an absolute http(s) URL without query or fragment, such as https://scim.example.com${basePath}, got ${
          JSON.stringify(text)
        }`
      )
    }
    const path = url.pathname.replace(/\/+$/, "")
    return Either.right(Option.some(`${url.origin}${path === "" ? basePath : path}`))
  })
)

/** `SCIMKIT_OWNER_EMAIL`: the owner of the default platform created on the first start. @since 0.1.0 */
export const ownerEmail: Config.Config<string> = optionalString("SCIMKIT_OWNER_EMAIL").pipe(
  Config.mapOrFail((value) => {
    const email = Option.getOrElse(value, () => "admin@example.com").trim()
    return /^[^\s@]+@[^\s@]+$/.test(email)
      ? Either.right(email)
      : invalid("SCIMKIT_OWNER_EMAIL", `must be an email address such as admin@example.com, got ${JSON.stringify(email)}`)
  })
)

/**
 * `SCIMKIT_BOOTSTRAP_KEY`: at start-up this exact secret becomes a key of the default platform. The
 * core checks its form (`sk-…`, at least 32 characters) when it is installed.
 *
 * @since 0.1.0
 */
export const bootstrapKey: Config.Config<Option.Option<Redacted.Redacted<string>>> = optionalSecret("SCIMKIT_BOOTSTRAP_KEY")

/** @since 0.1.0 */
export const common: Config.Config<CommonSettings> = Config.all({
  store,
  defaultProjectRole: ProjectRolePolicy.defaultProjectRoleConfig,
  maxResults,
  logLevel
})

/** @since 0.1.0 */
export const server: Config.Config<ServerSettings> = Config.all({
  common,
  port,
  bootstrapKey,
  trustProxy,
  publicUrl,
  ownerEmail
}).pipe(Config.map(({ common, ...rest }) => ({ ...common, ...rest })))

/** One line per problem, each naming the variable: what start-up prints instead of a stack trace. @since 0.1.0 */
export const describeConfigError = (error: ConfigError.ConfigError): ReadonlyArray<string> => {
  const lines = ConfigError.reduceWithContext(error, undefined, {
    andCase: (_, left: ReadonlyArray<string>, right: ReadonlyArray<string>) => [...left, ...right],
    orCase: (_, left: ReadonlyArray<string>, right: ReadonlyArray<string>) => [...left, ...right],
    invalidDataCase: (_, path, message) => [messageWithPath(path, message)],
    missingDataCase: (_, path, message) => [messageWithPath(path, message)],
    sourceUnavailableCase: (_, path, message) => [messageWithPath(path, message)],
    unsupportedCase: (_, path, message) => [messageWithPath(path, message)]
  })
  return Array.from(new Set(lines))
}

const messageWithPath = (path: ReadonlyArray<string>, message: string): string => {
  const name = path.join("_")
  return name === "" || message.startsWith(name) ? message : `${name}: ${message}`
}

/** What the store is, for logs: never the credentials. @since 0.1.0 */
export const describeStore = (settings: StoreSettings): string => {
  if (settings._tag === "Embedded") return `embedded Postgres in ${settings.dataDir}`
  const text = Redacted.value(settings.url)
  const url = URL.canParse(text) ? new URL(text) : undefined
  return url === undefined ? "Postgres (DATABASE_URL)" : `Postgres at ${url.hostname}${url.port ? `:${url.port}` : ""}${url.pathname}`
}
