/**
 * The EventStore contract: positions consecutive, increasing and in commit order (a reader never
 * sees a later event before an earlier one, also under concurrent writers), reads by position,
 * platform, type and resource, nothing left by a rolled-back transaction, every field kept,
 * pruning by age, consumers' checkpoints that never move back, and leases held by one owner at a
 * time until they expire or are released.
 *
 * Positions are global (every platform's events share them), so the tests that count positions
 * rely on the suite running one test at a time; every test writes events of its own platform.
 */
import { assert } from "@effect/vitest"
import type { Model } from "@scimkit/core"
import { ChangeEvent, EventStore, Transactions, UserStore } from "@scimkit/core"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as TestClock from "effect/testing/TestClock"
import { at, freshPlatform, newUser, unique } from "./fixtures.js"
import type { It } from "./harness.js"

/** An event of `platform` (a user created at minute 0 unless told otherwise). */
const newEvent = (
  platform: Model.PlatformId,
  fields: Partial<ConstructorParameters<typeof ChangeEvent.NewEvent>[0]> = {}
): ChangeEvent.NewEvent =>
  new ChangeEvent.NewEvent({
    platform,
    type: "user.created",
    resourceType: "User",
    resourceId: unique("user"),
    version: 1,
    changed: ["active", "userName"],
    before: Option.none(),
    after: Option.some({ userName: "someone@example.com", active: true }),
    member: Option.none(),
    at: at(0),
    actor: ChangeEvent.systemActor,
    ...fields
  })

const positions = (events: ReadonlyArray<ChangeEvent.ChangeEvent>) => events.map((e) => e.position)

const range = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i)

/** The events as appended, without their positions (what `append` was given). */
const unpositioned = (events: ReadonlyArray<ChangeEvent.ChangeEvent>) => events.map(({ position: _, ...rest }) => rest)

/** The EventStore tests. */
export const events = (it: It): void => {
  it.effect("append numbers events consecutively after every committed one, in the order given; read returns them as appended", () =>
    Effect.gen(function*() {
      const store = yield* EventStore.EventStore
      const p = freshPlatform()
      const before = yield* store.latest
      const given = [newEvent(p), newEvent(p, { type: "user.updated", version: 2 }), newEvent(p, { version: 3 })]
      const first = yield* store.append(given)
      assert.deepStrictEqual(positions(first), range(before + 1, 3))
      assert.deepStrictEqual(unpositioned(first), given.map((e) => ({ ...e })))
      assert.strictEqual(yield* store.latest, before + 3)
      const second = yield* store.append([newEvent(p, { type: "user.deleted" })])
      assert.deepStrictEqual(positions(second), [before + 4])
      assert.deepStrictEqual(yield* store.read({ after: before, limit: 100, platform: p }), [...first, ...second])
      assert.deepStrictEqual(yield* store.append([]), [])
      assert.strictEqual(yield* store.latest, before + 4)
    }))

  it.effect("read selects by after and limit, platform, types and resourceId, position ascending", () =>
    Effect.gen(function*() {
      const store = yield* EventStore.EventStore
      const [p, q] = [freshPlatform(), freshPlatform()]
      const start = yield* store.latest
      const userId = unique("user")
      const groupId = unique("group")
      const appended = yield* store.append([
        newEvent(p, { resourceId: userId }),
        newEvent(q, { resourceId: userId }),
        newEvent(p, { type: "project.created", resourceType: "Group", resourceId: groupId }),
        newEvent(p, { type: "user.updated", resourceId: userId, version: 2 }),
        newEvent(p, {
          type: "member.added",
          resourceType: "Group",
          resourceId: groupId,
          version: 2,
          member: Option.some(new ChangeEvent.EventMember({ userId, role: "Editor" }))
        })
      ])
      const [e1, e2, e3, e4, e5] = appended
      const read = (query: Omit<EventStore.EventQuery, "limit"> & { readonly limit?: number }) =>
        store.read({ limit: 100, ...query })
      assert.deepStrictEqual(yield* read({ after: start }), appended)
      assert.deepStrictEqual(yield* read({ after: start, limit: 2 }), [e1, e2])
      assert.deepStrictEqual(yield* read({ after: e2!.position, limit: 2 }), [e3, e4])
      assert.deepStrictEqual(yield* read({ after: e5!.position }), [])
      assert.deepStrictEqual(yield* read({ after: start, limit: 0 }), [])
      assert.deepStrictEqual(yield* read({ after: start, platform: p }), [e1, e3, e4, e5])
      assert.deepStrictEqual(yield* read({ after: start, platform: q }), [e2])
      assert.deepStrictEqual(yield* read({ after: e2!.position, platform: q }), [])
      assert.deepStrictEqual(yield* read({ after: start, platform: p, types: ["user.created", "member.added"] }), [
        e1,
        e5
      ])
      assert.deepStrictEqual(yield* read({ after: start, platform: p, types: [] }), [])
      assert.deepStrictEqual(yield* read({ after: start, platform: p, resourceId: userId }), [e1, e4])
      assert.deepStrictEqual(yield* read({ after: start, resourceId: userId }), [e1, e2, e4])
      assert.deepStrictEqual(
        yield* read({ after: e1!.position, platform: p, resourceId: groupId, types: ["member.added"] }),
        [e5]
      )
      assert.deepStrictEqual(yield* read({ after: start, platform: freshPlatform() }), [])
    }))

  it.effect("events keep every field: documents, the member, the actor, the instant to the millisecond", () =>
    Effect.gen(function*() {
      const store = yield* EventStore.EventStore
      const p = freshPlatform()
      const start = yield* store.latest
      const document: Model.JsonObject = {
        schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
        userName: "ünïcödé 😀 \"quoted\" \\ back",
        name: { givenName: "Ann", familyName: null },
        emails: [{ value: "a@example.com", primary: true }],
        score: 1.5,
        "urn:example:ext": { "dotted.key": [1, "two", false] }
      }
      const given = [
        newEvent(p, {
          type: "user.deactivated",
          version: 7,
          changed: ["active", "name.givenName", "urn:example:ext:dotted.key"],
          before: Option.some(document),
          after: Option.some({ ...document, active: false }),
          at: DateTime.makeUnsafe(Date.UTC(2025, 5, 30, 23, 59, 59, 987)),
          actor: new ChangeEvent.Actor({ credential: Option.some("key-1"), requestId: Option.some("req-1") })
        }),
        newEvent(p, {
          type: "member.removed",
          resourceType: "Group",
          changed: ["members"],
          before: Option.none(),
          after: Option.none(),
          member: Option.some(new ChangeEvent.EventMember({ userId: "u-1", role: "Viewer" })),
          actor: new ChangeEvent.Actor({ credential: Option.none(), requestId: Option.some("req-2") })
        }),
        newEvent(p, { changed: [], after: Option.some({}) })
      ]
      const appended = yield* store.append(given)
      const read = yield* store.read({ after: start, limit: 10, platform: p })
      assert.deepStrictEqual(read, appended)
      assert.deepStrictEqual(unpositioned(read), given.map((e) => ({ ...e })))
      assert.strictEqual(DateTime.toEpochMillis(read[0]!.at), Date.UTC(2025, 5, 30, 23, 59, 59, 987))
    }))

  it.effect("a rolled-back transaction leaves no event and takes no position", () =>
    Effect.gen(function*() {
      const store = yield* EventStore.EventStore
      const users = yield* UserStore.UserStore
      const tx = yield* Transactions.Transactions
      const p = freshPlatform()
      const start = yield* store.latest
      const failure = yield* Effect.flip(tx.run(Effect.gen(function*() {
        yield* users.insert(p, newUser({ userName: "gone@example.com" }))
        const appended = yield* store.append([newEvent(p), newEvent(p)])
        assert.deepStrictEqual(positions(appended), range(start + 1, 2))
        assert.strictEqual((yield* store.read({ after: start, limit: 10, platform: p })).length, 2)
        return yield* Effect.fail("rollback" as const)
      })))
      assert.strictEqual(failure, "rollback")
      assert.strictEqual(yield* store.latest, start)
      assert.deepStrictEqual(yield* store.read({ after: start, limit: 10, platform: p }), [])
      const committed = yield* tx.run(Effect.andThen(
        users.insert(p, newUser({ userName: "kept@example.com" })),
        store.append([newEvent(p)])
      ))
      assert.deepStrictEqual(positions(committed), [start + 1])
      assert.deepStrictEqual(yield* store.read({ after: start, limit: 10, platform: p }), committed)
    }))

  it.effect("concurrent writers get gap-free positions in commit order: a reader polling meanwhile never sees a later event before an earlier one", () =>
    Effect.gen(function*() {
      const store = yield* EventStore.EventStore
      const users = yield* UserStore.UserStore
      const tx = yield* Transactions.Transactions
      const p = freshPlatform()
      const start = yield* store.latest
      const writers = 8
      const writes = 15
      const sizeOf = (w: number, i: number) => 1 + ((w + i) % 3)
      let expected = 0
      for (let w = 0; w < writers; w++) for (let i = 0; i < writes; i++) expected += sizeOf(w, i)

      const write = (w: number, i: number) =>
        tx.run(Effect.gen(function*() {
          yield* users.insert(p, newUser({ userName: `writer${w}-${i}@example.com` }))
          const appended = yield* store.append(
            Array.from({ length: sizeOf(w, i) }, () => newEvent(p, { resourceId: `${w}-${i}` }))
          )
          // hold the transaction open a moment after appending, as a write's last work before COMMIT would
          if (i % 2 === 0) yield* TestClock.withLive(Effect.sleep("1 millis"))
          return appended
        }))
      const reader = Effect.gen(function*() {
        let last = start
        const seen: Array<ChangeEvent.ChangeEvent> = []
        while (seen.length < expected) {
          const batch = yield* store.read({ after: last, limit: 20, platform: p })
          for (const e of batch) {
            assert.strictEqual(e.position, last + 1, `after position ${last} the reader saw ${e.position}`)
            last = e.position
            seen.push(e)
          }
          if (batch.length === 0) yield* TestClock.withLive(Effect.sleep("1 millis"))
        }
        return seen
      })
      const [written, seen] = yield* Effect.all([
        Effect.forEach(
          Array.from({ length: writers }, (_, w) => w),
          (w) => Effect.forEach(Array.from({ length: writes }, (_, i) => i), (i) => write(w, i)),
          { concurrency: "unbounded" }
        ),
        reader
      ], { concurrency: "unbounded" })
      const all = written.flat()
      for (const appended of all) {
        // one transaction's events are consecutive
        assert.deepStrictEqual(positions(appended), range(appended[0]!.position, appended.length))
      }
      assert.deepStrictEqual(positions(all.flat()).sort((a, b) => a - b), range(start + 1, expected))
      assert.deepStrictEqual(positions(seen), range(start + 1, expected))
      assert.strictEqual(yield* store.latest, start + expected)
    }))

  it.effect("prune deletes the events older than the instant, of every platform, and says how many", () =>
    Effect.gen(function*() {
      const store = yield* EventStore.EventStore
      const [p, q] = [freshPlatform(), freshPlatform()]
      const start = yield* store.latest
      // before any other test's events (they are of 2025), so the count is this test's alone
      const year = (y: number) => DateTime.makeUnsafe(Date.UTC(y, 0, 1))
      const [old1, old2, kept] = yield* store.append([
        newEvent(p, { at: year(1990) }),
        newEvent(q, { at: DateTime.makeUnsafe(Date.UTC(2000, 0, 1) - 1) }),
        newEvent(p, { at: year(2000) })
      ])
      assert.strictEqual(yield* store.prune(year(1980)), 0)
      assert.strictEqual(yield* store.prune(year(2000)), 2)
      assert.strictEqual(yield* store.prune(year(2000)), 0)
      assert.deepStrictEqual(yield* store.read({ after: start, limit: 10, platform: p }), [kept])
      assert.deepStrictEqual(yield* store.read({ after: start, limit: 10, platform: q }), [])
      assert.notStrictEqual(old1!.position, old2!.position)
      // pruning never gives a position again
      assert.strictEqual(yield* store.latest, start + 3)
      assert.deepStrictEqual(positions(yield* store.append([newEvent(p)])), [start + 4])
    }))

  it.effect("a checkpoint is None before its first save, and saving a lower position keeps the higher", () =>
    Effect.gen(function*() {
      const store = yield* EventStore.EventStore
      const [consumer, other] = [unique("consumer"), unique("consumer")]
      assert.isTrue(Option.isNone(yield* store.checkpoint(consumer)))
      yield* store.saveCheckpoint(consumer, 10)
      assert.deepStrictEqual(yield* store.checkpoint(consumer), Option.some(10))
      yield* store.saveCheckpoint(consumer, 7)
      assert.deepStrictEqual(yield* store.checkpoint(consumer), Option.some(10))
      yield* store.saveCheckpoint(consumer, 12)
      yield* store.saveCheckpoint(consumer, 12)
      assert.deepStrictEqual(yield* store.checkpoint(consumer), Option.some(12))
      assert.isTrue(Option.isNone(yield* store.checkpoint(other)))
      yield* store.saveCheckpoint(other, 0)
      assert.deepStrictEqual(yield* store.checkpoint(other), Option.some(0))
      assert.deepStrictEqual(yield* store.checkpoint(consumer), Option.some(12))
    }))

  it.effect("a lease has one owner at a time until it expires or is released, and its owner renews it", () =>
    Effect.gen(function*() {
      const store = yield* EventStore.EventStore
      const lease = unique("lease")
      assert.isTrue(yield* store.acquireLease(lease, "a", 1_000))
      assert.isFalse(yield* store.acquireLease(lease, "b", 1_000))
      yield* TestClock.adjust("600 millis")
      // a renews: the lease now runs until 1,600 ms
      assert.isTrue(yield* store.acquireLease(lease, "a", 1_000))
      yield* TestClock.adjust("600 millis")
      assert.isFalse(yield* store.acquireLease(lease, "b", 1_000), "renewed, not expired")
      yield* TestClock.adjust("1001 millis")
      assert.isTrue(yield* store.acquireLease(lease, "b", 1_000), "expired: b takes it")
      assert.isFalse(yield* store.acquireLease(lease, "a", 1_000))
      yield* store.releaseLease(lease, "a")
      assert.isFalse(yield* store.acquireLease(lease, "a", 1_000), "only the owner releases")
      yield* store.releaseLease(lease, "b")
      assert.isTrue(yield* store.acquireLease(lease, "a", 1_000), "released: a takes it")
      assert.isTrue(yield* store.acquireLease(unique("lease"), "b", 1_000), "leases are independent")
    }))

  it.effect("of concurrent acquirers of a free lease exactly one holds it", () =>
    Effect.gen(function*() {
      const store = yield* EventStore.EventStore
      const lease = unique("lease")
      const won = yield* Effect.forEach(
        Array.from({ length: 12 }, (_, i) => `owner-${i}`),
        (owner) => Effect.map(store.acquireLease(lease, owner, 60_000), (held) => held ? [owner] : []),
        { concurrency: "unbounded" }
      )
      const owners = won.flat()
      assert.strictEqual(owners.length, 1)
      assert.isTrue(yield* store.acquireLease(lease, owners[0]!, 60_000))
    }))
}
