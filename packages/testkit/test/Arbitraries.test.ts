import { assert, describe, it } from "@effect/vitest"
import { Filter, Schemas, Sort } from "@scimkit/core"
import * as Option from "effect/Option"
import * as Result from "effect/Result"
import * as fc from "fast-check"
import { Arbitraries, Reference } from "../src/index.js"

const rt = Schemas.UserResourceType

describe("Arbitraries", () => {
  it("generated filters compile against the User resource type", () =>
    fc.assert(fc.property(fc.record({ filter: Arbitraries.userFilter() }), ({ filter }) => {
      const compiled = Filter.compile(rt, filter)
      assert.isTrue(Result.isSuccess(compiled), Result.isFailure(compiled) ? compiled.failure.message : "")
    })))

  it("generated filters survive print and parse", () =>
    fc.assert(fc.property(fc.record({ filter: Arbitraries.userFilter() }), ({ filter }) => {
      assert.deepStrictEqual(Filter.parseResult(Filter.print(filter)), Result.succeed(filter))
    })))

  it("stored users have unique ids, userNames (any case) and externalIds", () =>
    fc.assert(fc.property(fc.record({ drafts: Arbitraries.userDrafts() }), ({ drafts }) => {
      const users = Arbitraries.toStoredUsers(drafts, "x-")
      assert.strictEqual(new Set(users.map((u) => u.id)).size, users.length)
      assert.strictEqual(new Set(users.map((u) => u.userName.toLowerCase())).size, users.length)
      const externalIds = users.flatMap((u) => Option.toArray(u.externalId))
      assert.strictEqual(new Set(externalIds).size, externalIds.length)
    })))

  it("generated sorts resolve and order the views totally", () =>
    fc.assert(fc.property(
      fc.record({ sort: Arbitraries.userSort, drafts: Arbitraries.userDrafts({ maxLength: 10 }) }),
      ({ drafts, sort }) => {
        const docs = Arbitraries.toStoredUsers(drafts, "s-").map(Reference.userDocument)
        const compare = Sort.comparator(rt, Option.some(sort))
        for (const a of docs) {
          for (const b of docs) assert.strictEqual(Math.sign(compare(a, b)), a === b ? 0 : -Math.sign(compare(b, a)))
        }
      }
    )))

  it("generated group filters check against the Group resource type", () =>
    fc.assert(fc.property(Arbitraries.groupQueryCase(), ({ filter }) => {
      for (const f of Option.toArray(filter)) {
        const checked = Filter.check(Schemas.GroupResourceType, f)
        assert.isTrue(Result.isSuccess(checked), Result.isFailure(checked) ? checked.failure.message : "")
      }
    })))

  it("generated group filters survive print and parse", () =>
    fc.assert(fc.property(Arbitraries.groupQueryCase(), ({ filter }) => {
      for (const f of Option.toArray(filter)) {
        assert.deepStrictEqual(Filter.parseResult(Filter.print(f)), Result.succeed(f))
      }
    })))

  it("stored projects have unique ids, displayNames (any case) and externalIds", () =>
    fc.assert(fc.property(fc.record({ drafts: Arbitraries.groupDrafts({ maxLength: 30 }) }), ({ drafts }) => {
      const projects = Arbitraries.toStoredProjects(drafts, "x-")
      assert.strictEqual(new Set(projects.map((p) => p.id)).size, projects.length)
      assert.strictEqual(new Set(projects.map((p) => p.displayName.toLowerCase())).size, projects.length)
      const externalIds = projects.flatMap((p) => Option.toArray(p.externalId))
      assert.strictEqual(new Set(externalIds).size, externalIds.length)
    })))

  it("query cases often select a strict, non-empty subset of the users (the filters are informative)", () => {
    const cases = fc.sample(Arbitraries.userQueryCase({ maxUsers: 20 }), { seed: 7, numRuns: 300 })
    let partial = 0
    let withFilter = 0
    for (const c of cases) {
      if (Option.isNone(c.filter) || c.drafts.length === 0) continue
      withFilter++
      const docs = Arbitraries.toStoredUsers(c.drafts, "").map(Reference.userDocument)
      const page = Reference.expectedPage(rt, docs, c.filter, Option.none(), {
        _tag: "Index",
        startIndex: 1,
        count: 100
      })
      if (page.total > 0 && page.total < docs.length) partial++
    }
    assert.isAbove(withFilter, 150)
    assert.isAbove(partial / withFilter, 0.3)
  })
})
