/**
 * The storage contract every adapter runs with one line:
 *
 * ```ts
 * storeContractSuite("memory", StoreMemory.layer)
 * ```
 *
 * It builds the layer once and gives every test its own platform (and unique ids, names and key
 * hashes), so tests never see each other's data, even on a database that outlives the run.
 *
 * @since 0.1.0
 */
import type { Stores as CoreStores } from "@scimkit/core"
import { assert, describe, layer } from "@effect/vitest"
import type { Json, JsonObject, ProjectRole, StoreQuery } from "@scimkit/core"
import {
  ApiKeyId,
  ApiKeyStore,
  Filter,
  Membership,
  Platform,
  PlatformId,
  PlatformStore,
  ProjectId,
  ProjectStore,
  Schemas,
  Sort,
  StoredApiKey,
  StoredProject,
  StoredUser,
  Transactions,
  UserId,
  UserStore
} from "@scimkit/core"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Result from "effect/Result"
import * as fc from "fast-check"
import * as Arbitraries from "./Arbitraries.js"
import * as Reference from "./Reference.js"

/** Every port a store adapter provides. @since 0.1.0 */
export type Stores = CoreStores

const runId = Math.random().toString(36).slice(2, 8)
let sequence = 0
const unique = (label: string): string => `${label}-${runId}-${++sequence}`
const freshPlatform = (): PlatformId => PlatformId.make(unique("platform"))

/** A stored platform that asks for unique externalIds (off by default, RFC 7643 §3.1). */
const uniqueExternalIdPlatform = Effect.gen(function*() {
  const id = freshPlatform()
  yield* (yield* PlatformStore).insert(new Platform({
    id,
    name: unique("Unique externalIds"),
    ownerId: Option.none(),
    compatibility: "lenient",
    created: at(0),
    uniqueExternalId: true
  }))
  return id
})

const t0 = Date.UTC(2025, 0, 1)
const at = (minutes: number): DateTime.Utc => DateTime.makeUnsafe(t0 + minutes * 60_000)

interface UserFields {
  readonly userName: string
  readonly externalId?: string
  readonly displayName?: string
  readonly minute?: number
  readonly id?: UserId
  readonly extra?: JsonObject
}

const newUser = (f: UserFields): StoredUser => {
  const document: Record<string, Json> = { schemas: [Schemas.UserUrn], userName: f.userName, active: true, ...f.extra }
  if (f.externalId !== undefined) document["externalId"] = f.externalId
  if (f.displayName !== undefined) document["displayName"] = f.displayName
  return new StoredUser({
    id: f.id ?? UserId.make(unique("user")),
    userName: f.userName,
    externalId: Option.fromNullishOr(f.externalId),
    displayName: Option.fromNullishOr(f.displayName),
    active: true,
    platformRole: "MEMBER",
    document,
    version: 1,
    created: at(f.minute ?? 0),
    lastModified: at(f.minute ?? 0)
  })
}

/** The next version of a resource, as a service would write it. */
const bump = <A extends StoredUser | StoredProject>(a: A, changes: Partial<A>): A =>
  ({ ...a, ...changes, version: a.version + 1 }) as A

const nextUser = (u: StoredUser, changes: Partial<StoredUser>): StoredUser => new StoredUser(bump(u, changes))
const nextProject = (p: StoredProject, changes: Partial<StoredProject>): StoredProject => new StoredProject(bump(p, changes))

const newProject = (displayName: string, f: { readonly externalId?: string; readonly minute?: number } = {}): StoredProject => {
  const document: Record<string, Json> = { schemas: [Schemas.GroupUrn], displayName }
  if (f.externalId !== undefined) document["externalId"] = f.externalId
  return new StoredProject({
    id: ProjectId.make(unique("project")),
    displayName,
    externalId: Option.fromNullishOr(f.externalId),
    document,
    version: 1,
    created: at(f.minute ?? 0),
    lastModified: at(f.minute ?? 0)
  })
}

const member = (userId: UserId, role: ProjectRole = "Editor"): Membership => new Membership({ userId, role })

/**
 * Group names that tell orders apart: case (binary order puts "Zeta" before "alpha"), accents,
 * punctuation, digits, an astral character, and JSON's escapes. No two are equal ignoring case
 * (displayName is unique that way), so a user's groups never tie on their name.
 */
const refNames = [
  "alpha", "Beta", "beta two", "Gamma", "_under", "Zeta", "éclair", "Eclair", "ÉTÉ", "été 2", "a", "A b", "z", "100", "Delta", "delta-x",
  "😀 smile", "quote \" and \\ backslash"
]

/** Code point order (the stores' binary collation), not UTF-16 code unit order. */
const compareCodePoints = (a: string, b: string): number => {
  const x = Array.from(a, (c) => c.codePointAt(0)!)
  const y = Array.from(b, (c) => c.codePointAt(0)!)
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!
  return x.length - y.length
}

const allPage: StoreQuery.IndexPage = { _tag: "Index", startIndex: 1, count: 1000 }
const allUsers: StoreQuery.StoreQuery = { filter: Option.none(), sort: Option.none(), page: allPage }

const parse = (text: string): Filter.Filter => Result.getOrThrowWith(Filter.parseResult(text), (e) => new Error(e.message))

const withFilter = (text: string): StoreQuery.StoreQuery => ({ ...allUsers, filter: Option.some(parse(text)) })

const ids = (items: ReadonlyArray<{ readonly id: string }>): ReadonlyArray<string> => items.map((i) => i.id)

const sameIds = (actual: ReadonlyArray<string>, expected: ReadonlyArray<string>): void =>
  assert.deepStrictEqual([...actual].sort(), [...expected].sort())

/** Whether a filter compiles against the User resource type (the generator only builds such filters). */
const compiles = (f: Filter.Filter): boolean => Result.isSuccess(Filter.compile(Reference.UserResourceType, f))

/**
 * Checks an effectful property with fast-check: every generated case runs with the services of
 * the test that checks it (the suite's stores), and a failing case fails that test with
 * fast-check's (shrunk) counterexample.
 */
const property = <A, E>(
  arbitrary: fc.Arbitrary<A>,
  body: (value: A) => Effect.Effect<void, E, Stores>,
  parameters: fc.Parameters<[A]>
): Effect.Effect<void, never, Stores> =>
  Effect.flatMap(Effect.context<Stores>(), (context) =>
    Effect.promise(() =>
      fc.assert(fc.asyncProperty(arbitrary, (value) => Effect.runPromiseWith(context)(body(value))), parameters)
    ))

/**
 * Runs the store contract against `layer` (built once for the suite): CRUD of every port,
 * uniqueness, tenant isolation, filters/sort/paging against core's evaluator (property-based),
 * cursor walks under concurrent inserts and removals, membership (a user's groups read with the
 * user and for many users at once equal to `listUserProjects`, property-based), versions,
 * concurrency and transactions.
 *
 * @since 0.1.0
 */
export const storeContractSuite = <E>(name: string, storeLayer: Layer.Layer<Stores, E>): void =>
  layer(storeLayer, { timeout: Duration.minutes(2) })(`store contract (${name})`, (it) => {
    describe("UserStore", () => {
      it.effect("every string core lets through is stored and found exactly: astral and combining characters, quotes, backslashes, LIKE wildcards, long text", () =>
        Effect.gen(function*() {
          const users = yield* UserStore
          const p = freshPlatform()
          // core refuses U+0000 and lone surrogates (Input.check); everything else must round-trip
          const names = [
            "😀.emoji+𠀋@example.com",
            "e\u0301cole@example.com",
            "o'brien\"quoted\"@example.com",
            "back\\slash@example.com",
            "100%_sure@example.com",
            "[brackets]*glob?@example.com",
            `long-${"x".repeat(4000)}@example.com`
          ]
          const stored = yield* Effect.forEach(names, (userName, i) =>
            users.insert(p, newUser({ userName, externalId: `ext ${userName}`, displayName: `Display ${i} ${userName.slice(0, 30)}` })))
          for (const [i, user] of stored.entries()) {
            assert.deepStrictEqual(yield* users.get(p, user.id), user)
            assert.deepStrictEqual((yield* users.findByUserName(p, names[i]!)).map((u) => u.id), [user.id])
            const eq = yield* users.query(p, { ...allUsers, filter: Option.some({ _tag: "Compare", path: { attribute: "externalId" }, op: "eq", value: `ext ${names[i]!}` }) })
            assert.deepStrictEqual(eq.items.map((u) => u.id), [user.id], `externalId eq ${names[i]!.slice(0, 40)}`)
          }
          // LIKE/GLOB metacharacters are matched literally by co/sw/ew
          const literal = (op: "co" | "sw" | "ew", value: string) =>
            Effect.map(users.query(p, { ...allUsers, filter: Option.some({ _tag: "Compare", path: { attribute: "userName" }, op, value }) }), (page) => page.items.map((u) => u.userName))
          assert.deepStrictEqual(yield* literal("co", "%_"), ["100%_sure@example.com"])
          assert.deepStrictEqual(yield* literal("sw", "[brackets]*"), ["[brackets]*glob?@example.com"])
          assert.deepStrictEqual(yield* literal("co", "\\"), ["back\\slash@example.com"])
          assert.deepStrictEqual(yield* literal("ew", "?@example.com"), ["[brackets]*glob?@example.com"])
          assert.deepStrictEqual(yield* literal("sw", "😀"), ["😀.emoji+𠀋@example.com"])
        }))

      it.effect("insert then get, getMany and findByUserName return the stored user", () =>
        Effect.gen(function*() {
          const users = yield* UserStore
          const p = freshPlatform()
          const u = newUser({ userName: "bjensen@example.com", externalId: "ext-1", displayName: "Barbara", extra: { title: "Tour Guide" } })
          assert.deepStrictEqual(yield* users.insert(p, u), u)
          assert.deepStrictEqual(yield* users.get(p, u.id), u)
          assert.deepStrictEqual(yield* users.getMany(p, [u.id, UserId.make(unique("missing"))]), [u])
          assert.deepStrictEqual(yield* users.findByUserName(p, "BJensen@Example.COM"), [u])
          assert.deepStrictEqual(yield* users.findByUserName(p, "nobody@example.com"), [])
        }))

      it.effect("get of an unknown id is ResourceNotFound", () =>
        Effect.gen(function*() {
          const users = yield* UserStore
          const error = yield* Effect.flip(users.get(freshPlatform(), UserId.make(unique("missing"))))
          assert.strictEqual(error._tag, "ResourceNotFound")
        }))

      it.effect("userName is unique regardless of case", () =>
        Effect.gen(function*() {
          const users = yield* UserStore
          const p = freshPlatform()
          yield* users.insert(p, newUser({ userName: "bjensen@example.com" }))
          const error = yield* Effect.flip(users.insert(p, newUser({ userName: "BJensen@Example.com" })))
          assert.strictEqual(error._tag, "Uniqueness")
          if (error._tag === "Uniqueness") assert.strictEqual(error.attribute, "userName")
          const all = yield* users.query(p, allUsers)
          assert.strictEqual(all.total, 1)
        }))

      it.effect("externalId is not unique by default (RFC 7643 §3.1); lookups by it find every holder", () =>
        Effect.gen(function*() {
          const users = yield* UserStore
          const p = freshPlatform()
          const a = yield* users.insert(p, newUser({ userName: "a@example.com", externalId: "nick" }))
          const b = yield* users.insert(p, newUser({ userName: "b@example.com", externalId: "nick" }))
          yield* users.insert(p, newUser({ userName: "c@example.com", externalId: "other" }))
          const byExt = yield* users.query(p, { ...allUsers, filter: Option.some({ _tag: "Compare", path: { attribute: "externalId" }, op: "eq", value: "nick" }) })
          sameIds(byExt.items.map((u) => u.id), [a.id, b.id])
          const moved = yield* users.update(p, nextUser(b, { externalId: Option.some("other") }), 1)
          assert.deepStrictEqual(moved.externalId, Option.some("other"))
        }))

      it.effect("externalId is unique, compared exactly, on a platform that asks for it", () =>
        Effect.gen(function*() {
          const users = yield* UserStore
          const p = yield* uniqueExternalIdPlatform
          yield* users.insert(p, newUser({ userName: "a@example.com", externalId: "abc" }))
          const error = yield* Effect.flip(users.insert(p, newUser({ userName: "b@example.com", externalId: "abc" })))
          assert.strictEqual(error._tag, "Uniqueness")
          if (error._tag === "Uniqueness") assert.strictEqual(error.attribute, "externalId")
          yield* users.insert(p, newUser({ userName: "c@example.com", externalId: "ABC" }))
          yield* users.insert(p, newUser({ userName: "d@example.com" }))
          yield* users.insert(p, newUser({ userName: "e@example.com" }))
          assert.strictEqual((yield* users.query(p, allUsers)).total, 4)
        }))

      it.effect("update writes the next version only when the expected version matches", () =>
        Effect.gen(function*() {
          const users = yield* UserStore
          const p = freshPlatform()
          const u = yield* users.insert(p, newUser({ userName: "a@example.com" }))
          const v2 = nextUser(u, { displayName: Option.some("Anna"), lastModified: at(5) })
          assert.deepStrictEqual(yield* users.update(p, v2, 1), v2)
          assert.deepStrictEqual(yield* users.get(p, u.id), v2)
          const stale = yield* Effect.flip(users.update(p, nextUser(u, { active: false }), 1))
          assert.strictEqual(stale._tag, "VersionMismatch")
          if (stale._tag === "VersionMismatch") {
            assert.strictEqual(stale.expected, "1")
            assert.strictEqual(stale.actual, "2")
          }
          assert.deepStrictEqual(yield* users.get(p, u.id), v2)
          const missing = yield* Effect.flip(users.update(p, newUser({ userName: "x@example.com" }), 1))
          assert.strictEqual(missing._tag, "ResourceNotFound")
        }))

      it.effect("a rename keeps uniqueness: another user's name (any case) is taken, one's own in another case is not", () =>
        Effect.gen(function*() {
          const users = yield* UserStore
          const p = yield* uniqueExternalIdPlatform
          const a = yield* users.insert(p, newUser({ userName: "a@example.com", externalId: "xa" }))
          const b = yield* users.insert(p, newUser({ userName: "b@example.com", externalId: "xb" }))
          const clash = yield* Effect.flip(users.update(p, nextUser(b, { userName: "A@EXAMPLE.COM" }), 1))
          assert.strictEqual(clash._tag, "Uniqueness")
          const clashExt = yield* Effect.flip(users.update(p, nextUser(b, { externalId: Option.some("xa") }), 1))
          assert.strictEqual(clashExt._tag, "Uniqueness")
          const recased = yield* users.update(p, nextUser(a, { userName: "A@Example.com" }), 1)
          assert.strictEqual(recased.userName, "A@Example.com")
          const renamed = yield* users.update(p, nextUser(b, { userName: "c@example.com", externalId: Option.none() }), 1)
          assert.deepStrictEqual(yield* users.findByUserName(p, "c@example.com"), [renamed])
          assert.deepStrictEqual(yield* users.findByUserName(p, "b@example.com"), [])
          yield* users.insert(p, newUser({ userName: "B@example.com", externalId: "xb" }))
        }))

      it.effect("remove checks the version, then deletes the user and frees its userName", () =>
        Effect.gen(function*() {
          const users = yield* UserStore
          const p = freshPlatform()
          const u = yield* users.insert(p, newUser({ userName: "gone@example.com", externalId: "g" }))
          const wrong = yield* Effect.flip(users.remove(p, u.id, 7))
          assert.strictEqual(wrong._tag, "VersionMismatch")
          assert.deepStrictEqual(yield* users.get(p, u.id), u)
          yield* users.remove(p, u.id, 1)
          assert.strictEqual((yield* Effect.flip(users.get(p, u.id)))._tag, "ResourceNotFound")
          assert.strictEqual((yield* Effect.flip(users.remove(p, u.id, 1)))._tag, "ResourceNotFound")
          assert.strictEqual((yield* users.query(p, allUsers)).total, 0)
          yield* users.insert(p, newUser({ userName: "GONE@example.com", externalId: "g" }))
        }))

      it.effect("removing a user removes all of their memberships", () =>
        Effect.gen(function*() {
          const users = yield* UserStore
          const projects = yield* ProjectStore
          const p = freshPlatform()
          const u = yield* users.insert(p, newUser({ userName: "m@example.com" }))
          const other = yield* users.insert(p, newUser({ userName: "o@example.com" }))
          const g1 = yield* projects.insert(p, newProject("One"))
          const g2 = yield* projects.insert(p, newProject("Two"))
          yield* projects.addMembers(p, g1.id, [member(u.id), member(other.id)])
          yield* projects.addMembers(p, g2.id, [member(u.id)])
          yield* users.remove(p, u.id, 1)
          assert.deepStrictEqual(ids((yield* projects.listMembers(p, g1.id)).map((m) => ({ id: m.userId }))), [other.id])
          assert.strictEqual(yield* projects.countMembers(p, g2.id), 0)
          assert.deepStrictEqual(yield* projects.listUserProjects(p, u.id), [])
          assert.deepStrictEqual(yield* projects.get(p, g1.id), g1)
        }))
    })

    describe("ProjectStore", () => {
      it.effect("insert, get, update and remove with versions", () =>
        Effect.gen(function*() {
          const projects = yield* ProjectStore
          const p = freshPlatform()
          const g = yield* projects.insert(p, newProject("Engineering", { externalId: "eng" }))
          assert.deepStrictEqual(yield* projects.get(p, g.id), g)
          const v2 = nextProject(g, { displayName: "Engineering EU", lastModified: at(3) })
          assert.deepStrictEqual(yield* projects.update(p, v2, 1), v2)
          assert.strictEqual((yield* Effect.flip(projects.update(p, nextProject(g, {}), 1)))._tag, "VersionMismatch")
          assert.strictEqual((yield* Effect.flip(projects.remove(p, g.id, 1)))._tag, "VersionMismatch")
          yield* projects.remove(p, g.id, 2)
          assert.strictEqual((yield* Effect.flip(projects.get(p, g.id)))._tag, "ResourceNotFound")
          assert.strictEqual((yield* Effect.flip(projects.update(p, v2, 2)))._tag, "ResourceNotFound")
          assert.strictEqual((yield* Effect.flip(projects.remove(p, g.id, 2)))._tag, "ResourceNotFound")
        }))

      it.effect("touch bumps the version and lastModified whatever the version, keeping the document", () =>
        Effect.gen(function*() {
          const projects = yield* ProjectStore
          const p = freshPlatform()
          const g = yield* projects.insert(p, newProject("Touched", { externalId: "t" }))
          const touched = yield* projects.touch(p, g.id, at(5))
          assert.strictEqual(touched.version, 2)
          assert.strictEqual(DateTime.toEpochMillis(touched.lastModified), DateTime.toEpochMillis(at(5)))
          assert.deepStrictEqual(touched.document, g.document)
          assert.strictEqual(touched.displayName, g.displayName)
          assert.deepStrictEqual(yield* projects.get(p, g.id), touched)
          assert.strictEqual((yield* Effect.flip(projects.touch(p, newProject("Missing").id, at(6))))._tag, "ResourceNotFound")
          assert.strictEqual((yield* Effect.flip(projects.touch(freshPlatform(), g.id, at(6))))._tag, "ResourceNotFound")
        }))

      it.effect("displayName is unique regardless of case, externalId exactly where the platform asks for it, renames included", () =>
        Effect.gen(function*() {
          const projects = yield* ProjectStore
          const p = yield* uniqueExternalIdPlatform
          yield* projects.insert(p, newProject("Sales", { externalId: "s" }))
          const byName = yield* Effect.flip(projects.insert(p, newProject("SALES")))
          assert.strictEqual(byName._tag, "Uniqueness")
          if (byName._tag === "Uniqueness") assert.strictEqual(byName.attribute, "displayName")
          const byExt = yield* Effect.flip(projects.insert(p, newProject("Other", { externalId: "s" })))
          assert.strictEqual(byExt._tag, "Uniqueness")
          const other = yield* projects.insert(p, newProject("Marketing", { externalId: "S" }))
          const rename = yield* Effect.flip(projects.update(p, nextProject(other, { displayName: "sales" }), 1))
          assert.strictEqual(rename._tag, "Uniqueness")
          const recased = yield* projects.update(p, nextProject(other, { displayName: "MARKETING" }), 1)
          assert.strictEqual(recased.displayName, "MARKETING")
        }))

      it.effect("addMembers adds new memberships and keeps existing ones with their role", () =>
        Effect.gen(function*() {
          const users = yield* UserStore
          const projects = yield* ProjectStore
          const p = freshPlatform()
          const a = yield* users.insert(p, newUser({ userName: "a@example.com", displayName: "Ann" }))
          const b = yield* users.insert(p, newUser({ userName: "b@example.com" }))
          const g = yield* projects.insert(p, newProject("Team"))
          assert.strictEqual(yield* projects.addMembers(p, g.id, [member(a.id, "Admin")]), 1)
          assert.strictEqual(yield* projects.addMembers(p, g.id, [member(a.id, "Viewer"), member(b.id, "Viewer"), member(b.id, "Viewer")]), 1)
          assert.strictEqual(yield* projects.addMembers(p, g.id, []), 0)
          const listed = yield* projects.listMembers(p, g.id)
          const expected = [
            { userId: a.id, role: "Admin", userName: "a@example.com", displayName: Option.some("Ann") },
            { userId: b.id, role: "Viewer", userName: "b@example.com", displayName: Option.none() }
          ].sort((x, y) => (x.userId < y.userId ? -1 : 1))
          assert.deepStrictEqual(listed.map((m) => ({ userId: m.userId, role: m.role, userName: m.userName, displayName: m.displayName })), expected)
          assert.strictEqual(yield* projects.countMembers(p, g.id), 2)
          assert.deepStrictEqual(yield* projects.get(p, g.id), g)
        }))

      it.effect("listMembers orders by userId and removeMembers/removeAllMembers report what they removed", () =>
        Effect.gen(function*() {
          const users = yield* UserStore
          const projects = yield* ProjectStore
          const p = freshPlatform()
          const us = yield* Effect.forEach([5, 3, 9, 1, 7], (n) =>
            users.insert(p, newUser({ userName: `u${n}@example.com`, id: UserId.make(`${unique("m")}-${n}`) })))
          const g = yield* projects.insert(p, newProject("Ordered"))
          yield* projects.addMembers(p, g.id, us.map((u) => member(u.id)))
          const listed = (yield* projects.listMembers(p, g.id)).map((m) => m.userId)
          assert.deepStrictEqual(listed, [...us.map((u) => u.id)].sort())
          assert.strictEqual(yield* projects.removeMembers(p, g.id, [us[0]!.id, us[1]!.id, UserId.make(unique("absent"))]), 2)
          assert.strictEqual(yield* projects.removeMembers(p, g.id, [us[0]!.id]), 0)
          sameIds((yield* projects.listMembers(p, g.id)).map((m) => m.userId), us.slice(2).map((u) => u.id))
          assert.strictEqual(yield* projects.removeAllMembers(p, g.id), 3)
          assert.strictEqual(yield* projects.countMembers(p, g.id), 0)
          assert.deepStrictEqual(yield* projects.listMembers(p, g.id), [])
          assert.strictEqual((yield* users.query(p, allUsers)).total, 5)
        }))

      it.effect("listUserProjects lists a user's projects by displayName", () =>
        Effect.gen(function*() {
          const users = yield* UserStore
          const projects = yield* ProjectStore
          const p = freshPlatform()
          const u = yield* users.insert(p, newUser({ userName: "u@example.com" }))
          const gamma = yield* projects.insert(p, newProject("gamma"))
          const alpha = yield* projects.insert(p, newProject("alpha"))
          yield* projects.insert(p, newProject("beta"))
          yield* projects.addMembers(p, gamma.id, [member(u.id)])
          yield* projects.addMembers(p, alpha.id, [member(u.id)])
          const refs = yield* projects.listUserProjects(p, u.id)
          assert.deepStrictEqual(refs.map((r) => ({ id: r.id, displayName: r.displayName })), [
            { id: alpha.id, displayName: "alpha" },
            { id: gamma.id, displayName: "gamma" }
          ])
        }))

      it.effect("getWithProjects and listUsersProjects equal get and listUserProjects: displayName in code point order, then id, and never another platform's memberships", () =>
        property(
          fc.record({
            drafts: Arbitraries.userDrafts({ minLength: 1, maxLength: 6 }),
            names: fc.uniqueArray(fc.constantFrom(...refNames), { maxLength: 8, selector: (name) => name.toLowerCase() }),
            here: fc.array(fc.tuple(fc.nat(5), fc.nat(7)), { maxLength: 20 }),
            elsewhere: fc.array(fc.tuple(fc.nat(5), fc.nat(7)), { maxLength: 20 })
          }),
          ({ drafts, elsewhere, here, names }) =>
            Effect.gen(function*() {
              const users = yield* UserStore
              const projects = yield* ProjectStore
              const [a, b] = [freshPlatform(), freshPlatform()]
              const stored = Arbitraries.toStoredUsers(drafts, `${unique("r")}-`)
              const groups = names.map((displayName) => newProject(displayName))
              // the same users and group ids on both platforms, with memberships of their own
              const memberships = (pairs: ReadonlyArray<readonly [number, number]>) =>
                groups.length === 0 ? [] : pairs.map(([u, g]) => [stored[u % stored.length]!, groups[g % groups.length]!] as const)
              for (const [platform, pairs] of [[a, here], [b, elsewhere]] as const) {
                yield* Effect.forEach(stored, (u) => users.insert(platform, u), { discard: true })
                yield* Effect.forEach(groups, (g) => projects.insert(platform, g), { discard: true })
                for (const [u, g] of memberships(pairs)) yield* projects.addMembers(platform, g.id, [member(u.id)])
              }
              const expected = (user: StoredUser) => {
                const of = new Map<string, StoredProject>()
                for (const [u, g] of memberships(here)) if (u.id === user.id) of.set(g.id, g)
                return [...of.values()].sort((x, y) => compareCodePoints(x.displayName, y.displayName) || compareCodePoints(x.id, y.id))
                  .map((g) => ({ id: g.id, displayName: g.displayName }))
              }
              const refs = (list: ReadonlyArray<{ readonly id: string; readonly displayName: string }>) =>
                list.map((r) => ({ id: r.id, displayName: r.displayName }))
              for (const user of stored) {
                const read = yield* users.getWithProjects(a, user.id)
                assert.deepStrictEqual(read.user, yield* users.get(a, user.id))
                assert.deepStrictEqual(read.user, user)
                assert.deepStrictEqual(read.projects, yield* projects.listUserProjects(a, user.id))
                assert.deepStrictEqual(refs(read.projects), expected(user), `groups of ${user.id}`)
              }
              const missing = UserId.make(unique("missing"))
              const asked = [...stored.map((u) => u.id), missing, stored[0]!.id]
              const all = yield* projects.listUsersProjects(a, asked)
              assert.deepStrictEqual([...all.keys()].sort(), [...new Set(asked)].sort())
              for (const user of stored) assert.deepStrictEqual(all.get(user.id), yield* projects.listUserProjects(a, user.id))
              assert.deepStrictEqual(all.get(missing), [])
            }),
          { numRuns: 30 }
        ))

      it.effect("getWithProjects of an unknown user or of another platform's is ResourceNotFound; listUsersProjects gives [] for unknown ids and nothing for no ids", () =>
        Effect.gen(function*() {
          const users = yield* UserStore
          const projects = yield* ProjectStore
          const p = freshPlatform()
          const u = yield* users.insert(p, newUser({ userName: "lonely@example.com" }))
          assert.deepStrictEqual(yield* users.getWithProjects(p, u.id), { user: u, projects: [] })
          assert.strictEqual((yield* Effect.flip(users.getWithProjects(p, UserId.make(unique("missing")))))._tag, "ResourceNotFound")
          assert.strictEqual((yield* Effect.flip(users.getWithProjects(freshPlatform(), u.id)))._tag, "ResourceNotFound")
          const ghost = UserId.make(unique("ghost"))
          const found = yield* projects.listUsersProjects(p, [u.id, ghost])
          assert.deepStrictEqual([...found.keys()].sort(), [u.id, ghost].sort())
          assert.deepStrictEqual(found.get(u.id), [])
          assert.deepStrictEqual(found.get(ghost), [])
          assert.strictEqual((yield* projects.listUsersProjects(p, [])).size, 0)
          assert.strictEqual((yield* projects.listUsersProjects(freshPlatform(), [u.id])).get(u.id)?.length, 0)
        }))

      it.effect("remove deletes the project's memberships and never the users", () =>
        Effect.gen(function*() {
          const users = yield* UserStore
          const projects = yield* ProjectStore
          const p = freshPlatform()
          const u = yield* users.insert(p, newUser({ userName: "stay@example.com" }))
          const g = yield* projects.insert(p, newProject("Doomed"))
          yield* projects.addMembers(p, g.id, [member(u.id)])
          yield* projects.remove(p, g.id, 1)
          assert.deepStrictEqual(yield* users.get(p, u.id), u)
          assert.deepStrictEqual(yield* projects.listUserProjects(p, u.id), [])
          assert.strictEqual(yield* projects.countMembers(p, g.id), 0)
          const again = yield* projects.insert(p, newProject("doomed"))
          assert.strictEqual(yield* projects.countMembers(p, again.id), 0)
        }))

      it.effect("query filters on the group view with members and returns projects in created, id order", () =>
        Effect.gen(function*() {
          const users = yield* UserStore
          const projects = yield* ProjectStore
          const p = freshPlatform()
          const ann = yield* users.insert(p, newUser({ userName: "ann@example.com", displayName: "Ann" }))
          const bob = yield* users.insert(p, newUser({ userName: "bob@example.com" }))
          const gs = yield* Effect.forEach(
            [["Alpha", 2, "x1"], ["beta", 1, undefined], ["Gamma", 2, "x3"], ["Delta", 0, undefined]] as const,
            ([n, m, x]) => projects.insert(p, newProject(n, { minute: m, ...(x !== undefined ? { externalId: x } : {}) }))
          )
          yield* projects.addMembers(p, gs[0]!.id, [member(ann.id), member(bob.id)])
          yield* projects.addMembers(p, gs[1]!.id, [member(bob.id)])
          yield* projects.addMembers(p, gs[2]!.id, [member(ann.id)])
          const docs = yield* Effect.forEach(gs, (g) =>
            Effect.map(projects.listMembers(p, g.id), (members) => Reference.projectDocument(g, members)))
          const filters = [
            `members[value eq "${ann.id}"]`,
            `members.value eq "${bob.id}"`,
            `members[display eq "ann"] or displayName sw "d"`,
            "members pr",
            "not (members pr)",
            `displayName co "MA" or externalId pr`,
            `meta.created gt "${DateTime.formatIso(at(1))}"`,
            `id eq "${gs[3]!.id}"`,
            `displayName eq "ALPHA"`,
            `displayName eq "alpha" or id eq "${gs[2]!.id}"`,
            `externalId eq "x3" or displayName eq "BETA"`
          ]
          for (const text of filters) {
            const page = yield* projects.query(p, withFilter(text))
            const expected = Reference.expectedPage(Reference.GroupResourceType, docs, Option.some(parse(text)), Option.none(), allPage)
            assert.deepStrictEqual(ids(page.items), expected.ids, text)
            assert.strictEqual(page.total, expected.total, text)
          }
          const all = yield* projects.query(p, allUsers)
          const byCreated = [...gs].sort((a, b) =>
            DateTime.toEpochMillis(a.created) - DateTime.toEpochMillis(b.created) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
          assert.deepStrictEqual(ids(all.items), ids(byCreated))
          assert.deepStrictEqual(all.items[0], byCreated[0])
          const sorted = yield* projects.query(p, {
            ...allUsers,
            sort: Option.some({ path: { attribute: "displayName" }, descending: false })
          })
          assert.deepStrictEqual(sorted.items.map((g) => g.displayName), ["Alpha", "beta", "Delta", "Gamma"])
        }))
    })

    describe("tenant isolation", () => {
      it.effect("nothing of platform A is visible or changeable from platform B", () =>
        Effect.gen(function*() {
          const users = yield* UserStore
          const projects = yield* ProjectStore
          const a = freshPlatform()
          const b = freshPlatform()
          const u = yield* users.insert(a, newUser({ userName: "shared@example.com", externalId: "same", displayName: "Shared" }))
          const g = yield* projects.insert(a, newProject("Shared", { externalId: "same" }))
          yield* projects.addMembers(a, g.id, [member(u.id, "Admin")])

          assert.strictEqual((yield* Effect.flip(users.get(b, u.id)))._tag, "ResourceNotFound")
          assert.deepStrictEqual(yield* users.getMany(b, [u.id]), [])
          assert.deepStrictEqual(yield* users.findByUserName(b, "shared@example.com"), [])
          const none = yield* users.query(b, withFilter(`userName eq "shared@example.com"`))
          assert.strictEqual(none.total, 0)
          assert.strictEqual((yield* users.query(b, allUsers)).total, 0)
          assert.strictEqual((yield* Effect.flip(users.update(b, nextUser(u, { active: false }), 1)))._tag, "ResourceNotFound")
          assert.strictEqual((yield* Effect.flip(users.remove(b, u.id, 1)))._tag, "ResourceNotFound")

          assert.strictEqual((yield* Effect.flip(projects.get(b, g.id)))._tag, "ResourceNotFound")
          assert.strictEqual((yield* projects.query(b, allUsers)).total, 0)
          assert.strictEqual((yield* Effect.flip(projects.update(b, nextProject(g, {}), 1)))._tag, "ResourceNotFound")
          assert.strictEqual((yield* Effect.flip(projects.remove(b, g.id, 1)))._tag, "ResourceNotFound")
          assert.deepStrictEqual(yield* projects.listMembers(b, g.id), [])
          assert.strictEqual(yield* projects.countMembers(b, g.id), 0)
          assert.deepStrictEqual(yield* projects.listUserProjects(b, u.id), [])
          assert.strictEqual(yield* projects.removeMembers(b, g.id, [u.id]), 0)
          assert.strictEqual(yield* projects.removeAllMembers(b, g.id), 0)
          // A foreign project or user cannot gain members through B (the call fails or adds nothing).
          const bUser = yield* users.insert(b, newUser({ userName: "b@example.com" }))
          const added = yield* Effect.result(projects.addMembers(b, g.id, [member(bUser.id)]))
          assert.isTrue(Result.isFailure(added) || added.success === 0)
          const bProject = yield* projects.insert(b, newProject("B only"))
          const foreign = yield* Effect.result(projects.addMembers(b, bProject.id, [member(u.id)]))
          assert.isTrue(Result.isFailure(foreign) || foreign.success === 0)
          assert.deepStrictEqual(yield* projects.listMembers(b, bProject.id), [])

          // A is untouched.
          assert.deepStrictEqual(yield* users.get(a, u.id), u)
          assert.deepStrictEqual(yield* projects.get(a, g.id), g)
          const members = yield* projects.listMembers(a, g.id)
          assert.deepStrictEqual(members.map((m) => [m.userId, m.role]), [[u.id, "Admin"]])
          // Uniqueness is per platform: B may use A's names and externalIds.
          yield* users.insert(b, newUser({ userName: "SHARED@example.com", externalId: "same" }))
          yield* projects.insert(b, newProject("shared", { externalId: "same" }))
        }))
    })

    describe("query", () => {
      it.effect("query equals core's evaluator, order and index paging over the user views", () =>
        property(
          fc.record({ c: Arbitraries.userQueryCase({ valid: compiles }) }),
          ({ c }) =>
            Effect.gen(function*() {
              const users = yield* UserStore
              const p = freshPlatform()
              const stored = Arbitraries.toStoredUsers(c.drafts, `${unique("q")}-`)
              yield* Effect.forEach(stored, (u) => users.insert(p, u), { discard: true })
              const query: StoreQuery.StoreQuery = { filter: c.filter, sort: c.sort, page: c.page }
              const actual = yield* users.query(p, query)
              const expected = Reference.expectedPage(
                Reference.UserResourceType,
                stored.map(Reference.userDocument),
                query.filter,
                query.sort,
                c.page
              )
              const label = `${Option.match(c.filter, { onNone: () => "no filter", onSome: Filter.print })} / sort ${JSON.stringify(c.sort)}`
              assert.deepStrictEqual(ids(actual.items), expected.ids, label)
              assert.strictEqual(actual.total, expected.total, label)
              assert.strictEqual(actual.hasMore, expected.hasMore, label)
              for (const item of actual.items) assert.deepStrictEqual(item, stored.find((s) => s.id === item.id), label)
            }),
          { numRuns: 200 }
        ))

      it.effect("indexed equalities (id, userName in any case, externalId) alone and under and/or/not agree with the evaluator", () =>
        Effect.gen(function*() {
          const users = yield* UserStore
          const p = freshPlatform()
          const stored = yield* Effect.forEach(
            [["alice@example.com", "ext-1", true], ["Bob@Example.com", "ext-2", false], ["carol@example.com", undefined, true]] as const,
            ([userName, externalId, active], i) =>
              users.insert(p, newUser({
                userName,
                minute: i,
                ...(externalId !== undefined ? { externalId } : {}),
                extra: { active, title: i === 2 ? "Boss" : "Staff" }
              }))
          )
          const docs = stored.map(Reference.userDocument)
          const [a, b, c] = [stored[0]!, stored[1]!, stored[2]!]
          const filters = [
            `id eq "${b.id}"`,
            `id eq "${unique("missing")}"`,
            `userName eq "ALICE@example.com"`,
            `urn:ietf:params:scim:schemas:core:2.0:User:userName eq "bob@example.COM"`,
            `externalId eq "ext-2"`,
            `externalId eq "EXT-2"`,
            `userName eq "alice@example.com" or externalId eq "ext-2"`,
            `userName eq "alice@example.com" or id eq "${c.id}"`,
            `userName eq "alice@example.com" or title eq "Boss"`,
            `userName eq "bob@example.com" and active eq true`,
            `active eq false and externalId eq "ext-2"`,
            `not (userName eq "alice@example.com")`,
            `(id eq "${a.id}" or id eq "${b.id}") and not (externalId eq "ext-1")`,
            `userName ne "alice@example.com" and userName eq "carol@example.com"`
          ]
          for (const text of filters) {
            const page = yield* users.query(p, withFilter(text))
            const expected = Reference.expectedPage(Reference.UserResourceType, docs, Option.some(parse(text)), Option.none(), allPage)
            assert.deepStrictEqual(ids(page.items), expected.ids, text)
            assert.strictEqual(page.total, expected.total, text)
          }
        }))

      it.effect("count 0 returns no items but the total; a startIndex past the end returns none", () =>
        Effect.gen(function*() {
          const users = yield* UserStore
          const p = freshPlatform()
          yield* Effect.forEach([1, 2, 3], (n) => users.insert(p, newUser({ userName: `n${n}@example.com`, minute: n })))
          const zero = yield* users.query(p, { ...allUsers, page: { _tag: "Index", startIndex: 1, count: 0 } })
          assert.deepStrictEqual(zero.items, [])
          assert.strictEqual(zero.total, 3)
          const past = yield* users.query(p, { ...allUsers, page: { _tag: "Index", startIndex: 10, count: 5 } })
          assert.deepStrictEqual(past.items, [])
          assert.strictEqual(past.total, 3)
          assert.isFalse(past.hasMore)
          const middle = yield* users.query(p, { ...allUsers, page: { _tag: "Index", startIndex: 2, count: 1 } })
          assert.deepStrictEqual(middle.items.map((u) => u.userName), ["n2@example.com"])
          assert.isTrue(middle.hasMore)
        }))

      it.effect("a cursor walk forward, then backward, visits every item that existed throughout exactly once", () =>
        property(
          fc.record({
            drafts: Arbitraries.userDrafts({ minLength: 1, maxLength: 20 }),
            sort: fc.option(Arbitraries.userSort, { nil: undefined }),
            size: fc.integer({ min: 1, max: 6 }),
            inserts: Arbitraries.userDrafts({ maxLength: 8 }),
            removals: fc.nat(5)
          }),
          ({ drafts, inserts, removals, size, sort }) =>
            Effect.gen(function*() {
              const users = yield* UserStore
              const p = freshPlatform()
              const prefix = `${unique("c")}-`
              const initial = Arbitraries.toStoredUsers(drafts, prefix)
              yield* Effect.forEach(initial, (u) => users.insert(p, u), { discard: true })
              const sortOption = Option.fromNullishOr(sort)
              const rt = Reference.UserResourceType
              const position = (u: StoredUser): StoreQuery.CursorPosition => Sort.position(rt, sortOption, Reference.userDocument(u))
              const walk = (backward: boolean, round: string) =>
                Effect.gen(function*() {
                  // Removed mid-walk: the first `removals` initial users; inserted mid-walk: `inserts`.
                  const volatile = new Set(initial.slice(0, removals).map((u) => u.id))
                  const stable = initial.filter((u) => !volatile.has(u.id))
                  const toRemove = initial.slice(0, removals)
                  const added = Arbitraries.toStoredUsers([...drafts, ...inserts], `${prefix}${round}-`).slice(drafts.length)
                  const seen: Array<StoredUser> = []
                  let after = Option.none<StoreQuery.CursorPosition>()
                  for (let step = 0; step < 200; step++) {
                    const page = yield* users.query(p, {
                      filter: Option.none(),
                      sort: sortOption,
                      page: { _tag: "Cursor", after, backward, count: size }
                    })
                    assert.isAtMost(page.items.length, size)
                    seen.push(...(backward ? [...page.items].reverse() : page.items))
                    const insert = added.shift()
                    if (insert !== undefined) yield* users.insert(p, insert)
                    const remove = toRemove.shift()
                    if (remove !== undefined) yield* Effect.ignore(users.remove(p, remove.id, remove.version))
                    if (!page.hasMore || page.items.length === 0) break
                    after = Option.some(position(backward ? page.items[0]! : page.items[page.items.length - 1]!))
                  }
                  const counts = new Map<string, number>()
                  for (const u of seen) counts.set(u.id, (counts.get(u.id) ?? 0) + 1)
                  for (const [id, n] of counts) assert.strictEqual(n, 1, `${id} seen ${n} times`)
                  for (const u of stable) assert.isTrue(counts.has(u.id), `${u.id} existed throughout but was not visited`)
                  const order = Sort.comparator(rt, sortOption)
                  const stableIds = new Set(stable.map((u) => u.id))
                  const stableSeen = seen.filter((u) => stableIds.has(u.id))
                  const inOrder = [...stableSeen].sort((a, b) => order(Reference.userDocument(a), Reference.userDocument(b)))
                  const walked = backward ? [...stableSeen].reverse() : stableSeen
                  assert.deepStrictEqual(ids(walked), ids(inOrder), "visited in the query's order")
                  // restore the initial population for the next walk
                  const remaining = yield* users.query(p, allUsers)
                  for (const u of remaining.items) {
                    if (!initial.some((i) => i.id === u.id)) yield* users.remove(p, u.id, u.version)
                  }
                  for (const u of initial) {
                    if (!remaining.items.some((r) => r.id === u.id)) yield* users.insert(p, u)
                  }
                })
              yield* walk(false, "f")
              yield* walk(true, "b")
            }),
          { numRuns: 60 }
        ))

      it.effect("a cursor page reports hasMore in its walking direction", () =>
        Effect.gen(function*() {
          const users = yield* UserStore
          const p = freshPlatform()
          const us = yield* Effect.forEach([0, 1, 2, 3, 4], (n) => users.insert(p, newUser({ userName: `c${n}@example.com`, minute: n })))
          const pos = (u: StoredUser): StoreQuery.CursorPosition => ({ sortValue: DateTime.formatIso(u.created), id: u.id })
          const first = yield* users.query(p, { ...allUsers, page: { _tag: "Cursor", after: Option.none(), backward: false, count: 2 } })
          assert.deepStrictEqual(ids(first.items), ids(us.slice(0, 2)))
          assert.isTrue(first.hasMore)
          assert.strictEqual(first.total, 5)
          const last = yield* users.query(p, { ...allUsers, page: { _tag: "Cursor", after: Option.some(pos(us[2]!)), backward: false, count: 2 } })
          assert.deepStrictEqual(ids(last.items), ids(us.slice(3)))
          assert.isFalse(last.hasMore)
          const back = yield* users.query(p, { ...allUsers, page: { _tag: "Cursor", after: Option.some(pos(us[3]!)), backward: true, count: 2 } })
          assert.deepStrictEqual(ids(back.items), ids(us.slice(1, 3)))
          assert.isTrue(back.hasMore)
          const start = yield* users.query(p, { ...allUsers, page: { _tag: "Cursor", after: Option.some(pos(us[2]!)), backward: true, count: 5 } })
          assert.deepStrictEqual(ids(start.items), ids(us.slice(0, 2)))
          assert.isFalse(start.hasMore)
          const tail = yield* users.query(p, { ...allUsers, page: { _tag: "Cursor", after: Option.none(), backward: true, count: 2 } })
          assert.deepStrictEqual(ids(tail.items), ids(us.slice(3)))
          assert.isTrue(tail.hasMore)
        }))
    })

    describe("concurrency", () => {
      it.effect("100 concurrent member additions to one project are all present afterwards", () =>
        Effect.gen(function*() {
          const users = yield* UserStore
          const projects = yield* ProjectStore
          const p = freshPlatform()
          const us = yield* Effect.forEach(Array.from({ length: 100 }, (_, i) => i), (i) =>
            users.insert(p, newUser({ userName: `member${i}@example.com` })))
          const g = yield* projects.insert(p, newProject("Crowded"))
          const added = yield* Effect.forEach(us, (u) => projects.addMembers(p, g.id, [member(u.id)]), { concurrency: "unbounded" })
          assert.strictEqual(added.reduce((a, b) => a + b, 0), 100)
          assert.strictEqual(yield* projects.countMembers(p, g.id), 100)
          sameIds((yield* projects.listMembers(p, g.id)).map((m) => m.userId), us.map((u) => u.id))
        }))

      it.effect("50 concurrent touches of one project each count: the version ends 50 higher", () =>
        Effect.gen(function*() {
          const projects = yield* ProjectStore
          const p = freshPlatform()
          const g = yield* projects.insert(p, newProject("Busy"))
          yield* Effect.forEach(Array.from({ length: 50 }, (_, i) => i), (i) => projects.touch(p, g.id, at(i)), {
            concurrency: "unbounded"
          })
          assert.strictEqual((yield* projects.get(p, g.id)).version, 51)
        }))

      it.effect("20 concurrent creates of one userName yield exactly one success and 19 Uniqueness", () =>
        Effect.gen(function*() {
          const users = yield* UserStore
          const p = freshPlatform()
          const results = yield* Effect.forEach(
            Array.from({ length: 20 }, (_, i) => i),
            (i) => Effect.result(users.insert(p, newUser({ userName: i % 2 === 0 ? "race@example.com" : "RACE@example.com" }))),
            { concurrency: "unbounded" }
          )
          assert.strictEqual(results.filter(Result.isSuccess).length, 1)
          const failures = results.filter(Result.isFailure).map((r) => r.failure._tag)
          assert.deepStrictEqual(failures, Array.from({ length: 19 }, () => "Uniqueness"))
          assert.strictEqual((yield* users.query(p, allUsers)).total, 1)
        }))

      it.effect("concurrent updates with the same expected version: exactly one wins", () =>
        Effect.gen(function*() {
          const users = yield* UserStore
          const p = freshPlatform()
          const u = yield* users.insert(p, newUser({ userName: "contended@example.com" }))
          const results = yield* Effect.forEach(
            Array.from({ length: 10 }, (_, i) => i),
            (i) => Effect.result(users.update(p, nextUser(u, { displayName: Option.some(`v${i}`) }), 1)),
            { concurrency: "unbounded" }
          )
          assert.strictEqual(results.filter(Result.isSuccess).length, 1)
          assert.isTrue(results.filter(Result.isFailure).every((r) => r.failure._tag === "VersionMismatch"))
          assert.strictEqual((yield* users.get(p, u.id)).version, 2)
        }))
    })

    describe("Transactions", () => {
      it.effect("run commits every write when the effect succeeds, and writers see their own writes", () =>
        Effect.gen(function*() {
          const users = yield* UserStore
          const projects = yield* ProjectStore
          const tx = yield* Transactions
          const p = freshPlatform()
          const u = newUser({ userName: "tx@example.com" })
          const g = newProject("Tx")
          const seen = yield* tx.run(Effect.gen(function*() {
            yield* users.insert(p, u)
            yield* projects.insert(p, g)
            yield* projects.addMembers(p, g.id, [member(u.id)])
            return yield* projects.countMembers(p, g.id)
          }))
          assert.strictEqual(seen, 1)
          assert.deepStrictEqual(yield* users.get(p, u.id), u)
          assert.deepStrictEqual(yield* projects.listUserProjects(p, u.id).pipe(Effect.map((r) => r.map((x) => x.id))), [g.id])
        }))

      it.effect("run rolls back every write when the effect fails", () =>
        Effect.gen(function*() {
          const users = yield* UserStore
          const projects = yield* ProjectStore
          const tx = yield* Transactions
          const p = freshPlatform()
          const existing = yield* users.insert(p, newUser({ userName: "keep@example.com" }))
          const g0 = yield* projects.insert(p, newProject("Existing"))
          const u = newUser({ userName: "rollback@example.com" })
          const g = newProject("Rolled back")
          const failure = yield* Effect.flip(tx.run(Effect.gen(function*() {
            yield* users.insert(p, u)
            yield* users.update(p, nextUser(existing, { displayName: Option.some("Changed") }), 1)
            yield* projects.insert(p, g)
            yield* projects.addMembers(p, g0.id, [member(u.id), member(existing.id)])
            assert.deepStrictEqual(yield* users.get(p, u.id), u)
            return yield* Effect.fail("boom" as const)
          })))
          assert.strictEqual(failure, "boom")
          assert.strictEqual((yield* Effect.flip(users.get(p, u.id)))._tag, "ResourceNotFound")
          assert.deepStrictEqual(yield* users.get(p, existing.id), existing)
          assert.strictEqual((yield* Effect.flip(projects.get(p, g.id)))._tag, "ResourceNotFound")
          assert.strictEqual(yield* projects.countMembers(p, g0.id), 0)
          yield* users.insert(p, newUser({ userName: "ROLLBACK@example.com" }))
          yield* projects.insert(p, newProject("rolled back"))
        }))

      it.effect("run rolls back when the effect dies or a store call inside fails", () =>
        Effect.gen(function*() {
          const users = yield* UserStore
          const tx = yield* Transactions
          const p = freshPlatform()
          const a = newUser({ userName: "a@example.com" })
          const exit = yield* Effect.exit(tx.run(Effect.andThen(users.insert(p, a), Effect.die(new Error("defect")))))
          assert.isTrue(exit._tag === "Failure")
          assert.strictEqual((yield* users.query(p, allUsers)).total, 0)
          const clash = yield* Effect.flip(tx.run(Effect.gen(function*() {
            yield* users.insert(p, a)
            yield* users.insert(p, newUser({ userName: "A@example.com" }))
          })))
          assert.strictEqual(clash._tag, "Uniqueness")
          assert.strictEqual((yield* users.query(p, allUsers)).total, 0)
        }))
    })

    describe("ApiKeyStore", () => {
      const key = (platform: PlatformId, minute: number): StoredApiKey =>
        new StoredApiKey({
          id: ApiKeyId.make(unique("key")),
          platform,
          name: `key ${minute}`,
          hash: unique("hash"),
          prefix: "sk-abc",
          created: at(minute),
          lastUsed: Option.none(),
          revoked: Option.none()
        })

      it.effect("insert, get, findByHash and list (oldest first, own platform only)", () =>
        Effect.gen(function*() {
          const keys = yield* ApiKeyStore
          const p = freshPlatform()
          const other = freshPlatform()
          const k2 = yield* keys.insert(key(p, 2))
          const k1 = yield* keys.insert(key(p, 1))
          yield* keys.insert(key(other, 0))
          assert.deepStrictEqual(yield* keys.get(k1.id), k1)
          assert.deepStrictEqual(yield* keys.findByHash(k2.hash), Option.some(k2))
          assert.deepStrictEqual(yield* keys.findByHash(unique("nohash")), Option.none())
          assert.deepStrictEqual(yield* keys.list(p), [k1, k2])
          assert.strictEqual((yield* Effect.flip(keys.get(ApiKeyId.make(unique("nokey")))))._tag, "ResourceNotFound")
        }))

      it.effect("revoke is idempotent and keeps the first time; touch records the last use", () =>
        Effect.gen(function*() {
          const keys = yield* ApiKeyStore
          const p = freshPlatform()
          const k = yield* keys.insert(key(p, 0))
          const revoked = yield* keys.revoke(k.id, at(10))
          assert.deepStrictEqual(revoked.revoked, Option.some(at(10)))
          const again = yield* keys.revoke(k.id, at(20))
          assert.deepStrictEqual(again.revoked, Option.some(at(10)))
          yield* keys.touch(k.id, at(30))
          const touched = yield* keys.get(k.id)
          assert.deepStrictEqual(touched.lastUsed, Option.some(at(30)))
          assert.deepStrictEqual(touched.revoked, Option.some(at(10)))
          assert.strictEqual((yield* Effect.flip(keys.revoke(ApiKeyId.make(unique("nokey")), at(1))))._tag, "ResourceNotFound")
        }))
    })

    describe("PlatformStore", () => {
      const platform = (name: string, minute = 0): Platform =>
        new Platform({
          id: freshPlatform(),
          name,
          ownerId: Option.none(),
          compatibility: "lenient",
          created: at(minute)
        })

      it.effect("keeps each platform's cursor secret, and none for a platform created without one", () =>
        Effect.gen(function*() {
          const store = yield* PlatformStore
          const secret = unique("secret")
          const withSecret = yield* store.insert(new Platform({ ...platform(unique("Signed")), cursorSecret: Option.some(Redacted.make(secret)) }))
          const read = yield* store.get(withSecret.id)
          assert.deepStrictEqual(Option.map(read.cursorSecret, Redacted.value), Option.some(secret))
          const without = yield* store.insert(platform(unique("Unsigned")))
          assert.isTrue(Option.isNone((yield* store.get(without.id)).cursorSecret))
          const renamed = yield* store.update(new Platform({ ...read, name: unique("Signed again") }))
          assert.deepStrictEqual(Option.map((yield* store.get(renamed.id)).cursorSecret, Redacted.value), Option.some(secret))
        }))

      it.effect("turning uniqueExternalId on fails while users or groups share an externalId, and then succeeds", () =>
        Effect.gen(function*() {
          const store = yield* PlatformStore
          const users = yield* UserStore
          const projects = yield* ProjectStore
          const pl = yield* store.insert(platform(unique("Dupes")))
          assert.isFalse(pl.uniqueExternalId)
          const a = yield* users.insert(pl.id, newUser({ userName: "a@example.com", externalId: "same" }))
          const b = yield* users.insert(pl.id, newUser({ userName: "b@example.com", externalId: "same" }))
          const refused = yield* Effect.flip(store.update(new Platform({ ...pl, uniqueExternalId: true })))
          assert.strictEqual(refused._tag, "Uniqueness")
          assert.isFalse((yield* store.get(pl.id)).uniqueExternalId, "nothing changed")
          yield* users.update(pl.id, nextUser(b, { externalId: Option.some("different") }), 1)
          yield* projects.insert(pl.id, newProject("G1", { externalId: "g" }))
          const on = yield* store.update(new Platform({ ...pl, uniqueExternalId: true }))
          assert.isTrue(on.uniqueExternalId)
          assert.isTrue((yield* store.get(pl.id)).uniqueExternalId)
          assert.strictEqual((yield* Effect.flip(users.insert(pl.id, newUser({ userName: "c@example.com", externalId: "same" }))))._tag, "Uniqueness")
          assert.strictEqual((yield* Effect.flip(projects.insert(pl.id, newProject("G2", { externalId: "g" }))))._tag, "Uniqueness")
          yield* store.update(new Platform({ ...on, uniqueExternalId: false }))
          yield* users.insert(pl.id, newUser({ userName: "c@example.com", externalId: "same" }))
          assert.strictEqual((yield* users.get(pl.id, a.id)).externalId._tag, "Some")
        }))

      it.effect("insert, get, findByName (any case), list and update", () =>
        Effect.gen(function*() {
          const store = yield* PlatformStore
          const name = unique("Acme")
          const pl = yield* store.insert(platform(name))
          assert.deepStrictEqual(yield* store.get(pl.id), pl)
          assert.deepStrictEqual(yield* store.findByName(name.toUpperCase()), Option.some(pl))
          assert.deepStrictEqual(yield* store.findByName(unique("none")), Option.none())
          assert.isTrue((yield* store.list()).some((x) => x.id === pl.id))
          const owner = UserId.make(unique("owner"))
          const updated = new Platform({ ...pl, ownerId: Option.some(owner), compatibility: "entra" })
          assert.deepStrictEqual(yield* store.update(updated), updated)
          assert.deepStrictEqual(yield* store.get(pl.id), updated)
          assert.strictEqual((yield* Effect.flip(store.get(freshPlatform())))._tag, "ResourceNotFound")
          assert.strictEqual((yield* Effect.flip(store.update(platform(unique("ghost")))))._tag, "ResourceNotFound")
        }))

      it.effect("the platform name is unique regardless of case", () =>
        Effect.gen(function*() {
          const store = yield* PlatformStore
          const name = unique("Globex")
          yield* store.insert(platform(name))
          const error = yield* Effect.flip(store.insert(platform(name.toLowerCase())))
          assert.strictEqual(error._tag, "Uniqueness")
        }))
    })
  })
