import { assert, describe, it } from "@effect/vitest"
import { StoreMemory } from "@scimkit/store-memory"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import * as Crypto from "../src/Crypto.js"
import { type JsonObject, Membership, ProjectId, UserId } from "../src/domain/Model.js"
import { ProjectStore } from "../src/ports/ProjectStore.js"
import { UserStore } from "../src/ports/UserStore.js"
import { GroupUrn, PatchOpUrn, UserUrn } from "../src/schema/Schemas.js"
import * as ScimOptions from "../src/ScimOptions.js"
import * as Live from "../src/service/Live.js"
import * as Platforms from "../src/service/Platforms.js"
import * as Projects from "../src/service/Projects.js"
import * as Users from "../src/service/Users.js"
import type { RequestScope } from "../src/service/ResourceApi.js"

const baseUrl = "https://scim.example/api/v1/scim/v2"

/** Counts how often members are read, to prove which requests never read them. */
class MemberReads extends Context.Service<MemberReads, Ref.Ref<number>>()("test/MemberReads") {}
const CountingStores = Layer.effectContext(Effect.gen(function*() {
  const reads = yield* Ref.make(0)
  const context = yield* StoreMemory.make
  const projects = Context.get(context, ProjectStore)
  return Context.add(context, ProjectStore, {
    ...projects,
    listMembers: (platform, id) => Effect.andThen(Ref.update(reads, (n) => n + 1), projects.listMembers(platform, id))
  }).pipe(Context.add(MemberReads, reads))
}))
const TestLayer = Live.layer.pipe(
  Layer.provide(Crypto.layerWebCrypto),
  Layer.provideMerge(CountingStores),
  Layer.provideMerge(ScimOptions.layer({ defaultProjectRole: "Viewer" }))
)

let platforms = 0
const setup = Effect.gen(function*() {
  const name = `projects-${++platforms}`
  const created = yield* (yield* Platforms.Platforms).create({ name, ownerEmail: `owner@${name}.example` })
  const scope: RequestScope = { platform: created.platform.id, baseUrl }
  return { scope, owner: Option.getOrThrow(created.owner), platform: created.platform }
})

const newUsers = (scope: RequestScope, ...names: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const users = yield* Users.Users
    const ids: Array<string> = []
    for (const name of names) {
      ids.push(
        String(
          (yield* users.create(scope, { schemas: [UserUrn], userName: `${name}@example.com`, displayName: name }))
            .resource.id
        )
      )
    }
    return ids
  })

const groupBody = (displayName: string, members: ReadonlyArray<string> = [], extra: JsonObject = {}): JsonObject => ({
  schemas: [GroupUrn],
  displayName,
  members: members.map((value) => ({ value })),
  ...extra
})
const patchBody = (...Operations: ReadonlyArray<JsonObject>): JsonObject => ({ schemas: [PatchOpUrn], Operations })
const idOf = (resource: JsonObject): string => String(resource.id)
const none = Option.none<string>()
const memberIdsOf = (resource: JsonObject): ReadonlyArray<string> =>
  ((resource.members ?? []) as ReadonlyArray<JsonObject>).map((m) => String(m.value)).sort()
const stored = (scope: RequestScope, id: string) =>
  Effect.flatMap(ProjectStore, (store) => store.listMembers(scope.platform, ProjectId.make(id)))
const memberReads = Effect.flatMap(MemberReads, Ref.get)

describe("Projects", () => {
  it.layer(TestLayer)((it) => {
    describe("create", () => {
      it.effect("creates the project with its members, each with the default project role, rendered with display and $ref", () =>
        Effect.gen(function*() {
          const { scope } = yield* setup
          const [ada, bob] = yield* newUsers(scope, "ada", "bob")
          const created = yield* (yield* Projects.Projects).create(
            scope,
            groupBody("Marketing", [ada!, bob!], { externalId: "g-ext" })
          )
          const r = created.resource
          assert.deepStrictEqual(r.schemas, [GroupUrn])
          assert.strictEqual(r.displayName, "Marketing")
          assert.strictEqual(r.externalId, "g-ext")
          assert.strictEqual((r.meta as JsonObject).location, `${baseUrl}/Groups/${idOf(r)}`)
          assert.strictEqual((r.meta as JsonObject).version, "W/\"1\"")
          const members = r.members as ReadonlyArray<JsonObject>
          assert.deepStrictEqual(memberIdsOf(r), [ada!, bob!].sort())
          const adaMember = members.find((m) => m.value === ada)!
          assert.deepStrictEqual(adaMember, {
            value: ada!,
            $ref: `${baseUrl}/Users/${ada}`,
            display: "ada",
            type: "User"
          })
          const roles = (yield* stored(scope, idOf(r))).map((m) => m.role)
          assert.deepStrictEqual(roles, ["Viewer", "Viewer"])
        }))

      it.effect("displayName is unique per platform regardless of case; externalId where the platform asks for it", () =>
        Effect.gen(function*() {
          const { platform, scope } = yield* setup
          const projects = yield* Projects.Projects
          yield* projects.create(scope, groupBody("Engineering", [], { externalId: "x1" }))
          const byName = yield* Effect.flip(projects.create(scope, groupBody("ENGINEERING")))
          assert.strictEqual(byName._tag, "Uniqueness")
          if (byName._tag === "Uniqueness") assert.strictEqual(byName.attribute, "displayName")
          yield* projects.create(scope, groupBody("Shares x1", [], { externalId: "x1" }))
          const other = yield* setup
          yield* projects.create(other.scope, groupBody("Engineering"))
          yield* (yield* Platforms.Platforms).setUniqueExternalId(other.platform.id, true)
          yield* projects.create(other.scope, groupBody("Ops", [], { externalId: "x1" }))
          const byExternalId = yield* Effect.flip(
            projects.create(other.scope, groupBody("Other", [], { externalId: "x1" }))
          )
          assert.strictEqual(byExternalId._tag, "Uniqueness")
          assert.isFalse((yield* (yield* Platforms.Platforms).get(platform.id)).uniqueExternalId)
        }))

      it.effect("PATCH of a group that does not exist is 404 whatever its members name (the target first, then references)", () =>
        Effect.gen(function*() {
          const { scope } = yield* setup
          const projects = yield* Projects.Projects
          const body = {
            schemas: [PatchOpUrn],
            Operations: [{ op: "add", path: "members", value: [{ value: "no-such-user" }] }]
          }
          const error = yield* Effect.flip(projects.patch(scope, "no-such-group", body, Option.none()))
          assert.strictEqual(error._tag, "ResourceNotFound")
          const withIfMatch = yield* Effect.flip(projects.patch(scope, "no-such-group", body, Option.some("W/\"1\"")))
          assert.strictEqual(withIfMatch._tag, "ResourceNotFound")
          const unstorable = yield* Effect.flip(projects.get(scope, "bad\u0000id"))
          assert.strictEqual(unstorable._tag, "ResourceNotFound")
        }))

      it.effect("member ids that are not users of this platform are InvalidValue naming them, and nothing is created", () =>
        Effect.gen(function*() {
          const { scope } = yield* setup
          const other = yield* setup
          const [mine] = yield* newUsers(scope, "mine")
          const [foreign] = yield* newUsers(other.scope, "foreign")
          const projects = yield* Projects.Projects
          const error = yield* Effect.flip(projects.create(scope, groupBody("Ops", [mine!, foreign!, "no-such-user"])))
          assert.strictEqual(error._tag, "InvalidValue")
          if (error._tag === "InvalidValue") {
            assert.include(error.detail, foreign!)
            assert.include(error.detail, "no-such-user")
            assert.notInclude(error.detail, mine!)
          }
          assert.strictEqual((yield* projects.list(scope, { filter: "displayName eq \"Ops\"" })).totalResults, 0)
        }))

      it.effect("a group without displayName is InvalidValue", () =>
        Effect.gen(function*() {
          const { scope } = yield* setup
          assert.strictEqual(
            (yield* Effect.flip((yield* Projects.Projects).create(scope, { schemas: [GroupUrn] })))._tag,
            "InvalidValue"
          )
        }))
    })

    describe("get and list", () => {
      it.effect("get returns members; excludedAttributes=members does not read them at all", () =>
        Effect.gen(function*() {
          const { scope } = yield* setup
          const [ada] = yield* newUsers(scope, "ada")
          const projects = yield* Projects.Projects
          const id = idOf((yield* projects.create(scope, groupBody("Design", [ada!]))).resource)
          assert.deepStrictEqual(memberIdsOf((yield* projects.get(scope, id)).resource), [ada!])
          const before = yield* memberReads
          const excluded = yield* projects.get(scope, id, { excludedAttributes: "members" })
          assert.isUndefined(excluded.resource.members)
          assert.strictEqual(excluded.resource.displayName, "Design")
          const list = yield* projects.list(scope, {
            filter: "displayName eq \"design\"",
            excludedAttributes: "members"
          })
          assert.strictEqual(list.totalResults, 1)
          assert.isUndefined((list.Resources as ReadonlyArray<JsonObject>)[0]!.members)
          assert.strictEqual(yield* memberReads, before)
          assert.strictEqual((yield* Effect.flip(projects.get(scope, "nope")))._tag, "ResourceNotFound")
        }))

      it.effect("list filters on members and pages", () =>
        Effect.gen(function*() {
          const { scope } = yield* setup
          const [ada] = yield* newUsers(scope, "ada")
          const projects = yield* Projects.Projects
          const withAda = idOf((yield* projects.create(scope, groupBody("A", [ada!]))).resource)
          yield* projects.create(scope, groupBody("B"))
          yield* projects.create(scope, groupBody("C"))
          const byMember = yield* projects.list(scope, {
            filter: `members[value eq "${ada}"]`,
            attributes: "displayName"
          })
          assert.deepStrictEqual((byMember.Resources as ReadonlyArray<JsonObject>).map(idOf), [withAda])
          const page = yield* projects.list(scope, { sortBy: "displayName", sortOrder: "descending", count: 2 })
          assert.strictEqual(page.totalResults, 3)
          assert.deepStrictEqual((page.Resources as ReadonlyArray<JsonObject>).map((r) => r.displayName), ["C", "B"])
          assert.strictEqual(
            (yield* Effect.flip(projects.list(scope, { filter: "displayName eq" })))._tag,
            "InvalidFilter"
          )
        }))
    })

    describe("replace (PUT)", () => {
      it.effect("sets exactly the given members; members kept keep their role; version bumps", () =>
        Effect.gen(function*() {
          const { scope } = yield* setup
          const [ada, bob, cy] = yield* newUsers(scope, "ada", "bob", "cy")
          const projects = yield* Projects.Projects
          const id = idOf((yield* projects.create(scope, groupBody("Team", [ada!, bob!]))).resource)
          const store = yield* ProjectStore
          yield* store.removeMembers(scope.platform, ProjectId.make(id), [UserId.make(ada!)], "scim")
          yield* store.addMembers(scope.platform, ProjectId.make(id), [
            new Membership({ userId: UserId.make(ada!), role: "Admin" })
          ], "scim")
          const replaced = yield* projects.replace(scope, id, groupBody("Team 2", [ada!, cy!]), none)
          assert.strictEqual(replaced.resource.displayName, "Team 2")
          assert.deepStrictEqual(memberIdsOf(replaced.resource), [ada!, cy!].sort())
          assert.strictEqual(replaced.version, 2)
          const roles = new Map((yield* stored(scope, id)).map((m) => [m.userId as string, m.role]))
          assert.strictEqual(roles.get(ada!), "Admin")
          assert.strictEqual(roles.get(cy!), "Viewer")
          const emptied = yield* projects.replace(scope, id, { schemas: [GroupUrn], displayName: "Team 2" }, none)
          assert.deepStrictEqual(memberIdsOf(emptied.resource), [])
          assert.strictEqual(emptied.version, 3)
        }))

      it.effect("unknown members fail the whole PUT; a stale If-Match is VersionMismatch", () =>
        Effect.gen(function*() {
          const { scope } = yield* setup
          const [ada] = yield* newUsers(scope, "ada")
          const projects = yield* Projects.Projects
          const id = idOf((yield* projects.create(scope, groupBody("Keep", [ada!]))).resource)
          const error = yield* Effect.flip(projects.replace(scope, id, groupBody("Renamed", ["ghost"]), none))
          assert.strictEqual(error._tag, "InvalidValue")
          const after = yield* projects.get(scope, id)
          assert.strictEqual(after.resource.displayName, "Keep")
          assert.deepStrictEqual(memberIdsOf(after.resource), [ada!])
          const stale = yield* Effect.flip(projects.replace(scope, id, groupBody("Renamed"), Option.some("W/\"7\"")))
          assert.strictEqual(stale._tag, "VersionMismatch")
        }))
    })

    describe("patch", () => {
      it.effect("adds members (Entra form) with the default role; re-adding keeps the role and changes nothing", () =>
        Effect.gen(function*() {
          const { scope } = yield* setup
          const [ada, bob] = yield* newUsers(scope, "ada", "bob")
          const projects = yield* Projects.Projects
          const id = idOf((yield* projects.create(scope, groupBody("P"))).resource)
          const added = yield* projects.patch(
            scope,
            id,
            patchBody({ op: "Add", path: "members", value: [{ value: ada }, { value: bob }] }),
            none
          )
          assert.strictEqual(added.version, 2)
          assert.isUndefined(
            added.resource.members,
            "PATCH results do not read members unless attributes asks for them"
          )
          const store = yield* ProjectStore
          yield* store.removeMembers(scope.platform, ProjectId.make(id), [UserId.make(ada!)], "scim")
          yield* store.addMembers(scope.platform, ProjectId.make(id), [
            new Membership({ userId: UserId.make(ada!), role: "Admin" })
          ], "scim")
          const again = yield* projects.patch(
            scope,
            id,
            patchBody({ op: "add", path: "members", value: [{ value: ada }] }),
            none
          )
          assert.strictEqual(again.version, 2)
          const roles = new Map((yield* stored(scope, id)).map((m) => [m.userId as string, m.role]))
          assert.strictEqual(roles.get(ada!), "Admin")
          assert.strictEqual(roles.get(bob!), "Viewer")
        }))

      it.effect("removes members by filter path, by Entra value list, and by other filters; removing a non-member succeeds", () =>
        Effect.gen(function*() {
          const { scope } = yield* setup
          const [ada, bob, cy, dan] = yield* newUsers(scope, "ada", "bob", "cy", "dan")
          const projects = yield* Projects.Projects
          const id = idOf((yield* projects.create(scope, groupBody("R", [ada!, bob!, cy!, dan!]))).resource)
          yield* projects.patch(scope, id, patchBody({ op: "remove", path: `members[value eq "${ada}"]` }), none)
          yield* projects.patch(scope, id, patchBody({ op: "Remove", path: "members", value: [{ value: bob }] }), none)
          yield* projects.patch(scope, id, patchBody({ op: "remove", path: "members[display eq \"cy\"]" }), none)
          assert.deepStrictEqual((yield* stored(scope, id)).map((m) => m.userId as string), [dan!])
          const noop = yield* projects.patch(
            scope,
            id,
            patchBody({ op: "remove", path: `members[value eq "${ada}"]` }),
            none
          )
          assert.strictEqual(noop.version, 4)
        }))

      it.effect("a member filter path may qualify sub-attributes with members (members[members.display eq …])", () =>
        Effect.gen(function*() {
          const { scope } = yield* setup
          const [ada, bob] = yield* newUsers(scope, "ada", "bob")
          const projects = yield* Projects.Projects
          const id = idOf((yield* projects.create(scope, groupBody("Q", [ada!, bob!]))).resource)
          yield* projects.patch(
            scope,
            id,
            patchBody({ op: "remove", path: "members[members.display eq \"ada\"]" }),
            none
          )
          assert.deepStrictEqual((yield* stored(scope, id)).map((m) => m.userId as string), [bob!])
        }))

      it.effect("Okta: replace members with [] then add; path-less replace of displayName and members", () =>
        Effect.gen(function*() {
          const { scope } = yield* setup
          const [ada, bob, cy] = yield* newUsers(scope, "ada", "bob", "cy")
          const projects = yield* Projects.Projects
          const id = idOf((yield* projects.create(scope, groupBody("O", [ada!, bob!]))).resource)
          yield* projects.patch(
            scope,
            id,
            patchBody(
              { op: "replace", path: "members", value: [] },
              { op: "add", path: "members", value: [{ value: cy, display: "cy" }] }
            ),
            none
          )
          assert.deepStrictEqual((yield* stored(scope, id)).map((m) => m.userId as string), [cy!])
          const result = yield* projects.patch(
            scope,
            id,
            patchBody({ op: "replace", value: { displayName: "O2", members: [{ value: ada }] } }),
            none,
            {
              attributes: "displayName,members"
            }
          )
          assert.strictEqual(result.resource.displayName, "O2")
          assert.deepStrictEqual(memberIdsOf(result.resource), [ada!])
        }))

      it.effect("renames the project; a taken name is Uniqueness", () =>
        Effect.gen(function*() {
          const { scope } = yield* setup
          const projects = yield* Projects.Projects
          const id = idOf((yield* projects.create(scope, groupBody("Old"))).resource)
          yield* projects.create(scope, groupBody("Taken"))
          const renamed = yield* projects.patch(
            scope,
            id,
            patchBody({ op: "replace", path: "displayName", value: "New" }),
            none
          )
          assert.strictEqual(renamed.resource.displayName, "New")
          assert.strictEqual(
            (yield* Effect.flip(
              projects.patch(scope, id, patchBody({ op: "replace", path: "displayName", value: "TAKEN" }), none)
            ))._tag,
            "Uniqueness"
          )
        }))

      it.effect("an unknown member fails the whole request: neither the rename nor the other members are applied", () =>
        Effect.gen(function*() {
          const { scope } = yield* setup
          const [ada] = yield* newUsers(scope, "ada")
          const projects = yield* Projects.Projects
          const id = idOf((yield* projects.create(scope, groupBody("Atomic"))).resource)
          const error = yield* Effect.flip(projects.patch(
            scope,
            id,
            patchBody(
              { op: "replace", path: "displayName", value: "Changed" },
              { op: "add", path: "members", value: [{ value: ada }, { value: "ghost-1" }] }
            ),
            none
          ))
          assert.strictEqual(error._tag, "InvalidValue")
          if (error._tag === "InvalidValue") assert.include(error.detail, "ghost-1")
          const after = yield* projects.get(scope, id)
          assert.strictEqual(after.resource.displayName, "Atomic")
          assert.deepStrictEqual(memberIdsOf(after.resource), [])
          assert.strictEqual(after.version, 1)
        }))

      it.effect("a failing operation after member steps rolls the member steps back", () =>
        Effect.gen(function*() {
          const { scope } = yield* setup
          const [ada] = yield* newUsers(scope, "ada")
          const projects = yield* Projects.Projects
          const id = idOf((yield* projects.create(scope, groupBody("Rollback"))).resource)
          yield* projects.create(scope, groupBody("Occupied"))
          const error = yield* Effect.flip(projects.patch(
            scope,
            id,
            patchBody(
              { op: "add", path: "members", value: [{ value: ada }] },
              { op: "replace", path: "displayName", value: "occupied" }
            ),
            none
          ))
          assert.strictEqual(error._tag, "Uniqueness")
          assert.deepStrictEqual(yield* stored(scope, id), [])
        }))

      it.effect("does not read members for the result unless attributes asks for them", () =>
        Effect.gen(function*() {
          const { scope } = yield* setup
          const [ada] = yield* newUsers(scope, "ada")
          const projects = yield* Projects.Projects
          const id = idOf((yield* projects.create(scope, groupBody("Quiet", [ada!]))).resource)
          const before = yield* memberReads
          const result = yield* projects.patch(
            scope,
            id,
            patchBody({ op: "replace", path: "displayName", value: "Quieter" }),
            none
          )
          assert.isUndefined(result.resource.members)
          assert.strictEqual(yield* memberReads, before)
          const asked = yield* projects.patch(
            scope,
            id,
            patchBody({ op: "replace", path: "displayName", value: "Loud" }),
            none,
            { attributes: "members" }
          )
          assert.deepStrictEqual(memberIdsOf(asked.resource), [ada!])
        }))

      it.effect("a stale If-Match is VersionMismatch", () =>
        Effect.gen(function*() {
          const { scope } = yield* setup
          const projects = yield* Projects.Projects
          const id = idOf((yield* projects.create(scope, groupBody("V"))).resource)
          const error = yield* Effect.flip(
            projects.patch(
              scope,
              id,
              patchBody({ op: "replace", path: "displayName", value: "W" }),
              Option.some("W/\"2\"")
            )
          )
          assert.strictEqual(error._tag, "VersionMismatch")
        }))

      it.effect("100 concurrent PATCHes adding one member each: all present, one version bump each", () =>
        Effect.gen(function*() {
          const { scope } = yield* setup
          const ids = yield* newUsers(scope, ...Array.from({ length: 100 }, (_, i) => `m${i}`))
          const projects = yield* Projects.Projects
          const id = idOf((yield* projects.create(scope, groupBody("Crowd"))).resource)
          yield* Effect.forEach(
            ids,
            (user) =>
              projects.patch(scope, id, patchBody({ op: "add", path: "members", value: [{ value: user }] }), none),
            { concurrency: "unbounded" }
          )
          assert.strictEqual((yield* stored(scope, id)).length, 100)
          assert.strictEqual((yield* projects.get(scope, id, { attributes: "displayName" })).version, 101)
        }))
    })

    it.effect("deactivated users stay members", () =>
      Effect.gen(function*() {
        const { scope } = yield* setup
        const [ada] = yield* newUsers(scope, "ada")
        const id = idOf((yield* (yield* Projects.Projects).create(scope, groupBody("Stay", [ada!]))).resource)
        yield* (yield* Users.Users).patch(scope, ada!, patchBody({ op: "replace", path: "active", value: false }), none)
        assert.deepStrictEqual(memberIdsOf((yield* (yield* Projects.Projects).get(scope, id)).resource), [ada!])
      }))

    it.effect("delete: the project is gone (404) and its members' user accounts are untouched", () =>
      Effect.gen(function*() {
        const { scope } = yield* setup
        const [ada] = yield* newUsers(scope, "ada")
        const projects = yield* Projects.Projects
        const id = idOf((yield* projects.create(scope, groupBody("Doomed", [ada!]))).resource)
        assert.strictEqual(
          (yield* Effect.flip(projects.remove(scope, id, Option.some("W/\"9\""))))._tag,
          "VersionMismatch"
        )
        yield* projects.remove(scope, id, none)
        assert.strictEqual((yield* Effect.flip(projects.get(scope, id)))._tag, "ResourceNotFound")
        assert.strictEqual((yield* Effect.flip(projects.remove(scope, id, none)))._tag, "ResourceNotFound")
        const user = yield* (yield* UserStore).get(scope.platform, UserId.make(ada!))
        assert.strictEqual(user.userName, "ada@example.com")
        assert.isUndefined((yield* (yield* Users.Users).get(scope, ada!)).resource.groups)
        yield* projects.create(scope, groupBody("Doomed"))
      }))
  })
})
