/**
 * Starting and stopping the servers of `pnpm bench http`, each as its own child process pinned to
 * core 0 with `taskset` when it exists (the load generator gets core 1), so that every server gets
 * the same single core and its CPU time is its own:
 *
 * - `limit`: bare node:http, fixed body (limit.ts); `floor`: stock Effect 4 Node server, fixed body
 *   (floor.ts); `SCIMMY`: the npm peer on express with an in-memory store (scimmy.mjs);
 * - `scimkit-memory`, `scimkit-sqlite`, `scimkit-postgres`: the example server (examples/node),
 *   started exactly as its tests and `pnpm start` do (`node --conditions=@scimkit/source --import tsx
 *   src/main.ts` in examples/node) on each store.
 *
 * Every child runs under `node --conditions=@scimkit/source --import tsx`, so they all pay the same loader.
 * Their output goes to a log file in the run's temp directory (shown when a start fails). A server
 * is ready when it answers HTTP (scimkit at `warning` does not log that it listens).
 */
import * as ChildProcess from "node:child_process"
import * as Fs from "node:fs"
import * as Net from "node:net"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import { postgresBackends } from "./proc.js"

export const repoRoot = fileURLToPath(new URL("../../", import.meta.url))
const benchDir = Path.join(repoRoot, "bench", "http")
const exampleDir = Path.join(repoRoot, "examples", "node")

export type Kind = "limit" | "floor" | "scimmy" | "memory" | "sqlite" | "postgres"

export interface Spec {
  /** Shown in the tables: `limit`, `floor`, `SCIMMY`, `scimkit-memory`, … */
  readonly name: string
  readonly kind: Kind
  /** Extra environment (e.g. SCIMKIT_LOG_LEVEL=info for the request-log run). */
  readonly env?: Record<string, string>
}

export interface Server {
  readonly name: string
  readonly kind: Kind
  /** Has a store to seed (not the fixed-body `limit` and `floor`). */
  readonly stateful: boolean
  /** `http://127.0.0.1:<port>` */
  readonly origin: string
  /** The SCIM root under the origin: `/api/v1/scim/v2`, `/scim/v2`. */
  readonly basePath: string
  readonly pid: number
  /** The processes whose CPU counts for this server: the node process, plus its Postgres backends. */
  readonly cpuPids: () => ReadonlyArray<number>
  readonly logFile: string
  /** How it ended, when it has: "exited (0)", "exited (SIGKILL)"; undefined while it runs. */
  readonly exited: () => string | undefined
  readonly stop: () => Promise<void>
}

export interface Context {
  readonly key: string
  readonly tmp: string
  /** The fresh database of the postgres server, when there is one. */
  readonly database?: { readonly name: string; readonly url: string }
}

export const hasTaskset: boolean = (() => {
  try {
    ChildProcess.execFileSync("taskset", ["-c", "0", "true"], { stdio: "ignore" })
    return true
  } catch {
    return false
  }
})()

/** `command args` pinned to `core` when taskset exists. */
export const pinned = (core: number, command: string, args: ReadonlyArray<string>): [string, Array<string>] =>
  hasTaskset ? ["taskset", ["-c", String(core), command, ...args]] : [command, [...args]]

const live = new Set<ChildProcess.ChildProcess>()
let stoppingAll = false

/** Kills every child still running (SIGKILL to its process group): for Ctrl-C and `exit`. */
export const killAllNow = (): void => {
  stoppingAll = true
  for (const child of live) {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL")
    } catch {
      // already gone
    }
  }
  live.clear()
}

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = Net.createServer()
    server.on("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      const port = typeof address === "object" && address !== null ? address.port : 0
      server.close(() => resolve(port))
    })
  })

/** This process's environment minus everything the servers read, plus `env`. */
const childEnv = (env: Record<string, string>): NodeJS.ProcessEnv => {
  const base: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (
      /^(SCIMKIT_|SCIM_|AP_SCIM_|BENCH_)/.test(key) || key === "PORT" || key === "DATABASE_URL" || key === "INIT_CWD"
    ) continue
    base[key] = value
  }
  return { ...base, ...env }
}

// The example server's V8 flags, as its `start` script passes them (examples/node/package.json): none.
// `--max-semi-space-size=4` was tried: resident memory at 100,000 users on SQLite 404 → 275 MB, but
// GET by id 1.66× slower at 100,000 users than at 10,000 (more promotion, more old-generation GC).
const exampleFlags: ReadonlyArray<string> = []

const nodeArgs = (
  script: string,
  flags: ReadonlyArray<string> = []
) => [...flags, "--conditions=@scimkit/source", "--import", "tsx", script]

interface Launch {
  readonly cwd: string
  readonly script: string
  readonly basePath: string
  readonly env: Record<string, string>
  readonly flags?: ReadonlyArray<string>
}

const launchOf = (spec: Spec, ctx: Context, port: number): Launch => {
  const fixed = { PORT: String(port), BENCH_KEY: ctx.key }
  const scimkit = {
    PORT: String(port),
    SCIMKIT_BOOTSTRAP_KEY: ctx.key,
    SCIMKIT_RATE_LIMIT: "off",
    SCIMKIT_LOG_LEVEL: "warning"
  }
  switch (spec.kind) {
    case "limit":
      return { cwd: repoRoot, script: Path.join(benchDir, "limit.ts"), basePath: "/api/v1/scim/v2", env: fixed }
    case "floor":
      return { cwd: repoRoot, script: Path.join(benchDir, "floor.ts"), basePath: "/api/v1/scim/v2", env: fixed }
    case "scimmy":
      return { cwd: repoRoot, script: Path.join(benchDir, "scimmy.mjs"), basePath: "/scim/v2", env: fixed }
    case "memory":
      return {
        cwd: exampleDir,
        script: "src/main.ts",
        basePath: "/api/v1/scim/v2",
        env: { ...scimkit, SCIMKIT_STORE: "memory" },
        flags: exampleFlags
      }
    case "sqlite": {
      const dataDir = Fs.mkdtempSync(Path.join(ctx.tmp, "sqlite-"))
      return {
        cwd: exampleDir,
        script: "src/main.ts",
        basePath: "/api/v1/scim/v2",
        env: { ...scimkit, SCIMKIT_DATA_DIR: dataDir },
        flags: exampleFlags
      }
    }
    case "postgres":
      if (ctx.database === undefined) throw new Error("no database for the postgres server")
      return {
        cwd: exampleDir,
        script: "src/main.ts",
        basePath: "/api/v1/scim/v2",
        env: { ...scimkit, DATABASE_URL: ctx.database.url },
        flags: exampleFlags
      }
  }
}

/** The last `lines` lines of a server's log (to show why it failed or answered errors). */
export const tail = (file: string, lines = 30): string => {
  try {
    return Fs.readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n")
  } catch {
    return ""
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Starts the server of `spec` and waits (up to 90 s) until it answers HTTP. */
export const start = async (spec: Spec, ctx: Context): Promise<Server> => {
  const port = await freePort()
  const launch = launchOf(spec, ctx, port)
  const logFile = Path.join(ctx.tmp, `${spec.name}.log`)
  const out = Fs.openSync(logFile, "a")
  const [command, args] = pinned(0, process.execPath, nodeArgs(launch.script, launch.flags))
  const child = ChildProcess.spawn(command, args, {
    cwd: launch.cwd,
    env: childEnv({ ...launch.env, ...spec.env }),
    stdio: ["ignore", out, out],
    detached: true
  })
  Fs.closeSync(out)
  live.add(child)
  let exited: string | undefined
  let stopping = false
  const exit = new Promise<void>((resolve) => {
    child.on("exit", (code, signal) => {
      // a signal this run did not send (it sends them only when stopping) came from outside
      exited = `exited (${code ?? signal}${
        signal !== null && !stopping && !stoppingAll ? ", a signal from outside this run" : ""
      })`
      live.delete(child)
      resolve()
    })
  })
  const origin = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 90_000
  for (;;) {
    if (exited !== undefined) throw new Error(`${spec.name} ${exited} before answering; its log:\n${tail(logFile)}`)
    if (Date.now() > deadline) {
      child.kill("SIGKILL")
      throw new Error(`${spec.name} did not answer within 90 s; its log:\n${tail(logFile)}`)
    }
    try {
      const response = await fetch(`${origin}${launch.basePath}/ServiceProviderConfig`, {
        signal: AbortSignal.timeout(2000)
      })
      await response.arrayBuffer()
      break
    } catch {
      await sleep(200)
    }
  }
  const pid = child.pid ?? -1
  const database = spec.kind === "postgres" ? ctx.database?.name : undefined
  return {
    name: spec.name,
    kind: spec.kind,
    stateful: spec.kind !== "limit" && spec.kind !== "floor",
    origin,
    basePath: launch.basePath,
    pid,
    cpuPids: () => database === undefined ? [pid] : [pid, ...postgresBackends(database)],
    logFile,
    exited: () => exited,
    stop: async () => {
      if (exited !== undefined) return
      stopping = true
      try {
        process.kill(-pid, "SIGTERM")
      } catch {
        return
      }
      const timer = setTimeout(() => {
        try {
          process.kill(-pid, "SIGKILL")
        } catch {
          // gone
        }
      }, 10_000)
      await exit
      clearTimeout(timer)
    }
  }
}
