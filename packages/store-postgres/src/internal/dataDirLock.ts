/**
 * An exclusive lock on an embedded data directory, so that only one process ever opens it (two
 * PGlite instances writing one directory would corrupt it). The lock is the file `scimkit.lock`
 * holding the owner's pid; it is created atomically with its content (a hard link of a complete
 * temporary file), and a lock whose process is gone is taken over under a short-lived mutex
 * directory, so two processes starting at once never both take it.
 *
 * @internal
 */
import { StoreError } from "@scimkit/core"
import * as Effect from "effect/Effect"
import * as Fs from "node:fs"
import * as Path from "node:path"
import type * as Scope from "effect/Scope"

/** @internal */
export const lockFileName = "scimkit.lock"

const takeoverStaleAfterMs = 10_000

const code = (e: unknown): string | undefined => (e as NodeJS.ErrnoException | undefined)?.code

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM"
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

const held = (pid: number | undefined | null): pid is number => typeof pid === "number" && (pid === process.pid || isAlive(pid))

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
      if (stat !== undefined && Date.now() - stat.mtimeMs > takeoverStaleAfterMs) Fs.rmSync(mutex, { recursive: true, force: true })
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

/**
 * Takes the lock of `dir` (creating the directory if missing) for the scope's lifetime. Fails with
 * a `StoreError` naming the process that holds it.
 *
 * @internal
 */
export const acquire = (dir: string): Effect.Effect<void, StoreError, Scope.Scope> => {
  const file = Path.join(dir, lockFileName)
  const attempt = Effect.try({
    try: () => {
      Fs.mkdirSync(dir, { recursive: true })
      return tryTake(file)
    },
    catch: (cause) =>
      new StoreError({
        message: `Cannot lock the embedded store in ${dir}: ${String(cause)}; check the directory is writable`,
        cause
      })
  })
  const loop: Effect.Effect<void, StoreError> = Effect.flatMap(attempt, (result) => {
    if (result === "taken") return Effect.void
    if (result === "retry") return Effect.andThen(Effect.sleep("50 millis"), loop)
    return Effect.fail(
      new StoreError({
        message:
          `the embedded store in ${dir} is in use by process ${result.pid}; stop the server first or use DATABASE_URL (if no such process runs, delete ${file})`
      })
    )
  })
  return Effect.acquireRelease(loop, () => Effect.sync(() => release(file)))
}
