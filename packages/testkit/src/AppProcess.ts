/**
 * An app run as its users run it: a command in a child process, on the port the app picks
 * (`PORT=0`), read from what it prints — the line that says it listens and, on a first start, the
 * tenant's Secret Token — and stopped with SIGTERM so a test sees whether it exits cleanly.
 *
 * Node test tooling: it needs `node:child_process`, so it runs under Node (vitest), not in a browser.
 */
import * as ChildProcess from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"

export interface AppProcess {
  /** The first group of {@link StartOptions.ready} in the app's output (its root URL by default). */
  readonly url: string
  /** The Secret Token the app printed before it was ready; undefined on a later start. */
  readonly token: string | undefined
  /** Everything the app wrote to stdout and stderr so far. */
  readonly output: () => string
  /**
   * SIGTERM, then the exit code (null when it had to be killed); SIGKILL after 10 s, so a server
   * that hangs on SIGTERM fails the test instead of holding it. Removes the {@link StartOptions.freshDir}.
   */
  readonly stop: () => Promise<number | null>
}

export interface StartOptions {
  /** The executable and its arguments. */
  readonly command: ReadonlyArray<string>
  /** The child's working directory. */
  readonly cwd: string
  /** Added to this process's environment, without the variables the apps read (see {@link childEnv}). */
  readonly env?: Record<string, string>
  /** The name of a variable to set to a fresh temporary directory (e.g. `DATA_DIR`), removed on stop. */
  readonly freshDir?: string
  /** Matches the app's "ready" line; its first group becomes {@link AppProcess.url}. Default: `listening on <url>`. */
  readonly ready?: RegExp
  /** Wait for the Secret Token too, and fail without it (a first start). Default: false. */
  readonly requireToken?: boolean
  /** How long to wait for the app to be ready (default 60 s). */
  readonly timeoutMs?: number
  /**
   * Run the child in its own process group and signal the group: stopping it stops whatever it
   * started (npx, next's workers). Default: false, signal the child alone.
   */
  readonly processGroup?: boolean
}

const defaultReady = /listening on (http:\/\/\S+)/
const secretToken = /Secret Token:\s+(\S+)/
/** A guess: long enough for a clean shutdown (the store disposed), short enough not to hold a test run. */
const killAfterMs = 10_000

/**
 * This process's environment without what the apps read (`PORT`, `DATA_DIR`, `DATABASE_URL`) or
 * what vitest sets for its own workers (`NODE_OPTIONS*`), plus `env`.
 */
export const childEnv = (env: Record<string, string>): NodeJS.ProcessEnv => {
  const base: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (key === "PORT" || key === "DATA_DIR" || key === "DATABASE_URL" || key.startsWith("NODE_OPTIONS")) continue
    base[key] = value
  }
  return { ...base, ...env }
}

/** Starts the command with `PORT=0` (unless `env` sets it) and waits until it prints its ready line. */
export function start(
  options: StartOptions & { readonly requireToken: true }
): Promise<AppProcess & { readonly token: string }>
export function start(options: StartOptions): Promise<AppProcess>
export function start(options: StartOptions): Promise<AppProcess> {
  const dir = options.freshDir === undefined
    ? undefined
    : Fs.mkdtempSync(Path.join(Os.tmpdir(), "scimkit-app-"))
  const [command, ...args] = options.command
  const group = options.processGroup ?? false
  const child = ChildProcess.spawn(command!, args, {
    cwd: options.cwd,
    env: childEnv({
      PORT: "0",
      ...(dir === undefined ? {} : { [options.freshDir!]: dir }),
      ...options.env
    }),
    stdio: ["ignore", "pipe", "pipe"],
    detached: group
  })
  let output = ""
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)))
  const signal = (name: NodeJS.Signals) => {
    try {
      if (group && child.pid !== undefined) process.kill(-child.pid, name)
      else child.kill(name)
    } catch {
      // already gone
    }
  }
  const stop = async (): Promise<number | null> => {
    if (child.exitCode === null && child.signalCode === null) signal("SIGTERM")
    const timer = setTimeout(() => signal("SIGKILL"), killAfterMs)
    try {
      return await exited
    } finally {
      clearTimeout(timer)
      if (dir !== undefined) Fs.rmSync(dir, { recursive: true, force: true })
    }
  }
  return new Promise<AppProcess>((resolve, reject) => {
    const ready = options.ready ?? defaultReady
    let settled = false
    const fail = (why: string) => {
      settled = true
      void stop().then(() => reject(new Error(`${why}:\n${output}`)))
    }
    const timer = setTimeout(() => fail("the app did not start in time"), options.timeoutMs ?? 60_000)
    const onData = (chunk: string) => {
      output += chunk
      if (settled) return
      const url = ready.exec(output)?.[1]
      const token = secretToken.exec(output)?.[1]
      if (url === undefined || (options.requireToken === true && token === undefined)) return
      settled = true
      clearTimeout(timer)
      resolve({ url, token, output: () => output, stop })
    }
    child.stdout.setEncoding("utf8").on("data", onData)
    child.stderr.setEncoding("utf8").on("data", onData)
    void exited.then((code) => {
      clearTimeout(timer)
      if (dir !== undefined) Fs.rmSync(dir, { recursive: true, force: true })
      if (!settled) reject(new Error(`the app exited (${code ?? child.signalCode}) before it was ready:\n${output}`))
    })
  })
}
