import { assert, describe, it } from "@effect/vitest"
import * as Option from "effect/Option"
import * as Result from "effect/Result"
import * as fc from "fast-check"
import type { JsonObject } from "../src/domain/Model.js"
import * as Sort from "../src/query/Sort.js"
import { CustomUserAttributesUrn, EnterpriseUserUrn, UserResourceType } from "../src/schema/Schemas.js"

const rt = UserResourceType
const parsed = (sortBy?: string, sortOrder?: string): Sort.Sort => {
  const result = Sort.parse(rt, sortBy, sortOrder)
  if (Result.isFailure(result) || Option.isNone(result.success)) return assert.fail(`no sort for ${sortBy}`)
  return result.success.value
}
const ids = (docs: ReadonlyArray<JsonObject>): ReadonlyArray<unknown> => docs.map((d) => d.id)
const sorted = (docs: ReadonlyArray<JsonObject>, sort: Sort.Sort | Option.Option<Sort.Sort>) =>
  ids([...docs].sort(Sort.comparator(rt, sort)))

describe("Sort.parse", () => {
  it("no sortBy means the default order", () => {
    assert.deepStrictEqual(Sort.parse(rt), Result.succeed(Option.none()))
    assert.deepStrictEqual(Sort.parse(rt, " ", "descending"), Result.succeed(Option.none()))
  })

  it("resolves sortBy case-insensitively, with or without URN, ascending by default", () => {
    assert.deepStrictEqual(parsed("USERNAME"), { path: { attribute: "userName" }, descending: false })
    assert.deepStrictEqual(parsed("urn:ietf:params:scim:schemas:core:2.0:User:name.FamilyName", "DESCENDING"), {
      path: { attribute: "name", subAttribute: "familyName" },
      descending: true
    })
    assert.deepStrictEqual(parsed(`${EnterpriseUserUrn}:department`), {
      path: { uri: EnterpriseUserUrn, attribute: "department" },
      descending: false
    })
    assert.deepStrictEqual(parsed("meta.lastModified"), {
      path: { attribute: "meta", subAttribute: "lastModified" },
      descending: false
    })
  })

  it("sorts a multi-valued complex attribute by its value", () => {
    assert.deepStrictEqual(parsed("emails"), {
      path: { attribute: "emails", subAttribute: "value" },
      descending: false
    })
  })

  it("rejects a sortOrder other than ascending or descending", () => {
    const result = Sort.parse(rt, "userName", "up")
    assert.isTrue(Result.isFailure(result))
    if (Result.isFailure(result)) {
      assert.strictEqual(result.failure._tag, "InvalidValue")
      assert.include(result.failure.message, "\"ascending\" or \"descending\"")
    }
  })

  it("rejects unknown attributes and complex attributes without a sub-attribute", () => {
    const unknown = Sort.parse(rt, "shoeSize")
    assert.isTrue(Result.isFailure(unknown) && unknown.failure._tag === "InvalidPath")
    const complex = Sort.parse(rt, "name")
    assert.isTrue(Result.isFailure(complex))
    if (Result.isFailure(complex)) {
      assert.include(complex.failure.message, "sort by one of its sub-attributes, such as name.")
    }
  })
})

describe("Sort.comparator", () => {
  const users: ReadonlyArray<JsonObject> = [
    { id: "u3", userName: "carol", meta: { created: "2024-01-03T00:00:00Z" } },
    { id: "u1", userName: "Alice", meta: { created: "2024-01-01T00:00:00+05:00" } },
    { id: "u4", meta: { created: "2024-01-01T00:00:00Z" } },
    { id: "u2", userName: "bob", meta: { created: "2024-01-02T00:00:00Z" } }
  ]

  it("orders caseExact=false strings case-insensitively, missing values last when ascending", () => {
    assert.deepStrictEqual(sorted(users, parsed("userName")), ["u1", "u2", "u3", "u4"])
  })

  it("descending puts missing values first", () => {
    assert.deepStrictEqual(sorted(users, parsed("userName", "descending")), ["u4", "u3", "u2", "u1"])
  })

  it("without a sort orders by meta.created as instants, then id", () => {
    assert.deepStrictEqual(sorted(users, Option.none()), ["u1", "u4", "u2", "u3"])
  })

  it("breaks ties by id", () => {
    const docs = [{ id: "b", title: "x" }, { id: "a", title: "X" }, { id: "c", title: "x" }]
    assert.deepStrictEqual(sorted(docs, parsed("title")), ["a", "b", "c"])
    assert.deepStrictEqual(sorted(docs, parsed("title", "descending")), ["c", "b", "a"])
  })

  it("uses the primary value of a multi-valued attribute, else the first", () => {
    const docs = [
      { id: "1", emails: [{ value: "z@x.com" }, { value: "a@x.com", primary: true }] },
      { id: "2", emails: [{ value: "m@x.com" }, { value: "b@x.com" }] },
      { id: "3", emails: [] }
    ]
    assert.deepStrictEqual(sorted(docs, parsed("emails.value")), ["1", "2", "3"])
    assert.strictEqual(Sort.sortValue(rt, Option.some(parsed("emails")), docs[0]!), "a@x.com")
  })

  it("honours caseExact and extension attributes", () => {
    const docs = [{ id: "1", externalId: "b" }, { id: "2", externalId: "B" }, { id: "3", externalId: "a" }]
    assert.deepStrictEqual(sorted(docs, parsed("externalId")), ["2", "3", "1"])
    const ext = [
      { id: "1", [CustomUserAttributesUrn]: { platformRole: "OPERATOR" } },
      { id: "2", [CustomUserAttributesUrn]: { platformRole: "ADMIN" } },
      { id: "3" }
    ]
    assert.deepStrictEqual(sorted(ext, parsed("platformRole")), ["2", "1", "3"])
  })

  it("sortValue is meta.created without a sort", () => {
    assert.strictEqual(Sort.sortValue(rt, Option.none(), users[0]!), "2024-01-03T00:00:00Z")
    assert.strictEqual(Sort.sortValue(rt, Option.none(), { id: "x" }), null)
  })

  const docArb = fc.record({
    id: fc.string({ minLength: 1, maxLength: 4 }),
    userName: fc.option(fc.constantFrom("a", "A", "b", "B", "c"), { nil: undefined }),
    title: fc.option(fc.string({ maxLength: 3 }), { nil: undefined })
  }).map((r) => JSON.parse(JSON.stringify(r)) as JsonObject)
  const sortArb = fc.tuple(
    fc.constantFrom("userName", "title", "id", "meta.created"),
    fc.constantFrom("ascending", "descending")
  )

  it("is a total order: antisymmetric, and sorting agrees with comparePositions", () => {
    fc.assert(fc.property(
      fc.record({
        docs: fc.uniqueArray(docArb, { selector: (d) => d.id, maxLength: 12 }),
        sort: sortArb
      }),
      ({ docs, sort }) => {
        const s = parsed(sort[0], sort[1])
        const compare = Sort.comparator(rt, s)
        for (const a of docs) {
          for (const b of docs) {
            assert.strictEqual(Math.sign(compare(a, b)), -Math.sign(compare(b, a)))
            if (a !== b) assert.notStrictEqual(compare(a, b), 0)
            assert.strictEqual(
              Math.sign(compare(a, b)),
              Math.sign(
                Sort.comparePositions(rt, s, Sort.position(rt, Option.some(s), a), Sort.position(rt, Option.some(s), b))
              )
            )
          }
        }
        const list = [...docs].sort(compare)
        for (let i = 1; i < list.length; i++) assert.isTrue(compare(list[i - 1]!, list[i]!) < 0)
      }
    ))
  })

  it("positioner and positionComparator, resolved once, agree with position and comparePositions", () => {
    fc.assert(fc.property(
      fc.record({
        docs: fc.uniqueArray(docArb, { selector: (d) => d.id, maxLength: 8 }),
        sort: fc.option(sortArb, { nil: undefined })
      }),
      ({ docs, sort }) => {
        const s = sort === undefined ? Option.none() : Option.some(parsed(sort[0], sort[1]))
        const positionOf = Sort.positioner(rt, s)
        const compare = Sort.positionComparator(rt, s)
        for (const a of docs) {
          assert.deepStrictEqual(positionOf(a), Sort.position(rt, s, a))
          for (const b of docs) {
            assert.strictEqual(
              compare(positionOf(a), positionOf(b)),
              Sort.comparePositions(rt, s, Sort.position(rt, s, a), Sort.position(rt, s, b))
            )
          }
        }
      }
    ))
  })
})
