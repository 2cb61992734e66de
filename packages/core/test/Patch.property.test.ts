import { assert, describe, it } from "@effect/vitest"
import * as Result from "effect/Result"
import * as fc from "fast-check"
import type { CompatibilityProfile, Json, JsonObject } from "../src/domain/Model.js"
import * as Patch from "../src/patch/Patch.js"
import * as Resource from "../src/schema/Resource.js"
import {
  CustomUserAttributesUrn,
  EnterpriseUserUrn,
  GroupResourceType,
  PatchOpUrn,
  PlatformRoles,
  UserResourceType
} from "../src/schema/Schemas.js"

const body = (Operations: ReadonlyArray<unknown>) => ({ schemas: [PatchOpUrn], Operations })

const word = fc.stringMatching(/^[a-z][a-z0-9]{0,7}$/)
const email = fc.tuple(word, word).map(([a, b]) => `${a}@${b}.example`)
const emailType = fc.constantFrom("work", "home", "other")
const profile: fc.Arbitrary<CompatibilityProfile> = fc.constantFrom("rfc", "entra", "okta", "lenient")

const emailElement = fc.record({ value: email, type: emailType }, { requiredKeys: ["value"] })

/** Valid, canonical user documents (the normalized form `Resource.validate` returns). */
const userDoc: fc.Arbitrary<JsonObject> = fc.record({
  userName: email,
  displayName: word,
  title: word,
  active: fc.boolean(),
  name: fc.record({ givenName: word, familyName: word }, { requiredKeys: [] }).filter((n) => Object.keys(n).length > 0),
  emails: fc.tuple(
    fc.uniqueArray(emailElement, { minLength: 1, maxLength: 3, selector: (e) => e.value }),
    fc.boolean()
  ).map(([emails, primary]): ReadonlyArray<Json> =>
    primary ? [{ ...emails[0]!, primary: true }, ...emails.slice(1)] : emails
  ),
  [EnterpriseUserUrn]: fc.record({ department: word, costCenter: word }, { requiredKeys: ["department"] }),
  [CustomUserAttributesUrn]: fc.record({ platformRole: fc.constantFrom(...PlatformRoles) })
}, { requiredKeys: ["userName"] })

const simplePath = fc.constantFrom(
  "displayName",
  "title",
  "nickName",
  "name.givenName",
  "NAME.familyName",
  `${EnterpriseUserUrn}:department`,
  `${EnterpriseUserUrn}:costCenter`
)

/** Replace operations over paths the User schema has, with values of the right type. */
const replaceOp: fc.Arbitrary<JsonObject> = fc.oneof(
  fc.record({ op: fc.constant("replace"), path: simplePath, value: word }),
  fc.record({ op: fc.constant("replace"), path: fc.constant("active"), value: fc.boolean() }),
  fc.record({
    op: fc.constant("replace"),
    path: fc.constant("emails"),
    value: fc.uniqueArray(emailElement, { maxLength: 2, selector: (e) => e.value })
  }),
  fc.record({ op: fc.constant("replace"), path: fc.constant("emails[type eq \"work\"].value"), value: email }),
  fc.record({
    op: fc.constant("replace"),
    path: fc.constant("emails[type eq \"home\"]"),
    value: fc.record({ value: email })
  }),
  fc.record({
    op: fc.constant("replace"),
    path: fc.constant(`${CustomUserAttributesUrn}:platformRole`),
    value: fc.constantFrom(...PlatformRoles)
  }),
  fc.record({
    op: fc.constant("replace"),
    value: fc.record({ displayName: word, active: fc.boolean() }, { requiredKeys: [] })
  })
)

/** Any operation: valid ones, and ones that must be rejected (read-only targets, bad types, no target, unknown paths). */
const anyOp: fc.Arbitrary<JsonObject> = fc.oneof(
  replaceOp,
  fc.record({ op: fc.constant("add"), path: simplePath, value: word }),
  fc.record({ op: fc.constant("add"), path: fc.constant("emails"), value: fc.array(emailElement, { maxLength: 2 }) }),
  fc.record({
    op: fc.constant("remove"),
    path: fc.constantFrom(
      "displayName",
      "emails",
      "name.givenName",
      "emails[type eq \"home\"]",
      `${EnterpriseUserUrn}:department`
    )
  }),
  fc.record({
    op: fc.constantFrom("add", "replace", "remove"),
    path: fc.constantFrom("id", "meta", "meta.created", "groups", "nosuch", "emails[", "userName"),
    value: word
  }),
  fc.record({
    op: fc.constantFrom("add", "replace"),
    path: fc.constantFrom("active", "emails", "name"),
    value: fc.oneof(word, fc.integer())
  }),
  fc.record({ op: fc.constant("Replace"), path: fc.constant("active"), value: fc.constantFrom("True", "False") }),
  fc.record({
    op: fc.constant("add"),
    value: fc.record({ id: word, "name.givenName": word, [`${EnterpriseUserUrn}:department`]: word }, {
      requiredKeys: []
    })
  })
)

const deepFreeze = <A>(value: A): A => {
  if (typeof value === "object" && value !== null) {
    for (const key of Object.keys(value)) deepFreeze((value as { readonly [key: string]: unknown })[key])
    Object.freeze(value)
  }
  return value
}

const render = (doc: JsonObject): JsonObject => ({
  schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
  id: "2819c223-7f76-453a-919d-413861904646",
  ...doc,
  meta: {
    resourceType: "User",
    created: "2010-01-23T04:56:22Z",
    lastModified: "2011-05-13T04:42:34Z",
    version: "W/\"3\""
  }
})

describe("Patch laws", () => {
  it("replace twice equals replace once", () => {
    fc.assert(fc.property(fc.record({ doc: userDoc, op: replaceOp, profile }), ({ doc, op, profile }) => {
      const once = Patch.apply(UserResourceType, doc, body([op]), { profile })
      if (Result.isFailure(once)) return
      const twice = Patch.apply(UserResourceType, once.success.document, body([op]), { profile })
      assert.isTrue(Result.isSuccess(twice))
      if (Result.isSuccess(twice)) assert.deepStrictEqual(twice.success.document, once.success.document)
    }))
  })

  it("add then remove of a new multi-valued element restores the original", () => {
    fc.assert(fc.property(fc.record({ doc: userDoc, element: emailElement, profile }), ({ doc, element, profile }) => {
      const existing = ((doc["emails"] ?? []) as ReadonlyArray<JsonObject>).map((e) => String(e["value"]).toLowerCase())
      fc.pre(!existing.includes(element.value.toLowerCase()))
      const added = Patch.apply(UserResourceType, doc, body([{ op: "add", path: "emails", value: [element] }]), {
        profile
      })
      if (Result.isFailure(added)) return assert.fail(added.failure.message)
      const removed = Patch.apply(
        UserResourceType,
        added.success.document,
        body([{ op: "remove", path: `emails[value eq "${element.value}"]` }]),
        { profile }
      )
      if (Result.isFailure(removed)) return assert.fail(removed.failure.message)
      assert.deepStrictEqual(removed.success.document, doc)
    }))
  })

  it("add then remove of a new member restores the group", () => {
    fc.assert(fc.property(
      fc.record({
        members: fc.uniqueArray(word, { maxLength: 20 }),
        fresh: word,
        profile
      }),
      ({ fresh, members, profile }) => {
        fc.pre(!members.includes(fresh))
        const doc: JsonObject = members.length > 0
          ? { displayName: "g", members: members.map((value) => ({ value })) }
          : { displayName: "g" }
        const added = Patch.apply(
          GroupResourceType,
          doc,
          body([{ op: "add", path: "members", value: [{ value: fresh }] }]),
          { profile }
        )
        if (Result.isFailure(added)) return assert.fail(added.failure.message)
        const removed = Patch.apply(
          GroupResourceType,
          added.success.document,
          body([{ op: "remove", path: `members[value eq "${fresh}"]` }]),
          { profile }
        )
        if (Result.isFailure(removed)) return assert.fail(removed.failure.message)
        assert.deepStrictEqual(removed.success.document, doc)
      }
    ))
  })

  it("a PATCH result always passes schema validation, in canonical form", () => {
    fc.assert(
      fc.property(
        fc.record({ doc: userDoc, ops: fc.array(anyOp, { minLength: 1, maxLength: 5 }), profile }),
        ({ doc, ops, profile }) => {
          const result = Patch.apply(UserResourceType, doc, body(ops), { profile })
          if (Result.isFailure(result)) return
          const valid = Resource.validate(UserResourceType, result.success.document, { profile: "rfc" })
          if (Result.isFailure(valid)) {
            return assert.fail(valid.failure.message)
          }
          assert.deepStrictEqual(valid.success, result.success.document)
        }
      )
    )
  })

  it("a rejected PATCH returns an error and leaves the resource unchanged", () => {
    fc.assert(
      fc.property(
        fc.record({ doc: userDoc, ops: fc.array(anyOp, { minLength: 1, maxLength: 5 }), profile }),
        ({ doc, ops, profile }) => {
          const before = structuredClone(doc)
          const frozen = deepFreeze(doc)
          const result = Patch.apply(UserResourceType, frozen, body(ops), { profile })
          assert.deepStrictEqual(frozen, before)
          if (Result.isFailure(result)) {
            assert.oneOf(result.failure._tag, [
              "InvalidSyntax",
              "InvalidPath",
              "InvalidValue",
              "NoTarget",
              "Mutability"
            ])
          }
        }
      )
    )
  })

  it("no PATCH changes id or meta.created", () => {
    fc.assert(
      fc.property(
        fc.record({ doc: userDoc, ops: fc.array(anyOp, { minLength: 1, maxLength: 5 }), profile }),
        ({ doc, ops, profile }) => {
          const rendered = render(doc)
          const result = Patch.apply(UserResourceType, rendered, body(ops), { profile })
          if (Result.isFailure(result)) return
          assert.strictEqual(result.success.document["id"], rendered["id"])
          assert.deepStrictEqual(result.success.document["meta"], rendered["meta"])
        }
      )
    )
  })

  it("an empty Operations list changes nothing (lenient)", () => {
    fc.assert(fc.property(fc.record({ doc: userDoc }), ({ doc }) => {
      const result = Patch.apply(UserResourceType, doc, body([]), { profile: "lenient" })
      assert.isTrue(Result.isSuccess(result) && result.success.document === doc)
    }))
  })
})
