/**
 * The embedded store: PGlite persisted in a data directory that only one process opens at a time,
 * closed cleanly with the layer's scope. (The lock itself: store-sql/test/FileLock.test.ts.)
 */
import { assert, describe, it } from "@effect/vitest"
import { Model, UserStore } from "@scimkit/core"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { StorePostgres } from "../src/index.js"

const tempDir = Effect.acquireRelease(
  Effect.sync(() => Fs.mkdtempSync(Path.join(Os.tmpdir(), "scimkit-embedded-"))),
  (dir) => Effect.sync(() => Fs.rmSync(dir, { recursive: true, force: true }))
)

const lockFile = (dir: string) => Path.join(dir, StorePostgres.lockFileName)

const t0 = DateTime.makeUnsafe(Date.UTC(2025, 0, 1))
const alice = new Model.StoredUser({
  id: Model.UserId.make("alice"),
  userName: "alice@example.com",
  externalId: Option.none(),
  displayName: Option.some("Alice"),
  active: true,
  platformRole: "ADMIN",
  document: { userName: "alice@example.com", displayName: "Alice", title: "Owner" },
  version: 1,
  created: t0,
  lastModified: t0
})
const p = Model.PlatformId.make("embedded")

describe("embedded store", () => {
  it.effect(
    "persists in its data directory (created if missing), locks it while open and closes cleanly",
    () =>
      Effect.gen(function*() {
        const dir = Path.join(yield* tempDir, "nested", "data")
        const embedded = StorePostgres.layerEmbedded({ dataDir: dir })
        yield* Effect.scoped(Effect.gen(function*() {
          const context = yield* Layer.build(embedded)
          yield* Effect.provide(Effect.flatMap(UserStore.UserStore, (users) => users.insert(p, alice)), context)
          assert.strictEqual(Fs.readFileSync(lockFile(dir), "utf8").trim(), String(process.pid))
          const error = yield* Effect.flip(Effect.scoped(Layer.build(StorePostgres.layerEmbedded({ dataDir: dir }))))
          assert.strictEqual(error._tag, "StoreError")
          assert.include(
            error.message,
            `the embedded store in ${dir} is in use by process ${process.pid}; stop the server first or use DATABASE_URL`
          )
        }))
        assert.isFalse(Fs.existsSync(lockFile(dir)), "the lock is released on close")
        const reopened = yield* Layer.build(embedded)
        const back = yield* Effect.provide(
          Effect.flatMap(UserStore.UserStore, (users) => users.get(p, alice.id)),
          reopened
        )
        assert.deepStrictEqual(back, alice)
      }),
    { timeout: 300_000 }
  )
})
