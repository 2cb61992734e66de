/**
 * The change feed's throughput: events appended per second on SQLite (a file, the embedded
 * default) and, when SCIMKIT_TEST_DATABASE_URL names one, a Postgres server: N transactions each
 * appending 1 event (one writer, then 16 concurrent writers), the same with a user insert and
 * without the event (the cost of the outbox on a write), transactions of 100 events, and the feed
 * read back in pages of 500. Run from the repository root:
 *   npx tsx --conditions=@scimkit/source bench/run.ts Events
 */
import { ChangeEvent, EventStore, Model, Transactions, UserStore, type Stores } from "@scimkit/core"
import { StorePostgres, TestDatabase } from "@scimkit/store-postgres"
import { StoreSqlite } from "@scimkit/store-sqlite"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"

const platform = Model.PlatformId.make("bench")
const event = (i: number) =>
  new ChangeEvent.NewEvent({
    platform,
    type: "user.updated",
    resourceType: "User",
    resourceId: `u${i}`,
    version: 2,
    changed: ["active"],
    before: Option.some({ userName: `u${i}@example.com`, active: true, name: { givenName: "A", familyName: "B" } }),
    after: Option.some({ userName: `u${i}@example.com`, active: false, name: { givenName: "A", familyName: "B" } }),
    member: Option.none(),
    at: DateTime.makeUnsafe(Date.now()),
    actor: ChangeEvent.systemActor
  })

const time = <A, E, R>(label: string, events: number, effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const start = performance.now()
    yield* effect
    const seconds = (performance.now() - start) / 1000
    console.log(
      `${label.padEnd(52)} ${String(events).padStart(7)} events in ${seconds.toFixed(2)} s: ${
        Math.round(events / seconds).toLocaleString("en")
      } events/s`
    )
  })

const run = (name: string, n1: number, n100: number) =>
  Effect.gen(function*() {
    const store = yield* EventStore.EventStore
    const tx = yield* Transactions.Transactions
    console.log(`\n${name}`)
    // warm-up
    yield* Effect.forEach(Array.from({ length: 200 }, (_, i) => i), (i) => tx.run(store.append([event(i)])), {
      discard: true
    })
    yield* time(
      "1 event per transaction, one writer",
      n1,
      Effect.forEach(Array.from({ length: n1 }, (_, i) => i), (i) => tx.run(store.append([event(i)])), {
        discard: true
      })
    )
    yield* time(
      "1 event per transaction, 16 concurrent writers",
      n1,
      Effect.forEach(Array.from({ length: n1 }, (_, i) => i), (i) => tx.run(store.append([event(i)])), {
        discard: true,
        concurrency: 16
      })
    )
    // the same transactions without events, for comparison: a user insert each
    const users = yield* UserStore.UserStore
    const user = (i: number) =>
      new Model.StoredUser({
        id: Model.UserId.make(`${name.length}-${i}-${Math.random()}`),
        userName: `${i}-${Math.random()}@example.com`,
        externalId: Option.none(),
        displayName: Option.none(),
        active: true,
        platformRole: "MEMBER",
        document: { userName: "x" },
        version: 1,
        created: DateTime.makeUnsafe(0),
        lastModified: DateTime.makeUnsafe(0)
      })
    yield* time(
      "baseline: a user insert per transaction, one writer (no event)",
      n1,
      Effect.forEach(Array.from({ length: n1 }, (_, i) => i), (i) => tx.run(users.insert(platform, user(i))), {
        discard: true
      })
    )
    yield* time(
      "baseline: the same, 16 concurrent writers (no event)",
      n1,
      Effect.forEach(Array.from({ length: n1 }, (_, i) => i), (i) => tx.run(users.insert(platform, user(i))), {
        discard: true,
        concurrency: 16
      })
    )
    yield* time(
      "a user insert + its event per transaction, 16 writers",
      n1,
      Effect.forEach(
        Array.from({ length: n1 }, (_, i) => i),
        (i) => tx.run(Effect.andThen(users.insert(platform, user(i)), store.append([event(i)]))),
        { discard: true, concurrency: 16 }
      )
    )
    const batch = Array.from({ length: 100 }, (_, i) => event(i))
    yield* time(
      "100 events per transaction, one writer",
      n100 * 100,
      Effect.forEach(Array.from({ length: n100 }, (_, i) => i), () => tx.run(store.append(batch)), { discard: true })
    )
    const total = yield* store.latest
    yield* time(
      "read back in pages of 500 (one platform)",
      total,
      Effect.gen(function*() {
        let after = 0
        while (true) {
          const page = yield* store.read({ after, limit: 500, platform })
          if (page.length === 0) return
          after = page[page.length - 1]!.position
        }
      })
    )
  })

const provide = <E>(layer: Layer.Layer<Stores.Stores, E>) => <A, E2>(effect: Effect.Effect<A, E2, Stores.Stores>) =>
  Effect.scoped(Effect.flatMap(Layer.build(layer), (context) => Effect.provide(effect, context)))

export default async function(): Promise<void> {
  const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "scimkit-events-"))
  const url = TestDatabase.serverUrlFromEnv()
  const n1 = Number(process.env["N"] ?? "5000")
  const n100 = Number(process.env["N100"] ?? "200")
  try {
    await Effect.runPromise(
      run("SQLite (file, WAL, synchronous=normal)", n1, n100).pipe(
        provide(StoreSqlite.layer({ filename: Path.join(dir, "scimkit.db") }))
      )
    )
    if (url === undefined) console.log("\nPostgres server: skipped (set SCIMKIT_TEST_DATABASE_URL to run it)")
    else {
      await Effect.runPromise(
        run("Postgres server (pool of 8)", n1, n100).pipe(
          provide(
            Layer.merge(StorePostgres.layer, StorePostgres.layerMigrations).pipe(
              Layer.provide(TestDatabase.serverClient(url))
            )
          )
        )
      )
    }
  } finally {
    Fs.rmSync(dir, { recursive: true, force: true })
  }
}
