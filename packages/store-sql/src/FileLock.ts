/**
 * An exclusive lock on an embedded database (a PGlite data directory, a SQLite file), so that only
 * one server ever opens it. The lock is a file holding the owner's pid; it is created atomically
 * with its content (a hard link of a complete temporary file), and a lock whose process is gone is
 * taken over under a short-lived mutex directory, so two processes starting at once never both
 * take it.
 */
import { ScimError } from "@scimkit/core"
import * as Effect from "effect/Effect"
import * as Fs from "node:fs"
import * as Path from "node:path"
import type * as Scope from "effect/Scope"

/**
 * When a takeover mutex is left behind by a process that died inside the takeover: a takeover is a
 * few file operations (well under a second), so 10 seconds is never a live one. A guess, never
 * measured.
 */
const takeoverStaleAfterMs = 10_000

/**
 * How long to wait before trying again while another process takes a stale lock over: a takeover
 * is a few file operations, so a start rarely waits more than once. A guess, never measured.
 */
const retryAfter = "50 millis"

const code = (e: unknown): string | undefined => (e as NodeJS.ErrnoException | undefined)?.code

// Only ESRCH ("no such process") proves the holder is gone. Anything else (EPERM: another user's
// process; Deno without --allow-run: NotCapable) leaves the lock to its holder rather than taking
// over a running server's database.
const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== "ESRCH"
  }
}

/** The pid in a lock file; `undefined` when it holds none (garbage), `null` when there is no file. */
const readPid = (file: string): number | undefined | null => {
  let text: string
  try {
    text = Fs.readFileSync(file, "utf8")
  } catch (e) {
    if (code(e) === "ENOENT") return null
    throw e
  }
  const pid = Number.parseInt(text.trim(), 10)
  return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined
}

const held = (pid: number | undefined | null): pid is number =>
  typeof pid === "number" && (pid === process.pid || isAlive(pid))

class InUse {
  constructor(readonly pid: number) {}
}

/** Writes `content` to a fresh temporary file next to `file` and returns its path. */
const temporary = (file: string, content: string): string => {
  const tmp = `${file}.${process.pid}.${Date.now()}.${Math.random().toString(36).slice(2)}.tmp`
  Fs.writeFileSync(tmp, content, { flag: "wx" })
  return tmp
}

/** Tries once to take the lock; `InUse` when a live process holds it, "retry" when another process is taking it over. */
const tryTake = (file: string): "taken" | "retry" | InUse => {
  const content = `${process.pid}\n`
  const tmp = temporary(file, content)
  try {
    try {
      Fs.linkSync(tmp, file)
      return "taken"
    } catch (e) {
      if (code(e) !== "EEXIST") throw e
    }
    const holder = readPid(file)
    if (held(holder)) return new InUse(holder)
    if (holder === null) return "retry"
    // stale: take it over, one process at a time
    const mutex = `${file}.takeover`
    try {
      Fs.mkdirSync(mutex)
    } catch (e) {
      if (code(e) !== "EEXIST") throw e
      // a process that died inside the takeover leaves the mutex behind
      const stat = Fs.statSync(mutex, { throwIfNoEntry: false })
      if (stat !== undefined && Date.now() - stat.mtimeMs > takeoverStaleAfterMs) {
        Fs.rmSync(mutex, { recursive: true, force: true })
      }
      return "retry"
    }
    try {
      const again = readPid(file)
      if (held(again)) return new InUse(again)
      // released meanwhile: go back to creating it, never replace a lock someone may just have made
      if (again === null) return "retry"
      Fs.renameSync(tmp, file)
      return "taken"
    } finally {
      Fs.rmSync(mutex, { recursive: true, force: true })
    }
  } finally {
    Fs.rmSync(tmp, { force: true })
  }
}

const release = (file: string): void => {
  try {
    if (readPid(file) === process.pid) Fs.rmSync(file, { force: true })
  } catch {
    // the lock names this process, which is ending: a later start takes it over
  }
}

/** What the lock protects, for the messages. */
export interface LockOptions {
  /** The lock file (its directory is created if missing). */
  readonly file: string
  /** Names what is locked, e.g. "the embedded store in ./data". */
  readonly what: string
  /** The message when a live process holds the lock (default: "<what> is in use by process <pid>; stop it first"). */
  readonly inUse?: ((pid: number) => string) | undefined
}

/**
 * Takes the lock file for the scope's lifetime (creating its directory if missing) and removes it
 * when the scope closes. Fails with a `StoreError` naming the process that holds it.
 */
export const acquire = (options: LockOptions): Effect.Effect<void, ScimError.StoreError, Scope.Scope> => {
  const file = options.file
  const attempt = Effect.try({
    try: () => {
      Fs.mkdirSync(Path.dirname(file), { recursive: true })
      return tryTake(file)
    },
    catch: (cause) =>
      new ScimError.StoreError({
        message: `Cannot lock ${options.what}: ${String(cause)}; check the directory ${Path.dirname(file)} is writable`,
        cause
      })
  })
  const loop: Effect.Effect<void, ScimError.StoreError> = Effect.flatMap(attempt, (result) => {
    if (result === "taken") return Effect.void
    if (result === "retry") return Effect.andThen(Effect.sleep(retryAfter), loop)
    return Effect.fail(
      new ScimError.StoreError({
        message: `${
          options.inUse?.(result.pid) ?? `${options.what} is in use by process ${result.pid}; stop it first`
        } (if no such process runs, delete ${file})`
      })
    )
  })
  return Effect.acquireRelease(loop, () => Effect.sync(() => release(file)))
}
