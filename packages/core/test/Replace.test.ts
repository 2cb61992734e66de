import { assert, describe, it } from "@effect/vitest"
import * as Result from "effect/Result"
import * as fc from "fast-check"
import type { JsonObject } from "../src/domain/Model.js"
import * as Replace from "../src/patch/Replace.js"
import type { AttributeDef } from "../src/schema/Attribute.js"
import * as A from "../src/schema/Attribute.js"
import type { ResourceTypeDef } from "../src/schema/Schemas.js"
import { EnterpriseUserUrn, GroupResourceType, UserResourceType, UserUrn } from "../src/schema/Schemas.js"

const current: JsonObject = {
  id: "2819c223",
  meta: { resourceType: "User", created: "2010-01-23T04:56:22Z" },
  userName: "bjensen@example.com",
  displayName: "Babs",
  title: "Tour Guide",
  groups: [{ value: "g1", display: "Engineering" }],
  emails: [{ value: "bjensen@example.com", type: "work", primary: true }],
  [EnterpriseUserUrn]: { department: "Tours", manager: { value: "m1", displayName: "Mary" } }
}

const ok = (result: Result.Result<Replace.ReplaceResult, Replace.ReplaceError>): Replace.ReplaceResult => {
  if (Result.isFailure(result)) assert.fail(`expected success, got ${result.failure._tag}: ${result.failure.message}`)
  return result.success
}

describe("Replace (PUT, RFC 7644 §3.5.1)", () => {
  it("Okta's full-user PUT: attributes not sent are cleared, id, meta and groups stay the server's", () => {
    const result = ok(Replace.apply(UserResourceType, current, {
      schemas: [UserUrn, EnterpriseUserUrn],
      id: "something-else",
      meta: { created: "2099-01-01T00:00:00Z" },
      userName: "bjensen@example.com",
      name: { givenName: "Barbara", familyName: "Jensen" },
      emails: [{ primary: true, value: "bjensen@example.com", type: "work" }],
      displayName: "Barbara Jensen",
      locale: "en-US",
      groups: [],
      active: true,
      [EnterpriseUserUrn]: { manager: { value: "m2", displayName: "Someone" } }
    }, { profile: "okta" }))
    assert.deepStrictEqual(result.document, {
      id: "2819c223",
      meta: { resourceType: "User", created: "2010-01-23T04:56:22Z" },
      userName: "bjensen@example.com",
      name: { givenName: "Barbara", familyName: "Jensen" },
      emails: [{ primary: true, value: "bjensen@example.com", type: "work" }],
      displayName: "Barbara Jensen",
      locale: "en-US",
      groups: [{ value: "g1", display: "Engineering" }],
      active: true,
      [EnterpriseUserUrn]: { manager: { value: "m2", displayName: "Mary" } }
    })
  })

  it("drops an extension that is not sent any more", () => {
    const result = ok(
      Replace.apply(UserResourceType, current, { schemas: [UserUrn], userName: "b@example.com" }, { profile: "rfc" })
    )
    assert.isUndefined(result.document[EnterpriseUserUrn])
    assert.isUndefined(result.document["title"])
  })

  it("decoding errors are the normalizer's: a missing required attribute, a wrong type", () => {
    const missing = Replace.apply(UserResourceType, current, { schemas: [UserUrn], displayName: "x" }, {
      profile: "rfc"
    })
    assert.isTrue(Result.isFailure(missing) && missing.failure._tag === "InvalidValue")
    const wrong = Replace.apply(UserResourceType, current, { schemas: [UserUrn], userName: "b", active: "maybe" }, {
      profile: "lenient"
    })
    assert.isTrue(Result.isFailure(wrong) && wrong.failure._tag === "InvalidValue")
    const syntax = Replace.apply(UserResourceType, current, "nope", { profile: "lenient" })
    assert.isTrue(Result.isFailure(syntax) && syntax.failure._tag === "InvalidSyntax")
  })

  it("reports the normalizer's quirks (booleans as strings in lenient)", () => {
    const result = ok(
      Replace.apply(UserResourceType, current, { schemas: [UserUrn], userName: "b@example.com", active: "False" }, {
        profile: "lenient"
      })
    )
    assert.strictEqual(result.document["active"], false)
    assert.isAbove(result.quirks.length, 0)
  })

  it("members' display is the server's; the members sent are the list", () => {
    const result = ok(Replace.apply(GroupResourceType, { displayName: "Eng" }, {
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"],
      displayName: "Engineering",
      members: [{ value: "u1", display: "One" }, { value: "u2" }]
    }, { profile: "rfc" }))
    assert.deepStrictEqual(result.document, { displayName: "Engineering", members: [{ value: "u1" }, { value: "u2" }] })
  })

  describe("immutable attributes", () => {
    const badge: AttributeDef = A.string("badge", "An immutable badge number.", { mutability: "immutable" })
    const rt: ResourceTypeDef = {
      ...UserResourceType,
      schema: { ...UserResourceType.schema, attributes: [...UserResourceType.schema.attributes, badge] }
    }
    const withBadge: JsonObject = { userName: "b@example.com", badge: "B-1" }

    it("must match once set, may be left out (kept), and may be set when absent", () => {
      const changed = Replace.apply(rt, withBadge, { schemas: [UserUrn], userName: "b@example.com", badge: "B-2" }, {
        profile: "rfc"
      })
      assert.isTrue(Result.isFailure(changed) && changed.failure._tag === "Mutability")
      assert.strictEqual(
        ok(
          Replace.apply(rt, withBadge, { schemas: [UserUrn], userName: "b@example.com", badge: "B-1" }, {
            profile: "rfc"
          })
        ).document["badge"],
        "B-1"
      )
      assert.strictEqual(
        ok(Replace.apply(rt, withBadge, { schemas: [UserUrn], userName: "b@example.com" }, { profile: "rfc" }))
          .document["badge"],
        "B-1"
      )
      assert.strictEqual(
        ok(
          Replace.apply(rt, { userName: "b@example.com" }, {
            schemas: [UserUrn],
            userName: "b@example.com",
            badge: "B-3"
          }, { profile: "rfc" })
        ).document["badge"],
        "B-3"
      )
    })
  })

  it("PUT is idempotent: replacing with the same body twice equals once", () => {
    fc.assert(fc.property(
      fc.record({
        displayName: fc.stringMatching(/^[A-Za-z ]{1,12}$/),
        title: fc.option(fc.stringMatching(/^[a-z]{1,8}$/), { nil: undefined }),
        active: fc.boolean()
      }),
      ({ active, displayName, title }) => {
        const putBody = {
          schemas: [UserUrn],
          userName: "b@example.com",
          displayName,
          active,
          ...(title !== undefined ? { title } : {})
        }
        const once = ok(Replace.apply(UserResourceType, current, putBody, { profile: "rfc" }))
        const twice = ok(Replace.apply(UserResourceType, once.document, putBody, { profile: "rfc" }))
        assert.deepStrictEqual(twice.document, once.document)
        assert.strictEqual(once.document["id"], current["id"])
      }
    ))
  })
})
