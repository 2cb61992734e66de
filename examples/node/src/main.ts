/**
 * The scimkit server: `pnpm start`. Reads its settings from the environment (see docs/server.md),
 * opens the store, makes sure the `default` platform exists (printing its Tenant URL and first API
 * key once, on the first start), serves SCIM 2.0 under `/api/v1/scim/v2`, logs one line per
 * request, and on SIGINT/SIGTERM stops accepting connections, finishes the requests in flight and
 * closes the store.
 *
 * @since 0.1.0
 */
import * as HttpServer from "@effect/platform/HttpServer"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { ScimHttpApp, withRequestLog } from "@scimkit/http"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Option from "effect/Option"
import { createServer } from "node:http"
import * as Bootstrap from "./Bootstrap.js"
import * as Failure from "./Failure.js"
import * as Services from "./Services.js"
import * as Settings from "./Settings.js"

/** How long a shutdown waits for requests in flight before closing their connections anyway. */
const shutdownGrace = 20_000

const serve = (settings: Settings.ServerSettings, booted: Bootstrap.Booted) => {
  const nodeServer = createServer()
  return Effect.gen(function*() {
    yield* HttpServer.serveEffect(withRequestLog(ScimHttpApp))
    // finalizers run last-added first: this one runs as shutdown begins, before the server closes
    yield* Effect.addFinalizer(() =>
      Effect.logInfo("Shutting down: no new connections; finishing the requests in flight, then closing the store").pipe(
        Effect.zipRight(Effect.sync(() => {
          // keep-alive connections go idle once their request is answered: close them as they do
          const idle = setInterval(() => nodeServer.closeIdleConnections(), 100).unref()
          const deadline = setTimeout(() => nodeServer.closeAllConnections(), shutdownGrace).unref()
          nodeServer.once("close", () => {
            clearInterval(idle)
            clearTimeout(deadline)
          })
        }))
      )
    )
    const server = yield* HttpServer.HttpServer
    const port = server.address._tag === "TcpAddress" ? server.address.port : settings.port
    const localUrl = `http://localhost:${port}${Settings.basePath}`
    const tenantUrl = Option.getOrElse(settings.publicUrl, () => localUrl)
    if (Option.isSome(booted.created)) {
      yield* Console.log(Bootstrap.banner(tenantUrl, booted.created.value))
    } else {
      yield* Effect.logInfo(
        `Tenant URL: ${tenantUrl} (platform "${booted.platform.name}"; list its API keys with \`pnpm scimkit keys list\`)`
      )
    }
    yield* Effect.logInfo(`scimkit listening on ${localUrl} (store: ${Settings.describeStore(settings.store)})`)
    return yield* Effect.never
  }).pipe(
    Effect.scoped,
    Effect.provide(NodeHttpServer.layer(() => nodeServer, { port: settings.port }))
  )
}

const main = Effect.gen(function*() {
  const settings = yield* Settings.server
  const run = Effect.gen(function*() {
    const booted = yield* Bootstrap.ensureDefault(settings.ownerEmail)
    // if the bootstrap key is refused right after the platform was created, still show its first key
    yield* Bootstrap.installBootstrapKey(booted.platform, settings.bootstrapKey).pipe(
      Effect.tapError(() =>
        Option.match(booted.created, {
          onNone: () => Effect.void,
          onSome: (created) => {
            const port = settings.port === 0 ? "<port>" : String(settings.port)
            const tenantUrl = Option.getOrElse(settings.publicUrl, () => `http://localhost:${port}${Settings.basePath}`)
            return Console.log(Bootstrap.banner(tenantUrl, created))
          }
        })
      )
    )
    return yield* serve(settings, booted)
  }).pipe(
    Effect.provide(Services.server(settings)),
    Effect.onInterrupt(() => Effect.logInfo("Stopped")),
    Logger.withMinimumLogLevel(Option.getOrElse(settings.logLevel, () => LogLevel.Info))
  )
  return yield* run
}).pipe(
  Effect.tapErrorCause((cause) => {
    const lines = Failure.describe(cause)
    return lines.length === 0 ? Effect.void : Console.error(`scimkit could not start: ${lines.join("\n")}`)
  }),
  Effect.provide(Logger.logFmt)
)

/**
 * A Ctrl-C reaches every process of the terminal's group, and a wrapper (pnpm, a tsx CLI parent) may
 * relay it as well, so one key press can arrive twice. NodeRuntime acts on the first signal and then
 * stops listening, after which Node's default would end the process at once, mid-shutdown: so keep
 * listening, ignore a repeat within a second, and take a later one as "exit now".
 */
const forceExitOnRepeatedSignal = (): void => {
  let first: number | undefined
  const onSignal = () => {
    const now = Date.now()
    if (first === undefined) {
      first = now
    } else if (now - first > 1000) {
      process.stderr.write("Second signal: exiting without waiting for requests in flight\n")
      process.exit(130)
    }
  }
  process.on("SIGINT", onSignal)
  process.on("SIGTERM", onSignal)
}

/**
 * `pnpm start` runs the server under npx/pnpm wrappers; a supervisor that stops only the outermost
 * wrapper (SIGTERM to its pid, not to the group) leaves the server orphaned, holding the port and
 * the embedded store's lock, so the next start fails. When the parent process goes away, shut down
 * gracefully as on SIGTERM.
 */
const stopWhenOrphaned = (): void => {
  const parent = process.ppid
  setInterval(() => {
    if (process.ppid !== parent) {
      process.stderr.write("scimkit: the parent process exited; shutting down\n")
      process.kill(process.pid, "SIGTERM")
    }
  }, 500).unref()
}

forceExitOnRepeatedSignal()
stopWhenOrphaned()
NodeRuntime.runMain(main, { disableErrorReporting: true, disablePrettyLogger: true })
