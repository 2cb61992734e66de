/**
 * Runs examples/deno as `pnpm start` does (the command of deno.json's `start` task), with the
 * Deno binary of the `deno` package, and reads what it prints: the port it listens on and, on the
 * first start, the tenant's Secret Token.
 */
import * as SqlClient from "effect/sql/SqlClient"
import * as PgClient from "@effect/sql-pg/PgClient"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as ChildProcess from "node:child_process"
import * as Fs from "node:fs"
import { createRequire } from "node:module"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"

export const exampleDir = fileURLToPath(new URL("../../", import.meta.url))

/**
 * The Deno executable. The `node_modules/.bin/deno` shim runs it through Node (`bin.cjs`), which
 * would keep SIGTERM from reaching the server: the test asks the package where its executable is
 * (`install_api.cjs`, what the shim itself calls: it links the binary of the platform's
 * `@deno/*` package into the package folder, nothing is downloaded).
 */
const denoBinary = (): string => {
  const require = createRequire(Path.join(exampleDir, "package.json"))
  const api = require(Path.join(Path.dirname(require.resolve("deno/package.json")), "install_api.cjs")) as {
    readonly runInstall: () => string
  }
  return api.runInstall()
}

/** The arguments of deno.json's `start` task (`deno <args>`). */
const startArgs = (): ReadonlyArray<string> => {
  const config = JSON.parse(Fs.readFileSync(Path.join(exampleDir, "deno.json"), "utf8")) as {
    readonly tasks: { readonly start: string }
  }
  const [command, ...args] = config.tasks.start.split(/\s+/)
  if (command !== "deno") throw new Error(`the start task does not run deno: ${config.tasks.start}`)
  return args
}

/** This process's environment without the variables the example reads, plus `env`. */
const childEnv = (env: Record<string, string>): NodeJS.ProcessEnv => {
  const base: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (key !== "PORT" && key !== "DATA_DIR" && key !== "DATABASE_URL") base[key] = value
  }
  // no update check: nothing but localhost (and the Postgres server) is reached
  return { ...base, DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1", ...env }
}

export interface Server {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string
  /** The Secret Token printed on the first start; undefined on a later start. */
  readonly token: string | undefined
  readonly output: () => string
  /** SIGTERM, then the exit code (the server disposes the store before exiting); SIGKILL after 10 s. */
  readonly stop: () => Promise<number | null>
}

const listening = /listening on http:\/\/localhost:(\d+)/
const secretToken = /Secret Token: (\S+)/

/** Starts the example with `env` (PORT=0: the server prints the port it got) and waits until it listens. */
export const start = (env: Record<string, string>): Promise<Server> =>
  new Promise((resolve, reject) => {
    const child = ChildProcess.spawn(denoBinary(), startArgs(), {
      cwd: exampleDir,
      env: childEnv({ PORT: "0", ...env }),
      stdio: ["ignore", "pipe", "pipe"]
    })
    let output = ""
    let started = false
    const exited = new Promise<number | null>((done) => child.on("exit", (code) => done(code)))
    const timer = setTimeout(() => {
      child.kill("SIGKILL")
      reject(new Error(`deno did not start in 60 s:\n${output}`))
    }, 60_000)
    const read = (chunk: Buffer) => {
      output += chunk.toString("utf8")
      const port = started ? undefined : listening.exec(output)?.[1]
      if (port === undefined) return
      started = true
      clearTimeout(timer)
      resolve({
        origin: `http://127.0.0.1:${port}`,
        token: secretToken.exec(output)?.[1],
        output: () => output,
        stop: () => {
          if (child.exitCode !== null || child.signalCode !== null) return exited
          child.kill("SIGTERM")
          // a server that hangs on SIGTERM fails the test (exit code null) instead of holding it
          const kill = setTimeout(() => child.kill("SIGKILL"), 10_000)
          return exited.finally(() => clearTimeout(kill))
        }
      })
    }
    child.stdout.on("data", read)
    child.stderr.on("data", read)
    void exited.then((code) => {
      clearTimeout(timer)
      reject(new Error(`deno exited (${code}) before listening:\n${output}`))
    })
  })

/** A fresh database on the Postgres server of `serverUrl` for `use`, dropped afterwards. */
export const withDatabase = async <A>(serverUrl: string, use: (url: string) => Promise<A>): Promise<A> => {
  const name = `scimkit_deno_${process.pid}_${Math.random().toString(36).slice(2, 10)}`
  const admin = (statement: (sql: SqlClient.SqlClient) => Effect.Effect<unknown, unknown>) =>
    Effect.runPromise(
      Effect.flatMap(SqlClient.SqlClient, statement).pipe(
        Effect.provide(PgClient.layer({ url: Redacted.make(serverUrl), maxConnections: 1 }))
      )
    )
  await admin((sql) => sql`create database ${sql(name)}`)
  try {
    const url = new URL(serverUrl)
    url.pathname = `/${name}`
    return await use(url.toString())
  } finally {
    await admin((sql) => sql`drop database if exists ${sql(name)} with (force)`)
  }
}
