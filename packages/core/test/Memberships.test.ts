import { assert, describe, it } from "@effect/vitest"
import type { Stores } from "@scimkit/core"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Crypto from "../src/Crypto.js"
import { systemActor } from "../src/domain/ChangeEvent.js"
import type { JsonObject } from "../src/domain/Model.js"
import { EventStore } from "../src/ports/EventStore.js"
import { GroupUrn, PatchOpUrn, UserUrn } from "../src/schema/Schemas.js"
import * as ScimOptions from "../src/ScimOptions.js"
import * as Live from "../src/service/Live.js"
import * as Memberships from "../src/service/Memberships.js"
import * as Platforms from "../src/service/Platforms.js"
import * as Projects from "../src/service/Projects.js"
import type { RequestScope } from "../src/service/ResourceApi.js"
import * as Users from "../src/service/Users.js"
import { storeLayers } from "./stores.js"

const testLayer = (stores: Layer.Layer<Stores.Stores, unknown>) =>
  Live.layer.pipe(
    Layer.provide(Crypto.layerWebCrypto),
    Layer.provideMerge(stores),
    Layer.provideMerge(ScimOptions.layer({ defaultProjectRole: "Viewer" }))
  )

let platforms = 0
const setup = Effect.gen(function*() {
  const created = yield* (yield* Platforms.Platforms).create({ name: `memberships-${++platforms}` })
  const scope: RequestScope = { platform: created.platform.id, baseUrl: "https://scim.example/scim/v2" }
  const users = yield* Users.Users
  const ids: Array<string> = []
  for (const name of ["ann", "bob", "cy", "dan"]) {
    const user = yield* users.create(scope, { schemas: [UserUrn], userName: `${name}@example.com` })
    ids.push(String(user.resource.id))
  }
  const [ann, bob, cy, dan] = ids as [string, string, string, string]
  return { scope, ann, bob, cy, dan }
})

const groupBody = (displayName: string, members: ReadonlyArray<string> = []): JsonObject => ({
  schemas: [GroupUrn],
  displayName,
  members: members.map((value) => ({ value }))
})
const patchBody = (...Operations: ReadonlyArray<JsonObject>): JsonObject => ({ schemas: [PatchOpUrn], Operations })
const none = Option.none<string>()

/** The members SCIM shows, sorted. */
const scimMembers = (scope: RequestScope, id: string) =>
  Effect.map(
    Effect.flatMap(Projects.Projects, (projects) => projects.get(scope, id)),
    (group) => ((group.resource.members ?? []) as ReadonlyArray<JsonObject>).map((m) => String(m.value)).sort()
  )

/** Every member with its sources and role, as the host sees them. */
const managed = (scope: RequestScope, id: string) =>
  Effect.map(
    Effect.flatMap(Memberships.Memberships, (memberships) => memberships.list(scope.platform, id)),
    (members) => members.map((m) => [m.userId as string, m.role, m.scim ? "scim" : "-", m.host ? "host" : "-"])
  )

const sorted = (...ids: ReadonlyArray<string>) => [...ids].sort()

for (const [name, stores] of storeLayers) {
  describe(`Memberships (${name})`, () => {
    it.layer(testLayer(stores), { timeout: 60_000 })((it) => {
      it.effect("Okta's replace members [] then add leaves host-managed members in place", () =>
        Effect.gen(function*() {
          const { ann, bob, cy, scope } = yield* setup
          const projects = yield* Projects.Projects
          const id = String((yield* projects.create(scope, groupBody("Team", [ann, bob]))).resource.id)
          yield* (yield* Memberships.Memberships).add(scope.platform, id, [{ userId: cy, role: "Admin" }])
          yield* projects.patch(
            scope,
            id,
            patchBody(
              { op: "replace", path: "members", value: [] },
              { op: "add", path: "members", value: [{ value: ann }] }
            ),
            none
          )
          assert.deepStrictEqual(yield* scimMembers(scope, id), [ann])
          assert.deepStrictEqual(
            yield* managed(scope, id),
            [[ann, "Viewer", "scim", "-"], [cy, "Admin", "-", "host"]].sort((a, b) => a[0]! < b[0]! ? -1 : 1)
          )
          // a replace with no members at all (Okta's push of an empty group) too
          yield* projects.patch(scope, id, patchBody({ op: "replace", path: "members", value: [] }), none)
          assert.deepStrictEqual(yield* scimMembers(scope, id), [])
          assert.deepStrictEqual(yield* managed(scope, id), [[cy, "Admin", "-", "host"]])
        }))

      it.effect("a member Okta removes and adds again in one request keeps its role, and nothing changed", () =>
        Effect.gen(function*() {
          const { ann, scope } = yield* setup
          const projects = yield* Projects.Projects
          const id = String((yield* projects.create(scope, groupBody("Roles", [ann]))).resource.id)
          yield* (yield* Memberships.Memberships).setRole(scope.platform, id, ann, "Editor")
          const events = yield* EventStore
          const from = yield* events.latest
          const patched = yield* projects.patch(
            scope,
            id,
            patchBody(
              { op: "replace", path: "members", value: [] },
              { op: "add", path: "members", value: [{ value: ann }] }
            ),
            none
          )
          assert.strictEqual(patched.version, 1)
          assert.deepStrictEqual(yield* managed(scope, id), [[ann, "Editor", "scim", "-"]])
          assert.deepStrictEqual(yield* events.read({ after: from, limit: 10 }), [])
        }))

      it.effect("PUT and every PATCH remove leave host-managed members in place", () =>
        Effect.gen(function*() {
          const { ann, bob, cy, dan, scope } = yield* setup
          const projects = yield* Projects.Projects
          const memberships = yield* Memberships.Memberships
          const id = String((yield* projects.create(scope, groupBody("Team", [ann, bob, cy]))).resource.id)
          yield* memberships.add(scope.platform, id, [{ userId: dan, role: "Editor" }])
          yield* projects.replace(scope, id, groupBody("Team", [ann, bob]), none)
          yield* projects.patch(scope, id, patchBody({ op: "remove", path: `members[value eq "${ann}"]` }), none)
          yield* projects.patch(scope, id, patchBody({ op: "Remove", path: "members", value: [{ value: dan }] }), none)
          yield* projects.patch(scope, id, patchBody({ op: "remove", path: "members[display sw \"d\"]" }), none)
          assert.deepStrictEqual(yield* scimMembers(scope, id), [bob])
          yield* projects.patch(scope, id, patchBody({ op: "remove", path: "members" }), none)
          assert.deepStrictEqual(yield* scimMembers(scope, id), [])
          assert.deepStrictEqual(yield* managed(scope, id), [[dan, "Editor", "-", "host"]])
          yield* projects.replace(scope, id, groupBody("Team"), none)
          assert.deepStrictEqual(yield* managed(scope, id), [[dan, "Editor", "-", "host"]])
        }))

      it.effect("a host member has its role, and SCIM does not see it: not in members, groups or a members filter", () =>
        Effect.gen(function*() {
          const { ann, scope } = yield* setup
          const projects = yield* Projects.Projects
          const id = String((yield* projects.create(scope, groupBody("Hosted"))).resource.id)
          const added = yield* (yield* Memberships.Memberships).add(scope.platform, id, [
            { userId: ann, role: "admin" }
          ])
          assert.deepStrictEqual(added.map((m) => [m.userId as string, m.role]), [[ann, "Admin"]])
          assert.deepStrictEqual(yield* managed(scope, id), [[ann, "Admin", "-", "host"]])
          assert.deepStrictEqual(yield* scimMembers(scope, id), [])
          const user = yield* (yield* Users.Users).get(scope, ann)
          assert.deepStrictEqual(user.resource.groups ?? [], [])
          const filtered = yield* projects.list(scope, { filter: `members[value eq "${ann}"]` })
          assert.strictEqual(filtered.totalResults, 0)
        }))

      it.effect("a membership both SCIM and the host manage survives SCIM's removal, keeps its role and leaves SCIM's views", () =>
        Effect.gen(function*() {
          const { ann, bob, scope } = yield* setup
          const projects = yield* Projects.Projects
          const memberships = yield* Memberships.Memberships
          const id = String((yield* projects.create(scope, groupBody("Both", [ann, bob]))).resource.id)
          yield* memberships.add(scope.platform, id, [{ userId: ann, role: "Editor" }])
          assert.deepStrictEqual(
            yield* managed(scope, id),
            [[ann, "Editor", "scim", "host"], [bob, "Viewer", "scim", "-"]].sort(
              (a, b) => a[0]! < b[0]! ? -1 : 1
            )
          )
          const version = (yield* projects.get(scope, id)).version
          yield* projects.patch(scope, id, patchBody({ op: "remove", path: `members[value eq "${ann}"]` }), none)
          assert.strictEqual((yield* projects.get(scope, id)).version, version + 1)
          assert.deepStrictEqual(yield* scimMembers(scope, id), [bob])
          assert.deepStrictEqual((yield* (yield* Users.Users).get(scope, ann)).resource.groups ?? [], [])
          assert.strictEqual((yield* projects.list(scope, { filter: `members[value eq "${ann}"]` })).totalResults, 0)
          assert.deepStrictEqual(
            (yield* managed(scope, id)).filter((m) => m[0] === ann),
            [[ann, "Editor", "-", "host"]]
          )
          // SCIM adds it back: it keeps the host's role
          yield* projects.patch(scope, id, patchBody({ op: "add", path: "members", value: [{ value: ann }] }), none)
          assert.deepStrictEqual(
            (yield* managed(scope, id)).filter((m) => m[0] === ann),
            [[ann, "Editor", "scim", "host"]]
          )
          // the host stops managing it: SCIM's membership stays
          yield* memberships.remove(scope.platform, id, [ann])
          assert.deepStrictEqual(yield* scimMembers(scope, id), sorted(ann, bob))
          assert.deepStrictEqual(
            (yield* managed(scope, id)).filter((m) => m[0] === ann),
            [[ann, "Editor", "scim", "-"]]
          )
        }))

      const byUserId = (rows: ReadonlyArray<readonly [string, string, string, number]>) =>
        [...rows].sort((a, b) => a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0)

      it.effect("host changes are events of the system actor and never move the group's version", () =>
        Effect.gen(function*() {
          const { ann, bob, scope } = yield* setup
          const projects = yield* Projects.Projects
          const memberships = yield* Memberships.Memberships
          const events = yield* EventStore
          const id = String((yield* projects.create(scope, groupBody("Feed", [bob]))).resource.id)
          const from = yield* events.latest
          yield* memberships.add(scope.platform, id, [{ userId: ann, role: "Editor" }, { userId: bob, role: "Admin" }])
          yield* memberships.add(scope.platform, id, [{ userId: ann, role: "Editor" }])
          yield* memberships.setRole(scope.platform, id, ann, "Viewer")
          yield* memberships.remove(scope.platform, id, [ann, bob])
          assert.strictEqual((yield* projects.get(scope, id)).version, 1)
          const feed = yield* events.read({ after: from, limit: 100 })
          assert.deepStrictEqual(
            feed.map((e) => [e.type, Option.getOrThrow(e.member).userId, Option.getOrThrow(e.member).role, e.version]),
            [
              // one call's events come by type, then by user id
              ...byUserId([["member.added", ann, "Editor", 1], ["member.added", bob, "Admin", 1]]),
              // bob was a SCIM member with the default role: the host's role wins, and says so
              ["member.roleChanged", bob, "Admin", 1],
              ["member.roleChanged", ann, "Viewer", 1],
              ...byUserId([["member.removed", ann, "Viewer", 1], ["member.removed", bob, "Admin", 1]])
            ]
          )
          for (const e of feed) assert.deepStrictEqual(e.actor, systemActor)
          assert.deepStrictEqual(yield* managed(scope, id), [[bob, "Admin", "scim", "-"]])
        }))

      it.effect("unknown users, roles, projects and memberships are errors that change nothing", () =>
        Effect.gen(function*() {
          const { ann, scope } = yield* setup
          const projects = yield* Projects.Projects
          const memberships = yield* Memberships.Memberships
          const id = String((yield* projects.create(scope, groupBody("Errors"))).resource.id)
          const ghost = yield* Effect.flip(
            memberships.add(scope.platform, id, [{ userId: ann, role: "Admin" }, { userId: "ghost", role: "Admin" }])
          )
          assert.strictEqual(ghost._tag, "InvalidValue")
          assert.include(ghost.message, "\"ghost\"")
          const role = yield* Effect.flip(memberships.add(scope.platform, id, [{ userId: ann, role: "Owner" }]))
          assert.strictEqual(role._tag, "InvalidValue")
          assert.deepStrictEqual(yield* managed(scope, id), [])
          assert.strictEqual(
            (yield* Effect.flip(memberships.add(scope.platform, "nope", [{ userId: ann, role: "Admin" }])))._tag,
            "ResourceNotFound"
          )
          assert.strictEqual((yield* Effect.flip(memberships.list(scope.platform, "nope")))._tag, "ResourceNotFound")
          assert.strictEqual(
            (yield* Effect.flip(memberships.setRole(scope.platform, id, ann, "Admin")))._tag,
            "ResourceNotFound"
          )
        }))

      it.effect("deleting a user or a project takes its host-managed memberships with it", () =>
        Effect.gen(function*() {
          const { ann, bob, scope } = yield* setup
          const projects = yield* Projects.Projects
          const memberships = yield* Memberships.Memberships
          const id = String((yield* projects.create(scope, groupBody("Gone"))).resource.id)
          yield* memberships.add(scope.platform, id, [{ userId: ann, role: "Admin" }, { userId: bob, role: "Admin" }])
          yield* (yield* Users.Users).remove(scope, ann, none)
          assert.deepStrictEqual((yield* managed(scope, id)).map((m) => m[0]), [bob])
          yield* projects.remove(scope, id, none)
          const again = String((yield* projects.create(scope, groupBody("Gone"))).resource.id)
          assert.deepStrictEqual(yield* managed(scope, again), [])
        }))
    })
  })
}
