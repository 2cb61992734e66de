/**
 * Platforms (tenants): creating one gives it a first API key and, when asked, an owner (an ADMIN
 * user); ownership can move to another active user of the platform.
 */
import * as Context from "effect/Context"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type * as DomainModel from "../domain/DomainModel.js"
import { Platform, PlatformId, StoredUser, UserId } from "../domain/Model.js"
import { type CoreError, InvalidValue, ResourceNotFound, Uniqueness } from "../errors/ScimError.js"
import * as Changes from "../internal/service/changes.js"
import * as Keys from "../internal/service/keys.js"
import * as PlatformRolePolicy from "../policy/PlatformRolePolicy.js"
import { ApiKeyStore } from "../ports/ApiKeyStore.js"
import { EventStore } from "../ports/EventStore.js"
import { PlatformStore } from "../ports/PlatformStore.js"
import { Transactions } from "../ports/Transactions.js"
import { UserStore } from "../ports/UserStore.js"
import * as Input from "../schema/Input.js"
import * as Crypto from "../Crypto.js"
import { ScimOptions } from "../ScimOptions.js"
import type { CreatedApiKey } from "./ApiKeys.js"
import * as Hooks from "./Hooks.js"

/** What a new platform is made of. */
export interface CreateInput {
  /** Its name: unique among the platforms, compared case-insensitively (leading and trailing spaces dropped). */
  readonly name: string
  /**
   * The host's own id for the tenant (at most {@link maxIdLength} characters, no control
   * characters, no surrounding spaces), unique among the platforms. Left out: a random UUID.
   */
  readonly id?: string | undefined
  /**
   * Creates the owner: an active ADMIN user whose userName (and primary email) is this address,
   * who can never be deactivated, deleted or demoted through SCIM. Left out: the platform has no
   * owner and no user until the IdP provisions them.
   */
  readonly ownerEmail?: string | undefined
}

/** A platform created with its first key, and its owner when one was asked for. */
export interface CreatedPlatform {
  readonly platform: Platform
  readonly owner: Option.Option<StoredUser>
  readonly key: CreatedApiKey
}

export interface PlatformsApi {
  /** Creates the platform, its first API key and (with `ownerEmail`) its owner, all or nothing. */
  readonly create: (input: CreateInput) => Effect.Effect<CreatedPlatform, CoreError>
  readonly get: (id: PlatformId) => Effect.Effect<Platform, CoreError>
  /** By id, else by name (case-insensitive). */
  readonly find: (idOrName: string) => Effect.Effect<Platform, CoreError>
  readonly list: () => Effect.Effect<ReadonlyArray<Platform>, CoreError>
  /**
   * Makes `externalId` unique among the platform's users and among its groups (or not: the
   * default, RFC 7643 §3.1). Turning it on fails with `Uniqueness` while duplicates exist.
   */
  readonly setUniqueExternalId: (id: PlatformId, unique: boolean) => Effect.Effect<Platform, CoreError>
  /**
   * Makes `userId` the platform's owner: the user must exist on the platform (`ResourceNotFound`)
   * and be active (`InvalidValue`); they become ADMIN if they were not. The previous owner stays a
   * user as they are, now free to be deactivated, deleted or demoted by the IdP.
   */
  readonly transferOwnership: (id: PlatformId, userId: string) => Effect.Effect<Platform, CoreError>
}

/** The platforms (tenants): the key of the service. */
export class Platforms extends Context.Service<Platforms, PlatformsApi>()("@scimkit/core/Platforms") {}

/** The name of the first key of a new platform. */
export const firstKeyName = "initial key"

/**
 * The longest id a host may give a platform: a guess, room for any UUID, ULID, database key or
 * slug a host uses for its tenants while keeping ids short enough for an index and a log line.
 */
export const maxIdLength = 255

const validateName = (name: string): Effect.Effect<string, InvalidValue> => {
  const trimmed = name.trim()
  if (trimmed === "") {
    return Effect.fail(
      new InvalidValue({ attribute: "name", detail: "A platform needs a non-empty name, e.g. \"Acme\"" })
    )
  }
  const problem = Input.stringProblem(trimmed)
  return problem === undefined
    ? Effect.succeed(trimmed)
    : Effect.fail(new InvalidValue({ attribute: "name", detail: `The platform's name ${problem}` }))
}

/** Whether `text` holds a C0 or C1 control character (tabs and line breaks included). */
const hasControlCharacter = (text: string): boolean => {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return true
  }
  return false
}

const invalidId = (id: string, why: string) =>
  new InvalidValue({
    attribute: "id",
    detail: `A platform id ${why} (got ${JSON.stringify(id.length > 80 ? `${id.slice(0, 80)}…` : id)}); ` +
      `use your own tenant id as is (a UUID, a database key, a slug) or leave it out for a random one`
  })

/** A host-given platform id: non-empty, bounded, printable, exactly as it will be stored and compared. */
export const validateId = (id: string): Effect.Effect<PlatformId, InvalidValue> => {
  if (id.length === 0) return Effect.fail(invalidId(id, "must not be empty"))
  if (id.length > maxIdLength) return Effect.fail(invalidId(id, `must be at most ${maxIdLength} characters long`))
  if (id.trim() !== id) return Effect.fail(invalidId(id, "must not start or end with spaces"))
  if (hasControlCharacter(id)) return Effect.fail(invalidId(id, "must not contain control characters"))
  const problem = Input.stringProblem(id)
  return problem === undefined ? Effect.succeed(PlatformId.make(id)) : Effect.fail(invalidId(id, problem))
}

const validateEmail = (email: string): Effect.Effect<string, InvalidValue> => {
  const trimmed = email.trim()
  return /^[^\s@]+@[^\s@]+$/.test(trimmed) && Input.isStorable(trimmed)
    ? Effect.succeed(trimmed)
    : Effect.fail(
      new InvalidValue({
        attribute: "ownerEmail",
        detail: `The owner's email becomes their userName and must look like name@domain (got ${JSON.stringify(email)})`
      })
    )
}

/** The store's `Uniqueness` of a platform insert, told as a platform's (not a resource's) conflict. */
const platformTaken = (error: Uniqueness): Uniqueness =>
  new Uniqueness({
    attribute: error.attribute,
    value: error.value,
    detail: error.attribute === "id"
      ? `A platform with id ${JSON.stringify(error.value)} already exists; choose another id`
      : `A platform named ${
        JSON.stringify(error.value)
      } already exists (names are compared case-insensitively); choose another name`
  })

/** The role an owner gets: the model's owner role (ADMIN today), else its default role. */
const ownerRoleOf = (model: DomainModel.DomainModel): string =>
  Option.getOrElse(model.platformRoles.ownerRole, () => model.platformRoles.default)

const ownerUser = (id: UserId, email: string, now: DateTime.Utc, model: DomainModel.DomainModel): StoredUser =>
  new StoredUser({
    id,
    userName: email,
    externalId: Option.none(),
    displayName: Option.none(),
    active: true,
    platformRole: ownerRoleOf(model),
    document: PlatformRolePolicy.withRole(
      {
        userName: email,
        emails: [{ value: email, primary: true, type: "work" }],
        active: true
      },
      ownerRoleOf(model),
      model
    ),
    version: 1,
    created: now,
    lastModified: now
  }, { disableChecks: true })

export const make: Effect.Effect<
  PlatformsApi,
  never,
  PlatformStore | UserStore | ApiKeyStore | EventStore | Transactions | ScimOptions | Crypto.Services
> = Effect.gen(function*() {
  const platforms = yield* PlatformStore
  const users = yield* UserStore
  const keys = yield* ApiKeyStore
  const transactions = yield* Transactions
  const events = yield* EventStore
  const options = yield* ScimOptions
  const crypto = yield* Crypto.bind
  const hooks = yield* Effect.serviceOption(Hooks.Hooks)

  const create = Effect.fn("Platforms.create")(function*(input: CreateInput) {
    const platformName = yield* validateName(input.name)
    const email = input.ownerEmail === undefined ? undefined : yield* validateEmail(input.ownerEmail)
    const platformId = input.id === undefined ? PlatformId.make(yield* crypto.randomUUID) : yield* validateId(input.id)
    if (input.id !== undefined) {
      const existing = yield* platforms.get(platformId).pipe(
        Effect.map(Option.some),
        Effect.catchTag("ResourceNotFound", () => Effect.succeedNone)
      )
      if (Option.isSome(existing)) {
        return yield* platformTaken(new Uniqueness({ attribute: "id", value: platformId, detail: "" }))
      }
    }
    const now = yield* DateTime.now
    const owner = email === undefined
      ? undefined
      : ownerUser(UserId.make(yield* crypto.randomUUID), email, now, options.model)
    const secret = yield* Keys.generateSecret(crypto)
    const cursorSecret = yield* Keys.randomSecret(crypto)
    const storedKey = yield* Keys.storedKey(crypto, platformId, firstKeyName, secret)
    const { notices, result } = yield* Changes.transact(
      transactions,
      events,
      Effect.gen(function*() {
        const inserted = yield* platforms.insert(
          new Platform({
            id: platformId,
            name: platformName,
            ownerId: Option.none(),
            compatibility: options.compatibility,
            created: now,
            cursorSecret: Option.some(Redacted.make(cursorSecret))
          }, { disableChecks: true })
        ).pipe(Effect.mapError((error) => error._tag === "Uniqueness" ? platformTaken(error) : error))
        const key = yield* keys.insert(storedKey)
        if (owner === undefined) {
          return { result: { platform: inserted, owner: Option.none<StoredUser>(), key: { key, secret } }, emitted: [] }
        }
        const storedOwner = yield* users.insert(platformId, owner)
        const platform = yield* platforms.update(
          new Platform({ ...inserted, ownerId: Option.some(storedOwner.id) }, { disableChecks: true })
        )
        return {
          result: { platform, owner: Option.some(storedOwner), key: { key, secret } },
          // the owner is a user like any other: the feed says it was created
          emitted: Changes.userEvents(Changes.writeContext({ platform: platformId }, now), undefined, storedOwner)
        }
      })
    )
    yield* Changes.notify(hooks, notices)
    return result
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

  const transferOwnership = Effect.fn("Platforms.transferOwnership")(function*(id: PlatformId, userId: string) {
    const current = yield* platforms.get(id)
    const user = yield* users.get(id, UserId.make(userId))
    if (!user.active) {
      return yield* new InvalidValue({
        attribute: "userId",
        detail: `User ${JSON.stringify(user.userName)} (${user.id}) is inactive and cannot own platform ${
          JSON.stringify(current.name)
        }; activate them first, or choose an active user`
      })
    }
    const ownerRole = options.model.platformRoles.ownerRole
    const keepsRole = Option.isNone(ownerRole) || user.platformRole === ownerRole.value
    if (Option.contains(current.ownerId, user.id) && keepsRole) return current
    const now = yield* DateTime.now
    const { notices, result } = yield* Changes.transact(
      transactions,
      events,
      Effect.gen(function*() {
        let emitted: ReadonlyArray<Changes.Emitted> = []
        if (Option.isSome(ownerRole) && user.platformRole !== ownerRole.value) {
          const promoted = yield* users.update(
            id,
            new StoredUser({
              ...user,
              platformRole: ownerRole.value,
              document: PlatformRolePolicy.withRole(user.document, ownerRole.value, options.model),
              version: user.version + 1,
              lastModified: now
            }, { disableChecks: true }),
            user.version
          )
          // the new owner's promotion is a role change like any other
          emitted = Changes.userEvents(Changes.writeContext({ platform: id }, now), user, promoted)
        }
        const platform = yield* platforms.update(
          new Platform({ ...current, ownerId: Option.some(user.id) }, { disableChecks: true })
        )
        return { result: platform, emitted }
      })
    )
    yield* Changes.notify(hooks, notices)
    return result
  })

  return { create, get, find, list, setUniqueExternalId, transferOwnership }
})

export const layer: Layer.Layer<
  Platforms,
  never,
  PlatformStore | UserStore | ApiKeyStore | EventStore | Transactions | ScimOptions | Crypto.Services
> = Layer.effect(Platforms, make)
