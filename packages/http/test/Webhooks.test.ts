import { assert, describe, it } from "@effect/vitest"
import {
  ChangeEvent,
  ChangeFeed,
  Crypto,
  DeliveryLog,
  EventStore,
  Model,
  ScimOptions,
  Transactions
} from "@scimkit/core"
import { StoreMemory } from "@scimkit/store-memory"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FetchHttpClient from "effect/http/FetchHttpClient"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Scope from "effect/Scope"
import * as TestClock from "effect/testing/TestClock"
import * as fc from "fast-check"
import { createHmac, timingSafeEqual } from "node:crypto"
import { once } from "node:events"
import * as Http from "node:http"
import type { AddressInfo } from "node:net"
import { Webhooks } from "../src/index.js"

const secret = "whsec_test_0123456789"

/** The receiver recipe with nothing but node:crypto, written independently of `Webhooks.verify`. */
const nodeVerify = (key: string, header: string | undefined, body: string, toleranceSeconds = 300): boolean => {
  if (header === undefined) return false
  const fields = header.split(",").map((part) => part.trim().split("="))
  const t = fields.find(([name]) => name === "t")?.[1]
  const signatures = fields.filter(([name]) => name === "v1").map(([, value]) => value ?? "")
  if (t === undefined || Math.abs(Date.now() / 1000 - Number(t)) > toleranceSeconds) return false
  const expected = Buffer.from(createHmac("sha256", key).update(`${t}.${body}`).digest("hex"))
  return signatures.some((signature) =>
    signature.length === expected.length && timingSafeEqual(Buffer.from(signature), expected)
  )
}

describe("Webhooks signatures", () => {
  it.effect("sign gives t=<seconds>,v1=<hex HMAC-SHA-256 of \"<t>.<body>\">, as node:crypto computes it", () =>
    Effect.gen(function*() {
      const body = JSON.stringify({ events: [{ position: 1, note: "é ✓" }] })
      const header = yield* Webhooks.sign(Redacted.make(secret), body, 1_700_000_000)
      const hex = createHmac("sha256", secret).update(`1700000000.${body}`).digest("hex")
      assert.strictEqual(header, `t=1700000000,v1=${hex}`)
    }))

  it.effect("verify accepts its own signatures within the tolerance and refuses everything else", () =>
    Effect.gen(function*() {
      const body = "{\"events\":[]}"
      const header = yield* Webhooks.sign(secret, body, 0)
      assert.isTrue(yield* Webhooks.verify(secret, header, body))
      assert.isTrue(yield* Webhooks.verify(Redacted.make(secret), header, new TextEncoder().encode(body)))
      assert.isFalse(yield* Webhooks.verify("another secret", header, body))
      assert.isFalse(yield* Webhooks.verify(secret, header, body + " "))
      assert.isFalse(yield* Webhooks.verify(secret, header.replace("t=0", "t=1"), body))
      assert.isFalse(yield* Webhooks.verify(secret, undefined, body))
      assert.isFalse(yield* Webhooks.verify(secret, "v1=abc", body))
      assert.isFalse(yield* Webhooks.verify(secret, "t=0", body))
      assert.isFalse(yield* Webhooks.verify("", header, body))
      // several v1 values (a secret being rotated): one matching is enough
      const rotated = `t=0,v1=${"0".repeat(64)},${header.split(",")[1]!}`
      assert.isTrue(yield* Webhooks.verify(secret, rotated, body))

      yield* TestClock.adjust("300 seconds")
      assert.isTrue(yield* Webhooks.verify(secret, header, body))
      yield* TestClock.adjust("1 second")
      assert.isFalse(yield* Webhooks.verify(secret, header, body))
      assert.isTrue(yield* Webhooks.verify(secret, header, body, { toleranceSeconds: Infinity }))
    }))

  it("backoff doubles from the initial wait, is capped, and keeps at least half of it (jitter)", () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 200 }),
      fc.integer({ min: 1, max: 10_000 }),
      fc.integer({ min: 1, max: 600_000 }),
      fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
      (attempt, initial, max, random) => {
        const wait = Webhooks.backoffMillis(attempt, initial, max, random)
        const capped = Math.min(max, initial * 2 ** (attempt - 1))
        assert.isAtMost(wait, Math.round(capped))
        assert.isAtLeast(wait, Math.floor(capped / 2))
      }
    ))
  })
})

/** One POST the receiver got. */
interface Received {
  readonly path: string
  readonly headers: Http.IncomingHttpHeaders
  readonly body: string
}

type Answer = "ok" | "fail" | "hang"

/** A webhook receiver on 127.0.0.1 (random port) answering the n-th request (from 0) as `answer(n)` says. */
const receiver = (answer: (index: number) => Answer = () => "ok") =>
  Effect.acquireRelease(
    Effect.promise(async () => {
      const received: Array<Received> = []
      const hanging: Array<Http.ServerResponse> = []
      const server = Http.createServer((req, res) => {
        const chunks: Array<Buffer> = []
        req.on("data", (chunk: Buffer) => chunks.push(chunk))
        req.on("end", () => {
          const index = received.length
          received.push({ path: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks).toString("utf8") })
          const action = answer(index)
          if (action === "hang") {
            hanging.push(res)
            return
          }
          res.writeHead(action === "ok" ? 204 : 500, { "content-type": "text/plain" })
          res.end(action === "ok" ? undefined : "receiver is down")
        })
      })
      server.listen(0, "127.0.0.1")
      await once(server, "listening")
      const { port } = server.address() as AddressInfo
      const close = () =>
        new Promise<void>((resolve) => {
          for (const res of hanging) res.destroy()
          server.closeAllConnections()
          server.close(() => resolve())
        })
      return { url: `http://127.0.0.1:${port}`, received, close }
    }),
    (r) => Effect.promise(() => r.close())
  )

/** The positions of the events of one POST. */
const positionsOf = (request: Received): ReadonlyArray<number> => {
  const parsed = JSON.parse(request.body) as { events: ReadonlyArray<Webhooks.EventJson> }
  return parsed.events.map((event) => event.position)
}

const platform = Model.PlatformId.make("acme")

const newEvent = (i: number) =>
  new ChangeEvent.NewEvent({
    platform,
    type: i % 2 === 0 ? "user.updated" : "user.created",
    resourceType: "User",
    resourceId: `user-${i}`,
    version: 1,
    changed: ["active", "userName"],
    before: Option.none(),
    after: Option.some({ userName: `u${i}@acme.test`, active: true }),
    member: Option.none(),
    at: DateTime.makeUnsafe(Date.now()),
    actor: new ChangeEvent.Actor({ credential: Option.some("key-1"), requestId: Option.some(`req-${i}`) })
  })

/** Commits `count` events (as the services do: inside a transaction). */
const append = (count: number) =>
  Effect.gen(function*() {
    const store = yield* EventStore.EventStore
    const transactions = yield* Transactions.Transactions
    const events = Array.from({ length: count }, (_, i) => newEvent(i))
    return yield* transactions.run(store.append(events))
  })

/** Waits (polling, up to 20 s) until `done` holds. */
const until = <E, R>(what: string, done: Effect.Effect<boolean, E, R>) =>
  Effect.gen(function*() {
    for (let i = 0; i < 2000; i++) {
      if (yield* done) return
      yield* Effect.sleep("10 millis")
    }
    return yield* Effect.die(new Error(`timed out waiting until ${what}`))
  })

const checkpointOf = (name: string) =>
  Effect.flatMap(EventStore.EventStore, (store) => store.checkpoint(`webhook:${name}`))

/** One memory store with the change feed over it, shared by every worker of a test (the workers' warnings unprinted). */
const environment = Layer.mergeAll(ChangeFeed.layer, FetchHttpClient.layer, Crypto.layerWebCrypto).pipe(
  Layer.provideMerge(StoreMemory.layer),
  Layer.provideMerge(ScimOptions.layer({})),
  Layer.provideMerge(Logger.layer([]))
)

/** Starts a worker in its own scope; closing the scope stops it. */
const startWorker = (options: Webhooks.Options) =>
  Effect.gen(function*() {
    const scope = yield* Scope.make()
    yield* Effect.forkIn(Webhooks.run(options), scope)
    return scope
  })

const fast = {
  secret: Redacted.make(secret),
  timeout: "1 second",
  initialBackoff: "10 millis",
  maxBackoff: "50 millis",
  pollInterval: "10 millis",
  leaseTtl: "1500 millis"
} as const

const documentedKeys = [
  "actor",
  "after",
  "at",
  "before",
  "changed",
  "member",
  "platform",
  "position",
  "resourceId",
  "resourceType",
  "type",
  "version"
]

describe("Webhooks delivery", () => {
  it.live("delivers every event in order through a receiver that fails, times out and recovers", () =>
    Effect.gen(function*() {
      const answers: ReadonlyArray<Answer> = ["fail", "hang"]
      const target = yield* receiver((index) => answers[index] ?? "ok")
      const delivered = Metric.withAttributes(Webhooks.deliveries, { outcome: "delivered" })
      const failedBefore =
        (yield* Metric.value(Metric.withAttributes(Webhooks.deliveries, { outcome: "failed" }))).count
      const deliveredBefore = (yield* Metric.value(delivered)).count
      yield* append(5)
      yield* startWorker({ ...fast, url: `${target.url}/hooks/scim?token=t`, batchSize: 2 })
      const log = yield* DeliveryLog.DeliveryLog
      yield* until(
        "the third batch is logged as delivered",
        Effect.map(log.list({ limit: 100 }), (attempts) => attempts.some((a) => a.ok && a.last === 5))
      )

      // every event at least once, batches in order; the failed batch retried with the same key and body
      const requests = target.received
      assert.deepStrictEqual(requests.map(positionsOf), [[1, 2], [1, 2], [1, 2], [3, 4], [5]])
      const keys = requests.map((r) => r.headers[Webhooks.idempotencyKeyHeader])
      assert.strictEqual(keys[0], keys[1])
      assert.strictEqual(keys[0], keys[2])
      assert.strictEqual(new Set(keys).size, 3)
      assert.deepStrictEqual(requests.map((r) => r.headers[Webhooks.attemptHeader]), ["1", "2", "3", "1", "1"])
      assert.strictEqual(requests[0]!.body, requests[2]!.body)
      for (const request of requests) {
        assert.strictEqual(request.path, "/hooks/scim?token=t")
        assert.strictEqual(request.headers["content-type"], "application/json")
        const header = request.headers[Webhooks.signatureHeader]
        assert.isString(header)
        assert.isTrue(yield* Webhooks.verify(Redacted.make(secret), header as string, request.body))
        assert.isTrue(nodeVerify(secret, header as string, request.body))
        assert.isFalse(nodeVerify(secret, header as string, request.body.replace("acme", "acmf")))
      }

      // the documented event shape
      const first = (JSON.parse(requests[3]!.body) as { events: ReadonlyArray<Record<string, unknown>> }).events[0]!
      assert.deepStrictEqual(Object.keys(first).sort(), documentedKeys)
      assert.deepStrictEqual(first, {
        position: 3,
        type: "user.updated",
        platform: "acme",
        resourceType: "User",
        resourceId: "user-2",
        version: 1,
        changed: ["active", "userName"],
        before: null,
        after: { userName: "u2@acme.test", active: true },
        member: null,
        at: first["at"],
        actor: { credential: "key-1", requestId: "req-2" }
      })
      assert.match(String(first["at"]), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/)

      // every attempt recorded with its status or error, under the endpoint's name (no query string)
      const attempts = [...yield* log.list({ limit: 100 })].reverse()
      assert.deepStrictEqual(
        attempts.map((a) => [a.first, a.last, a.attempt, Option.getOrNull(a.status), a.ok]),
        [[1, 2, 1, 500, false], [1, 2, 2, null, false], [1, 2, 3, 204, true], [3, 4, 1, 204, true], [
          5,
          5,
          1,
          204,
          true
        ]]
      )
      assert.strictEqual(Option.getOrNull(attempts[0]!.error), "HTTP 500: receiver is down")
      assert.include(Option.getOrElse(attempts[1]!.error, () => ""), "timed out")
      assert.isTrue(attempts.slice(2).every((a) => Option.isNone(a.error)))
      assert.isTrue(attempts.every((a) => a.endpoint === `${target.url}/hooks/scim`))
      assert.deepStrictEqual(attempts.map((a) => a.batchId), keys)
      assert.deepStrictEqual(attempts.map((a) => a.events), [2, 2, 2, 2, 1])

      yield* until(
        "the checkpoint is at 5",
        Effect.map(checkpointOf(`${target.url}/hooks/scim`), (c) => Option.getOrNull(c) === 5)
      )
      assert.strictEqual((yield* Metric.value(delivered)).count - deliveredBefore, 3)
      const failedNow = (yield* Metric.value(Metric.withAttributes(Webhooks.deliveries, { outcome: "failed" }))).count
      assert.strictEqual(failedNow - failedBefore, 2)
    }).pipe(Effect.provide(environment), Effect.scoped))

  it.live("a receiver that refuses connections: attempts logged without a status, delivered once it listens", () =>
    Effect.gen(function*() {
      // a port nothing listens on, until the receiver below takes it
      const port = yield* Effect.promise(async () => {
        const probe = Http.createServer()
        probe.listen(0, "127.0.0.1")
        await once(probe, "listening")
        const { port } = probe.address() as AddressInfo
        await new Promise<void>((resolve) => probe.close(() => resolve()))
        return port
      })
      yield* append(1)
      yield* startWorker({ ...fast, name: "refused", url: `http://127.0.0.1:${port}/hooks` })
      const log = yield* DeliveryLog.DeliveryLog
      yield* until("two refused attempts are logged", Effect.map(log.list({ limit: 10 }), (a) => a.length >= 2))
      const refused = yield* log.list({ limit: 10 })
      for (const attempt of refused) {
        assert.isFalse(attempt.ok)
        assert.isTrue(Option.isNone(attempt.status))
        assert.match(Option.getOrElse(attempt.error, () => ""), /^TransportError: /)
        assert.notInclude(Option.getOrElse(attempt.error, () => ""), "/hooks")
      }
      const received: Array<Received> = []
      const server = Http.createServer((req, res) => {
        const chunks: Array<Buffer> = []
        req.on("data", (chunk: Buffer) => chunks.push(chunk))
        req.on("end", () => {
          received.push({ path: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks).toString("utf8") })
          res.writeHead(200).end()
        })
      })
      yield* Effect.acquireRelease(
        Effect.promise(async () => {
          server.listen(port, "127.0.0.1")
          await once(server, "listening")
        }),
        () =>
          Effect.promise(() =>
            new Promise<void>((resolve) => {
              server.closeAllConnections()
              server.close(() => resolve())
            })
          )
      )
      yield* until("the event is delivered", Effect.map(checkpointOf("refused"), (c) => Option.getOrNull(c) === 1))
      assert.deepStrictEqual(received.map(positionsOf), [[1]])
    }).pipe(Effect.provide(environment), Effect.scoped))

  it("refuses invalid options at once", () => {
    const secret = Redacted.make("s")
    assert.throws(() => Webhooks.layer({ url: "not a url", secret }), /not an absolute URL/)
    assert.throws(() => Webhooks.layer({ url: "ftp://example.com/x", secret }), /http or https/)
    assert.throws(() => Webhooks.layer({ url: "https://example.com/x", secret: Redacted.make("") }), /secret/)
    assert.throws(() => Webhooks.layer({ url: "https://example.com/x", secret, batchSize: 0 }), /batchSize/)
    assert.throws(() => Webhooks.layer({ url: "https://example.com/x", secret, timeout: 0 }), /timeout/)
  })

  it.live("one worker delivers at a time; another takes over from its checkpoint when it stops", () =>
    Effect.gen(function*() {
      const target = yield* receiver()
      const a = yield* startWorker({ ...fast, name: "hook", url: `${target.url}/a` })
      yield* append(3)
      yield* until("A delivered 1-3", Effect.map(checkpointOf("hook"), (c) => Option.getOrNull(c) === 3))

      yield* startWorker({ ...fast, name: "hook", url: `${target.url}/b` })
      const store = yield* EventStore.EventStore
      assert.isFalse(yield* store.acquireLease("webhook:hook", "someone else", 1000))
      yield* append(3)
      yield* until("A delivered 4-6", Effect.map(checkpointOf("hook"), (c) => Option.getOrNull(c) === 6))
      const byA = target.received.filter((r) => r.path === "/a").flatMap(positionsOf)
      assert.deepStrictEqual(byA, [1, 2, 3, 4, 5, 6])
      assert.deepStrictEqual(target.received.filter((r) => r.path === "/b"), [])

      yield* Scope.close(a, Exit.void)
      yield* append(3)
      yield* until("B delivered 7-9", Effect.map(checkpointOf("hook"), (c) => Option.getOrNull(c) === 9))
      assert.deepStrictEqual(target.received.filter((r) => r.path === "/b").flatMap(positionsOf), [7, 8, 9])
      assert.deepStrictEqual(target.received.filter((r) => r.path === "/a").flatMap(positionsOf), [1, 2, 3, 4, 5, 6])
    }).pipe(Effect.provide(environment), Effect.scoped))

  it.live("a holder that dies without releasing its lease is replaced once the lease expires", () =>
    Effect.gen(function*() {
      const target = yield* receiver()
      const store = yield* EventStore.EventStore
      // a process that crashes never runs its finalizers: the lease is left behind
      const crashing = EventStore.EventStore.of({ ...store, releaseLease: () => Effect.void })
      const a = yield* startWorker({ ...fast, name: "hook", url: `${target.url}/a` }).pipe(
        Effect.provideService(EventStore.EventStore, crashing)
      )
      yield* append(2)
      yield* until("A delivered 1-2", Effect.map(checkpointOf("hook"), (c) => Option.getOrNull(c) === 2))
      yield* Scope.close(a, Exit.void)
      assert.isFalse(yield* store.acquireLease("webhook:hook", "someone else", 1000))

      yield* startWorker({ ...fast, name: "hook", url: `${target.url}/b` })
      yield* append(2)
      yield* until("B delivered 3-4", Effect.map(checkpointOf("hook"), (c) => Option.getOrNull(c) === 4))
      assert.deepStrictEqual(target.received.filter((r) => r.path === "/b").flatMap(positionsOf), [3, 4])
    }).pipe(Effect.provide(environment), Effect.scoped))
})
