/**
 * Runs the example app as `pnpm start` does, in a child process on a free port with a fresh data
 * directory, and reads the Secret Token it prints on its first start.
 */
import * as ChildProcess from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"

/** The example's folder (the child's working directory). */
export const exampleDir = fileURLToPath(new URL("../../", import.meta.url))

export interface App {
  /** `http://localhost:<port>`: the app's root. */
  readonly url: string
  /** The Secret Token printed on the first start. */
  readonly token: string
  /** Everything the app wrote so far. */
  readonly output: () => string
  /** Stops the app (SIGTERM, then SIGKILL after 10 s) and removes its data directory. */
  readonly stop: () => Promise<void>
}

export interface StartOptions {
  /** The command line, run in {@link exampleDir}. */
  readonly command: ReadonlyArray<string>
  /** Extra environment (PORT, DATA_DIR are set unless given). */
  readonly env?: Record<string, string>
  /** How long to wait for the app to listen (default 60 s). */
  readonly timeoutMs?: number
  /** Matches the app's "ready" line; its first group is the app's root URL. */
  readonly ready?: RegExp
}

/** The environment of the child: this process's, without the variables the app reads. */
const childEnv = (env: Record<string, string>): NodeJS.ProcessEnv => {
  const base: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (key === "PORT" || key === "DATA_DIR" || key === "DATABASE_URL" || key.startsWith("NODE_OPTIONS")) continue
    base[key] = value
  }
  return { ...base, ...env }
}

/** Starts the app and waits until it prints `listening on <url>` and its Secret Token. */
export const start = (options: StartOptions): Promise<App> => {
  const dataDir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "scimkit-example-"))
  const [command, ...args] = options.command
  const child = ChildProcess.spawn(command!, args, {
    cwd: exampleDir,
    env: childEnv({ PORT: "0", DATA_DIR: dataDir, ...options.env }),
    stdio: ["ignore", "pipe", "pipe"],
    // its own process group: stopping it stops whatever it started (npx, next's workers)
    detached: true
  })
  let output = ""
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()))
  const signal = (name: NodeJS.Signals) => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, name)
    } catch {
      // already gone
    }
  }
  const stop = async () => {
    signal("SIGTERM")
    const timer = setTimeout(() => signal("SIGKILL"), 10_000)
    await exited
    clearTimeout(timer)
    Fs.rmSync(dataDir, { recursive: true, force: true })
  }
  return new Promise<App>((resolve, reject) => {
    const ready = options.ready ?? /listening on (http:\/\/\S+)/
    const fail = (why: string) => {
      void stop().then(() => reject(new Error(`${why}:\n${output}`)))
    }
    const timer = setTimeout(() => fail("the app did not start in time"), options.timeoutMs ?? 60_000)
    const onData = (chunk: string) => {
      output += chunk
      const url = ready.exec(output)?.[1]
      const token = /Secret Token:\s+(\S+)/.exec(output)?.[1]
      if (url !== undefined && token !== undefined) {
        clearTimeout(timer)
        resolve({ url, token, output: () => output, stop })
      }
    }
    child.stdout.setEncoding("utf8").on("data", onData)
    child.stderr.setEncoding("utf8").on("data", onData)
    child.once("exit", (code, sig) => {
      clearTimeout(timer)
      reject(new Error(`the app exited (${code ?? sig}) before it was ready:\n${output}`))
    })
  })
}
