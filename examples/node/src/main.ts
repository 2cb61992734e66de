/**
 * The scimkit server: `pnpm start`. Reads its settings from the environment (see docs/server.md),
 * opens the store, makes sure the `default` platform exists (printing its Tenant URL and first API
 * key once, on the first start), serves SCIM 2.0 under `/api/v1/scim/v2` with `/healthz` and
 * `/readyz` beside it, logs one line per request, and on SIGINT/SIGTERM turns `/readyz` to 503,
 * keeps serving for `SCIMKIT_DRAIN_SECONDS`, stops accepting connections, finishes the requests in
 * flight and closes the store. Optionally: Prometheus metrics on a port of their own, OpenTelemetry
 * traces (the `OTEL_*` variables), signed webhooks of the change feed; always: the feed's events
 * pruned after `SCIMKIT_EVENT_RETENTION`.
 */
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { ChangeFeed } from "@scimkit/core"
import { Health, Metrics, RequestLog, ScimHttpApp, Webhooks } from "@scimkit/http"
import * as Cause from "effect/Cause"
import * as Config from "effect/Config"
import * as Console from "effect/Console"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FetchHttpClient from "effect/http/FetchHttpClient"
import * as HttpServer from "effect/http/HttpServer"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as References from "effect/References"
import * as ChildProcess from "node:child_process"
import * as Fs from "node:fs"
import { createServer } from "node:http"
import * as NodePath from "node:path"
import * as Bootstrap from "./Bootstrap.js"
import * as Failure from "./Failure.js"
import * as Services from "./Services.js"
import * as Settings from "./Settings.js"
import * as Tracing from "./Tracing.js"

/** How long a shutdown waits for requests in flight before closing their connections anyway. */
const shutdownGrace = 20_000

/** Prometheus's endpoint on a port of its own, open as long as the current scope. */
const serveMetrics = (settings: Settings.MetricsSettings) =>
  Effect.gen(function*() {
    const context = yield* Layer.build(
      HttpServer.serve(Metrics.exposition()).pipe(
        Layer.provideMerge(NodeHttpServer.layer(createServer, { port: settings.port, host: settings.host }))
      )
    )
    const address = Context.get(context, HttpServer.HttpServer).address
    const port = address._tag === "UnixPathAddress" ? settings.port : address.port
    const host = settings.host.includes(":") ? `[${settings.host}]` : settings.host
    yield* Effect.logInfo(`Metrics for Prometheus at http://${host}:${port}/metrics`)
  })

/** The webhook worker, running as long as the current scope. */
const startWebhooks = (settings: Settings.WebhookSettings) =>
  Effect.gen(function*() {
    yield* Layer.build(
      Webhooks.layer({
        url: settings.url,
        secret: settings.secret,
        batchSize: settings.batchSize,
        timeout: Duration.seconds(settings.timeoutSeconds)
      }).pipe(Layer.provide(FetchHttpClient.layer))
    )
    yield* Effect.logInfo(`Webhooks: posting change-feed events to ${new URL(settings.url).origin} (signed)`)
  })

const serve = (settings: Settings.ServerSettings, booted: Bootstrap.Booted, mask: (text: string) => string) => {
  const nodeServer = createServer()
  return Effect.gen(function*() {
    const health = yield* Health.make()
    if (Option.isSome(settings.metrics)) yield* serveMetrics(settings.metrics.value)
    if (Option.isSome(settings.webhook)) yield* startWebhooks(settings.webhook.value)
    yield* Effect.forkScoped(ChangeFeed.pruneEvery(Settings.pruneInterval(settings.eventRetention)))
    const scim = Option.isSome(settings.metrics) ? Metrics.middleware(ScimHttpApp.app) : ScimHttpApp.app
    yield* HttpServer.serveEffect()(
      Health.middleware(RequestLog.middleware(scim)).pipe(Effect.provideService(Health.Health, health))
    ).pipe(Tracing.withSpanNames(Settings.basePath))
    // finalizers run last-added first: this one runs once the drain below is over, before the server closes
    yield* Effect.addFinalizer(() =>
      Effect.logInfo("Shutting down: no new connections; finishing the requests in flight, then closing the store")
        .pipe(
          Effect.andThen(Effect.sync(() => {
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
    // the first thing a shutdown does: /readyz answers 503, and the server keeps serving for the
    // drain period so that a load balancer sees it and moves the traffic elsewhere
    yield* Effect.addFinalizer(() =>
      Effect.andThen(
        health.drain,
        settings.drainSeconds === 0 ? Effect.void : Effect.logInfo(
          `Draining: /readyz answers 503; still serving for ${settings.drainSeconds}s (SCIMKIT_DRAIN_SECONDS)`
        ).pipe(Effect.andThen(Effect.sleep(Duration.seconds(settings.drainSeconds))))
      )
    )
    const server = yield* HttpServer.HttpServer
    const port = server.address._tag === "UnixPathAddress" ? settings.port : server.address.port
    const localUrl = `http://localhost:${port}${Settings.basePath}`
    const tenantUrl = Option.getOrElse(settings.publicUrl, () => localUrl)
    if (Option.isSome(booted.created)) {
      yield* Console.log(Bootstrap.banner(tenantUrl, booted.created.value, mask))
    } else {
      yield* Effect.logInfo(
        `Tenant URL: ${tenantUrl} (platform "${booted.platform.name}"; list its API keys with \`pnpm scimkit keys list\`)`
      )
    }
    yield* Effect.logInfo(`scimkit listening on ${localUrl} (store: ${Settings.describeStore(settings.store)})`)
    return yield* Effect.never
  }).pipe(
    Effect.scoped,
    Effect.provide(
      NodeHttpServer.layer(() => nodeServer, { port: settings.port, gracefulShutdownTimeout: shutdownGrace })
    )
  )
}

/** What the server logs and prints goes through this: API keys always out, personal data when asked. */
const maskOf = (maskPii: boolean) => ({
  logLine: RequestLog.masking({ personalData: maskPii }),
  // the banner shows the first API key on purpose: only personal data (the owner's email) is masked
  banner: maskPii ? RequestLog.maskPersonalData : (text: string) => text
})

const main = Effect.gen(function*() {
  // read on its own first, so that even a configuration error elsewhere is printed masked as asked
  const maskPii = yield* Settings.logMaskPii.pipe(Config.orElse(() => Config.succeed(false)))
  const mask = maskOf(maskPii)
  const start = Effect.gen(function*() {
    const settings = yield* Settings.server
    const inMemory = settings.store._tag === "Memory"
    if (inMemory) yield* Console.log(Bootstrap.memoryBanner())
    if (Option.isSome(settings.tracing)) yield* Effect.logInfo(Tracing.describe(settings.tracing.value))
    const run = Effect.gen(function*() {
      const booted = yield* Bootstrap.ensureDefault(settings.ownerEmail)
      // if the bootstrap key is refused right after the platform was created, still show its first key
      yield* Bootstrap.installBootstrapKey(booted.platform, settings.bootstrapKey).pipe(
        Effect.tapError(() =>
          Option.match(booted.created, {
            onNone: () => Effect.void,
            onSome: (created) => {
              const port = settings.port === 0 ? "<port>" : String(settings.port)
              const tenantUrl = Option.getOrElse(
                settings.publicUrl,
                () => `http://localhost:${port}${Settings.basePath}`
              )
              return Console.log(Bootstrap.banner(tenantUrl, created, mask.banner))
            }
          })
        )
      )
      return yield* serve(settings, booted, mask.banner)
    }).pipe(
      Effect.provide(Services.server(settings)),
      Effect.onInterrupt(() =>
        inMemory
          ? Effect.logWarning("Stopped; the data of the memory store is gone (SCIMKIT_STORE=memory)")
          : Effect.logInfo("Stopped")
      ),
      Tracing.traced(settings.tracing),
      Effect.provideService(References.MinimumLogLevel, Option.getOrElse(settings.logLevel, () => "Info" as const))
    )
    return yield* run
  })
  return yield* start.pipe(
    Effect.tapCause((cause) => {
      const lines = Failure.describe(cause)
      return lines.length === 0
        ? Effect.void
        : Console.error(mask.logLine(`scimkit could not start: ${lines.join("\n")}`))
    }),
    Effect.provide(Logger.layer([Logger.withConsoleLog(Logger.map(Logger.formatLogFmt, mask.logLine))]))
  )
})

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

/** A process's parent and command line, read from /proc on Linux, else from `ps`; undefined once it is gone. */
const processInfo = (pid: number): { readonly ppid: number; readonly command: string } | undefined => {
  try {
    if (Fs.existsSync("/proc/self/stat")) {
      // /proc/<pid>/stat is "pid (comm) state ppid …"; comm may hold spaces and parentheses
      const stat = Fs.readFileSync(`/proc/${pid}/stat`, "utf8")
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1])
      const command = Fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").trim()
      return { ppid, command }
    }
    const [ppid = "", ...command] = ChildProcess.execFileSync("ps", ["-o", "ppid=,command=", "-p", String(pid)], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"]
    }).trim().split(/\s+/)
    return { ppid: Number(ppid), command: command.join(" ") }
  } catch {
    return undefined
  }
}

/** The wrappers a start goes through: package managers, npx, the tsx CLI, and the shells they run scripts in. */
const isWrapper = (command: string): boolean => {
  const [executable = "", ...args] = command.split(/\s+/)
  const name = NodePath.basename(executable)
  if (/^(sh|bash|dash|zsh)$/.test(name)) return args[0] === "-c"
  // `node <script>`: the script names the tool (…/.bin/pnpm, …/corepack/dist/pnpm.js, …/tsx/dist/cli.mjs)
  const script = /^node(js)?$/.test(name) ? args.find((arg) => !arg.startsWith("-")) ?? "" : executable
  return /^(npx|npm|pnpm|yarn|corepack|tsx)(\.c?js)?$/.test(NodePath.basename(script)) ||
    /[/\\]tsx[/\\]dist[/\\]cli\.m?js$/.test(script)
}

/**
 * The wrapper processes above this one, nearest first: the parent always, then every ancestor up
 * to the first that is not a wrapper (the shell or supervisor that ran `pnpm start`).
 */
const wrapperAncestors = (): ReadonlyArray<number> => {
  const pids: Array<number> = [process.ppid]
  let info = processInfo(process.ppid)
  while (info !== undefined && info.ppid > 1 && pids.length < 16) {
    const parent = processInfo(info.ppid)
    if (parent === undefined || !isWrapper(parent.command)) break
    pids.push(info.ppid)
    info = parent
  }
  return pids
}

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    // EPERM: it exists but belongs to someone else
    return Predicate.hasProperty(error, "code") && error.code === "EPERM"
  }
}

/**
 * `pnpm start` runs the server under a chain of wrappers (npx → pnpm → sh → pnpm → sh → node); a
 * supervisor that stops only the outermost one (SIGTERM to its pid, not to the group) leaves the
 * others running and the server with them, holding the port and the embedded store's lock, so the
 * next start fails. When the parent or any wrapper above it goes away, shut down gracefully as on
 * SIGTERM; the wrappers below it then end as the server does.
 */
const stopWhenOrphaned = (): void => {
  const parent = process.ppid
  let watched: ReadonlyArray<number> = [parent]
  // found after start-up has begun: walking the ancestors must not delay it
  setImmediate(() => {
    watched = wrapperAncestors()
  })
  const timer = setInterval(() => {
    if (process.ppid !== parent || !watched.every(isAlive)) {
      clearInterval(timer)
      process.stderr.write("scimkit: the process that started it (pnpm, npx) exited; shutting down\n")
      process.kill(process.pid, "SIGTERM")
    }
  }, 500).unref()
}

forceExitOnRepeatedSignal()
stopWhenOrphaned()

/**
 * Exit 0 once stopped by a signal (effect 4's default is 130 for an interrupted main), 1 when
 * start-up failed.
 */
const exitCode = <E, A>(exit: Exit.Exit<A, E>): number =>
  Exit.isSuccess(exit) || Cause.hasInterruptsOnly(exit.cause) ? 0 : 1

NodeRuntime.runMain(main, { disableErrorReporting: true, teardown: (exit, onExit) => onExit(exitCode(exit)) })
