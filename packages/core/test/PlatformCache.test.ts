import { assert, describe, it } from "@effect/vitest"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as TestClock from "effect/testing/TestClock"
import { Platform, PlatformId } from "../src/domain/Model.js"
import { ResourceNotFound } from "../src/errors/ScimError.js"
import { PlatformStore } from "../src/ports/PlatformStore.js"
import * as PlatformCache from "../src/service/PlatformCache.js"

/** A platform store over a map that counts its reads, standing in for a shared database. */
const countingStore = () => {
  const rows = new Map<string, Platform>()
  let reads = 0
  const store = PlatformStore.of({
    insert: (platform) => Effect.sync(() => (rows.set(platform.id, platform), platform)),
    get: (id) =>
      Effect.suspend(() => {
        reads++
        const found = rows.get(id)
        return found === undefined
          ? Effect.fail(new ResourceNotFound({ resourceType: "Platform", id }))
          : Effect.succeed(found)
      }),
    findByName: (name) => Effect.sync(() => Option.fromNullishOr([...rows.values()].find((p) => p.name === name))),
    list: () => Effect.sync(() => [...rows.values()]),
    update: (platform) =>
      Effect.suspend(() =>
        rows.has(platform.id)
          ? Effect.sync(() => (rows.set(platform.id, platform), platform))
          : Effect.fail(new ResourceNotFound({ resourceType: "Platform", id: platform.id }))
      )
  })
  return { rows, store, reads: () => reads }
}

const platform = (id: string, name: string) =>
  new Platform({
    id: PlatformId.make(id),
    name,
    ownerId: Option.none(),
    compatibility: "lenient",
    created: DateTime.makeUnsafe(0)
  })

describe("PlatformCache", () => {
  it.effect("answers get from memory for the ttl, then reads the store again", () =>
    Effect.gen(function*() {
      const shared = countingStore()
      const cached = PlatformCache.make(shared.store, Duration.seconds(5))
      yield* cached.insert(platform("p1", "Acme"))
      assert.strictEqual((yield* cached.get(PlatformId.make("p1"))).name, "Acme")
      assert.strictEqual(shared.reads(), 0)
      // another process renames it in the shared store: seen once the ttl has passed
      shared.rows.set("p1", platform("p1", "Acme 2"))
      yield* TestClock.adjust("4 seconds")
      assert.strictEqual((yield* cached.get(PlatformId.make("p1"))).name, "Acme")
      yield* TestClock.adjust("1 second")
      assert.strictEqual((yield* cached.get(PlatformId.make("p1"))).name, "Acme 2")
      assert.strictEqual(shared.reads(), 1)
    }))

  it.effect("an update through the cache is seen at once; a failed update drops the entry", () =>
    Effect.gen(function*() {
      const shared = countingStore()
      const cached = PlatformCache.make(shared.store, Duration.seconds(5))
      yield* cached.insert(platform("p1", "Acme"))
      yield* cached.update(platform("p1", "Renamed"))
      assert.strictEqual((yield* cached.get(PlatformId.make("p1"))).name, "Renamed")
      shared.rows.delete("p1")
      const error = yield* Effect.flip(cached.update(platform("p1", "Again")))
      assert.strictEqual(error._tag, "ResourceNotFound")
      assert.strictEqual((yield* Effect.flip(cached.get(PlatformId.make("p1"))))._tag, "ResourceNotFound")
    }))

  it.effect("an unknown platform is not remembered; a ttl of zero reads the store every time", () =>
    Effect.gen(function*() {
      const shared = countingStore()
      const cached = PlatformCache.make(shared.store, Duration.seconds(5))
      assert.strictEqual((yield* Effect.flip(cached.get(PlatformId.make("p9"))))._tag, "ResourceNotFound")
      shared.rows.set("p9", platform("p9", "Late"))
      assert.strictEqual((yield* cached.get(PlatformId.make("p9"))).name, "Late")
      const uncached = PlatformCache.make(shared.store, Duration.zero)
      const before = shared.reads()
      yield* uncached.get(PlatformId.make("p9"))
      yield* uncached.get(PlatformId.make("p9"))
      assert.strictEqual(shared.reads() - before, 2)
    }))
})
