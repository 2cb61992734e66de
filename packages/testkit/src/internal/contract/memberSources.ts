/**
 * The contract of memberships by source (`ProjectStore`): a membership is managed by SCIM, by the
 * host, or both, and exists while either manages it; every read SCIM makes sees only the ones SCIM
 * manages (members, counts, a user's groups, the `members` of a filter), `listAllMembers` sees
 * every one with who manages it; adding and removing report exactly what changed for the source.
 */
import { assert } from "@effect/vitest"
import type { Model } from "@scimkit/core"
import { ProjectStore, UserStore } from "@scimkit/core"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { freshPlatform, member, newProject, newUser } from "./fixtures.js"
import { ids, projectsWhere, sameIds, type It } from "./harness.js"

const roles = (ms: ReadonlyArray<Model.Membership>): ReadonlyArray<readonly [string, string]> =>
  ms.map((m) => [m.userId, m.role] as const).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))

const sources = (ms: ReadonlyArray<Model.ManagedMember>) =>
  ms.map((m) => ({ userId: m.userId, role: m.role, scim: m.scim, host: m.host }))

/** A platform with users `a`, `b`, `c` (in userId order) and an empty project. */
const setup = Effect.gen(function*() {
  const users = yield* UserStore.UserStore
  const projects = yield* ProjectStore.ProjectStore
  const p = freshPlatform()
  const us = yield* Effect.forEach(
    ["a", "b", "c"],
    (n) => users.insert(p, newUser({ userName: `${n}@example.com`, displayName: n.toUpperCase() }))
  )
  const sorted = [...us].sort((x, y) => (x.id < y.id ? -1 : 1))
  const g = yield* projects.insert(p, newProject("Sources"))
  return { p, g, a: sorted[0]!, b: sorted[1]!, c: sorted[2]!, projects, users }
})

/** The tests of memberships by source. */
export const memberSources = (it: It): void => {
  it.effect("addMembers returns what the source did not manage before, with the role as stored; an existing membership keeps its role", () =>
    Effect.gen(function*() {
      const { a, b, g, p, projects } = yield* setup
      assert.deepStrictEqual(roles(yield* projects.addMembers(p, g.id, [member(a.id, "Admin")], "scim")), [[
        a.id,
        "Admin"
      ]])
      // a gains the host source and keeps Admin; b is new, host-only
      assert.deepStrictEqual(
        roles(yield* projects.addMembers(p, g.id, [member(a.id, "Viewer"), member(b.id, "Viewer")], "host")),
        roles([member(a.id, "Admin"), member(b.id, "Viewer")])
      )
      assert.deepStrictEqual(yield* projects.addMembers(p, g.id, [member(a.id), member(b.id)], "host"), [])
      // b gains the SCIM source and keeps Viewer
      assert.deepStrictEqual(roles(yield* projects.addMembers(p, g.id, [member(b.id, "Admin")], "scim")), [[
        b.id,
        "Viewer"
      ]])
      assert.deepStrictEqual(sources(yield* projects.listAllMembers(p, g.id)), [
        { userId: a.id, role: "Admin", scim: true, host: true },
        { userId: b.id, role: "Viewer", scim: true, host: true }
      ])
    }))

  it.effect("SCIM reads see only SCIM-managed memberships; listAllMembers sees every one with its sources", () =>
    Effect.gen(function*() {
      const { a, b, c, g, p, projects, users } = yield* setup
      const other = yield* projects.insert(p, newProject("Other"))
      yield* projects.addMembers(p, g.id, [member(a.id, "Admin"), member(b.id)], "scim")
      yield* projects.addMembers(p, g.id, [member(b.id), member(c.id, "Viewer")], "host")
      yield* projects.addMembers(p, other.id, [member(c.id)], "host")

      assert.deepStrictEqual(ids((yield* projects.listMembers(p, g.id)).map((m) => ({ id: m.userId }))), [a.id, b.id])
      assert.strictEqual(yield* projects.countMembers(p, g.id), 2)
      assert.strictEqual(yield* projects.countMembers(p, other.id), 0)
      assert.deepStrictEqual(yield* projects.listMembers(p, other.id), [])
      const all = yield* projects.listAllMembers(p, g.id)
      assert.deepStrictEqual(sources(all), [
        { userId: a.id, role: "Admin", scim: true, host: false },
        { userId: b.id, role: "Editor", scim: true, host: true },
        { userId: c.id, role: "Viewer", scim: false, host: true }
      ])
      assert.deepStrictEqual(all.map((m) => [m.userName, Option.getOrNull(m.displayName)]), [
        ["a@example.com", "A"],
        ["b@example.com", "B"],
        ["c@example.com", "C"]
      ])
      // c is a member of both groups, through the host only: SCIM sees no group of c
      assert.deepStrictEqual(yield* projects.listUserProjects(p, c.id), [])
      assert.deepStrictEqual((yield* projects.listUsersProjects(p, [b.id, c.id])).get(c.id), [])
      assert.deepStrictEqual(ids((yield* projects.listUsersProjects(p, [b.id, c.id])).get(b.id) ?? []), [g.id])
      assert.deepStrictEqual((yield* users.getWithProjects(p, c.id)).projects, [])
      assert.deepStrictEqual(ids((yield* users.getWithProjects(p, b.id)).projects), [g.id])
      // the members a filter sees are SCIM's too
      const matching = (filter: string) =>
        Effect.map(projects.query(p, projectsWhere(filter)), (page) => ids(page.items))
      assert.deepStrictEqual(yield* matching(`members[value eq "${c.id}"]`), [])
      assert.deepStrictEqual(yield* matching(`members.value eq "${b.id}"`), [g.id])
      assert.deepStrictEqual(yield* matching("members pr"), [g.id])
      assert.deepStrictEqual(yield* matching("not (members pr)"), [other.id])
    }))

  it.effect("a SCIM removal keeps host-managed memberships, and returns only what SCIM managed", () =>
    Effect.gen(function*() {
      const { a, b, c, g, p, projects } = yield* setup
      yield* projects.addMembers(p, g.id, [member(a.id, "Admin"), member(b.id)], "scim")
      yield* projects.addMembers(p, g.id, [member(b.id), member(c.id, "Viewer")], "host")
      const removed = yield* projects.removeMembers(p, g.id, [a.id, b.id, c.id], "scim")
      assert.deepStrictEqual(roles(removed), roles([member(a.id, "Admin"), member(b.id, "Editor")]))
      assert.deepStrictEqual(sources(yield* projects.listAllMembers(p, g.id)), [
        { userId: b.id, role: "Editor", scim: false, host: true },
        { userId: c.id, role: "Viewer", scim: false, host: true }
      ])
      assert.deepStrictEqual(yield* projects.listMembers(p, g.id), [])
      assert.deepStrictEqual(yield* projects.removeMembers(p, g.id, [b.id], "scim"), [])
      assert.strictEqual((yield* projects.listAllMembers(p, g.id)).length, 2)
    }))

  it.effect("removeAllMembers by one source deletes the memberships only it managed and keeps the others", () =>
    Effect.gen(function*() {
      const { a, b, c, g, p, projects } = yield* setup
      yield* projects.addMembers(p, g.id, [member(a.id), member(b.id)], "scim")
      yield* projects.addMembers(p, g.id, [member(b.id), member(c.id)], "host")
      assert.deepStrictEqual(
        roles(yield* projects.removeAllMembers(p, g.id, "scim")),
        roles([member(a.id), member(b.id)])
      )
      assert.deepStrictEqual(sources(yield* projects.listAllMembers(p, g.id)).map((m) => m.userId), [b.id, c.id])
      assert.deepStrictEqual(yield* projects.removeAllMembers(p, g.id, "scim"), [])
      yield* projects.addMembers(p, g.id, [member(a.id)], "scim")
      assert.deepStrictEqual(
        roles(yield* projects.removeAllMembers(p, g.id, "host")),
        roles([member(b.id), member(c.id)])
      )
      assert.deepStrictEqual(sources(yield* projects.listAllMembers(p, g.id)), [
        { userId: a.id, role: "Editor", scim: true, host: false }
      ])
    }))

  it.effect("a host removal of a membership both manage leaves it to SCIM; of a host-only one deletes it", () =>
    Effect.gen(function*() {
      const { a, b, g, p, projects } = yield* setup
      yield* projects.addMembers(p, g.id, [member(a.id)], "scim")
      yield* projects.addMembers(p, g.id, [member(a.id), member(b.id)], "host")
      assert.deepStrictEqual(
        roles(yield* projects.removeMembers(p, g.id, [a.id, b.id], "host")),
        roles([member(a.id), member(b.id)])
      )
      assert.deepStrictEqual(sources(yield* projects.listAllMembers(p, g.id)), [
        { userId: a.id, role: "Editor", scim: true, host: false }
      ])
      assert.deepStrictEqual(ids((yield* projects.listMembers(p, g.id)).map((m) => ({ id: m.userId }))), [a.id])
    }))

  it.effect("setRole changes the role whoever manages the membership, and is None without one", () =>
    Effect.gen(function*() {
      const { a, b, c, g, p, projects } = yield* setup
      yield* projects.addMembers(p, g.id, [member(a.id)], "scim")
      yield* projects.addMembers(p, g.id, [member(b.id)], "host")
      assert.deepStrictEqual(
        Option.map(yield* projects.setRole(p, g.id, a.id, "Admin"), (m) => [m.userId, m.role]),
        Option.some([a.id, "Admin"])
      )
      assert.deepStrictEqual(
        Option.map(yield* projects.setRole(p, g.id, b.id, "Viewer"), (m) => [m.userId, m.role]),
        Option.some([b.id, "Viewer"])
      )
      assert.isTrue(Option.isNone(yield* projects.setRole(p, g.id, c.id, "Admin")))
      assert.isTrue(Option.isNone(yield* projects.setRole(p, newProject("Absent").id, a.id, "Admin")))
      assert.deepStrictEqual(sources(yield* projects.listAllMembers(p, g.id)), [
        { userId: a.id, role: "Admin", scim: true, host: false },
        { userId: b.id, role: "Viewer", scim: false, host: true }
      ])
      assert.deepStrictEqual((yield* projects.listMembers(p, g.id)).map((m) => m.role), ["Admin"])
      assert.deepStrictEqual(yield* projects.listAllMembers(p, newProject("Absent").id), [])
    }))

  it.effect("both sources removing the memberships they share at once leave none behind", () =>
    Effect.gen(function*() {
      const users = yield* UserStore.UserStore
      const projects = yield* ProjectStore.ProjectStore
      const p = freshPlatform()
      const us = yield* Effect.forEach(
        Array.from({ length: 40 }, (_, i) => i),
        (i) => users.insert(p, newUser({ userName: `shared${i}@example.com` }))
      )
      const g = yield* projects.insert(p, newProject("Contended"))
      yield* projects.addMembers(p, g.id, us.map((u) => member(u.id)), "scim")
      yield* projects.addMembers(p, g.id, us.map((u) => member(u.id)), "host")
      const [byScim, byHost] = yield* Effect.all([
        Effect.forEach(us, (u) => projects.removeMembers(p, g.id, [u.id], "scim"), { concurrency: "unbounded" }),
        Effect.forEach(us, (u) => projects.removeMembers(p, g.id, [u.id], "host"), { concurrency: "unbounded" })
      ], { concurrency: "unbounded" })
      sameIds(byScim.flat().map((m) => m.userId), us.map((u) => u.id))
      sameIds(byHost.flat().map((m) => m.userId), us.map((u) => u.id))
      assert.deepStrictEqual(yield* projects.listAllMembers(p, g.id), [])
    }))
}
