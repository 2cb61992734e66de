/**
 * The lock file of an embedded database (a PGlite data directory, a SQLite file): a live holder is
 * refused by name, a dead one's lock is taken over, exactly once among processes racing for it.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as ChildProcess from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import * as FileLock from "../src/FileLock.js"

const tempDir = Effect.acquireRelease(
  Effect.sync(() => Fs.mkdtempSync(Path.join(Os.tmpdir(), "scimkit-lock-"))),
  (dir) => Effect.sync(() => Fs.rmSync(dir, { recursive: true, force: true }))
)

/** The pid of a process that has exited. */
const deadPid = Effect.sync(() => {
  const child = ChildProcess.spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"])
  return Number(child.stdout.toString())
})

const lockFile = (dir: string) => Path.join(dir, "scimkit.lock")

const DataDirLock = {
  acquire: (dir: string) => FileLock.acquire({ file: lockFile(dir), what: `the store in ${dir}` })
}

describe("lock file", () => {
  it.effect("a lock left by a process that is gone is taken over", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const gone = yield* deadPid
      Fs.writeFileSync(lockFile(dir), `${gone}\n`)
      yield* DataDirLock.acquire(dir)
      assert.strictEqual(Fs.readFileSync(lockFile(dir), "utf8").trim(), String(process.pid))
    }))

  it.effect("a lock held by a live process is refused, naming that process, and left as it is", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const holder = process.ppid
      Fs.writeFileSync(lockFile(dir), `${holder}\n`)
      const error = yield* Effect.flip(DataDirLock.acquire(dir))
      assert.include(error.message, `is in use by process ${holder}`)
      assert.strictEqual(Fs.readFileSync(lockFile(dir), "utf8"), `${holder}\n`)
    }))

  it.effect("a lock file without a pid is stale; releasing removes only our own lock", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      Fs.writeFileSync(lockFile(dir), "")
      yield* Effect.scoped(DataDirLock.acquire(dir))
      assert.isFalse(Fs.existsSync(lockFile(dir)))
      yield* Effect.scoped(Effect.gen(function*() {
        yield* DataDirLock.acquire(dir)
        Fs.writeFileSync(lockFile(dir), `${process.ppid}\n`)
      }))
      assert.strictEqual(Fs.readFileSync(lockFile(dir), "utf8"), `${process.ppid}\n`, "someone else's lock stays")
    }))

  it.live("of processes taking over a stale lock at once exactly one gets it", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      Fs.writeFileSync(lockFile(dir), `${yield* deadPid}\n`)
      const here = Path.dirname(fileURLToPath(import.meta.url))
      const holder = Path.join(here, "fixtures", "lockHolder.ts")
      const root = Path.resolve(here, "../../..")
      const children = Array.from({ length: 4 }, () =>
        ChildProcess.spawn(process.execPath, ["--conditions=@scimkit/source", "--import", "tsx", holder, dir], {
          cwd: root
        }))
      const answers = yield* Effect.forEach(children, (child) =>
        Effect.callback<string>((resume) => {
          let out = ""
          child.stdout.on("data", (chunk: Buffer) => {
            out += chunk.toString()
            if (out.includes("\n")) {
              resume(Effect.succeed(out.trim()))
            }
          })
          child.on("exit", () =>
            resume(Effect.succeed(out.trim())))
        }), { concurrency: "unbounded" })
      const winners = children.filter((_, i) =>
        answers[i] === "took"
      )
      assert.strictEqual(winners.length, 1, `answers: ${answers.join(", ")}`)
      assert.strictEqual(Fs.readFileSync(lockFile(dir), "utf8").trim(), String(winners[0]!.pid))
      Fs.writeFileSync(Path.join(dir, "release"), "")
      yield* Effect.forEach(children, (child) =>
        Effect.callback<void>((resume) => {
          if (child.exitCode !== null) return resume(Effect.void)
          child.on("exit", () => resume(Effect.void))
        }))
      assert.isFalse(Fs.existsSync(lockFile(dir)), "the winner released it on exit")
    }).pipe(Effect.scoped), { timeout: 120_000 })
})
