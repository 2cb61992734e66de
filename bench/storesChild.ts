/**
 * A process that opens one store, loads `count` users (through the store, in transactions of
 * 1,000) and prints its resident memory as JSON: before opening, after opening, after loading and
 * after a few queries (after a full GC each time when run with --expose-gc). Run by
 * stores.bench.ts: `node --expose-gc --conditions=@scimkit/source --import tsx bench/storesChild.ts sqlite|pglite <count> <dir>`.
 */
import * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Path from "node:path"
import { Model, Transactions, UserStore, type Stores } from "@scimkit/core"
import { StorePostgres } from "@scimkit/store-postgres"
import { StoreSqlite } from "@scimkit/store-sqlite"
import { benchUser } from "./users.js"

const [kind = "sqlite", countText = "10000", dir = "."] = process.argv.slice(2)
const count = Number(countText)
const platform = Model.PlatformId.make("bench")

const rss = (): number => {
  ;(globalThis as { gc?: () => void }).gc?.()
  return Math.round(process.memoryUsage().rss / 1024 / 1024)
}

const user = benchUser

const before = rss()
const layer: Layer.Layer<Stores.Stores, unknown> = kind === "pglite"
  ? StorePostgres.layerEmbedded({ dataDir: Path.join(dir, "pglite") })
  : StoreSqlite.layer({ filename: Path.join(dir, "scimkit.db") })
const runtime = ManagedRuntime.make(layer)
await runtime.runPromise(Effect.void)
const opened = rss()
await runtime.runPromise(Effect.gen(function*() {
  const users = yield* UserStore.UserStore
  const transactions = yield* Transactions.Transactions
  for (let from = 0; from < count; from += 1000) {
    yield* transactions.run(
      Effect.forEach(
        Array.from({ length: Math.min(1000, count - from) }, (_, i) => user(from + i)),
        (u) => users.insert(platform, u),
        { discard: true }
      )
    )
  }
}))
const loaded = rss()
await runtime.runPromise(Effect.gen(function*() {
  const users = yield* UserStore.UserStore
  for (let i = 0; i < 1000; i++) yield* users.findByUserName(platform, `USER${(i * 7919) % count}@example.com`)
}))
const used = rss()
await runtime.dispose()
process.stdout.write(JSON.stringify({ kind, count, before, opened, loaded, used }) + "\n")
