/**
 * The membership contract, across both ports: adding, listing, counting and removing members,
 * a user's projects (alone, with the user, and for many users at once, checked against
 * `listUserProjects` by property), and removals of a user or a project taking their memberships.
 */
import { assert } from "@effect/vitest"
import { Model, ProjectStore, UserStore } from "@scimkit/core"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as fc from "fast-check"
import * as Arbitraries from "../../Arbitraries.js"
import * as Property from "../../Property.js"
import { freshPlatform, member, newProject, newUser, unique } from "./fixtures.js"
import { allItems, ids, sameIds, type It } from "./harness.js"

/**
 * Group names that tell orders apart: case (binary order puts "Zeta" before "alpha"), accents,
 * punctuation, digits, an astral character, and JSON's escapes. No two are equal ignoring case
 * (displayName is unique that way), so a user's groups never tie on their name.
 */
const refNames = [
  "alpha",
  "Beta",
  "beta two",
  "Gamma",
  "_under",
  "Zeta",
  "éclair",
  "Eclair",
  "ÉTÉ",
  "été 2",
  "a",
  "A b",
  "z",
  "100",
  "Delta",
  "delta-x",
  "😀 smile",
  "quote \" and \\ backslash"
]

/** Code point order (the stores' binary collation), not UTF-16 code unit order. */
const compareCodePoints = (a: string, b: string): number => {
  const x = Array.from(a, (c) => c.codePointAt(0)!)
  const y = Array.from(b, (c) => c.codePointAt(0)!)
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!
  return x.length - y.length
}

/** The membership tests. */
export const memberships = (it: It): void => {
  it.effect("addMembers adds new memberships and keeps existing ones with their role", () =>
    Effect.gen(function*() {
      const users = yield* UserStore.UserStore
      const projects = yield* ProjectStore.ProjectStore
      const p = freshPlatform()
      const a = yield* users.insert(p, newUser({ userName: "a@example.com", displayName: "Ann" }))
      const b = yield* users.insert(p, newUser({ userName: "b@example.com" }))
      const g = yield* projects.insert(p, newProject("Team"))
      const roles = (ms: ReadonlyArray<Model.Membership>) => ms.map((m) => [m.userId, m.role])
      assert.deepStrictEqual(roles(yield* projects.addMembers(p, g.id, [member(a.id, "Admin")], "scim")), [[
        a.id,
        "Admin"
      ]])
      assert.deepStrictEqual(
        roles(
          yield* projects.addMembers(
            p,
            g.id,
            [member(a.id, "Viewer"), member(b.id, "Viewer"), member(b.id, "Admin")],
            "scim"
          )
        ),
        [[b.id, "Viewer"]]
      )
      assert.deepStrictEqual(yield* projects.addMembers(p, g.id, [], "scim"), [])
      const listed = yield* projects.listMembers(p, g.id)
      const expected = [
        { userId: a.id, role: "Admin", userName: "a@example.com", displayName: Option.some("Ann") },
        { userId: b.id, role: "Viewer", userName: "b@example.com", displayName: Option.none() }
      ].sort((x, y) => (x.userId < y.userId ? -1 : 1))
      assert.deepStrictEqual(
        listed.map((m) => ({ userId: m.userId, role: m.role, userName: m.userName, displayName: m.displayName })),
        expected
      )
      assert.strictEqual(yield* projects.countMembers(p, g.id), 2)
      assert.deepStrictEqual(yield* projects.get(p, g.id), g)
    }))

  it.effect("listMembers orders by userId and removeMembers/removeAllMembers report what they removed", () =>
    Effect.gen(function*() {
      const users = yield* UserStore.UserStore
      const projects = yield* ProjectStore.ProjectStore
      const p = freshPlatform()
      const us = yield* Effect.forEach(
        [5, 3, 9, 1, 7],
        (n) => users.insert(p, newUser({ userName: `u${n}@example.com`, id: Model.UserId.make(`${unique("m")}-${n}`) }))
      )
      const g = yield* projects.insert(p, newProject("Ordered"))
      yield* projects.addMembers(p, g.id, us.map((u) => member(u.id)), "scim")
      const listed = (yield* projects.listMembers(p, g.id)).map((m) => m.userId)
      assert.deepStrictEqual(listed, [...us.map((u) => u.id)].sort())
      const removed = yield* projects.removeMembers(
        p,
        g.id,
        [us[0]!.id, us[1]!.id, Model.UserId.make(unique("absent"))],
        "scim"
      )
      sameIds(removed.map((m) => m.userId), [us[0]!.id, us[1]!.id])
      assert.deepStrictEqual(yield* projects.removeMembers(p, g.id, [us[0]!.id], "scim"), [])
      sameIds((yield* projects.listMembers(p, g.id)).map((m) => m.userId), us.slice(2).map((u) => u.id))
      assert.strictEqual((yield* projects.removeAllMembers(p, g.id, "scim")).length, 3)
      assert.strictEqual(yield* projects.countMembers(p, g.id), 0)
      assert.deepStrictEqual(yield* projects.listMembers(p, g.id), [])
      assert.strictEqual((yield* users.query(p, allItems)).total, 5)
    }))

  it.effect("listUserProjects lists a user's projects by displayName", () =>
    Effect.gen(function*() {
      const users = yield* UserStore.UserStore
      const projects = yield* ProjectStore.ProjectStore
      const p = freshPlatform()
      const u = yield* users.insert(p, newUser({ userName: "u@example.com" }))
      const gamma = yield* projects.insert(p, newProject("gamma"))
      const alpha = yield* projects.insert(p, newProject("alpha"))
      yield* projects.insert(p, newProject("beta"))
      yield* projects.addMembers(p, gamma.id, [member(u.id)], "scim")
      yield* projects.addMembers(p, alpha.id, [member(u.id)], "scim")
      const refs = yield* projects.listUserProjects(p, u.id)
      assert.deepStrictEqual(refs.map((r) => ({ id: r.id, displayName: r.displayName })), [
        { id: alpha.id, displayName: "alpha" },
        { id: gamma.id, displayName: "gamma" }
      ])
    }))

  it.effect("getWithProjects and listUsersProjects equal get and listUserProjects: displayName in code point order, then id, and never another platform's memberships", () =>
    Property.check(
      fc.record({
        drafts: Arbitraries.userDrafts({ minLength: 1, maxLength: 6 }),
        names: fc.uniqueArray(fc.constantFrom(...refNames), { maxLength: 8, selector: (name) => name.toLowerCase() }),
        here: fc.array(fc.tuple(fc.nat(5), fc.nat(7)), { maxLength: 20 }),
        elsewhere: fc.array(fc.tuple(fc.nat(5), fc.nat(7)), { maxLength: 20 })
      }),
      ({ drafts, elsewhere, here, names }) =>
        Effect.gen(function*() {
          const users = yield* UserStore.UserStore
          const projects = yield* ProjectStore.ProjectStore
          const [a, b] = [freshPlatform(), freshPlatform()]
          const stored = Arbitraries.toStoredUsers(drafts, `${unique("r")}-`)
          const groups = names.map((displayName) => newProject(displayName))
          // the same users and group ids on both platforms, with memberships of their own
          const memberships = (pairs: ReadonlyArray<readonly [number, number]>) =>
            groups.length === 0
              ? []
              : pairs.map(([u, g]) => [stored[u % stored.length]!, groups[g % groups.length]!] as const)
          for (const [platform, pairs] of [[a, here], [b, elsewhere]] as const) {
            yield* Effect.forEach(stored, (u) => users.insert(platform, u), { discard: true })
            yield* Effect.forEach(groups, (g) => projects.insert(platform, g), { discard: true })
            for (const [u, g] of memberships(pairs)) yield* projects.addMembers(platform, g.id, [member(u.id)], "scim")
          }
          const expected = (user: Model.StoredUser) => {
            const of = new Map<string, Model.StoredProject>()
            for (const [u, g] of memberships(here)) if (u.id === user.id) of.set(g.id, g)
            return [...of.values()].sort((x, y) =>
              compareCodePoints(x.displayName, y.displayName) || compareCodePoints(x.id, y.id)
            )
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
          const missing = Model.UserId.make(unique("missing"))
          const asked = [...stored.map((u) => u.id), missing, stored[0]!.id]
          const all = yield* projects.listUsersProjects(a, asked)
          assert.deepStrictEqual([...all.keys()].sort(), [...new Set(asked)].sort())
          for (const user of stored) {
            assert.deepStrictEqual(all.get(user.id), yield* projects.listUserProjects(a, user.id))
          }
          assert.deepStrictEqual(all.get(missing), [])
        }),
      { numRuns: 30 }
    ))

  it.effect("getWithProjects of an unknown user or of another platform's is ResourceNotFound; listUsersProjects gives [] for unknown ids and nothing for no ids", () =>
    Effect.gen(function*() {
      const users = yield* UserStore.UserStore
      const projects = yield* ProjectStore.ProjectStore
      const p = freshPlatform()
      const u = yield* users.insert(p, newUser({ userName: "lonely@example.com" }))
      assert.deepStrictEqual(yield* users.getWithProjects(p, u.id), { user: u, projects: [] })
      assert.strictEqual(
        (yield* Effect.flip(users.getWithProjects(p, Model.UserId.make(unique("missing")))))._tag,
        "ResourceNotFound"
      )
      assert.strictEqual((yield* Effect.flip(users.getWithProjects(freshPlatform(), u.id)))._tag, "ResourceNotFound")
      const ghost = Model.UserId.make(unique("ghost"))
      const found = yield* projects.listUsersProjects(p, [u.id, ghost])
      assert.deepStrictEqual([...found.keys()].sort(), [u.id, ghost].sort())
      assert.deepStrictEqual(found.get(u.id), [])
      assert.deepStrictEqual(found.get(ghost), [])
      assert.strictEqual((yield* projects.listUsersProjects(p, [])).size, 0)
      assert.strictEqual((yield* projects.listUsersProjects(freshPlatform(), [u.id])).get(u.id)?.length, 0)
    }))

  it.effect("remove deletes the project's memberships and never the users", () =>
    Effect.gen(function*() {
      const users = yield* UserStore.UserStore
      const projects = yield* ProjectStore.ProjectStore
      const p = freshPlatform()
      const u = yield* users.insert(p, newUser({ userName: "stay@example.com" }))
      const g = yield* projects.insert(p, newProject("Doomed"))
      yield* projects.addMembers(p, g.id, [member(u.id)], "scim")
      yield* projects.addMembers(p, g.id, [member(u.id)], "host")
      yield* projects.remove(p, g.id, 1)
      assert.deepStrictEqual(yield* users.get(p, u.id), u)
      assert.deepStrictEqual(yield* projects.listUserProjects(p, u.id), [])
      assert.strictEqual(yield* projects.countMembers(p, g.id), 0)
      assert.deepStrictEqual(yield* projects.listAllMembers(p, g.id), [])
      const again = yield* projects.insert(p, newProject("doomed"))
      assert.strictEqual(yield* projects.countMembers(p, again.id), 0)
      assert.deepStrictEqual(yield* projects.listAllMembers(p, again.id), [])
    }))

  it.effect("removing a user removes all of their memberships", () =>
    Effect.gen(function*() {
      const users = yield* UserStore.UserStore
      const projects = yield* ProjectStore.ProjectStore
      const p = freshPlatform()
      const u = yield* users.insert(p, newUser({ userName: "m@example.com" }))
      const other = yield* users.insert(p, newUser({ userName: "o@example.com" }))
      const g1 = yield* projects.insert(p, newProject("One"))
      const g2 = yield* projects.insert(p, newProject("Two"))
      yield* projects.addMembers(p, g1.id, [member(u.id), member(other.id)], "scim")
      yield* projects.addMembers(p, g2.id, [member(u.id)], "host")
      yield* users.remove(p, u.id, 1)
      assert.deepStrictEqual(ids((yield* projects.listMembers(p, g1.id)).map((m) => ({ id: m.userId }))), [other.id])
      assert.deepStrictEqual(yield* projects.listAllMembers(p, g2.id), [])
      assert.deepStrictEqual(yield* projects.listUserProjects(p, u.id), [])
      assert.deepStrictEqual(yield* projects.get(p, g1.id), g1)
    }))
}
