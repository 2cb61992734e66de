/**
 * Runs the real example server and CLI as child processes, exactly as `pnpm start` and
 * `pnpm scimkit` do (`node --conditions=@scimkit/source --import tsx src/main.ts` in examples/node), and
 * talks to the server over HTTP with `fetch`.
 */
import * as Data from "effect/Data"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import * as ChildProcess from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"

export const repoRoot = fileURLToPath(new URL("../../../../", import.meta.url))
const exampleDir = Path.join(repoRoot, "examples", "node")
const mainScript = "src/main.ts"
const cliScript = "src/cli.ts"
/** The command line of examples/node/package.json's `start` and `cli` scripts. */
const nodeArgs = (
  script: string,
  args: ReadonlyArray<string> = []
) => ["--conditions=@scimkit/source", "--import", "tsx", script, ...args]

export class HarnessError extends Data.TaggedError("HarnessError")<{ readonly message: string }> {}

/** A fresh directory under the OS temp dir, removed when the scope closes. */
export const tempDir = (prefix: string): Effect.Effect<string, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.sync(() => Fs.mkdtempSync(Path.join(Os.tmpdir(), `scimkit-${prefix}-`))),
    (dir) => Effect.sync(() => Fs.rmSync(dir, { recursive: true, force: true }))
  )

/**
 * A data directory for a test's server: a fresh, empty directory (the server creates its SQLite
 * database there in milliseconds). The test of the very first start uses a directory that does not
 * exist yet.
 */
export const emptyDataDir: Effect.Effect<string, never, Scope.Scope> = Effect.gen(function*() {
  const dir = Path.join(yield* tempDir("data"), "store")
  Fs.mkdirSync(dir)
  return dir
})

/**
 * The environment of a child: this process's, minus every variable the server reads (so a
 * developer's shell settings never leak into a test), plus `env`.
 */
const childEnv = (env: Record<string, string>): NodeJS.ProcessEnv => {
  const base: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(SCIMKIT_|SCIM_|AP_SCIM_)/.test(key) || key === "PORT" || key === "DATABASE_URL" || key === "INIT_CWD") {
      continue
    }
    base[key] = value
  }
  return { ...base, ...env }
}

/** Children run in their own process group; a test that ends early kills the whole group. */
const killGroup = (child: ChildProcess.ChildProcess): void => {
  if (child.pid === undefined) return
  try {
    process.kill(-child.pid, "SIGKILL")
  } catch {
    // already gone
  }
}

export interface Exited {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
}

export interface ServerProcess {
  /** The SCIM root, e.g. `http://localhost:41234/api/v1/scim/v2`. */
  readonly baseUrl: string
  readonly port: number
  readonly pid: number
  /** Everything the process wrote to stdout so far. */
  readonly stdout: () => string
  readonly stderr: () => string
  /** Sends the signal and waits for the process to exit. */
  readonly stop: (signal?: NodeJS.Signals) => Effect.Effect<Exited>
  /** Waits for the process to exit by itself. */
  readonly exited: Effect.Effect<Exited>
}

const readyPattern = /scimkit listening on (http:\/\/localhost:(\d+)(\/\S*)?)\b/

/**
 * Starts `src/main.ts` with `env` (PORT=0 unless given) and waits until it logs that it listens.
 * The process is killed (SIGKILL) when the scope closes if it is still running.
 */
export const startServer = (
  env: Record<string, string>,
  options: { readonly timeout?: Duration.Input } = {}
): Effect.Effect<ServerProcess, HarnessError, Scope.Scope> =>
  Effect.gen(function*() {
    let stdout = ""
    let stderr = ""
    const ready = yield* Deferred.make<{ baseUrl: string; port: number }, HarnessError>()
    const exit = yield* Deferred.make<Exited>()
    const child = yield* Effect.acquireRelease(
      Effect.sync(() =>
        ChildProcess.spawn(process.execPath, nodeArgs(mainScript), {
          cwd: exampleDir,
          // the load the concurrency and fuzz suites send is not what the rate limit is for; its own test sets it
          env: childEnv({ PORT: "0", SCIMKIT_RATE_LIMIT: "off", ...env }),
          stdio: ["ignore", "pipe", "pipe"],
          detached: true
        })
      ),
      (child) =>
        Effect.gen(function*() {
          killGroup(child)
          yield* Deferred.await(exit)
        })
    )
    child.stdout.setEncoding("utf8")
    child.stderr.setEncoding("utf8")
    child.stdout.on("data", (chunk: string) => {
      stdout += chunk
      const match = readyPattern.exec(stdout)
      if (match !== null) Deferred.doneUnsafe(ready, Effect.succeed({ baseUrl: match[1]!, port: Number(match[2]) }))
    })
    child.stderr.on("data", (chunk: string) => {
      stderr += chunk
    })
    child.on("exit", (code, signal) => {
      Deferred.doneUnsafe(exit, Effect.succeed({ code, signal }))
      Deferred.doneUnsafe(
        ready,
        Effect.fail(
          new HarnessError({ message: `server exited (${code ?? signal}) before listening:\n${stdout}\n${stderr}` })
        )
      )
    })
    const { baseUrl, port } = yield* Deferred.await(ready).pipe(
      Effect.timeoutOrElse({
        duration: options.timeout ?? Duration.seconds(90),
        orElse: () => Effect.fail(new HarnessError({ message: `server did not start in time:\n${stdout}\n${stderr}` }))
      })
    )
    return {
      baseUrl,
      port,
      pid: child.pid ?? -1,
      stdout: () => stdout,
      stderr: () => stderr,
      exited: Deferred.await(exit),
      /** Sends the signal to the server process, as `kill`, `docker stop` or a terminal's Ctrl-C would. */
      stop: (signal = "SIGTERM") =>
        Effect.suspend(() => {
          if (child.exitCode === null && child.signalCode === null) child.kill(signal)
          return Deferred.await(exit)
        })
    }
  })

/** Runs the server expecting it NOT to start (bad configuration): its exit and output. */
export const runServerToExit = (env: Record<string, string>): Effect.Effect<CliResult> =>
  runScript(mainScript, [], { PORT: "0", ...env })

export interface CliResult {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

const runScript = (
  script: string,
  args: ReadonlyArray<string>,
  env: Record<string, string>
): Effect.Effect<CliResult> =>
  Effect.callback<CliResult>((resume) => {
    const child = ChildProcess.spawn(process.execPath, nodeArgs(script, args), {
      cwd: exampleDir,
      env: childEnv(env),
      stdio: ["ignore", "pipe", "pipe"],
      detached: true
    })
    let stdout = ""
    let stderr = ""
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk
    })
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk
    })
    child.on("close", (code) => resume(Effect.succeed({ code, stdout, stderr })))
    return Effect.sync(() => killGroup(child))
  })

/** `pnpm scimkit <args>` with `env`. */
export const cli = (args: ReadonlyArray<string>, env: Record<string, string>): Effect.Effect<CliResult> =>
  runScript(cliScript, args, env)

/** The first-start banner's Tenant URL and Secret Token, if the output has them. */
export const banner = (stdout: string): Option.Option<{ readonly tenantUrl: string; readonly secret: string }> => {
  const tenant = /Tenant URL:\s+(\S+)/.exec(stdout)
  const secret = /Secret Token:\s+(\S+)/.exec(stdout)
  return tenant !== null && secret !== null ? Option.some({ tenantUrl: tenant[1]!, secret: secret[1]! }) : Option.none()
}

// ---------------------------------------------------------------------------------------------
// HTTP

export interface Reply {
  readonly status: number
  readonly headers: Headers
  readonly text: string
  /** The parsed body, or undefined when empty. */
  readonly body: unknown
}

export interface RequestOptions {
  readonly body?: unknown
  /** A raw body sent as is (for malformed JSON). */
  readonly rawBody?: string
  readonly headers?: Record<string, string>
  readonly token?: string | null
}

export interface Client {
  readonly request: (method: string, path: string, options?: RequestOptions) => Effect.Effect<Reply, HarnessError>
  readonly get: (path: string, options?: RequestOptions) => Effect.Effect<Reply, HarnessError>
  readonly post: (path: string, body: unknown, options?: RequestOptions) => Effect.Effect<Reply, HarnessError>
  readonly put: (path: string, body: unknown, options?: RequestOptions) => Effect.Effect<Reply, HarnessError>
  readonly patch: (path: string, body: unknown, options?: RequestOptions) => Effect.Effect<Reply, HarnessError>
  readonly delete: (path: string, options?: RequestOptions) => Effect.Effect<Reply, HarnessError>
}

/** A SCIM client for `baseUrl` authenticating with `Authorization: Bearer <token>`. */
export const client = (baseUrl: string, token: string): Client => {
  const request = (method: string, path: string, options: RequestOptions = {}): Effect.Effect<Reply, HarnessError> =>
    Effect.tryPromise({
      try: async (signal) => {
        const headers: Record<string, string> = { accept: "application/scim+json", ...options.headers }
        const bearer = options.token === undefined ? token : options.token
        if (bearer !== null) headers.authorization = `Bearer ${bearer}`
        let body: string | undefined
        if (options.rawBody !== undefined) body = options.rawBody
        else if (options.body !== undefined) body = JSON.stringify(options.body)
        if (body !== undefined && headers["content-type"] === undefined) {
          headers["content-type"] = "application/scim+json"
        }
        const response = await fetch(`${baseUrl}${path}`, { method, headers, body: body ?? null, signal })
        const text = await response.text()
        let parsed: unknown = undefined
        if (text !== "") {
          try {
            parsed = JSON.parse(text)
          } catch {
            parsed = undefined
          }
        }
        return { status: response.status, headers: response.headers, text, body: parsed }
      },
      catch: (cause) => new HarnessError({ message: `${method} ${path} failed: ${String(cause)}` })
    })
  return {
    request,
    get: (path, options) => request("GET", path, options),
    post: (path, body, options) => request("POST", path, { ...options, body }),
    put: (path, body, options) => request("PUT", path, { ...options, body }),
    patch: (path, body, options) => request("PATCH", path, { ...options, body }),
    delete: (path, options) => request("DELETE", path, options)
  }
}

// ---------------------------------------------------------------------------------------------
// reading JSON without `any`

/** The value at `path` (dot-separated keys and array indexes) in a parsed JSON value. */
export const at = (value: unknown, path: string): unknown => {
  let current: unknown = value
  for (const key of path.split(".")) {
    if (current === null || typeof current !== "object") return undefined
    current = Array.isArray(current) ? current[Number(key)] : (current as Record<string, unknown>)[key]
  }
  return current
}

/** The string at `path`, or a failure naming the path. */
export const str = (value: unknown, path: string): string => {
  const found = at(value, path)
  if (typeof found !== "string") throw new Error(`expected a string at ${path}, got ${JSON.stringify(found)}`)
  return found
}

/** The array at `path` (empty when absent). */
export const arr = (value: unknown, path: string): ReadonlyArray<unknown> => {
  const found = path === "" ? value : at(value, path)
  return Array.isArray(found) ? found : []
}

// ---------------------------------------------------------------------------------------------
// a server shared by the tests of one file

/** A bootstrap key for tests: the core accepts `sk-` plus at least 29 more characters. */
export const makeKey = (): string => `sk-test-${globalThis.crypto.randomUUID()}`

export interface Running {
  readonly server: ServerProcess
  readonly dataDir: string
  readonly key: string
  readonly scim: Client
}

/** Starts a server on a fresh embedded store with a bootstrap key: the fixture of the e2e files. */
export const running = (env: Record<string, string> = {}): Effect.Effect<Running, HarnessError, Scope.Scope> =>
  Effect.gen(function*() {
    const dataDir = yield* emptyDataDir
    const key = makeKey()
    const server = yield* startServer({ SCIMKIT_DATA_DIR: dataDir, SCIMKIT_BOOTSTRAP_KEY: key, ...env })
    return { server, dataDir, key, scim: client(server.baseUrl, key) }
  })

// ---------------------------------------------------------------------------------------------
// operations: health, metrics

/** `GET <origin><path>` without credentials (health and metrics need none). */
export const getPlain = (
  url: string
): Effect.Effect<{ readonly status: number; readonly text: string }, HarnessError> =>
  Effect.tryPromise({
    try: async () => {
      const response = await fetch(url)
      return { status: response.status, text: await response.text() }
    },
    catch: (cause) => new HarnessError({ message: `GET ${url} failed: ${String(cause)}` })
  })

/** The server's origin (`http://localhost:<port>`). */
export const originOf = (server: ServerProcess): string => `http://localhost:${server.port}`

/** The metrics URL the server logged (`Metrics for Prometheus at …`). */
export const metricsUrl = (stdout: string): Option.Option<string> =>
  Option.fromNullishOr(/Metrics for Prometheus at (http:\/\/\S+?)"/.exec(stdout)?.[1])

/**
 * Runs `effect` until `done` holds for its result (every `interval`), failing with the last result
 * after `within`: for what the server does in the background (a prune, a delivery, an export).
 */
export const eventually = <A, E>(
  effect: Effect.Effect<A, E>,
  done: (a: A) => boolean,
  options: { readonly within?: Duration.Input; readonly interval?: Duration.Input } = {}
): Effect.Effect<A, E | HarnessError> =>
  Effect.gen(function*() {
    const deadline = Date.now() + Duration.toMillis(Duration.fromInputUnsafe(options.within ?? "20 seconds"))
    for (;;) {
      const result = yield* effect
      if (done(result)) return result
      if (Date.now() > deadline) {
        return yield* Effect.fail(
          new HarnessError({ message: `not reached in time; last result: ${JSON.stringify(result)}` })
        )
      }
      yield* Effect.sleep(options.interval ?? "200 millis")
    }
  })
