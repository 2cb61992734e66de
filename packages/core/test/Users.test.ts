import { assert, describe, it } from "@effect/vitest"
import { StoreMemory } from "@scimkit/store-memory"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import * as References from "effect/References"
import * as TestClock from "effect/testing/TestClock"
import * as Crypto from "../src/Crypto.js"
import { type Json, type JsonObject, ProjectId, UserId } from "../src/domain/Model.js"
import { VersionMismatch } from "../src/errors/ScimError.js"
import { isObject } from "../src/schema/Document.js"
import { ProjectStore } from "../src/ports/ProjectStore.js"
import { UserStore } from "../src/ports/UserStore.js"
import { CustomUserAttributesUrn, EnterpriseUserUrn, PatchOpUrn, UserUrn } from "../src/schema/Schemas.js"
import * as ScimOptions from "../src/ScimOptions.js"
import * as Live from "../src/service/Live.js"
import * as Platforms from "../src/service/Platforms.js"
import * as Projects from "../src/service/Projects.js"
import * as ServiceMetrics from "../src/service/ServiceMetrics.js"
import * as Users from "../src/service/Users.js"
import type { RequestScope } from "../src/service/ResourceApi.js"

const TestLayer = Live.layer.pipe(
  Layer.provide(Crypto.layerWebCrypto),
  Layer.provideMerge(StoreMemory.layer),
  Layer.provideMerge(ScimOptions.layer())
)

/** The memory store, but every user read yields to other fibers: concurrent read-modify-writes interleave and conflict. */
const InterleavingStores = Layer.effectContext(Effect.map(StoreMemory.make, (context) => {
  const users = Context.get(context, UserStore)
  return Context.add(context, UserStore, {
    ...users,
    get: (platform, id) => Effect.tap(users.get(platform, id), () => Effect.yieldNow)
  })
}))
const InterleavingLayer = Live.layer.pipe(
  Layer.provide(Crypto.layerWebCrypto),
  Layer.provideMerge(InterleavingStores),
  Layer.provideMerge(ScimOptions.layer())
)
const baseUrl = "https://scim.example/api/v1/scim/v2"

let platforms = 0
/** A fresh platform per test, so tests sharing the layer never see each other's users. */
const setup = Effect.gen(function*() {
  const name = `platform-${++platforms}`
  const created = yield* (yield* Platforms.Platforms).create({ name, ownerEmail: `owner@${name}.example` })
  const scope: RequestScope = { platform: created.platform.id, baseUrl }
  return { scope, owner: Option.getOrThrow(created.owner), platform: created.platform }
})

const userBody = (userName: string, extra: JsonObject = {}): JsonObject => ({ schemas: [UserUrn], userName, ...extra })
const patchBody = (...Operations: ReadonlyArray<JsonObject>): JsonObject => ({ schemas: [PatchOpUrn], Operations })
const roleOf = (resource: JsonObject): Json | undefined => {
  const ext = resource[CustomUserAttributesUrn]
  return isObject(ext) ? ext.platformRole : undefined
}
const idOf = (resource: JsonObject): string => String(resource.id)
const none = Option.none<string>()
const resources = (list: JsonObject): ReadonlyArray<JsonObject> => list.Resources as ReadonlyArray<JsonObject>

describe("Users", () => {
  it.layer(TestLayer)((it) => {
    describe("create", () => {
      it.effect("returns the SCIM user with id, schemas, platformRole MEMBER by default, active and meta", () =>
        Effect.gen(function*() {
          const { scope } = yield* setup
          const users = yield* Users.Users
          const created = yield* users.create(
            scope,
            userBody("ada@example.com", { externalId: "e-1", name: { givenName: "Ada" } })
          )
          const r = created.resource
          assert.match(idOf(r), /^[0-9a-f-]{36}$/)
          assert.deepStrictEqual(r.schemas, [UserUrn, CustomUserAttributesUrn])
          assert.strictEqual(r.userName, "ada@example.com")
          assert.strictEqual(r.externalId, "e-1")
          assert.deepStrictEqual(r.name, { givenName: "Ada" })
          assert.strictEqual(r.active, true)
          assert.strictEqual(roleOf(r), "MEMBER")
          assert.isUndefined(r.groups, "a user in no project has no groups (empty multi-valued attributes are absent)")
          const meta = r.meta as JsonObject
          assert.strictEqual(meta.resourceType, "User")
          assert.strictEqual(meta.location, `${baseUrl}/Users/${idOf(r)}`)
          assert.strictEqual(meta.version, "W/\"1\"")
          assert.match(String(meta.created), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
          assert.strictEqual(meta.lastModified, meta.created)
          assert.strictEqual(created.version, 1)
          assert.strictEqual(created.location, meta.location)
        }))

      it.effect("lists every extension present in schemas", () =>
        Effect.gen(function*() {
          const { scope } = yield* setup
          const created = yield* (yield* Users.Users).create(scope, {
            schemas: [UserUrn, EnterpriseUserUrn],
            userName: "eve@example.com",
            [EnterpriseUserUrn]: { department: "R&D" }
          })
          assert.deepStrictEqual(created.resource.schemas, [UserUrn, EnterpriseUserUrn, CustomUserAttributesUrn])
          assert.deepStrictEqual(created.resource[EnterpriseUserUrn], { department: "R&D" })
        }))

      it.effect("userName is unique per platform regardless of case: Uniqueness naming the attribute and value", () =>
        Effect.gen(function*() {
          const { scope } = yield* setup
          const users = yield* Users.Users
          yield* users.create(scope, userBody("bob@example.com"))
          const error = yield* Effect.flip(users.create(scope, userBody("BOB@Example.com")))
          assert.strictEqual(error._tag, "Uniqueness")
          if (error._tag === "Uniqueness") {
            assert.strictEqual(error.attribute, "userName")
            assert.include(error.detail, "userName")
            assert.include(error.detail, "BOB@Example.com")
          }
          const other = yield* setup
          yield* users.create(other.scope, userBody("bob@example.com"))
        }))

      it.effect("externalId repeats freely by default (RFC 7643 §3.1) and is unique once the platform asks for it", () =>
        Effect.gen(function*() {
          const { platform, scope } = yield* setup
          const users = yield* Users.Users
          const a = yield* users.create(scope, userBody("c1@example.com", { externalId: "same" }))
          const b = yield* users.create(scope, userBody("c2@example.com", { externalId: "same" }))
          assert.notStrictEqual(idOf(a.resource), idOf(b.resource))
          const listed = yield* users.list(scope, { filter: "externalId eq \"same\"" })
          assert.strictEqual(listed.totalResults, 2)
          const platforms = yield* Platforms.Platforms
          const refused = yield* Effect.flip(platforms.setUniqueExternalId(platform.id, true))
          assert.strictEqual(refused._tag, "Uniqueness")
          yield* users.patch(
            scope,
            idOf(b.resource),
            patchBody({ op: "replace", path: "externalId", value: "other" }),
            none
          )
          assert.isTrue((yield* platforms.setUniqueExternalId(platform.id, true)).uniqueExternalId)
          const error = yield* Effect.flip(users.create(scope, userBody("c3@example.com", { externalId: "same" })))
          assert.strictEqual(error._tag, "Uniqueness")
          if (error._tag === "Uniqueness") assert.strictEqual(error.attribute, "externalId")
          assert.isFalse((yield* platforms.setUniqueExternalId(platform.id, false)).uniqueExternalId)
          yield* users.create(scope, userBody("c3@example.com", { externalId: "same" }))
        }))

      it.effect("platformRole is accepted case-insensitively, stored uppercase; anything else is InvalidValue listing the roles", () =>
        Effect.gen(function*() {
          const { scope } = yield* setup
          const users = yield* Users.Users
          const admin = yield* users.create(
            scope,
            userBody("adm@example.com", { [CustomUserAttributesUrn]: { platformRole: "admin" } })
          )
          assert.strictEqual(roleOf(admin.resource), "ADMIN")
          const stored = yield* (yield* UserStore).get(scope.platform, UserId.make(idOf(admin.resource)))
          assert.strictEqual(stored.platformRole, "ADMIN")
          const error = yield* Effect.flip(
            users.create(scope, userBody("x@example.com", { [CustomUserAttributesUrn]: { platformRole: "owner" } }))
          )
          assert.strictEqual(error._tag, "InvalidValue")
          if (error._tag === "InvalidValue") assert.include(error.detail, "MEMBER, OPERATOR, ADMIN")
        }))

      it.effect("a user without userName is InvalidValue", () =>
        Effect.gen(function*() {
          const { scope } = yield* setup
          const error = yield* Effect.flip(
            (yield* Users.Users).create(scope, { schemas: [UserUrn], displayName: "No Name" })
          )
          assert.strictEqual(error._tag, "InvalidValue")
        }))

      it.effect("active:false creates a deactivated user", () =>
        Effect.gen(function*() {
          const { scope } = yield* setup
          const created = yield* (yield* Users.Users).create(scope, userBody("off@example.com", { active: false }))
          assert.strictEqual(created.resource.active, false)
        }))
    })

    describe("get", () => {
      it.effect("unknown ids and users of another platform are ResourceNotFound", () =>
        Effect.gen(function*() {
          const { scope } = yield* setup
          const other = yield* setup
          const users = yield* Users.Users
          const created = yield* users.create(scope, userBody("iso@example.com"))
          assert.strictEqual((yield* Effect.flip(users.get(scope, "nope")))._tag, "ResourceNotFound")
          assert.strictEqual(
            (yield* Effect.flip(users.get(other.scope, idOf(created.resource))))._tag,
            "ResourceNotFound"
          )
          assert.strictEqual((yield* users.get(scope, idOf(created.resource))).resource.userName, "iso@example.com")
        }))

      it.effect("renders groups from the projects the user is a member of, and applies the projection", () =>
        Effect.gen(function*() {
          const { scope } = yield* setup
          const users = yield* Users.Users
          const user = yield* users.create(scope, userBody("grp@example.com"))
          const project = yield* (yield* Projects.Projects).create(scope, {
            displayName: "Sales",
            members: [{ value: idOf(user.resource) }]
          })
          const got = yield* users.get(scope, idOf(user.resource))
          assert.deepStrictEqual(got.resource.groups, [{
            value: idOf(project.resource),
            $ref: `${baseUrl}/Groups/${idOf(project.resource)}`,
            display: "Sales",
            type: "direct"
          }])
          const projected = yield* users.get(scope, idOf(user.resource), { attributes: "userName" })
          assert.deepStrictEqual(Object.keys(projected.resource).sort(), ["id", "schemas", "userName"])
          const excluded = yield* users.get(scope, idOf(user.resource), { excludedAttributes: "groups" })
          assert.isUndefined(excluded.resource.groups)
        }))
    })

    describe("list", () => {
      const seed = (scope: RequestScope) =>
        Effect.gen(function*() {
          const users = yield* Users.Users
          for (const name of ["carol", "alice", "bob", "dave", "erin"]) {
            yield* users.create(scope, userBody(`${name}@example.com`, { displayName: name.toUpperCase() }))
            yield* TestClock.adjust("1 second")
          }
        })

      it.effect("filters (userName eq is case-insensitive) and reports the true total", () =>
        Effect.gen(function*() {
          const { scope } = yield* setup
          yield* seed(scope)
          const list = yield* (yield* Users.Users).list(scope, { filter: "userName eq \"ALICE@example.com\"" })
          assert.strictEqual(list.totalResults, 1)
          assert.strictEqual(resources(list)[0]!.userName, "alice@example.com")
          assert.deepStrictEqual(list.schemas, ["urn:ietf:params:scim:api:messages:2.0:ListResponse"])
          const all = yield* (yield* Users.Users).list(scope, {})
          assert.strictEqual(all.totalResults, 6)
        }))

      it.effect("a malformed filter or an unknown attribute is InvalidFilter", () =>
        Effect.gen(function*() {
          const { scope } = yield* setup
          const users = yield* Users.Users
          assert.strictEqual(
            (yield* Effect.flip(users.list(scope, { filter: "userName zz \"x\"" })))._tag,
            "InvalidFilter"
          )
          assert.strictEqual((yield* Effect.flip(users.list(scope, { filter: "shoeSize eq 3" })))._tag, "InvalidFilter")
        }))

      it.effect("lenient (the default): unquoted filter values and value-filtered attributes, each quirk logged", () =>
        Effect.gen(function*() {
          const { scope } = yield* setup
          yield* seed(scope)
          const quirks: Array<string> = []
          const logger = Logger.make(({ fiber }) => {
            const annotations = fiber.getRef(References.CurrentLogAnnotations)
            const named = annotations["quirks"]
            if (named !== undefined) quirks.push(`${String(annotations["operation"])} ${String(named)}`)
          })
          const list = yield* (yield* Users.Users).list(scope, {
            filter: "userName sw bo or displayName eq ERIN",
            attributes: "emails[type eq \"work\"],userName"
          }).pipe(
            Effect.provide(Logger.layer([logger])),
            Effect.provideService(References.MinimumLogLevel, "Debug")
          )
          assert.deepStrictEqual(resources(list).map((r) => r.userName).sort(), ["bob@example.com", "erin@example.com"])
          assert.deepStrictEqual(quirks, ["Users.list filtered-projection", "Users.list bare-filter-value"])
          assert.strictEqual(
            (yield* Effect.flip((yield* Users.Users).list(scope, { filter: "userName sw bo b" })))._tag,
            "InvalidFilter"
          )
        }))

      it.effect("each accepted quirk is counted in scimkit_quirks_total by quirk, platform and profile", () =>
        Effect.gen(function*() {
          const { scope } = yield* setup
          yield* seed(scope)
          const counted = (quirk: string) =>
            Effect.map(
              Metric.value(
                Metric.withAttributes(ServiceMetrics.quirksTotal, {
                  quirk,
                  platform: scope.platform,
                  profile: "lenient"
                })
              ),
              (state) => state.count
            )
          yield* (yield* Users.Users).list(scope, { filter: "userName sw bo" })
          yield* (yield* Users.Users).list(scope, { filter: "displayName eq ERIN" })
          assert.strictEqual(yield* counted("bare-filter-value"), 2)
          assert.strictEqual(yield* counted("filtered-projection"), 0)
        }))

      it.effect("count=0 returns only the total", () =>
        Effect.gen(function*() {
          const { scope } = yield* setup
          yield* seed(scope)
          const list = yield* (yield* Users.Users).list(scope, { count: "0" })
          assert.strictEqual(list.totalResults, 6)
          assert.strictEqual(list.itemsPerPage, 0)
          assert.deepStrictEqual(list.Resources, [])
        }))

      it.effect("sorts and pages by startIndex/count, with projection", () =>
        Effect.gen(function*() {
          const { scope } = yield* setup
          yield* seed(scope)
          const list = yield* (yield* Users.Users).list(scope, {
            filter: "userName ne \"owner@x\"",
            sortBy: "userName",
            startIndex: 2,
            count: 2,
            attributes: "userName"
          })
          assert.strictEqual(list.startIndex, 2)
          assert.strictEqual(list.itemsPerPage, 2)
          assert.deepStrictEqual(resources(list).map((r) => r.userName), ["bob@example.com", "carol@example.com"])
          assert.deepStrictEqual(Object.keys(resources(list)[0]!).sort(), ["id", "schemas", "userName"])
        }))

      it.effect("cursor paging walks every user exactly once, forward and back", () =>
        Effect.gen(function*() {
          const { scope } = yield* setup
          yield* seed(scope)
          const users = yield* Users.Users
          const seen: Array<string> = []
          let cursor = ""
          let pages = 0
          for (;;) {
            const page = yield* users.list(scope, { cursor, count: 2, sortBy: "displayName" })
            for (const item of resources(page).map(idOf)) seen.push(item)
            pages++
            if (typeof page.nextCursor !== "string") break
            cursor = page.nextCursor
            if (pages === 2) {
              assert.isString(page.previousCursor)
              const back = yield* users.list(scope, {
                cursor: String(page.previousCursor),
                count: 2,
                sortBy: "displayName"
              })
              assert.deepStrictEqual(resources(back).map(idOf), seen.slice(0, 2))
            }
          }
          assert.strictEqual(pages, 3)
          assert.strictEqual(new Set(seen).size, 6)
          const tampered = yield* Effect.flip(
            users.list(scope, { cursor: cursor + "x", count: 2, sortBy: "displayName" })
          )
          assert.strictEqual(tampered._tag, "InvalidCursor")
        }))
    })

    describe("replace (PUT)", () => {
      it.effect("replaces the document: unsent attributes are cleared, version and lastModified bump", () =>
        Effect.gen(function*() {
          const { scope } = yield* setup
          const users = yield* Users.Users
          const created = yield* users.create(scope, userBody("put@example.com", { title: "CEO", displayName: "Put" }))
          yield* TestClock.adjust("1 minute")
          const replaced = yield* users.replace(
            scope,
            idOf(created.resource),
            userBody("put@example.com", { displayName: "Put 2" }),
            none
          )
          assert.strictEqual(replaced.resource.displayName, "Put 2")
          assert.isUndefined(replaced.resource.title)
          assert.strictEqual(replaced.version, 2)
          const before = created.resource.meta as JsonObject
          const after = replaced.resource.meta as JsonObject
          assert.strictEqual(Date.parse(String(after.lastModified)) - Date.parse(String(before.lastModified)), 60_000)
          assert.strictEqual(after.created, before.created)
        }))

      it.effect("a PUT without the activepieces extension keeps the current platformRole; with it, sets it", () =>
        Effect.gen(function*() {
          const { scope } = yield* setup
          const users = yield* Users.Users
          const created = yield* users.create(
            scope,
            userBody("op@example.com", { [CustomUserAttributesUrn]: { platformRole: "OPERATOR" } })
          )
          const id = idOf(created.resource)
          const kept = yield* users.replace(scope, id, userBody("op@example.com", { displayName: "Op" }), none)
          assert.strictEqual(roleOf(kept.resource), "OPERATOR")
          const changed = yield* users.replace(
            scope,
            id,
            userBody("op@example.com", { [CustomUserAttributesUrn]: { platformRole: "member" } }),
            none
          )
          assert.strictEqual(roleOf(changed.resource), "MEMBER")
        }))

      it.effect("If-Match with a stale version is VersionMismatch; with the current one it applies", () =>
        Effect.gen(function*() {
          const { scope } = yield* setup
          const users = yield* Users.Users
          const created = yield* users.create(scope, userBody("im@example.com"))
          const id = idOf(created.resource)
          yield* users.replace(scope, id, userBody("im@example.com", { displayName: "v2" }), Option.some("W/\"1\""))
          const error = yield* Effect.flip(
            users.replace(scope, id, userBody("im@example.com", { displayName: "v3" }), Option.some("W/\"1\""))
          )
          assert.strictEqual(error._tag, "VersionMismatch")
          assert.strictEqual((yield* users.get(scope, id)).resource.displayName, "v2")
        }))

      it.effect("renaming userName works when free and is Uniqueness when taken", () =>
        Effect.gen(function*() {
          const { scope } = yield* setup
          const users = yield* Users.Users
          const a = yield* users.create(scope, userBody("a@example.com"))
          yield* users.create(scope, userBody("b@example.com"))
          const renamed = yield* users.replace(scope, idOf(a.resource), userBody("a2@example.com"), none)
          assert.strictEqual(renamed.resource.userName, "a2@example.com")
          const error = yield* Effect.flip(users.replace(scope, idOf(a.resource), userBody("B@example.com"), none))
          assert.strictEqual(error._tag, "Uniqueness")
          yield* users.create(scope, userBody("a@example.com"))
        }))
    })

    describe("patch", () => {
      it.effect("active:false deactivates and active:true reactivates", () =>
        Effect.gen(function*() {
          const { scope } = yield* setup
          const users = yield* Users.Users
          const id = idOf((yield* users.create(scope, userBody("act@example.com"))).resource)
          const off = yield* users.patch(scope, id, patchBody({ op: "replace", path: "active", value: false }), none)
          assert.strictEqual(off.resource.active, false)
          assert.isFalse((yield* (yield* UserStore).get(scope.platform, UserId.make(id))).active)
          const on = yield* users.patch(scope, id, patchBody({ op: "Replace", value: { active: "True" } }), none)
          assert.strictEqual(on.resource.active, true)
          assert.strictEqual(on.version, 3)
        }))

      it.effect("sets platformRole by path (add or replace) and by value object, case-insensitively", () =>
        Effect.gen(function*() {
          const { scope } = yield* setup
          const users = yield* Users.Users
          const id = idOf((yield* users.create(scope, userBody("role@example.com"))).resource)
          const byPath = yield* users.patch(
            scope,
            id,
            patchBody({ op: "add", path: `${CustomUserAttributesUrn}:platformRole`, value: "operator" }),
            none
          )
          assert.strictEqual(roleOf(byPath.resource), "OPERATOR")
          const byReplace = yield* users.patch(
            scope,
            id,
            patchBody({ op: "replace", path: `${CustomUserAttributesUrn}:platformRole`, value: "ADMIN" }),
            none
          )
          assert.strictEqual(roleOf(byReplace.resource), "ADMIN")
          const byValue = yield* users.patch(
            scope,
            id,
            patchBody({ op: "replace", value: { [CustomUserAttributesUrn]: { platformRole: "Member" } } }),
            none
          )
          assert.strictEqual(roleOf(byValue.resource), "MEMBER")
          const byUrnKey = yield* users.patch(
            scope,
            id,
            patchBody({ op: "Add", value: { [`${CustomUserAttributesUrn}:platformRole`]: "admin" } }),
            none
          )
          assert.strictEqual(roleOf(byUrnKey.resource), "ADMIN")
          const error = yield* Effect.flip(
            users.patch(
              scope,
              id,
              patchBody({ op: "replace", path: `${CustomUserAttributesUrn}:platformRole`, value: "root" }),
              none
            )
          )
          assert.strictEqual(error._tag, "InvalidValue")
          if (error._tag === "InvalidValue") assert.include(error.detail, "MEMBER, OPERATOR, ADMIN")
          assert.strictEqual(roleOf((yield* users.get(scope, id)).resource), "ADMIN")
        }))

      it.effect("renames userName when free; Uniqueness when taken", () =>
        Effect.gen(function*() {
          const { scope } = yield* setup
          const users = yield* Users.Users
          const id = idOf((yield* users.create(scope, userBody("old@example.com"))).resource)
          yield* users.create(scope, userBody("taken@example.com"))
          const renamed = yield* users.patch(
            scope,
            id,
            patchBody({ op: "replace", path: "userName", value: "new@example.com" }),
            none
          )
          assert.strictEqual(renamed.resource.userName, "new@example.com")
          const error = yield* Effect.flip(
            users.patch(scope, id, patchBody({ op: "replace", path: "userName", value: "TAKEN@example.com" }), none)
          )
          assert.strictEqual(error._tag, "Uniqueness")
        }))

      it.effect("If-Match with a stale version is VersionMismatch and changes nothing", () =>
        Effect.gen(function*() {
          const { scope } = yield* setup
          const users = yield* Users.Users
          const id = idOf((yield* users.create(scope, userBody("pim@example.com"))).resource)
          yield* users.patch(
            scope,
            id,
            patchBody({ op: "replace", path: "displayName", value: "one" }),
            Option.some("W/\"1\"")
          )
          const error = yield* Effect.flip(
            users.patch(
              scope,
              id,
              patchBody({ op: "replace", path: "displayName", value: "two" }),
              Option.some("W/\"1\"")
            )
          )
          assert.strictEqual(error._tag, "VersionMismatch")
          assert.strictEqual((yield* users.get(scope, id)).resource.displayName, "one")
        }))

      it.effect("a PATCH that changes nothing keeps the version", () =>
        Effect.gen(function*() {
          const { scope } = yield* setup
          const users = yield* Users.Users
          const id = idOf((yield* users.create(scope, userBody("same@example.com", { displayName: "Same" }))).resource)
          const result = yield* users.patch(
            scope,
            id,
            patchBody({ op: "replace", path: "displayName", value: "Same" }),
            none
          )
          assert.strictEqual(result.version, 1)
        }))

      it.effect("concurrent PATCHes without If-Match lose no update", () =>
        Effect.gen(function*() {
          const { scope } = yield* setup
          const users = yield* Users.Users
          const id = idOf((yield* users.create(scope, userBody("conc@example.com"))).resource)
          const emails = Array.from({ length: 25 }, (_, i) => `alias${i}@example.com`)
          yield* Effect.forEach(
            emails,
            (value) =>
              users.patch(scope, id, patchBody({ op: "add", path: "emails", value: [{ value, type: "other" }] }), none),
            { concurrency: "unbounded" }
          )
          const got = yield* users.get(scope, id)
          const stored = (got.resource.emails as ReadonlyArray<JsonObject>).map((e) => e.value)
          assert.deepStrictEqual([...stored].sort(), [...emails].sort())
          assert.strictEqual(got.version, 26)
        }))

      it.effect("interleaved concurrent PATCHes without If-Match are retried until none is lost", () =>
        Effect.gen(function*() {
          const { scope } = yield* setup
          const users = yield* Users.Users
          const id = idOf((yield* users.create(scope, userBody("inter@example.com"))).resource)
          const titles = Array.from({ length: 10 }, (_, i) => `nick${i}`)
          yield* Effect.forEach(
            titles,
            (value) =>
              users.patch(
                scope,
                id,
                patchBody({ op: "add", path: "emails", value: [{ value: `${value}@example.com` }] }),
                none
              ),
            { concurrency: "unbounded" }
          )
          const got = yield* users.get(scope, id)
          assert.strictEqual((got.resource.emails as ReadonlyArray<JsonObject>).length, 10)
          assert.strictEqual(got.version, 11)
          const stale = yield* Effect.flip(Effect.all([
            users.patch(
              scope,
              id,
              patchBody({ op: "replace", path: "displayName", value: "a" }),
              Option.some("W/\"11\"")
            ),
            users.patch(
              scope,
              id,
              patchBody({ op: "replace", path: "displayName", value: "b" }),
              Option.some("W/\"11\"")
            )
          ], { concurrency: "unbounded" }))
          assert.strictEqual(stale._tag, "VersionMismatch")
        }).pipe(Effect.provide(InterleavingLayer)))

      it.effect("PATCH errors come from the PATCH engine (invalidPath, mutability) and change nothing", () =>
        Effect.gen(function*() {
          const { scope } = yield* setup
          const users = yield* Users.Users
          const id = idOf((yield* users.create(scope, userBody("err@example.com"))).resource)
          assert.strictEqual(
            (yield* Effect.flip(users.patch(scope, id, patchBody({ op: "replace", path: "shoeSize", value: 3 }), none)))
              ._tag,
            "InvalidPath"
          )
          assert.strictEqual(
            (yield* Effect.flip(users.patch(scope, id, patchBody({ op: "replace", path: "id", value: "x" }), none)))
              ._tag,
            "Mutability"
          )
          assert.strictEqual((yield* users.get(scope, id)).version, 1)
        }))
    })

    describe("remove", () => {
      it.effect("a deleted user is gone (404), absent from lists, its userName free again and its memberships removed", () =>
        Effect.gen(function*() {
          const { scope } = yield* setup
          const users = yield* Users.Users
          const id = idOf((yield* users.create(scope, userBody("gone@example.com"))).resource)
          const project = yield* (yield* Projects.Projects).create(scope, {
            displayName: "Team",
            members: [{ value: id }]
          })
          yield* users.remove(scope, id, none)
          assert.strictEqual((yield* Effect.flip(users.get(scope, id)))._tag, "ResourceNotFound")
          assert.strictEqual((yield* Effect.flip(users.remove(scope, id, none)))._tag, "ResourceNotFound")
          assert.strictEqual((yield* users.list(scope, { filter: "userName eq \"gone@example.com\"" })).totalResults, 0)
          assert.deepStrictEqual(
            yield* (yield* ProjectStore).listMembers(scope.platform, ProjectId.make(idOf(project.resource))),
            []
          )
          yield* users.create(scope, userBody("gone@example.com"))
        }))

      it.effect("If-Match with a stale version is VersionMismatch", () =>
        Effect.gen(function*() {
          const { scope } = yield* setup
          const users = yield* Users.Users
          const id = idOf((yield* users.create(scope, userBody("rim@example.com"))).resource)
          yield* users.patch(scope, id, patchBody({ op: "replace", path: "displayName", value: "x" }), none)
          assert.strictEqual(
            (yield* Effect.flip(users.remove(scope, id, Option.some("W/\"1\""))))._tag,
            "VersionMismatch"
          )
          yield* users.remove(scope, id, Option.some("W/\"2\""))
        }))
    })

    describe("platform owner protection", () => {
      it.effect("the owner cannot be deactivated, demoted or deleted (Forbidden, saying why), and nothing changes", () =>
        Effect.gen(function*() {
          const { owner, scope } = yield* setup
          const users = yield* Users.Users
          for (
            const body of [
              patchBody({ op: "replace", path: "active", value: false }),
              patchBody({ op: "replace", path: `${CustomUserAttributesUrn}:platformRole`, value: "MEMBER" }),
              patchBody({ op: "remove", path: `${CustomUserAttributesUrn}:platformRole` })
            ]
          ) {
            const error = yield* Effect.flip(users.patch(scope, owner.id, body, none))
            assert.strictEqual(error._tag, "Forbidden")
            if (error._tag === "Forbidden") assert.include(error.detail, "owner")
          }
          const put = yield* Effect.flip(
            users.replace(scope, owner.id, userBody(owner.userName, { active: false }), none)
          )
          assert.strictEqual(put._tag, "Forbidden")
          const removed = yield* Effect.flip(users.remove(scope, owner.id, none))
          assert.strictEqual(removed._tag, "Forbidden")
          if (removed._tag === "Forbidden") assert.include(removed.detail, "cannot be deleted")
          const current = yield* users.get(scope, owner.id)
          assert.strictEqual(current.resource.active, true)
          assert.strictEqual(roleOf(current.resource), "ADMIN")
          assert.strictEqual(current.version, 1)
        }))

      it.effect("every other change to the owner works, including a PUT without the extension", () =>
        Effect.gen(function*() {
          const { owner, scope } = yield* setup
          const users = yield* Users.Users
          const patched = yield* users.patch(
            scope,
            owner.id,
            patchBody({ op: "replace", path: "displayName", value: "The Owner" }),
            none
          )
          assert.strictEqual(patched.resource.displayName, "The Owner")
          const put = yield* users.replace(
            scope,
            owner.id,
            userBody("owner-renamed@example.com", { title: "CEO" }),
            none
          )
          assert.strictEqual(put.resource.userName, "owner-renamed@example.com")
          assert.strictEqual(roleOf(put.resource), "ADMIN")
        }))
    })
  })
})

// fresh: it.layer memoizes layers by reference, and Live.layer is already built over the lenient options above
const RfcLayer = Layer.fresh(Live.layer).pipe(
  Layer.provide(Crypto.layerWebCrypto),
  Layer.provideMerge(StoreMemory.layer),
  Layer.provideMerge(ScimOptions.layer({ compatibility: "rfc" }))
)

describe("Users on a platform with the rfc profile", () => {
  it.layer(RfcLayer)((it) => {
    it.effect("an unquoted filter value is InvalidFilter at the value; a value-filtered attribute is ignored", () =>
      Effect.gen(function*() {
        const { platform, scope } = yield* setup
        assert.strictEqual(platform.compatibility, "rfc")
        const users = yield* Users.Users
        const created = yield* users.create(scope, userBody("bob@example.com"))
        const error = yield* Effect.flip(users.list(scope, { filter: "userName sw bo" }))
        assert.strictEqual(error._tag, "InvalidFilter")
        if (error._tag === "InvalidFilter") assert.strictEqual(error.offset, 12)
        const got = yield* users.get(scope, idOf(created.resource), { attributes: "emails[type eq \"work\"],userName" })
        assert.deepStrictEqual(Object.keys(got.resource).sort(), ["id", "schemas", "userName"])
      }))
  })
})

/** The memory store, but every user update loses a race: another writer always got in first. */
const AlwaysLosingStores = Layer.effectContext(Effect.map(StoreMemory.make, (context) => {
  const users = Context.get(context, UserStore)
  return Context.add(context, UserStore, {
    ...users,
    update: (platform, user, expectedVersion) =>
      Effect.flatMap(users.get(platform, user.id), (current) =>
        Effect.fail(
          new VersionMismatch({
            resourceType: "User",
            id: user.id,
            expected: String(expectedVersion),
            actual: String(current.version + 1)
          })
        ))
  })
}))
const AlwaysLosingLayer = Layer.fresh(Live.layer).pipe(
  Layer.provide(Crypto.layerWebCrypto),
  Layer.provideMerge(AlwaysLosingStores),
  Layer.provideMerge(ScimOptions.layer())
)

describe("Users when every write loses a race (several server nodes)", () => {
  it.layer(AlwaysLosingLayer)((it) => {
    it.effect("without If-Match the answer is a retryable StoreError (503), never VersionMismatch (412)", () =>
      Effect.gen(function*() {
        const { scope } = yield* setup
        const users = yield* Users.Users
        const created = yield* users.create(scope, userBody("race@example.com"))
        // the retries back off on the real clock
        const error = yield* TestClock.withLive(Effect.flip(users.patch(
          scope,
          idOf(created.resource),
          patchBody({ op: "replace", path: "displayName", value: "Racer" }),
          none
        )))
        assert.strictEqual(error._tag, "StoreError")
        if (error._tag === "StoreError") assert.isTrue(error.retryable)
        const withIfMatch = yield* Effect.flip(users.patch(
          scope,
          idOf(created.resource),
          patchBody({ op: "replace", path: "displayName", value: "Racer" }),
          Option.some(`W/"${String((created.resource.meta as JsonObject).version).replace(/^W\/"|"$/g, "")}"`)
        ))
        assert.strictEqual(withIfMatch._tag, "VersionMismatch")
      }))
  })
})

describe("Users: cursors across server nodes", () => {
  it.effect("each platform signs its cursors with its own stored secret: a cursor from one node pages on another", () =>
    Effect.gen(function*() {
      // one store, two independent service instances (two server processes over one database)
      const stores = yield* Layer.build(StoreMemory.layer)
      const node = () =>
        Layer.fresh(Live.layer).pipe(
          Layer.provide(Crypto.layerWebCrypto),
          Layer.provideMerge(ScimOptions.layer()),
          Layer.provide(Layer.succeedContext(stores))
        )
      const a = yield* Layer.build(node())
      const b = yield* Layer.build(node())
      const created = yield* Effect.provide(
        Platforms.Platforms.use((p) => p.create({ name: "nodes", ownerEmail: "owner@nodes.example" })),
        a
      )
      assert.isTrue(Option.isSome(created.platform.cursorSecret))
      const scope: RequestScope = { platform: created.platform.id, baseUrl }
      yield* Effect.provide(
        Users.Users.use((users) =>
          Effect.forEach(["u1", "u2", "u3"], (name) => users.create(scope, userBody(`${name}@nodes.example`)))
        ),
        a
      )
      const first = yield* Effect.provide(Users.Users.use((users) => users.list(scope, { cursor: "", count: 2 })), a)
      const next = String(first.nextCursor)
      const second = yield* Effect.provide(Users.Users.use((users) => users.list(scope, { cursor: next, count: 2 })), b)
      assert.strictEqual(resources(second).length, 2, "owner + 3 users: the second page of 2 holds the last two")
      const forged = yield* Effect.flip(
        Effect.provide(Users.Users.use((users) => users.list(scope, { cursor: `${next.slice(0, -2)}xx`, count: 2 })), b)
      )
      assert.strictEqual(forged._tag, "InvalidCursor")
    }))
})
