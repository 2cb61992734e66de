import { assert, describe, it } from "@effect/vitest"
import { StoreMemory } from "@scimkit/store-memory"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/testing/TestClock"
import * as Crypto from "../src/Crypto.js"
import type { ChangeEvent } from "../src/domain/ChangeEvent.js"
import type { JsonObject } from "../src/domain/Model.js"
import { EventStore } from "../src/ports/EventStore.js"
import { PatchOpUrn, UserUrn } from "../src/schema/Schemas.js"
import * as ScimOptions from "../src/ScimOptions.js"
import * as ChangeFeed from "../src/service/ChangeFeed.js"
import * as Hooks from "../src/service/Hooks.js"
import * as Live from "../src/service/Live.js"
import * as Platforms from "../src/service/Platforms.js"
import type { RequestScope } from "../src/service/ResourceApi.js"
import * as Users from "../src/service/Users.js"

const TestLayer = Live.layer.pipe(
  Layer.provide(Crypto.layerWebCrypto),
  Layer.provideMerge(StoreMemory.layer),
  Layer.provideMerge(ScimOptions.layer({ eventRetention: Duration.days(30) }))
)

let platforms = 0
const platform = Effect.gen(function*() {
  const created = yield* (yield* Platforms.Platforms).create({ name: `feed-${++platforms}` })
  const scope: RequestScope = { platform: created.platform.id, baseUrl: "https://scim.example/scim/v2" }
  return scope
})

let names = 0
const createUsers = (scope: RequestScope, n: number) =>
  Effect.flatMap(Users.Users, (users) =>
    Effect.forEach(Array.from({ length: n }), () =>
      Effect.map(
        users.create(scope, { schemas: [UserUrn], userName: `user${++names}@example.com` }),
        (created) => String(created.resource.id)
      )))

const positions = (events: ReadonlyArray<ChangeEvent>) => events.map((e) => e.position)
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i)
const fast = { pollInterval: Duration.millis(10) } as const

describe("ChangeFeed", () => {
  it.effect("streams every committed event from the start, in position order, then waits for new ones", () =>
    Effect.gen(function*() {
      const scope = yield* platform
      yield* createUsers(scope, 3)
      const feed = yield* ChangeFeed.ChangeFeed
      const fiber = yield* Effect.forkChild(Stream.runCollect(Stream.take(feed.stream(fast), 5)))
      yield* TestClock.adjust(Duration.millis(50))
      yield* createUsers(scope, 2)
      yield* TestClock.adjust(Duration.millis(50))
      const events = yield* Fiber.join(fiber)
      assert.deepStrictEqual(positions(events), [1, 2, 3, 4, 5])
      assert.isTrue(events.every((e) => e.type === "user.created" && e.platform === scope.platform))
    }).pipe(Effect.provide(TestLayer)))

  it.effect("from latest sees only events committed after it started", () =>
    Effect.gen(function*() {
      const scope = yield* platform
      yield* createUsers(scope, 2)
      const feed = yield* ChangeFeed.ChangeFeed
      const latest = yield* feed.latest
      const fiber = yield* Effect.forkChild(
        Stream.runCollect(Stream.take(feed.stream({ ...fast, after: "latest" }), 2))
      )
      yield* TestClock.adjust(Duration.millis(50))
      const [a, b] = yield* createUsers(scope, 2)
      yield* TestClock.adjust(Duration.millis(50))
      const events = yield* Fiber.join(fiber)
      assert.deepStrictEqual(positions(events), [latest + 1, latest + 2])
      assert.deepStrictEqual(events.map((e) => e.resourceId), [a, b])
    }).pipe(Effect.provide(TestLayer)))

  it.effect("follows one platform's events only, and audits one platform", () =>
    Effect.gen(function*() {
      const one = yield* platform
      const two = yield* platform
      const [a] = yield* createUsers(one, 1)
      yield* createUsers(two, 2)
      const [b] = yield* createUsers(one, 1)
      const feed = yield* ChangeFeed.ChangeFeed
      const events = yield* Stream.runCollect(Stream.take(feed.stream({ ...fast, platform: one.platform }), 2))
      assert.deepStrictEqual(events.map((e) => e.resourceId), [a, b])
      const audit = yield* feed.audit(two.platform)
      assert.strictEqual(audit.length, 2)
      assert.isTrue(audit.every((e) => e.platform === two.platform))
      assert.deepStrictEqual((yield* feed.audit(one.platform, { resourceId: b! })).map((e) => e.resourceId), [b])
    }).pipe(Effect.provide(TestLayer)))

  it.effect("consume resumes after its checkpoint when the consumer restarts, and a batch it did not finish comes again", () =>
    Effect.gen(function*() {
      const scope = yield* platform
      yield* createUsers(scope, 3)
      const feed = yield* ChangeFeed.ChangeFeed
      const seen: Array<number> = []
      const first = yield* Deferred.make<void>()
      // handles the first batch, then dies mid-way through the second (interrupted while handling it)
      const crashing = yield* Effect.forkChild(feed.consume("mailer", (batch) =>
        Effect.gen(function*() {
          for (const e of batch) seen.push(e.position)
          if (yield* Deferred.isDone(first)) return yield* Effect.never
          yield* Deferred.succeed(first, undefined)
        }), fast))
      yield* Deferred.await(first)
      assert.deepStrictEqual(seen, [1, 2, 3])
      yield* createUsers(scope, 2)
      yield* TestClock.adjust(Duration.millis(50))
      assert.deepStrictEqual(seen, [1, 2, 3, 4, 5])
      yield* Fiber.interrupt(crashing)
      assert.deepStrictEqual(yield* (yield* EventStore).checkpoint("mailer"), Option.some(3))

      // the restarted consumer starts after its checkpoint: the unfinished batch again, then on
      yield* createUsers(scope, 1)
      const again: Array<number> = []
      const restarted = yield* Effect.forkChild(feed.consume("mailer", (batch) =>
        Effect.sync(() => {
          for (const e of batch) again.push(e.position)
        }), { ...fast, after: "latest" }))
      yield* TestClock.adjust(Duration.millis(50))
      assert.deepStrictEqual(again, [4, 5, 6])
      yield* Fiber.interrupt(restarted)
      assert.deepStrictEqual(yield* (yield* EventStore).checkpoint("mailer"), Option.some(6))
    }).pipe(Effect.provide(TestLayer)))

  it.effect("two consumers each see every event", () =>
    Effect.gen(function*() {
      const scope = yield* platform
      const feed = yield* ChangeFeed.ChangeFeed
      const a: Array<number> = []
      const b: Array<number> = []
      const record = (into: Array<number>) => (batch: ReadonlyArray<ChangeEvent>) =>
        Effect.sync(() => {
          for (const e of batch) into.push(e.position)
        })
      const fibers = [
        yield* Effect.forkChild(feed.consume("a", record(a), { ...fast, batchSize: 2 })),
        yield* Effect.forkChild(feed.consume("b", record(b), { ...fast, batchSize: 3 }))
      ]
      for (let i = 0; i < 4; i++) {
        yield* createUsers(scope, 2)
        yield* TestClock.adjust(Duration.millis(10))
      }
      yield* TestClock.adjust(Duration.millis(50))
      yield* Effect.forEach(fibers, Fiber.interrupt)
      assert.deepStrictEqual(a, range(1, 8))
      assert.deepStrictEqual(b, range(1, 8))
    }).pipe(Effect.provide(TestLayer)))

  it.effect("prune deletes the events older than the retention, and the feed goes on after them", () =>
    Effect.gen(function*() {
      const scope = yield* platform
      yield* createUsers(scope, 3)
      const feed = yield* ChangeFeed.ChangeFeed
      yield* TestClock.adjust(Duration.days(20))
      yield* createUsers(scope, 2)
      assert.strictEqual(yield* feed.prune, 0)
      yield* TestClock.adjust(Duration.days(11))
      assert.strictEqual(yield* feed.prune, 3)
      const kept = yield* Stream.runCollect(Stream.take(feed.stream(fast), 2))
      assert.deepStrictEqual(positions(kept), [4, 5])
      yield* createUsers(scope, 1)
      assert.strictEqual(yield* feed.latest, 6)
      assert.deepStrictEqual(positions(yield* feed.audit(scope.platform)), [4, 5, 6])
    }).pipe(Effect.provide(TestLayer)))

  it.effect("a crash between commit and delivery loses no event: the change's events are stored even when its after hooks die", () =>
    Effect.gen(function*() {
      const scope = yield* platform
      const [id] = yield* createUsers(scope, 1)
      const users = yield* Users.Users
      yield* users.patch(scope, id!, {
        schemas: [PatchOpUrn],
        Operations: [{ op: "replace", path: "active", value: false } satisfies JsonObject]
      }, Option.none())
      const stored = yield* (yield* ChangeFeed.ChangeFeed).audit(scope.platform)
      assert.deepStrictEqual(stored.map((e) => e.type), ["user.created", "user.updated", "user.deactivated"])
    }).pipe(
      Effect.provide(Live.layer.pipe(
        Layer.provide(Hooks.layer({
          after: {
            "user.created": () => Effect.die(new Error("the process went down before delivering")),
            "user.deactivated": () => Effect.interrupt
          }
        })),
        Layer.provide(Crypto.layerWebCrypto),
        Layer.provideMerge(StoreMemory.layer),
        Layer.provideMerge(ScimOptions.layer())
      ))
    ))
})
