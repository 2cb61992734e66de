/**
 * Connection loss: while the database is unreachable every call fails with a retryable
 * `StoreError` (the HTTP edge answers 503), nothing crashes, and the pool reconnects by itself when
 * the database is back. The database sits behind a TCP proxy the test cuts and restores: the
 * Postgres server when configured, else PGlite served over the wire (fixtures/pgliteWire).
 */
import { assert, describe, it } from "@effect/vitest"
import { PGlite } from "@electric-sql/pglite"
import { Model, UserStore, type ScimError } from "@scimkit/core"
import { TcpProxy } from "@scimkit/testkit"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import * as TestClock from "effect/testing/TestClock"
import { StorePostgres } from "../src/index.js"
import * as PgliteWire from "./fixtures/pgliteWire.js"
import { serverClient, serverUrl, storesOver } from "./helpers.js"

/** What the proxy stands in front of: its address, and the database URL to reach it by. */
interface Upstream {
  readonly target: TcpProxy.Target
  readonly url: string
}

const serverUpstream = (url: string): Effect.Effect<Upstream> =>
  Effect.sync(() => ({ target: TcpProxy.targetOf(url), url }))

/** PGlite served over the wire (one connection: it serves one at a time). */
const pgliteUpstream = Effect.gen(function*() {
  const port = yield* TcpProxy.freePort
  const db = yield* Effect.acquireRelease(
    Effect.promise(() => PGlite.create()),
    (db) => Effect.promise(() => db.close())
  )
  yield* PgliteWire.serve(db, port)
  return {
    target: { host: "127.0.0.1", port },
    url: `postgres://postgres@127.0.0.1:${port}/postgres`
  } satisfies Upstream
})

const t0 = DateTime.makeUnsafe(Date.UTC(2025, 0, 1))
const someone = (id: string) =>
  new Model.StoredUser({
    id: Model.UserId.make(id),
    userName: `${id}@example.com`,
    externalId: Option.none(),
    displayName: Option.none(),
    active: true,
    platformRole: "MEMBER",
    document: { userName: `${id}@example.com` },
    version: 1,
    created: t0,
    lastModified: t0
  })

describe("connection loss", () => {
  it.effect("a server that does not answer fails the layer with a retryable StoreError naming where", () =>
    Effect.gen(function*() {
      const port = yield* TcpProxy.freePort
      const error = yield* Effect.flip(
        Layer.build(StorePostgres.layerUrl(Redacted.make(`postgres://postgres@127.0.0.1:${port}/test`))).pipe(
          Effect.scoped
        )
      )
      assert.strictEqual(error._tag, "StoreError")
      assert.isTrue(error.retryable)
      assert.include(error.message, `127.0.0.1:${port}/test`)
    }))

  it.effect(
    `calls fail retryable while ${
      serverUrl !== undefined ? "the server" : "PGlite (over the wire)"
    } is cut off, then succeed again by themselves`,
    () =>
      Effect.gen(function*() {
        const upstream = yield* (serverUrl !== undefined ? serverUpstream(serverUrl) : pgliteUpstream)
        // closed last, after the layer's finalizers have dropped the test schema through it
        const proxy = yield* TcpProxy.make(upstream.target)
        const url = proxy.url(upstream.url)
        const client = serverUrl !== undefined
          ? serverClient(url)
          : StorePostgres.layerClient(Redacted.make(url), { maxConnections: 1, connectTimeout: "2 seconds" })
        const context = yield* Layer.build(storesOver(client))
        yield* Effect.gen(function*() {
          const users = yield* UserStore.UserStore
          const p = Model.PlatformId.make(`loss-${Math.random().toString(36).slice(2, 8)}`)
          const alice = yield* users.insert(p, someone("alice"))
          yield* proxy.cut
          const calls: ReadonlyArray<
            Effect.Effect<unknown, ScimError.ResourceNotFound | ScimError.StoreError | ScimError.Uniqueness>
          > = [
            users.get(p, alice.id),
            users.insert(p, someone("bob")),
            users.findByUserName(p, "alice@example.com")
          ]
          for (const call of calls) {
            const error = yield* Effect.flip(call)
            assert.strictEqual(error._tag, "StoreError")
            if (error._tag === "StoreError") assert.isTrue(error.retryable, error.message)
          }
          yield* proxy.restore
          // the first call may still meet a connection the pool has not yet noticed is dead
          const back = yield* TestClock.withLive(
            users.get(p, alice.id).pipe(Effect.retry({ schedule: Schedule.spaced("100 millis"), times: 20 }))
          )
          assert.deepStrictEqual(back, alice)
          assert.deepStrictEqual(yield* users.findByUserName(p, "ALICE@example.com"), [alice])
        }).pipe(Effect.provide(context))
      }).pipe(Effect.scoped),
    { timeout: 120_000 }
  )
})
