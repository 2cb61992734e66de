import { assert, describe, it } from "@effect/vitest"
import { StoreMemory } from "@scimkit/store-memory"
import * as Context from "effect/Context"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as TestClock from "effect/testing/TestClock"
import * as Crypto from "../src/Crypto.js"
import { ApiKeyId, PlatformId, type StoredApiKey } from "../src/domain/Model.js"
import { ApiKeyStore } from "../src/ports/ApiKeyStore.js"
import * as CredentialVerifier from "../src/ports/CredentialVerifier.js"
import * as ScimOptions from "../src/ScimOptions.js"
import * as ApiKeys from "../src/service/ApiKeys.js"
import * as Platforms from "../src/service/Platforms.js"

const TestLayer = Layer.mergeAll(ApiKeys.layer, Platforms.layer).pipe(
  Layer.provide(Crypto.layerWebCrypto),
  Layer.provideMerge(StoreMemory.layer),
  Layer.provideMerge(ScimOptions.layer())
)

const sha256Hex = (text: string) =>
  Effect.promise(() => globalThis.crypto.subtle.digest("SHA-256", new TextEncoder().encode(text))).pipe(
    Effect.map((d) => Array.from(new Uint8Array(d), (b) => b.toString(16).padStart(2, "0")).join(""))
  )

const newPlatform = (name: string) =>
  Effect.flatMap(Platforms.Platforms, (p) => p.create({ name, ownerEmail: `owner@${name}.example` }))

/** Waits (by yielding, not by time) until the forked touch has landed. */
const awaitLastUsed = (id: StoredApiKey["id"], expected: (key: StoredApiKey) => boolean) =>
  Effect.gen(function*() {
    const store = yield* ApiKeyStore
    for (let i = 0; i < 1000; i++) {
      const key = yield* store.get(id)
      if (expected(key)) return key
      yield* Effect.yieldNow
    }
    return yield* store.get(id)
  })

/** The memory store, but a hash lookup yields first: two `ensure`s both find nothing, then both insert. */
const RacingKeysLayer = Layer.mergeAll(ApiKeys.layer, Platforms.layer).pipe(
  Layer.provide(Crypto.layerWebCrypto),
  Layer.provideMerge(Layer.effectContext(Effect.map(StoreMemory.make, (context) => {
    const keys = Context.get(context, ApiKeyStore)
    return Context.add(context, ApiKeyStore, {
      ...keys,
      findByHash: (hash) => Effect.andThen(Effect.yieldNow, keys.findByHash(hash))
    })
  }))),
  Layer.provideMerge(ScimOptions.layer())
)

describe("ApiKeys", () => {
  it.layer(RacingKeysLayer)((it) => {
    it.effect("two ensures of one secret at the same moment (nodes sharing a bootstrap key) both succeed with one key", () =>
      Effect.gen(function*() {
        const { platform } = yield* (yield* Platforms.Platforms).create({ name: "racing" })
        const keys = yield* ApiKeys.ApiKeys
        const secret = "sk-racing-0123456789abcdefghijklmnopq"
        const [a, b] = yield* Effect.all([
          keys.ensure(platform.id, secret, "bootstrap"),
          keys.ensure(platform.id, secret, "bootstrap")
        ], { concurrency: "unbounded" })
        assert.strictEqual(a.id, b.id)
        assert.strictEqual((yield* keys.list(platform.id)).filter((k) => k.name === "bootstrap").length, 1)
      }))
  })

  it.layer(TestLayer)((it) => {
    it.effect("create returns sk- plus 43 base64url characters once, and stores only its SHA-256 hash and a prefix", () =>
      Effect.gen(function*() {
        const { platform } = yield* newPlatform("create-shape")
        const keys = yield* ApiKeys.ApiKeys
        const created = yield* keys.create(platform.id, "Entra ID")
        assert.match(created.secret, /^sk-[A-Za-z0-9_-]{43}$/)
        assert.strictEqual(created.key.hash, yield* sha256Hex(created.secret))
        assert.strictEqual(created.key.prefix, created.secret.slice(0, 10))
        assert.strictEqual(created.key.name, "Entra ID")
        assert.strictEqual(created.key.platform, platform.id)
        assert.notInclude(JSON.stringify(created.key), created.secret)
        const other = yield* keys.create(platform.id, "Okta")
        assert.notStrictEqual(other.secret, created.secret)
      }))

    it.effect("list returns every key of the platform and never a secret", () =>
      Effect.gen(function*() {
        const { platform, key: first } = yield* newPlatform("list-keys")
        const keys = yield* ApiKeys.ApiKeys
        const second = yield* keys.create(platform.id, "second")
        const listed = yield* keys.list(platform.id)
        assert.deepStrictEqual(listed.map((k) => k.id).sort(), [first.key.id, second.key.id].sort())
        const text = JSON.stringify(listed)
        assert.notInclude(text, first.secret)
        assert.notInclude(text, second.secret)
      }))

    it.effect("verify returns the key (and so the platform) of a valid secret", () =>
      Effect.gen(function*() {
        const { platform } = yield* newPlatform("verify-ok")
        const keys = yield* ApiKeys.ApiKeys
        const created = yield* keys.create(platform.id, "k")
        const verified = yield* keys.verify(created.secret)
        assert.strictEqual(verified.id, created.key.id)
        assert.strictEqual(verified.platform, platform.id)
      }))

    it.effect("unknown, malformed and revoked secrets are Unauthorized with a neutral detail saying what to send", () =>
      Effect.gen(function*() {
        const { platform } = yield* newPlatform("verify-bad")
        const keys = yield* ApiKeys.ApiKeys
        const created = yield* keys.create(platform.id, "k")
        for (const secret of ["sk-unknown-unknown-unknown-unknown-unknown", "nonsense", "", created.secret + "x"]) {
          const error = yield* Effect.flip(keys.verify(secret))
          assert.strictEqual(error._tag, "Unauthorized")
          if (error._tag === "Unauthorized") assert.include(error.detail, "unknown or revoked")
        }
        const revoked = yield* keys.revoke(created.key.id)
        assert.isTrue(Option.isSome(revoked.revoked))
        const error = yield* Effect.flip(keys.verify(created.secret))
        assert.strictEqual(error._tag, "Unauthorized")
      }))

    it.effect("revoking an unknown key is ResourceNotFound; creating a key for an unknown platform too", () =>
      Effect.gen(function*() {
        const keys = yield* ApiKeys.ApiKeys
        assert.strictEqual((yield* Effect.flip(keys.revoke("no-such-key")))._tag, "ResourceNotFound")
        assert.strictEqual(
          (yield* Effect.flip(keys.create(PlatformId.make("no-such-platform"), "k")))._tag,
          "ResourceNotFound"
        )
        assert.strictEqual(
          (yield* Effect.flip(keys.create(PlatformId.make("no-such-platform"), "  ")))._tag,
          "InvalidValue"
        )
      }))

    it.effect("verify records the last use in the background, at most once a minute", () =>
      Effect.gen(function*() {
        const { platform } = yield* newPlatform("touch")
        const keys = yield* ApiKeys.ApiKeys
        const created = yield* keys.create(platform.id, "k")
        assert.isTrue(Option.isNone(created.key.lastUsed))
        yield* keys.verify(created.secret)
        const first = yield* awaitLastUsed(created.key.id, (k) => Option.isSome(k.lastUsed))
        const firstUse = Option.getOrThrow(first.lastUsed)
        yield* TestClock.adjust("30 seconds")
        yield* keys.verify(created.secret)
        for (let i = 0; i < 20; i++) yield* Effect.yieldNow
        const unchanged = yield* (yield* ApiKeyStore).get(created.key.id)
        assert.isTrue(DateTime.Equivalence(Option.getOrThrow(unchanged.lastUsed), firstUse))
        yield* TestClock.adjust("31 seconds")
        yield* keys.verify(created.secret)
        const later = yield* awaitLastUsed(
          created.key.id,
          (k) => Option.exists(k.lastUsed, (at) => DateTime.isGreaterThan(at, firstUse))
        )
        assert.strictEqual(Duration.toMillis(DateTime.distance(firstUse, Option.getOrThrow(later.lastUsed))), 61_000)
      }))

    it.effect("ensure makes exactly the given secret valid, idempotently", () =>
      Effect.gen(function*() {
        const { platform } = yield* newPlatform("ensure")
        const keys = yield* ApiKeys.ApiKeys
        const secret = "sk-bootstrap-0123456789abcdefghijklmnop"
        const first = yield* keys.ensure(platform.id, secret, "bootstrap")
        const second = yield* keys.ensure(platform.id, secret, "bootstrap")
        assert.strictEqual(first.id, second.id)
        assert.strictEqual((yield* keys.verify(secret)).id, first.id)
        assert.strictEqual((yield* keys.list(platform.id)).filter((k) => k.id === first.id).length, 1)
        assert.strictEqual(first.prefix, secret.slice(0, 10))
      }))

    it.effect("ensure rejects secrets without sk- or shorter than 32 characters, and secrets of another platform or revoked ones", () =>
      Effect.gen(function*() {
        const { platform } = yield* newPlatform("ensure-bad")
        const { platform: other } = yield* newPlatform("ensure-other")
        const keys = yield* ApiKeys.ApiKeys
        for (const secret of ["pk-0123456789012345678901234567890123", "sk-short"]) {
          const error = yield* Effect.flip(keys.ensure(platform.id, secret, "bootstrap"))
          assert.strictEqual(error._tag, "InvalidValue")
          if (error._tag === "InvalidValue") assert.include(error.detail, "sk-")
        }
        const secret = "sk-owned-by-the-other-platform-0123456789"
        yield* keys.ensure(other.id, secret, "bootstrap")
        assert.strictEqual((yield* Effect.flip(keys.ensure(platform.id, secret, "bootstrap")))._tag, "InvalidValue")
        const revokedSecret = "sk-revoked-bootstrap-key-0123456789abcdef"
        const revoked = yield* keys.ensure(platform.id, revokedSecret, "bootstrap")
        yield* keys.revoke(revoked.id)
        const error = yield* Effect.flip(keys.ensure(platform.id, revokedSecret, "bootstrap"))
        assert.strictEqual(error._tag, "InvalidValue")
        if (error._tag === "InvalidValue") assert.include(error.detail, "revoked")
      }))

    it.effect("a verified key is reused for credentialCacheTtl: revoked by another process, it is refused once the ttl has passed", () =>
      Effect.gen(function*() {
        const { platform } = yield* newPlatform("cache-ttl")
        const keys = yield* ApiKeys.ApiKeys
        const created = yield* keys.create(platform.id, "k")
        assert.strictEqual((yield* keys.verify(created.secret)).id, created.key.id)
        // another process (the CLI, another node) revokes it in the shared store
        yield* (yield* ApiKeyStore).revoke(created.key.id, yield* DateTime.now)
        yield* TestClock.adjust("4 seconds")
        assert.strictEqual((yield* keys.verify(created.secret)).id, created.key.id)
        yield* TestClock.adjust("1 second")
        assert.strictEqual((yield* Effect.flip(keys.verify(created.secret)))._tag, "Unauthorized")
      }))

    it.effect("revoking through the service refuses a cached key at once", () =>
      Effect.gen(function*() {
        const { platform } = yield* newPlatform("cache-revoke")
        const keys = yield* ApiKeys.ApiKeys
        const created = yield* keys.create(platform.id, "k")
        const other = yield* keys.create(platform.id, "other")
        yield* keys.verify(created.secret)
        yield* keys.verify(other.secret)
        yield* keys.revoke(created.key.id)
        assert.strictEqual((yield* Effect.flip(keys.verify(created.secret)))._tag, "Unauthorized")
        assert.strictEqual((yield* keys.verify(other.secret)).id, other.key.id)
      }))

    it.effect("rotate gives a new secret under the same name; the old key is dead at once, even when cached", () =>
      Effect.gen(function*() {
        const { platform } = yield* newPlatform("rotate")
        const keys = yield* ApiKeys.ApiKeys
        const old = yield* keys.create(platform.id, "Entra ID")
        yield* keys.verify(old.secret)
        const rotated = yield* keys.rotate(old.key.id)
        assert.notStrictEqual(rotated.secret, old.secret)
        assert.notStrictEqual(rotated.key.id, old.key.id)
        assert.strictEqual(rotated.key.name, "Entra ID")
        assert.strictEqual(rotated.key.platform, platform.id)
        assert.strictEqual((yield* keys.verify(rotated.secret)).id, rotated.key.id)
        assert.strictEqual((yield* Effect.flip(keys.verify(old.secret)))._tag, "Unauthorized")
        const listed = yield* keys.list(platform.id)
        assert.isTrue(Option.isSome(listed.find((k) => k.id === old.key.id)!.revoked))
        assert.isTrue(Option.isNone(listed.find((k) => k.id === rotated.key.id)!.revoked))
      }))

    it.effect("rotate refuses a revoked key (InvalidValue) and an unknown one (ResourceNotFound)", () =>
      Effect.gen(function*() {
        const { platform } = yield* newPlatform("rotate-bad")
        const keys = yield* ApiKeys.ApiKeys
        const created = yield* keys.create(platform.id, "k")
        yield* keys.revoke(created.key.id)
        const before = (yield* keys.list(platform.id)).length
        const error = yield* Effect.flip(keys.rotate(created.key.id))
        assert.strictEqual(error._tag, "InvalidValue")
        assert.include(error.message, "revoked")
        assert.strictEqual((yield* keys.list(platform.id)).length, before)
        assert.strictEqual((yield* Effect.flip(keys.rotate("no-such-key")))._tag, "ResourceNotFound")
      }))

    it.effect("layerVerifier resolves a key's secret to its platform and the key's id, and refuses what verify refuses", () =>
      Effect.gen(function*() {
        const { platform } = yield* newPlatform("verifier")
        const keys = yield* ApiKeys.ApiKeys
        const created = yield* keys.create(platform.id, "k")
        const verifier = yield* Effect.provide(CredentialVerifier.CredentialVerifier, ApiKeys.layerVerifier)
        const verified = yield* verifier.verify({ token: created.secret })
        assert.deepStrictEqual(verified, { platform: platform.id, credential: created.key.id })
        assert.notInclude(JSON.stringify(verified), created.secret)
        const error = yield* Effect.flip(verifier.verify({ token: "sk-nope" }))
        assert.strictEqual(error._tag, "Unauthorized")
        assert.notInclude(error.message, "pnpm")
      }))

    it.effect("revoke takes effect on the next verify and keeps the first revocation time", () =>
      Effect.gen(function*() {
        const { platform } = yield* newPlatform("revoke-twice")
        const keys = yield* ApiKeys.ApiKeys
        const created = yield* keys.create(platform.id, "k")
        const once = yield* keys.revoke(created.key.id)
        yield* TestClock.adjust("1 hour")
        const twice = yield* keys.revoke(ApiKeyId.make(created.key.id))
        assert.deepStrictEqual(twice.revoked, once.revoked)
      }))
  })

  it.layer(
    Layer.mergeAll(ApiKeys.layer, Platforms.layer).pipe(
      Layer.provide(Crypto.layerWebCrypto),
      Layer.provideMerge(StoreMemory.layer),
      Layer.provideMerge(ScimOptions.layer({ credentialCacheTtl: Duration.zero }))
    )
  )((it) => {
    it.effect("with credentialCacheTtl zero a key revoked by another process is refused on the next request", () =>
      Effect.gen(function*() {
        const { platform } = yield* newPlatform("no-cache")
        const keys = yield* ApiKeys.ApiKeys
        const created = yield* keys.create(platform.id, "k")
        yield* keys.verify(created.secret)
        yield* (yield* ApiKeyStore).revoke(created.key.id, yield* DateTime.now)
        assert.strictEqual((yield* Effect.flip(keys.verify(created.secret)))._tag, "Unauthorized")
      }))
  })
})
