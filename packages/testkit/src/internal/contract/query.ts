/**
 * The query contract: filters, sorts and index paging equal core's evaluator over the same data
 * (testkit's Reference, by property over generated users and filters, and on the indexed
 * equalities and the group view with members), and cursor walks that visit every item that
 * existed throughout exactly once while others are inserted and removed.
 */
import { Filter, ProjectStore, Sort, UserStore, type Model, type StoreQuery } from "@scimkit/core"
import { assert } from "@effect/vitest"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as fc from "fast-check"
import * as Arbitraries from "../../Arbitraries.js"
import * as Property from "../../Property.js"
import * as Reference from "../../Reference.js"
import { at, freshPlatform, member, newProject, newUser, unique } from "./fixtures.js"
import { allItems, allPage, check, checksForUsers, ids, parse, projectsWhere, usersWhere, type It } from "./harness.js"

/** The query tests of both ports. */
export const query = (it: It): void => {
  it.effect("query equals core's evaluator, order and index paging over the user views", () =>
    Property.check(
      fc.record({ c: Arbitraries.userQueryCase({ valid: checksForUsers }) }),
      ({ c }) =>
        Effect.gen(function*() {
          const users = yield* UserStore.UserStore
          const p = freshPlatform()
          const stored = Arbitraries.toStoredUsers(c.drafts, `${unique("q")}-`)
          yield* Effect.forEach(stored, (u) => users.insert(p, u), { discard: true })
          const query: StoreQuery.StoreQuery = {
            filter: Option.map(c.filter, (f) => check(Reference.UserResourceType, f)),
            sort: c.sort,
            page: c.page
          }
          const actual = yield* users.query(p, query)
          const expected = Reference.expectedPage(
            Reference.UserResourceType,
            stored.map(Reference.userDocument),
            c.filter,
            query.sort,
            c.page
          )
          const label = `${Option.match(c.filter, { onNone: () => "no filter", onSome: Filter.print })} / sort ${
            JSON.stringify(c.sort)
          }`
          assert.deepStrictEqual(ids(actual.items), expected.ids, label)
          assert.strictEqual(actual.total, expected.total, label)
          assert.strictEqual(actual.hasMore, expected.hasMore, label)
          for (const item of actual.items) assert.deepStrictEqual(item, stored.find((s) => s.id === item.id), label)
        }),
      { numRuns: 200 }
    ))

  it.effect("indexed equalities (id, userName in any case, externalId) alone and under and/or/not agree with the evaluator", () =>
    Effect.gen(function*() {
      const users = yield* UserStore.UserStore
      const p = freshPlatform()
      const stored = yield* Effect.forEach(
        [["alice@example.com", "ext-1", true], ["Bob@Example.com", "ext-2", false], [
          "carol@example.com",
          undefined,
          true
        ]] as const,
        ([userName, externalId, active], i) =>
          users.insert(
            p,
            newUser({
              userName,
              minute: i,
              ...(externalId !== undefined ? { externalId } : {}),
              extra: { active, title: i === 2 ? "Boss" : "Staff" }
            })
          )
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
        const page = yield* users.query(p, usersWhere(text))
        const expected = Reference.expectedPage(
          Reference.UserResourceType,
          docs,
          Option.some(parse(text)),
          Option.none(),
          allPage
        )
        assert.deepStrictEqual(ids(page.items), expected.ids, text)
        assert.strictEqual(page.total, expected.total, text)
      }
    }))

  it.effect("count 0 returns no items but the total; a startIndex past the end returns none", () =>
    Effect.gen(function*() {
      const users = yield* UserStore.UserStore
      const p = freshPlatform()
      yield* Effect.forEach([1, 2, 3], (n) => users.insert(p, newUser({ userName: `n${n}@example.com`, minute: n })))
      const zero = yield* users.query(p, { ...allItems, page: { _tag: "Index", startIndex: 1, count: 0 } })
      assert.deepStrictEqual(zero.items, [])
      assert.strictEqual(zero.total, 3)
      const past = yield* users.query(p, { ...allItems, page: { _tag: "Index", startIndex: 10, count: 5 } })
      assert.deepStrictEqual(past.items, [])
      assert.strictEqual(past.total, 3)
      assert.isFalse(past.hasMore)
      const middle = yield* users.query(p, { ...allItems, page: { _tag: "Index", startIndex: 2, count: 1 } })
      assert.deepStrictEqual(middle.items.map((u) => u.userName), ["n2@example.com"])
      assert.isTrue(middle.hasMore)
    }))

  it.effect("a cursor walk forward, then backward, visits every item that existed throughout exactly once", () =>
    Property.check(
      fc.record({
        drafts: Arbitraries.userDrafts({ minLength: 1, maxLength: 20 }),
        sort: fc.option(Arbitraries.userSort, { nil: undefined }),
        size: fc.integer({ min: 1, max: 6 }),
        inserts: Arbitraries.userDrafts({ maxLength: 8 }),
        removals: fc.nat(5)
      }),
      ({ drafts, inserts, removals, size, sort }) =>
        Effect.gen(function*() {
          const users = yield* UserStore.UserStore
          const p = freshPlatform()
          const prefix = `${unique("c")}-`
          const initial = Arbitraries.toStoredUsers(drafts, prefix)
          yield* Effect.forEach(initial, (u) => users.insert(p, u), { discard: true })
          const sortOption = Option.fromNullishOr(sort)
          const rt = Reference.UserResourceType
          const position = (u: Model.StoredUser): StoreQuery.CursorPosition =>
            Sort.position(rt, sortOption, Reference.userDocument(u))
          const walk = (backward: boolean, round: string) =>
            Effect.gen(function*() {
              // Removed mid-walk: the first `removals` initial users; inserted mid-walk: `inserts`.
              const volatile = new Set(initial.slice(0, removals).map((u) => u.id))
              const stable = initial.filter((u) => !volatile.has(u.id))
              const toRemove = initial.slice(0, removals)
              const added = Arbitraries.toStoredUsers([...drafts, ...inserts], `${prefix}${round}-`).slice(
                drafts.length
              )
              const seen: Array<Model.StoredUser> = []
              let after = Option.none<StoreQuery.CursorPosition>()
              for (let step = 0; step < 200; step++) {
                const page = yield* users.query(p, {
                  filter: Option.none(),
                  sort: sortOption,
                  page: { _tag: "Cursor", after, backward, count: size }
                })
                assert.isAtMost(page.items.length, size)
                for (const item of (backward ? [...page.items].reverse() : page.items)) seen.push(item)
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
              const inOrder = [...stableSeen].sort((a, b) =>
                order(Reference.userDocument(a), Reference.userDocument(b))
              )
              const walked = backward ? [...stableSeen].reverse() : stableSeen
              assert.deepStrictEqual(ids(walked), ids(inOrder), "visited in the query's order")
              // restore the initial population for the next walk
              const remaining = yield* users.query(p, allItems)
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
      const users = yield* UserStore.UserStore
      const p = freshPlatform()
      const us = yield* Effect.forEach([0, 1, 2, 3, 4], (n) =>
        users.insert(p, newUser({ userName: `c${n}@example.com`, minute: n })))
      const pos = (u: Model.StoredUser): StoreQuery.CursorPosition => ({
        sortValue: DateTime.formatIso(u.created),
        id: u.id
      })
      const first = yield* users.query(p, {
        ...allItems,
        page: { _tag: "Cursor", after: Option.none(), backward: false, count: 2 }
      })
      assert.deepStrictEqual(ids(first.items), ids(us.slice(0, 2)))
      assert.isTrue(first.hasMore)
      assert.strictEqual(first.total, 5)
      const last = yield* users.query(p, {
        ...allItems,
        page: { _tag: "Cursor", after: Option.some(pos(us[2]!)), backward: false, count: 2 }
      })
      assert.deepStrictEqual(ids(last.items), ids(us.slice(3)))
      assert.isFalse(last.hasMore)
      const back = yield* users.query(p, {
        ...allItems,
        page: { _tag: "Cursor", after: Option.some(pos(us[3]!)), backward: true, count: 2 }
      })
      assert.deepStrictEqual(ids(back.items), ids(us.slice(1, 3)))
      assert.isTrue(back.hasMore)
      const start = yield* users.query(p, {
        ...allItems,
        page: { _tag: "Cursor", after: Option.some(pos(us[2]!)), backward: true, count: 5 }
      })
      assert.deepStrictEqual(ids(start.items), ids(us.slice(0, 2)))
      assert.isFalse(start.hasMore)
      const tail = yield* users.query(p, {
        ...allItems,
        page: { _tag: "Cursor", after: Option.none(), backward: true, count: 2 }
      })
      assert.deepStrictEqual(ids(tail.items), ids(us.slice(3)))
      assert.isTrue(tail.hasMore)
    }))

  it.effect("query filters on the group view with members and returns projects in created, id order", () =>
    Effect.gen(function*() {
      const users = yield* UserStore.UserStore
      const projects = yield* ProjectStore.ProjectStore
      const p = freshPlatform()
      const ann = yield* users.insert(p, newUser({ userName: "ann@example.com", displayName: "Ann" }))
      const bob = yield* users.insert(p, newUser({ userName: "bob@example.com" }))
      const gs = yield* Effect.forEach(
        [["Alpha", 2, "x1"], ["beta", 1, undefined], ["Gamma", 2, "x3"], ["Delta", 0, undefined]] as const,
        ([n, m, x]) => projects.insert(p, newProject(n, { minute: m, ...(x !== undefined ? { externalId: x } : {}) }))
      )
      yield* projects.addMembers(p, gs[0]!.id, [member(ann.id), member(bob.id)], "scim")
      yield* projects.addMembers(p, gs[1]!.id, [member(bob.id)], "scim")
      yield* projects.addMembers(p, gs[2]!.id, [member(ann.id)], "scim")
      const docs = yield* Effect.forEach(
        gs,
        (g) => Effect.map(projects.listMembers(p, g.id), (members) => Reference.projectDocument(g, members))
      )
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
        const page = yield* projects.query(p, projectsWhere(text))
        const expected = Reference.expectedPage(
          Reference.GroupResourceType,
          docs,
          Option.some(parse(text)),
          Option.none(),
          allPage
        )
        assert.deepStrictEqual(ids(page.items), expected.ids, text)
        assert.strictEqual(page.total, expected.total, text)
      }
      const all = yield* projects.query(p, allItems)
      const byCreated = [...gs].sort((a, b) =>
        DateTime.toEpochMillis(a.created) - DateTime.toEpochMillis(b.created) ||
        (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
      )
      assert.deepStrictEqual(ids(all.items), ids(byCreated))
      assert.deepStrictEqual(all.items[0], byCreated[0])
      const sorted = yield* projects.query(p, {
        ...allItems,
        sort: Option.some({ path: { attribute: "displayName" }, descending: false })
      })
      assert.deepStrictEqual(sorted.items.map((g) => g.displayName), ["Alpha", "beta", "Delta", "Gamma"])
    }))
}
