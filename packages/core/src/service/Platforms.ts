/**
 * Platforms (tenants): creating one creates its owner (an ADMIN user) and a first API key.
 */
import * as Context from "effect/Context"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { Platform, PlatformId, StoredUser, UserId } from "../domain/Model.js"
import { type CoreError, InvalidValue, ResourceNotFound } from "../errors/ScimError.js"
import * as Keys from "../internal/service/keys.js"
import { ApiKeyStore } from "../ports/ApiKeyStore.js"
import { PlatformStore } from "../ports/PlatformStore.js"
import { Transactions } from "../ports/Transactions.js"
import { UserStore } from "../ports/UserStore.js"
import { CustomUserAttributesUrn } from "../schema/Schemas.js"
import * as Crypto from "../Crypto.js"
import { ScimOptions } from "../ScimOptions.js"
import type { CreatedApiKey } from "./ApiKeys.js"

/** A platform created with its owner and first key. */
export interface CreatedPlatform {
  readonly platform: Platform
  readonly owner: StoredUser
  readonly key: CreatedApiKey
}

export interface PlatformsApi {
  /** Creates the platform, its owner (an ADMIN user whose userName is `ownerEmail`) and a first API key. */
  readonly create: (name: string, ownerEmail: string) => Effect.Effect<CreatedPlatform, CoreError>
  readonly get: (id: PlatformId) => Effect.Effect<Platform, CoreError>
  /** By id, else by name (case-insensitive). */
  readonly find: (idOrName: string) => Effect.Effect<Platform, CoreError>
  readonly list: () => Effect.Effect<ReadonlyArray<Platform>, CoreError>
  /**
   * Makes `externalId` unique among the platform's users and among its groups (or not: the
   * default, RFC 7643 §3.1). Turning it on fails with `Uniqueness` while duplicates exist.
   */
  readonly setUniqueExternalId: (id: PlatformId, unique: boolean) => Effect.Effect<Platform, CoreError>
}

/** The platforms (tenants): the key of the service. */
export class Platforms extends Context.Service<Platforms, PlatformsApi>()("@scimkit/core/Platforms") {}

/** The name of the first key of a new platform. */
export const firstKeyName = "initial key"

const validateName = (name: string): Effect.Effect<string, InvalidValue> => {
  const trimmed = name.trim()
  return trimmed === ""
    ? Effect.fail(new InvalidValue({ attribute: "name", detail: "A platform needs a non-empty name, e.g. \"Acme\"" }))
    : Effect.succeed(trimmed)
}

const validateEmail = (email: string): Effect.Effect<string, InvalidValue> => {
  const trimmed = email.trim()
  return /^[^\s@]+@[^\s@]+$/.test(trimmed)
    ? Effect.succeed(trimmed)
    : Effect.fail(
      new InvalidValue({
        attribute: "ownerEmail",
        detail: `The owner's email becomes their userName and must look like name@domain (got ${JSON.stringify(email)})`
      })
    )
}

export const make: Effect.Effect<
  PlatformsApi,
  never,
  PlatformStore | UserStore | ApiKeyStore | Transactions | ScimOptions | Crypto.Services
> = Effect.gen(function*() {
  const platforms = yield* PlatformStore
  const users = yield* UserStore
  const keys = yield* ApiKeyStore
  const transactions = yield* Transactions
  const options = yield* ScimOptions
  const crypto = yield* Crypto.bind

  const create = Effect.fn("Platforms.create")(function*(name: string, ownerEmail: string) {
    const platformName = yield* validateName(name)
    const email = yield* validateEmail(ownerEmail)
    const now = yield* DateTime.now
    const platformId = PlatformId.make(yield* crypto.randomUUID)
    const ownerId = UserId.make(yield* crypto.randomUUID)
    const secret = yield* Keys.generateSecret(crypto)
    const cursorSecret = yield* Keys.randomSecret(crypto)
    const storedKey = yield* Keys.storedKey(crypto, platformId, firstKeyName, secret)
    const owner = new StoredUser({
      id: ownerId,
      userName: email,
      externalId: Option.none(),
      displayName: Option.none(),
      active: true,
      platformRole: "ADMIN",
      document: {
        userName: email,
        emails: [{ value: email, primary: true, type: "work" }],
        active: true,
        [CustomUserAttributesUrn]: { platformRole: "ADMIN" }
      },
      version: 1,
      created: now,
      lastModified: now
    }, { disableChecks: true })
    return yield* transactions.run(Effect.gen(function*() {
      const inserted = yield* platforms.insert(
        new Platform({
          id: platformId,
          name: platformName,
          ownerId: Option.none(),
          compatibility: options.compatibility,
          created: now,
          cursorSecret: Option.some(Redacted.make(cursorSecret))
        }, { disableChecks: true })
      )
      const storedOwner = yield* users.insert(platformId, owner)
      const platform = yield* platforms.update(
        new Platform({ ...inserted, ownerId: Option.some(storedOwner.id) }, { disableChecks: true })
      )
      const key = yield* keys.insert(storedKey)
      return { platform, owner: storedOwner, key: { key, secret } }
    }))
  })

  const get = Effect.fn("Platforms.get")(function*(id: PlatformId) {
    return yield* platforms.get(id)
  })

  const find = Effect.fn("Platforms.find")(function*(idOrName: string) {
    const byId = yield* platforms.get(PlatformId.make(idOrName)).pipe(
      Effect.map(Option.some),
      Effect.catchTag("ResourceNotFound", () => Effect.succeed(Option.none<Platform>()))
    )
    if (Option.isSome(byId)) return byId.value
    const byName = yield* platforms.findByName(idOrName.trim())
    if (Option.isSome(byName)) return byName.value
    return yield* new ResourceNotFound({ resourceType: "Platform", id: idOrName })
  })

  const list = Effect.fn("Platforms.list")(function*() {
    return yield* platforms.list()
  })

  const setUniqueExternalId = Effect.fn("Platforms.setUniqueExternalId")(function*(id: PlatformId, unique: boolean) {
    const current = yield* platforms.get(id)
    if (current.uniqueExternalId === unique) return current
    return yield* platforms.update(new Platform({ ...current, uniqueExternalId: unique }, { disableChecks: true }))
  })

  return { create, get, find, list, setUniqueExternalId }
})

export const layer: Layer.Layer<
  Platforms,
  never,
  PlatformStore | UserStore | ApiKeyStore | Transactions | ScimOptions | Crypto.Services
> = Layer.effect(Platforms, make)
