import { assert, describe, it } from "@effect/vitest"
import { StoreMemory } from "@scimkit/store-memory"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as Option from "effect/Option"
import * as Crypto from "../src/Crypto.js"
import { Actor, type ChangeEvent, type EventType } from "../src/domain/ChangeEvent.js"
import { type JsonObject, Membership, ProjectId } from "../src/domain/Model.js"
import { HookRejected } from "../src/errors/ScimError.js"
import { EventStore } from "../src/ports/EventStore.js"
import { ProjectStore } from "../src/ports/ProjectStore.js"
import { CustomUserAttributesUrn, GroupUrn, PatchOpUrn, UserUrn } from "../src/schema/Schemas.js"
import * as ScimOptions from "../src/ScimOptions.js"
import * as Hooks from "../src/service/Hooks.js"
import * as Live from "../src/service/Live.js"
import * as Platforms from "../src/service/Platforms.js"
import * as Projects from "../src/service/Projects.js"
import type { RequestScope } from "../src/service/ResourceApi.js"
import * as Users from "../src/service/Users.js"

/** The services over a fresh memory store, with `hooks`. */
const withHooks = (hooks: Hooks.HooksShape) =>
  Live.layer.pipe(
    Layer.provide(Hooks.layer(hooks)),
    Layer.provide(Crypto.layerWebCrypto),
    Layer.provideMerge(StoreMemory.layer),
    Layer.provideMerge(ScimOptions.layer({ defaultProjectRole: "Viewer" }))
  )

const actor = new Actor({ credential: Option.some("key-1"), requestId: Option.some("req-1") })

const setup = Effect.gen(function*() {
  // no owner: creating one is an event of its own (user.created), which these tests don't count
  const created = yield* (yield* Platforms.Platforms).create({ name: "hooks" })
  const scope: RequestScope = { platform: created.platform.id, baseUrl: "https://scim.example/scim/v2", actor }
  return { scope }
})

const userBody = (userName: string, extra: JsonObject = {}): JsonObject => ({ schemas: [UserUrn], userName, ...extra })
const groupBody = (displayName: string, members: ReadonlyArray<string> = []): JsonObject => ({
  schemas: [GroupUrn],
  displayName,
  members: members.map((value) => ({ value }))
})
const patchBody = (...Operations: ReadonlyArray<JsonObject>): JsonObject => ({ schemas: [PatchOpUrn], Operations })
const idOf = (resource: JsonObject): string => String(resource.id)
const none = Option.none<string>()

const allEvents = Effect.flatMap(EventStore, (events) => events.read({ after: 0, limit: 1000 }))

/** What a test can observe of the store: users, projects, memberships and events. */
const snapshot = (scope: RequestScope) =>
  Effect.gen(function*() {
    const users = yield* (yield* Users.Users).list(scope, { count: 100 })
    const projects = yield* (yield* Projects.Projects).list(scope, { count: 100 })
    const store = yield* ProjectStore
    const members = yield* Effect.forEach(
      projects.Resources as ReadonlyArray<JsonObject>,
      (p) => store.listAllMembers(scope.platform, ProjectId.make(idOf(p)))
    )
    return { users, projects, members, events: yield* allEvents }
  })

/** Every `after` hook, recording what it received. */
const recordingAfter = (calls: Array<{ readonly type: EventType; readonly committed: unknown }>): Hooks.AfterHooks => {
  const record = (type: EventType) => (committed: unknown) =>
    Effect.sync(() => {
      calls.push({ type, committed })
    })
  return {
    "user.created": record("user.created"),
    "user.updated": record("user.updated"),
    "user.deactivated": record("user.deactivated"),
    "user.reactivated": record("user.reactivated"),
    "user.platformRoleChanged": record("user.platformRoleChanged"),
    "user.deleted": record("user.deleted"),
    "project.created": record("project.created"),
    "project.updated": record("project.updated"),
    "project.renamed": record("project.renamed"),
    "project.deleted": record("project.deleted"),
    "member.added": record("member.added"),
    "member.removed": record("member.removed")
  }
}

const field = (value: unknown, name: string): unknown =>
  typeof value === "object" && value !== null ? (value as Record<string, unknown>)[name] : undefined

const rejection = new HookRejected({ status: 403, scimType: "hostPolicy", detail: "the host says no" })

describe("Hooks", () => {
  it.effect("each after hook runs once per committed event, with the event and the stored resources before and after", () => {
    const calls: Array<{ readonly type: EventType; readonly committed: unknown }> = []
    return Effect.gen(function*() {
      const { scope } = yield* setup
      const users = yield* Users.Users
      const projects = yield* Projects.Projects
      const ada = idOf((yield* users.create(scope, userBody("ada@example.com", { displayName: "Ada" }))).resource)
      const bob = idOf((yield* users.create(scope, userBody("bob@example.com"))).resource)
      yield* users.patch(scope, ada, patchBody({ op: "replace", path: "displayName", value: "Ada L." }), none)
      yield* users.patch(scope, ada, patchBody({ op: "replace", path: "active", value: false }), none)
      yield* users.patch(scope, ada, patchBody({ op: "replace", path: "active", value: true }), none)
      yield* users.patch(
        scope,
        ada,
        patchBody({ op: "replace", path: `${CustomUserAttributesUrn}:platformRole`, value: "ADMIN" }),
        none
      )
      // changes nothing: no event, no hook
      yield* users.patch(scope, ada, patchBody({ op: "replace", path: "displayName", value: "Ada L." }), none)
      const team = idOf((yield* projects.create(scope, groupBody("Team", [ada]))).resource)
      yield* projects.patch(scope, team, patchBody({ op: "replace", path: "displayName", value: "Team 2" }), none)
      yield* projects.patch(scope, team, patchBody({ op: "add", path: "members", value: [{ value: bob }] }), none)
      yield* projects.patch(scope, team, patchBody({ op: "remove", path: `members[value eq "${ada}"]` }), none)
      yield* projects.remove(scope, team, none)
      yield* users.remove(scope, bob, none)

      assert.deepStrictEqual(calls.map((c) => c.type), [
        "user.created",
        "user.created",
        "user.updated",
        "user.updated",
        "user.deactivated",
        "user.updated",
        "user.reactivated",
        "user.updated",
        "user.platformRoleChanged",
        "project.created",
        "member.added",
        "project.updated",
        "project.renamed",
        "member.added",
        "member.removed",
        "project.deleted",
        "user.deleted"
      ])
      // the hooks saw the committed events, positions and all
      const events = yield* allEvents
      assert.deepStrictEqual(calls.map((c) => field(c.committed, "event")), [...events])
      assert.isTrue(events.every((e) => e.actor.credential._tag === "Some" && e.actor.credential.value === "key-1"))
      // before/after pairs: the stored users
      const deactivated = calls[4]!.committed
      assert.strictEqual(field(field(deactivated, "before"), "active"), true)
      assert.strictEqual(field(field(deactivated, "after"), "active"), false)
      const promoted = calls[8]!.committed
      assert.strictEqual(field(field(promoted, "before"), "platformRole"), "MEMBER")
      assert.strictEqual(field(field(promoted, "after"), "platformRole"), "ADMIN")
      const renamed = calls[12]!.committed
      assert.strictEqual(field(field(renamed, "before"), "displayName"), "Team")
      assert.strictEqual(field(field(renamed, "after"), "displayName"), "Team 2")
      const added = calls[10]!.committed
      assert.deepStrictEqual(field(added, "membership"), new Membership({ userId: ada as never, role: "Viewer" }))
      assert.strictEqual(field(field(calls[15]!.committed, "project"), "displayName"), "Team 2")
      assert.strictEqual(field(field(calls[16]!.committed, "user"), "userName"), "bob@example.com")
    }).pipe(Effect.provide(withHooks({ after: recordingAfter(calls) })))
  })

  it.effect("before hooks see the stored resource and the one about to be written, and only when something changes", () => {
    const seen: Array<readonly [string, unknown, unknown]> = []
    const hooks: Hooks.HooksShape = {
      before: {
        userCreating: (context, next) =>
          Effect.sync(() => {
            seen.push(["userCreating", context.actor.credential, next.userName])
          }),
        userUpdating: (_, change) =>
          Effect.sync(() => {
            seen.push(["userUpdating", change.before.displayName, change.after.displayName])
          }),
        userDeleting: (_, user) =>
          Effect.sync(() => {
            seen.push(["userDeleting", user.userName, undefined])
          }),
        projectCreating: (_, next) =>
          Effect.sync(() => {
            seen.push(["projectCreating", next.displayName, undefined])
          }),
        projectUpdating: (_, change) =>
          Effect.sync(() => {
            seen.push(["projectUpdating", change.before.displayName, change.after.displayName])
          }),
        projectDeleting: (_, project) =>
          Effect.sync(() => {
            seen.push(["projectDeleting", project.displayName, undefined])
          }),
        membersAdding: (_, change) =>
          Effect.sync(() => {
            seen.push(["membersAdding", change.project.displayName, change.members.map((m) => m.role)])
          }),
        membersRemoving: (_, change) =>
          Effect.sync(() => {
            seen.push(["membersRemoving", change.project.displayName, change.members.length])
          })
      }
    }
    return Effect.gen(function*() {
      const { scope } = yield* setup
      const users = yield* Users.Users
      const projects = yield* Projects.Projects
      const ada = idOf((yield* users.create(scope, userBody("ada@example.com", { displayName: "Ada" }))).resource)
      yield* users.patch(scope, ada, patchBody({ op: "replace", path: "displayName", value: "Ada" }), none)
      yield* users.patch(scope, ada, patchBody({ op: "replace", path: "displayName", value: "Ada L." }), none)
      const team = idOf((yield* projects.create(scope, groupBody("Team", [ada]))).resource)
      yield* projects.patch(scope, team, patchBody({ op: "add", path: "members", value: [{ value: ada }] }), none)
      yield* projects.replace(scope, team, groupBody("Team B"), none)
      yield* projects.remove(scope, team, none)
      yield* users.remove(scope, ada, none)
      assert.deepStrictEqual(seen, [
        ["userCreating", Option.some("key-1"), "ada@example.com"],
        ["userUpdating", Option.some("Ada"), Option.some("Ada L.")],
        ["projectCreating", "Team", undefined],
        ["membersAdding", "Team", ["Viewer"]],
        ["projectUpdating", "Team", "Team B"],
        ["membersRemoving", "Team", 1],
        ["projectDeleting", "Team B", undefined],
        ["userDeleting", "ada@example.com", undefined]
      ])
    }).pipe(Effect.provide(withHooks(hooks)))
  })

  describe("a vetoing before hook answers its own error and leaves users, projects, memberships and events unchanged", () => {
    // armed once the test's own users and projects exist, so that only the write under test is vetoed
    let armed = false
    const veto = () => armed ? Effect.fail(rejection) : Effect.void
    const cases: ReadonlyArray<
      readonly [
        keyof Hooks.BeforeHooks,
        (scope: RequestScope, ids: { readonly ada: string; readonly team: string }) => Effect.Effect<
          unknown,
          unknown,
          Users.Users | Projects.Projects
        >
      ]
    > = [
      ["userCreating", (scope) => Effect.flatMap(Users.Users, (u) => u.create(scope, userBody("new@example.com")))],
      [
        "userUpdating",
        (scope, { ada }) =>
          Effect.flatMap(
            Users.Users,
            (u) => u.patch(scope, ada, patchBody({ op: "replace", path: "active", value: false }), none)
          )
      ],
      ["userDeleting", (scope, { ada }) => Effect.flatMap(Users.Users, (u) => u.remove(scope, ada, none))],
      ["projectCreating", (scope) => Effect.flatMap(Projects.Projects, (p) => p.create(scope, groupBody("New")))],
      [
        "projectUpdating",
        (scope, { team }) => Effect.flatMap(Projects.Projects, (p) => p.replace(scope, team, groupBody("Other"), none))
      ],
      ["projectDeleting", (scope, { team }) => Effect.flatMap(Projects.Projects, (p) => p.remove(scope, team, none))],
      [
        "membersAdding",
        (scope, { ada }) => Effect.flatMap(Projects.Projects, (p) => p.create(scope, groupBody("With Ada", [ada])))
      ],
      [
        "membersRemoving",
        (scope, { ada, team }) =>
          Effect.flatMap(
            Projects.Projects,
            (p) => p.patch(scope, team, patchBody({ op: "remove", path: `members[value eq "${ada}"]` }), none)
          )
      ]
    ]
    for (const [hook, write] of cases) {
      it.effect(hook, () =>
        Effect.gen(function*() {
          const { scope } = yield* setup
          const ada = idOf((yield* (yield* Users.Users).create(scope, userBody("ada@example.com"))).resource)
          const team = idOf((yield* (yield* Projects.Projects).create(scope, groupBody("Team", [ada]))).resource)
          const before = yield* snapshot(scope)
          armed = true
          const error = yield* Effect.flip(write(scope, { ada, team })).pipe(
            Effect.ensuring(Effect.sync(() => {
              armed = false
            }))
          )
          assert.deepStrictEqual(error, rejection)
          assert.deepStrictEqual(yield* snapshot(scope), before)
        }).pipe(Effect.provide(withHooks({ before: { [hook]: veto } }))))
    }
  })

  it.effect("an adjusted document is checked like a client's and written; member roles can be changed", () =>
    Effect.gen(function*() {
      const { scope } = yield* setup
      const users = yield* Users.Users
      const projects = yield* Projects.Projects
      const ada = yield* users.create(scope, userBody("ada@example.com"))
      assert.strictEqual(ada.resource.displayName, "added by the host")
      assert.strictEqual(ada.version, 1)
      const events = yield* allEvents
      assert.strictEqual(field(events[0]!.after.pipe(Option.getOrUndefined), "displayName"), "added by the host")
      // the adjusted document is validated again: a bad value is the client's error, nothing written
      const invalid = yield* Effect.flip(users.create(scope, userBody("bad@example.com")))
      assert.strictEqual(invalid._tag, "InvalidValue")
      assert.strictEqual((yield* users.list(scope, { filter: "userName eq \"bad@example.com\"" })).totalResults, 0)
      // an updating hook's adjustment (userName lower-cased by the host) goes through the columns too
      const patched = yield* users.patch(
        scope,
        idOf(ada.resource),
        patchBody({ op: "replace", path: "userName", value: "ADA@EXAMPLE.ORG" }),
        none
      )
      assert.strictEqual(patched.resource.userName, "ada@example.org")
      assert.strictEqual(
        (yield* users.list(scope, { filter: "userName eq \"ada@example.org\"" })).totalResults,
        1
      )
      const team = yield* projects.create(scope, groupBody("Team", [idOf(ada.resource)]), {
        attributes: "members"
      })
      const roles = yield* (yield* ProjectStore).listMembers(scope.platform, ProjectId.make(idOf(team.resource)))
      assert.deepStrictEqual(roles.map((m) => m.role), ["Admin"])
      const added = (yield* allEvents).filter((e) => e.type === "member.added")
      assert.deepStrictEqual(added.map((e) => Option.map(e.member, (m) => m.role)), [Option.some("Admin")])
    }).pipe(Effect.provide(withHooks({
      before: {
        userCreating: (_, next) =>
          Effect.succeed(
            next.userName === "bad@example.com"
              ? { ...next.document, active: "maybe" }
              : { ...next.document, displayName: "added by the host" }
          ),
        userUpdating: (_, { after }) => Effect.succeed({ ...after.document, userName: after.userName.toLowerCase() }),
        membersAdding: (_, { members }) =>
          Effect.succeed(members.map((m) => new Membership({ userId: m.userId, role: "Admin" })))
      }
    }))))

  it.effect("an after hook that fails or dies never fails the request, is logged, and the change and its events stay", () =>
    Effect.gen(function*() {
      const { scope } = yield* setup
      const users = yield* Users.Users
      const warnings: Array<string> = []
      const logger = Logger.make(({ logLevel, message }) => {
        if (logLevel === "Warn") warnings.push(String(Array.isArray(message) ? message[0] : message))
      })
      const logged = <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.provide(effect, Logger.layer([logger]))
      const created = yield* logged(users.create(scope, userBody("ada@example.com")))
      const patched = yield* logged(users.patch(
        scope,
        idOf(created.resource),
        patchBody({ op: "replace", path: "displayName", value: "Ada" }),
        none
      ))
      assert.strictEqual(patched.version, 2)
      assert.deepStrictEqual((yield* allEvents).map((e) => e.type), ["user.created", "user.updated"])
      assert.deepStrictEqual(warnings, [
        "the after hook of user.created failed; the change is committed",
        "the after hook of user.updated failed; the change is committed"
      ])
    }).pipe(Effect.provide(withHooks({
      after: {
        "user.created": () => Effect.fail("the mail server is down"),
        "user.updated": () => Effect.die(new Error("a bug in the host"))
      }
    }))))

  it.effect("hooks see the full stored user whatever projection the request asked for (Bulk asks for attributes=id)", () => {
    const seen: Array<ChangeEvent | string> = []
    return Effect.gen(function*() {
      const { scope } = yield* setup
      const users = yield* Users.Users
      const created = yield* users.create(
        scope,
        userBody("ada@example.com", { emails: [{ value: "ada@example.com", primary: true }] }),
        { attributes: "id" }
      )
      assert.deepStrictEqual(Object.keys(created.resource).sort(), ["id", "schemas"])
      const patched = yield* users.patch(
        scope,
        idOf(created.resource),
        patchBody({ op: "replace", path: "active", value: false }),
        none,
        { attributes: "id" }
      )
      assert.deepStrictEqual(Object.keys(patched.resource).sort(), ["id", "schemas"])
      assert.deepStrictEqual(seen, ["ada@example.com", "ada@example.com", "ada@example.com"])
    }).pipe(Effect.provide(withHooks({
      after: {
        "user.created": ({ user }) =>
          Effect.sync(() => {
            seen.push(String(field((user.document.emails as ReadonlyArray<unknown>)[0], "value")))
          }),
        "user.deactivated": ({ after, before }) =>
          Effect.sync(() => {
            seen.push(before.userName, after.userName)
          })
      }
    })))
  })
})
