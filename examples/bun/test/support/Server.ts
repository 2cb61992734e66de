/**
 * Runs examples/bun as `pnpm start` does (the command of package.json's `start` script), with the
 * Bun binary of the `bun` package, and reads what it prints: the port it listens on and, on the
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
 * The Bun executable. The `node_modules/.bin/bun` shim runs it as a child of a shell, which would
 * keep SIGTERM from reaching the server: the test runs the executable the shim names (the package's
 * postinstall put the platform's binary there).
 */
const bunBinary = (): string =>
  Path.join(
    Path.dirname(createRequire(Path.join(exampleDir, "package.json")).resolve("bun/package.json")),
    "bin",
    "bun.exe"
  )

/** The arguments of package.json's `start` script (`bun <args>`). */
const startArgs = (): ReadonlyArray<string> => {
  const pkg = JSON.parse(Fs.readFileSync(Path.join(exampleDir, "package.json"), "utf8")) as {
    readonly scripts: { readonly start: string }
  }
  const [command, ...args] = pkg.scripts.start.split(/\s+/)
  if (command !== "bun") throw new Error(`the start script does not run bun: ${pkg.scripts.start}`)
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
    command: [bunBinary(), ...startArgs(), "--no-install"],
    cwd: exampleDir,
    // no auto-install, telemetry or crash upload: everything comes from node_modules
    env: { DO_NOT_TRACK: "1", NO_COLOR: "1", ...env },
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
    "scimkit_bun"
  )
