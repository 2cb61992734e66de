import { assert, describe, it } from "@effect/vitest"
import * as Result from "effect/Result"
import * as fc from "fast-check"
import type { CompatibilityProfile, JsonObject } from "../src/domain/Model.js"
import * as Filter from "../src/filter/Filter.js"
import * as MemberPlan from "../src/patch/MemberPlan.js"
import * as Patch from "../src/patch/Patch.js"
import * as Profiles from "../src/profile/Profiles.js"
import { GroupResourceType, GroupUrn, PatchOpUrn } from "../src/schema/Schemas.js"

const body = (...Operations: ReadonlyArray<unknown>) => ({ schemas: [PatchOpUrn], Operations })

const split = (b: unknown, profile: CompatibilityProfile = "lenient") => MemberPlan.split(b, { profile })

const ok = (result: Result.Result<MemberPlan.Plan, Patch.PatchError>): MemberPlan.Plan => {
  if (Result.isFailure(result)) assert.fail(`expected a plan, got ${result.failure._tag}: ${result.failure.message}`)
  return result.success
}
const failure = (result: Result.Result<MemberPlan.Plan, Patch.PatchError>): Patch.PatchError => {
  if (Result.isSuccess(result)) assert.fail(`expected an error, got ${JSON.stringify(result.success)}`)
  return result.failure
}

describe("MemberPlan.split", () => {
  it("Entra: Add members with path \"members\" and [{$ref: null, value}]", () => {
    const plan = ok(
      split(body({ op: "Add", path: "members", value: [{ $ref: null, value: "f648f8d5ea4e4cd38e9c" }] }), "entra")
    )
    assert.deepStrictEqual(plan.steps, [{ _tag: "Add", members: [{ value: "f648f8d5ea4e4cd38e9c" }] }])
    assert.isFalse(MemberPlan.hasRest(plan))
    assert.deepStrictEqual(plan.quirks, [Profiles.OpCaseInsensitive])
  })

  it("Entra: Remove members with path \"members\" and a value list removes those members only", () => {
    const plan = ok(
      split(body({ op: "Remove", path: "members", value: [{ $ref: null, value: "a" }, { value: "b" }] }), "entra")
    )
    assert.deepStrictEqual(plan.steps, [{ _tag: "Remove", ids: ["a", "b"] }])
    assert.include(plan.quirks, Profiles.RemoveWithValue)
    const strict = failure(split(body({ op: "remove", path: "members", value: [{ value: "a" }] }), "rfc"))
    assert.strictEqual(strict._tag, "InvalidValue")
  })

  it("Okta: group push adds [{value, display}] and removes with members[value eq …]", () => {
    const push = Array.from({ length: 256 }, (_, i) => ({ value: `u${i}`, display: `user${i}@example.com` }))
    const added = ok(split(body({ op: "add", path: "members", value: push }), "okta"))
    assert.strictEqual(added.steps.length, 1)
    const step = added.steps[0]!
    assert.strictEqual(step._tag, "Add")
    if (step._tag === "Add") {
      assert.lengthOf(step.members, 256)
      assert.deepStrictEqual(step.members[0], { value: "u0", display: "user0@example.com" })
    }
    const removed = ok(split(body({ op: "remove", path: "members[value eq \"u7\"]" }), "okta"))
    assert.deepStrictEqual(removed.steps, [{ _tag: "Remove", ids: ["u7"] }])
    assert.deepStrictEqual(removed.quirks, [])
  })

  it("an or-chain of value eq removes each id", () => {
    const plan = ok(
      split(body({ op: "remove", path: "members[value eq \"a\" or value eq \"b\" or VALUE eq \"c\"]" }), "rfc")
    )
    assert.deepStrictEqual(plan.steps, [{ _tag: "Remove", ids: ["a", "b", "c"] }])
  })

  it("other filters become RemoveWhere for the service to evaluate", () => {
    const plan = ok(split(body({ op: "remove", path: "members[display co \"contractor\"]" }), "rfc"))
    assert.strictEqual(plan.steps.length, 1)
    const step = plan.steps[0]!
    assert.strictEqual(step._tag, "RemoveWhere")
    if (step._tag === "RemoveWhere") assert.strictEqual(Filter.print(step.filter), "display co \"contractor\"")
    const mixed = ok(split(body({ op: "remove", path: "members[value eq \"a\" and type eq \"User\"]" }), "rfc"))
    assert.strictEqual(mixed.steps[0]!._tag, "RemoveWhere")
    assert.strictEqual(
      failure(split(body({ op: "remove", path: "members[color eq \"red\"]" }), "rfc"))._tag,
      "InvalidPath"
    )
  })

  it("Okta: replace members with [] then add keeps the order", () => {
    const plan = ok(split(
      body(
        { op: "replace", path: "members", value: [] },
        { op: "add", path: "members", value: [{ value: "u9", display: "Nine" }] }
      ),
      "okta"
    ))
    assert.deepStrictEqual(plan.steps, [
      { _tag: "Set", members: [] },
      { _tag: "Add", members: [{ value: "u9", display: "Nine" }] }
    ])
  })

  it("Okta: path-less replace of {id, displayName, members} splits members out of the value", () => {
    const plan = ok(split(
      body({
        op: "replace",
        value: { id: "abf4dd94", displayName: "Test SCIMv2", members: [{ value: "u2", display: "Two" }] }
      }),
      "okta"
    ))
    assert.deepStrictEqual(plan.steps, [{ _tag: "Set", members: [{ value: "u2", display: "Two" }] }])
    assert.deepStrictEqual(plan.rest, {
      schemas: [PatchOpUrn],
      Operations: [{ op: "replace", path: undefined, value: { id: "abf4dd94", displayName: "Test SCIMv2" } }]
    })
    const patched = Patch.apply(GroupResourceType, { displayName: "Old" }, plan.rest, { profile: "okta" })
    assert.isTrue(Result.isSuccess(patched))
    if (Result.isSuccess(patched)) assert.deepStrictEqual(patched.success.document, { displayName: "Test SCIMv2" })
  })

  it("remove of the whole attribute is RemoveAll; replace of it is Set", () => {
    assert.deepStrictEqual(ok(split(body({ op: "remove", path: "members" }), "rfc")).steps, [{ _tag: "RemoveAll" }])
    assert.deepStrictEqual(
      ok(split(body({ op: "replace", path: `${GroupUrn}:members`, value: [{ value: "a" }, { value: "A" }] }), "rfc"))
        .steps,
      [
        { _tag: "Set", members: [{ value: "a" }] }
      ]
    )
  })

  it("Microsoft validator: a bare id string is one member (lenient quirk)", () => {
    const plan = ok(split(body({ op: "add", path: "members", value: "u7" }), "lenient"))
    assert.deepStrictEqual(plan.steps, [{ _tag: "Add", members: [{ value: "u7" }] }])
    assert.include(plan.quirks, Profiles.BareStringValue)
    assert.strictEqual(failure(split(body({ op: "add", path: "members", value: "u7" }), "rfc"))._tag, "InvalidValue")
  })

  it("keeps other operations in rest, lower-cased, for Patch.apply", () => {
    const plan = ok(split(
      body(
        { op: "Replace", path: "displayName", value: "New name" },
        { op: "Add", path: "members", value: [{ value: "u1" }] },
        { op: "Add", value: { externalId: "ext-1", members: [{ value: "u2" }] } }
      ),
      "entra"
    ))
    assert.deepStrictEqual(plan.steps, [
      { _tag: "Add", members: [{ value: "u1" }] },
      { _tag: "Add", members: [{ value: "u2" }] }
    ])
    assert.deepStrictEqual(plan.rest.Operations, [
      { op: "replace", path: "displayName", value: "New name" },
      { op: "add", path: undefined, value: { externalId: "ext-1" } }
    ])
  })

  it("members cannot change in place: value, type and $ref are immutable, display is the server's", () => {
    for (
      const op of [
        { op: "replace", path: "members[value eq \"a\"].value", value: "b" },
        { op: "replace", path: "members[value eq \"a\"]", value: { value: "b" } },
        { op: "remove", path: "members[value eq \"a\"].value" },
        { op: "replace", path: "members.value", value: "b" }
      ]
    ) {
      assert.strictEqual(failure(split(body(op), "lenient"))._tag, "Mutability", JSON.stringify(op))
    }
    assert.deepStrictEqual(
      ok(split(body({ op: "replace", path: "members[value eq \"a\"]", value: { value: "a", display: "A" } }))).steps,
      []
    )
  })

  it("rejects a member without a string value and a member type other than User or Group", () => {
    assert.strictEqual(
      failure(split(body({ op: "add", path: "members", value: [{ display: "x" }] })))._tag,
      "InvalidValue"
    )
    assert.strictEqual(
      failure(split(body({ op: "add", path: "members", value: [{ value: "a", type: "Robot" }] })))._tag,
      "InvalidValue"
    )
  })

  it("body errors are the PATCH ones", () => {
    assert.strictEqual(failure(split({ Operations: [] }, "rfc"))._tag, "InvalidSyntax")
    const empty = ok(split(body(), "lenient"))
    assert.deepStrictEqual(empty.steps, [])
    assert.isFalse(MemberPlan.hasRest(empty))
  })

  const memberIds = fc.uniqueArray(fc.stringMatching(/^[a-z0-9]{1,6}$/), { maxLength: 8 })
  const memberOp = fc.oneof(
    fc.record({
      op: fc.constant("add"),
      path: fc.constant("members"),
      value: memberIds.map((ids) => ids.map((value) => ({ value })))
    }),
    fc.record({
      op: fc.constant("replace"),
      path: fc.constant("members"),
      value: memberIds.map((ids) => ids.map((value) => ({ value })))
    }),
    fc.record({ op: fc.constant("remove"), path: fc.constant("members") }),
    fc.record({
      op: fc.constant("remove"),
      path: memberIds.filter((ids) => ids.length > 0).map((ids) =>
        `members[${ids.map((id) => `value eq "${id}"`).join(" or ")}]`
      )
    })
  )

  const run = (members: ReadonlyArray<string>, steps: ReadonlyArray<MemberPlan.MemberStep>): ReadonlyArray<string> => {
    let out = [...members]
    for (const step of steps) {
      switch (step._tag) {
        case "Add":
          for (const m of step.members) if (!out.includes(m.value)) out.push(m.value)
          break
        case "Remove":
          out = out.filter((id) => !step.ids.includes(id))
          break
        case "RemoveAll":
          out = []
          break
        case "Set":
          out = step.members.map((m) => m.value)
          break
        case "RemoveWhere":
          assert.fail("plain member operations never need RemoveWhere")
      }
    }
    return out
  }

  it("running the steps gives the members the full-document engine gives", () => {
    fc.assert(fc.property(
      fc.record({
        members: memberIds,
        ops: fc.array(memberOp, { minLength: 1, maxLength: 4 })
      }),
      ({ members, ops }) => {
        const doc: JsonObject = members.length > 0
          ? { displayName: "g", members: members.map((value) => ({ value })) }
          : { displayName: "g" }
        const patched = Patch.apply(GroupResourceType, doc, body(...ops), { profile: "lenient" })
        const plan = MemberPlan.split(body(...ops), { profile: "lenient" })
        if (Result.isFailure(plan)) return assert.fail(plan.failure.message)
        if (Result.isFailure(patched)) {
          assert.strictEqual(patched.failure._tag, "NoTarget")
          return
        }
        const expected = ((patched.success.document["members"] ?? []) as ReadonlyArray<JsonObject>).map((m) =>
          String(m["value"])
        )
        assert.deepStrictEqual(run(members, plan.success.steps), expected)
      }
    ))
  })
})
