/**
 * Runs examples/deno as `pnpm start` does (the command of deno.json's `start` task), with the
 * Deno binary of the `deno` package, and reads what it prints: the port it listens on and, on the
 * first start, the tenant's Secret Token.
 */
import * as PgClient from "@effect/sql-pg/PgClient"
import { AppProcess, Databases } from "@scimkit/testkit"
import * as Redacted from "effect/Redacted"
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

export interface Server {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string
  /** The Secret Token printed on the first start; undefined on a later start. */
  readonly token: string | undefined
  readonly output: () => string
  /** SIGTERM, then the exit code (the server disposes the store before exiting); SIGKILL after 10 s. */
  readonly stop: () => Promise<number | null>
}

/** Starts the example with `env` (PORT=0: the server prints the port it got) and waits until it listens. */
export const start = async (env: Record<string, string>): Promise<Server> => {
  const app = await AppProcess.start({
    command: [denoBinary(), ...startArgs()],
    cwd: exampleDir,
    // no update check: nothing but localhost (and the Postgres server) is reached
    env: { DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1", ...env },
    ready: /listening on (http:\/\/localhost:\d+)/
  })
  return { ...app, origin: `http://127.0.0.1:${new URL(app.url).port}` }
}

/** A fresh database on the Postgres server of `serverUrl` for `use`, dropped afterwards. */
export const withDatabase = <A>(serverUrl: string, use: (url: string) => Promise<A>): Promise<A> =>
  Databases.use(
    serverUrl,
    (url) => PgClient.layer({ url: Redacted.make(url), maxConnections: 1 }),
    use,
    "scimkit_deno"
  )
