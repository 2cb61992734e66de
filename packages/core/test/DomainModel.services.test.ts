/**
 * A host-declared domain model round-trips through the services over the memory store: POST,
 * filter (eq/co/pr/gt on further attributes and on the role), sort, PATCH (add/replace/remove on
 * `urn:…:attribute` paths and through the extension object), PUT and discovery.
 */
import { assert, describe, it } from "@effect/vitest"
import type { Stores } from "@scimkit/core"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Crypto from "../src/Crypto.js"
import * as DomainModel from "../src/domain/DomainModel.js"
import { type JsonObject, UserId } from "../src/domain/Model.js"
import { UserStore } from "../src/ports/UserStore.js"
import * as Discovery from "../src/schema/Discovery.js"
import { CustomUserAttributesUrn, EnterpriseUserUrn, PatchOpUrn, UserUrn } from "../src/schema/Schemas.js"
import * as ScimOptions from "../src/ScimOptions.js"
import * as Live from "../src/service/Live.js"
import * as Platforms from "../src/service/Platforms.js"
import type { RequestScope } from "../src/service/ResourceApi.js"
import * as Users from "../src/service/Users.js"
import { storeLayers } from "./stores.js"

const urn = "urn:acme:scim:1.0:User"
const acme = DomainModel.make({
  userExtension: {
    urn,
    name: "AcmeUser",
    role: { attribute: "tier", values: ["FREE", "PRO"], default: "FREE" },
    attributes: [
      { name: "costCenter", type: "string" },
      { name: "seats", type: "integer" },
      { name: "beta", type: "boolean" }
    ]
  }
})

const testLayer = (stores: Layer.Layer<Stores.Stores, unknown>) =>
  Live.layer.pipe(
    Layer.provide(Crypto.layerWebCrypto),
    Layer.provideMerge(stores),
    Layer.provideMerge(ScimOptions.layer({ model: acme }))
  )
const baseUrl = "https://scim.example/scim/v2"

let platforms = 0
const setup = Effect.gen(function*() {
  const name = `acme-${++platforms}`
  const created = yield* (yield* Platforms.Platforms).create({ name, ownerEmail: `owner@${name}.example` })
  const scope: RequestScope = { platform: created.platform.id, baseUrl }
  return { scope, owner: Option.getOrThrow(created.owner) }
})

const user = (userName: string, extension?: JsonObject): JsonObject => ({
  schemas: extension === undefined ? [UserUrn] : [UserUrn, urn],
  userName,
  ...(extension === undefined ? {} : { [urn]: extension })
})
const patch = (...Operations: ReadonlyArray<JsonObject>): JsonObject => ({ schemas: [PatchOpUrn], Operations })
const extensionOf = (resource: JsonObject): JsonObject | undefined => resource[urn] as JsonObject | undefined
const none = Option.none<string>()

/** Three users with different further attributes, on a fresh platform. */
const seeded = Effect.gen(function*() {
  const { scope } = yield* setup
  const users = yield* Users.Users
  const make = (userName: string, extension?: JsonObject) =>
    Effect.map(users.create(scope, user(userName, extension)), (r) => String(r.resource.id))
  const ada = yield* make("ada@acme.test", { tier: "pro", costCenter: "CC-7 Research", seats: 5, beta: true })
  const bob = yield* make("bob@acme.test", { costCenter: "CC-9 Sales", seats: 1, beta: false })
  const cyd = yield* make("cyd@acme.test")
  // the seeded users only (not the platform's owner); in name order unless a sort is asked for
  const names = (filter: string, extra: { sortBy?: string; sortOrder?: string } = {}) =>
    Effect.map(
      users.list(scope, { filter: `(${filter}) and userName ew "@acme.test"`, ...extra }),
      (list) => {
        const found = (list.Resources as ReadonlyArray<JsonObject>).map((r) => String(r.userName))
        return extra.sortBy === undefined ? found.sort() : found
      }
    )
  return { scope, users, ada, bob, cyd, names }
})

for (const [name, stores] of storeLayers) {
  describe(`a host's domain model through the services (${name})`, () => {
    it.layer(testLayer(stores), { timeout: 60_000 })((it) => {
      it.effect("POST stores the extension: the role in its canonical spelling, further attributes as sent", () =>
        Effect.gen(function*() {
          const { scope } = yield* setup
          const users = yield* Users.Users
          const created = yield* users.create(
            scope,
            user("ada@acme.test", { tier: "pro", costCenter: "CC-7", seats: 5, beta: true })
          )
          assert.deepStrictEqual(created.resource.schemas, [UserUrn, urn])
          assert.deepStrictEqual(extensionOf(created.resource), {
            tier: "PRO",
            costCenter: "CC-7",
            seats: 5,
            beta: true
          })
          assert.isUndefined(created.resource[CustomUserAttributesUrn])
          // the role column holds the value of the model's role attribute
          const stored = yield* (yield* UserStore).get(scope.platform, UserId.make(String(created.resource.id)))
          assert.strictEqual(stored.platformRole, "PRO")
          // absent means the model's default
          const plain = yield* users.create(scope, user("bob@acme.test"))
          assert.deepStrictEqual(extensionOf(plain.resource), { tier: "FREE" })
          // GET answers the same
          const read = yield* users.get(scope, String(created.resource.id))
          assert.deepStrictEqual(extensionOf(read.resource), extensionOf(created.resource))
        }))

      it.effect("POST validates against the model: role values, attribute types, foreign extensions", () =>
        Effect.gen(function*() {
          const { scope } = yield* setup
          const users = yield* Users.Users
          const gold = yield* Effect.flip(users.create(scope, user("a@acme.test", { tier: "GOLD" })))
          assert.strictEqual(gold._tag, "InvalidValue")
          assert.include(gold.message, "FREE, PRO")
          const seats = yield* Effect.flip(users.create(scope, user("b@acme.test", { seats: "five" })))
          assert.strictEqual(seats._tag, "InvalidValue")
          assert.include(seats.message, "seats")
          const today = yield* Effect.flip(users.create(scope, {
            schemas: [UserUrn, CustomUserAttributesUrn],
            userName: "c@acme.test",
            [CustomUserAttributesUrn]: { platformRole: "ADMIN" }
          }))
          assert.strictEqual(today._tag, "InvalidValue")
        }))

      it.effect("filters eq / co / pr / gt on further attributes, qualified or not", () =>
        Effect.gen(function*() {
          const { names } = yield* seeded
          assert.deepStrictEqual(yield* names(`${urn}:costCenter eq "CC-7 Research"`), ["ada@acme.test"])
          assert.deepStrictEqual(yield* names(`${urn}:costCenter co "sales"`), ["bob@acme.test"])
          assert.deepStrictEqual(yield* names(`${urn}:costCenter pr`), ["ada@acme.test", "bob@acme.test"])
          assert.deepStrictEqual(yield* names(`not (${urn}:costCenter pr)`), ["cyd@acme.test"])
          assert.deepStrictEqual(yield* names(`${urn}:seats gt 2`), ["ada@acme.test"])
          assert.deepStrictEqual(yield* names(`${urn}:beta eq false`), ["bob@acme.test"])
          assert.deepStrictEqual(yield* names(`seats le 1`), ["bob@acme.test"])
        }))

      it.effect("filters on the role: eq case-insensitively, pr always (the role is always rendered)", () =>
        Effect.gen(function*() {
          const { names } = yield* seeded
          assert.deepStrictEqual(yield* names(`${urn}:tier eq "pro"`), ["ada@acme.test"])
          assert.deepStrictEqual(yield* names(`tier eq "FREE"`), ["bob@acme.test", "cyd@acme.test"])
          assert.deepStrictEqual(yield* names(`${urn}:tier co "RE"`), ["bob@acme.test", "cyd@acme.test"])
          assert.deepStrictEqual(yield* names(`${urn}:tier pr`), ["ada@acme.test", "bob@acme.test", "cyd@acme.test"])
          const unknown = yield* Effect.flip(names(`${CustomUserAttributesUrn}:platformRole eq "ADMIN"`))
          assert.strictEqual(unknown._tag, "InvalidFilter")
        }))

      it.effect("sorts by a further attribute (absent last ascending, RFC 7644 §3.4.2.3) and by the role", () =>
        Effect.gen(function*() {
          const { names } = yield* seeded
          assert.deepStrictEqual(yield* names(`userName pr`, { sortBy: `${urn}:seats` }), [
            "bob@acme.test",
            "ada@acme.test",
            "cyd@acme.test"
          ])
          assert.deepStrictEqual(yield* names(`${urn}:costCenter pr`, { sortBy: "tier", sortOrder: "descending" }), [
            "ada@acme.test",
            "bob@acme.test"
          ])
        }))

      it.effect("PATCH add / replace / remove on urn:…:attribute paths", () =>
        Effect.gen(function*() {
          const { ada, scope, users } = yield* seeded
          const patched = yield* users.patch(
            scope,
            ada,
            patch(
              { op: "replace", path: `${urn}:tier`, value: "free" },
              { op: "add", path: `${urn}:seats`, value: 8 },
              { op: "remove", path: `${urn}:costCenter` }
            ),
            none
          )
          assert.deepStrictEqual(extensionOf(patched.resource), { tier: "FREE", seats: 8, beta: true })
          const stored = yield* (yield* UserStore).get(scope.platform, UserId.make(ada))
          assert.strictEqual(stored.platformRole, "FREE")
          const invalid = yield* Effect.flip(
            users.patch(scope, ada, patch({ op: "replace", path: `${urn}:tier`, value: "GOLD" }), none)
          )
          assert.strictEqual(invalid._tag, "InvalidValue")
          const typed = yield* Effect.flip(
            users.patch(scope, ada, patch({ op: "add", path: `${urn}:beta`, value: 3 }), none)
          )
          assert.strictEqual(typed._tag, "InvalidValue")
        }))

      it.effect("PATCH through the extension object (path-less add and replace)", () =>
        Effect.gen(function*() {
          const { bob, scope, users } = yield* seeded
          const added = yield* users.patch(
            scope,
            bob,
            patch({ op: "add", value: { [urn]: { tier: "Pro", beta: true } } }),
            none
          )
          assert.deepStrictEqual(extensionOf(added.resource), {
            tier: "PRO",
            costCenter: "CC-9 Sales",
            seats: 1,
            beta: true
          })
          const replaced = yield* users.patch(
            scope,
            bob,
            patch({ op: "Replace", value: { [`${urn}:costCenter`]: "CC-1", seats: 2 } }),
            none
          )
          assert.deepStrictEqual(extensionOf(replaced.resource), {
            tier: "PRO",
            costCenter: "CC-1",
            seats: 2,
            beta: true
          })
        }))

      it.effect("PUT without the extension keeps the role, with it replaces the extension", () =>
        Effect.gen(function*() {
          const { ada, scope, users } = yield* seeded
          const kept = yield* users.replace(scope, ada, { schemas: [UserUrn], userName: "ada@acme.test" }, none)
          assert.deepStrictEqual(extensionOf(kept.resource), { tier: "PRO" })
          const replaced = yield* users.replace(scope, ada, user("ada@acme.test", { seats: 2 }), none)
          assert.deepStrictEqual(extensionOf(replaced.resource), { tier: "FREE", seats: 2 })
        }))

      it.effect("discovery follows the model the services run with", () =>
        Effect.gen(function*() {
          const options = yield* ScimOptions.ScimOptions
          const user = Discovery.resourceType("User", baseUrl, options.model)
          assert.isTrue(user._tag === "Success")
          if (user._tag === "Success") {
            assert.deepStrictEqual(user.success.schemaExtensions, [
              { schema: EnterpriseUserUrn, required: false },
              { schema: urn, required: false }
            ])
          }
          const schema = Discovery.schema(urn, baseUrl, options.model)
          assert.isTrue(schema._tag === "Success")
          if (schema._tag === "Success") {
            assert.deepStrictEqual(
              (schema.success.attributes as ReadonlyArray<JsonObject>).map((a) => a.name),
              ["tier", "costCenter", "seats", "beta"]
            )
          }
        }))

      it.effect("a new owner gets the model's default role when the model protects none", () =>
        Effect.gen(function*() {
          const { owner, scope } = yield* setup
          const read = yield* (yield* Users.Users).get(scope, owner.id)
          assert.deepStrictEqual(extensionOf(read.resource), { tier: "FREE" })
        }))
    })
  })
}
