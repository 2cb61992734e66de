/**
 * The change feed across processes on one Postgres server: several connection pools on one
 * database (as several server processes would have) append events concurrently, each in its own
 * transactions, while a reader on another pool polls: positions come out gap-free and in commit
 * order, and a lease has one holder across the pools. The single-pool version of these runs in the
 * store contract on every database (testkit's `internal/contract/events.ts`).
 */
import { assert, describe, it } from "@effect/vitest"
import { ChangeEvent, EventStore, Model, Transactions, UserStore, type Stores } from "@scimkit/core"
import { Fixtures } from "@scimkit/testkit"
import * as Context from "effect/Context"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as SqlClient from "effect/sql/SqlClient"
import * as TestClock from "effect/testing/TestClock"
import { StorePostgres } from "../src/index.js"
import { serverUrl, unique } from "./helpers.js"

const processes = 3
const fibersPerProcess = 4
const writesPerFiber = 12

/** The stores of `count` separate pools on one fresh schema of the server (dropped afterwards). */
const pools = (url: string, count: number) =>
  Effect.gen(function*() {
    const schema = `scimkit_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`
    const admin = yield* Layer.build(StorePostgres.layerClient(Redacted.make(url), { maxConnections: 1 }))
    const sql = Context.get(admin, SqlClient.SqlClient)
    yield* Effect.acquireRelease(
      sql`create schema ${sql(schema)}`,
      () => sql`drop schema ${sql(schema)} cascade`.pipe(Effect.ignore)
    )
    const inSchema = new URL(url)
    inSchema.searchParams.set("options", `-c search_path=${schema}`)
    const client = () => StorePostgres.layerClient(Redacted.make(inSchema.toString()), { maxConnections: 4 })
    yield* Effect.provide(StorePostgres.migrate, yield* Layer.build(client()))
    return yield* Effect.forEach(
      Array.from({ length: count }, (_, i) => i),
      () => Layer.build(StorePostgres.layer.pipe(Layer.provide(client())))
    )
  }).pipe(Effect.orDie)

const event = (platform: Model.PlatformId, resourceId: string): ChangeEvent.NewEvent =>
  new ChangeEvent.NewEvent({
    platform,
    type: "user.created",
    resourceType: "User",
    resourceId,
    version: 1,
    changed: ["userName"],
    before: Option.none(),
    after: Option.none(),
    member: Option.none(),
    at: DateTime.makeUnsafe(Date.UTC(2025, 0, 1)),
    actor: ChangeEvent.systemActor
  })

const inProcess = <A, E>(context: Context.Context<Stores.Stores>, effect: Effect.Effect<A, E, Stores.Stores>) =>
  Effect.provide(effect, context)

// These need a Postgres server (several pools on one database); PGlite serves one connection.
describe.skipIf(serverUrl === undefined)("change feed across processes (postgres server)", () => {
  it.effect("writers in several pools get gap-free positions in commit order; a reader in another never sees a gap", () =>
    Effect.scoped(Effect.gen(function*() {
      const [reader, ...writers] = yield* pools(serverUrl!, processes + 1)
      const p = Model.PlatformId.make(unique("p"))
      const sizeOf = (w: number, f: number, i: number) => 1 + ((w + f + i) % 3)
      let expected = 0
      for (let w = 0; w < processes; w++) {
        for (let f = 0; f < fibersPerProcess; f++) for (let i = 0; i < writesPerFiber; i++) expected += sizeOf(w, f, i)
      }
      const write = (w: number, f: number, i: number) =>
        Effect.gen(function*() {
          const users = yield* UserStore.UserStore
          const events = yield* EventStore.EventStore
          return yield* (yield* Transactions.Transactions).run(Effect.gen(function*() {
            yield* users.insert(p, Fixtures.user(i, `${unique("w")}-`))
            const appended = yield* events.append(
              Array.from({ length: sizeOf(w, f, i) }, () => event(p, `${w}-${f}-${i}`))
            )
            if (i % 2 === 0) yield* TestClock.withLive(Effect.sleep("2 millis"))
            return appended
          }))
        })
      const read = inProcess(
        reader!,
        Effect.gen(function*() {
          const events = yield* EventStore.EventStore
          let last = 0
          let seen = 0
          while (seen < expected) {
            const batch = yield* events.read({ after: last, limit: 25, platform: p })
            for (const e of batch) {
              assert.strictEqual(e.position, last + 1, `after position ${last} the reader saw ${e.position}`)
              last = e.position
              seen++
            }
            if (batch.length === 0) yield* TestClock.withLive(Effect.sleep("1 millis"))
          }
          return last
        })
      )
      const [written, last] = yield* Effect.all([
        Effect.forEach(
          writers.flatMap((context, w) =>
            Array.from({ length: fibersPerProcess }, (_, f) =>
              inProcess(
                context,
                Effect.forEach(Array.from({ length: writesPerFiber }, (_, i) => i), (i) => write(w, f, i))
              ))
          ),
          (fiber) => fiber,
          { concurrency: "unbounded" }
        ),
        read
      ], { concurrency: "unbounded" })
      const positions = written.flat(2).map((e) => e.position).sort((a, b) => a - b)
      assert.deepStrictEqual(positions, Array.from({ length: expected }, (_, i) => i + 1))
      assert.strictEqual(last, expected)
    })))

  it.effect("a lease has one holder across pools, and passes on when released", () =>
    Effect.scoped(Effect.gen(function*() {
      const contexts = yield* pools(serverUrl!, processes)
      const lease = unique("lease")
      const acquire = (owner: number) =>
        inProcess(
          contexts[owner % processes]!,
          Effect.flatMap(EventStore.EventStore, (events) => events.acquireLease(lease, `owner-${owner}`, 60_000))
        )
      const won = yield* Effect.forEach(
        Array.from({ length: 30 }, (_, i) => i),
        (i) => Effect.map(acquire(i), (held) => (held ? [i] : [])),
        { concurrency: "unbounded" }
      )
      const holders = won.flat()
      assert.strictEqual(holders.length, 1)
      const next = (holders[0]! + 1) % 30
      assert.isFalse(yield* acquire(next))
      yield* inProcess(
        contexts[holders[0]! % processes]!,
        Effect.flatMap(EventStore.EventStore, (events) => events.releaseLease(lease, `owner-${holders[0]}`))
      )
      assert.isTrue(yield* acquire(next))
    })))
})
