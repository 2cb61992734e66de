import { assert, describe, it } from "@effect/vitest"
import * as Result from "effect/Result"
import type { CompatibilityProfile, JsonObject } from "../src/domain/Model.js"
import * as Patch from "../src/patch/Patch.js"
import * as Profiles from "../src/profile/Profiles.js"
import {
  CustomUserAttributesUrn,
  EnterpriseUserUrn,
  GroupResourceType,
  PatchOpUrn,
  UserResourceType
} from "../src/schema/Schemas.js"

const body = (...Operations: ReadonlyArray<unknown>) => ({ schemas: [PatchOpUrn], Operations })

const user: JsonObject = {
  userName: "bjensen@example.com",
  name: { givenName: "Barbara", familyName: "Jensen" },
  displayName: "Babs Jensen",
  active: true,
  emails: [
    { value: "bjensen@example.com", type: "work", primary: true },
    { value: "babs@jensen.org", type: "home" }
  ],
  [EnterpriseUserUrn]: { department: "Tour Operations" }
}

const group: JsonObject = {
  displayName: "Engineering",
  members: [{ value: "u1" }, { value: "u2" }, { value: "u3" }]
}

const patchUser = (b: unknown, profile: CompatibilityProfile = "lenient", doc: JsonObject = user) =>
  Patch.apply(UserResourceType, doc, b, { profile })
const patchGroup = (b: unknown, profile: CompatibilityProfile = "lenient", doc: JsonObject = group) =>
  Patch.apply(GroupResourceType, doc, b, { profile })

const ok = (result: Result.Result<Patch.PatchResult, Patch.PatchError>): Patch.PatchResult => {
  if (Result.isFailure(result)) assert.fail(`expected success, got ${result.failure._tag}: ${result.failure.message}`)
  return result.success
}
const failure = (result: Result.Result<Patch.PatchResult, Patch.PatchError>): Patch.PatchError => {
  if (Result.isSuccess(result)) assert.fail(`expected an error, got ${JSON.stringify(result.success.document)}`)
  return result.failure
}

describe("Patch (RFC 7644 §3.5.2)", () => {
  it("an invalid operation fails the request even when a later one overwrites its value", () => {
    const role = `${CustomUserAttributesUrn}:platformRole`
    const result = Patch.apply(
      UserResourceType,
      user,
      body(
        { op: "replace", path: role, value: "ROOT" },
        { op: "add", path: "title", value: "Tour Guide" },
        { op: "replace", path: role, value: "ADMIN" }
      ),
      { profile: "lenient" }
    )
    assert.isTrue(Result.isFailure(result))
    if (Result.isFailure(result)) {
      assert.strictEqual(result.failure._tag, "InvalidValue")
      assert.include(result.failure.message, "MEMBER, OPERATOR, ADMIN")
      assert.include(result.failure.message, "ROOT")
    }
    const valid = Patch.apply(
      UserResourceType,
      user,
      body(
        { op: "replace", path: role, value: "operator" },
        { op: "add", path: "title", value: "Tour Guide" },
        { op: "replace", path: role, value: "ADMIN" }
      ),
      { profile: "lenient" }
    )
    assert.isTrue(Result.isSuccess(valid))
    if (Result.isSuccess(valid)) {
      assert.deepStrictEqual(valid.success.document[CustomUserAttributesUrn], { platformRole: "ADMIN" })
      assert.strictEqual(valid.success.document["title"], "Tour Guide")
    }
  })

  describe("request body", () => {
    it("rejects a body that is not an object", () => {
      assert.strictEqual(failure(patchUser("add", "rfc"))._tag, "InvalidSyntax")
      assert.strictEqual(failure(patchUser([], "lenient"))._tag, "InvalidSyntax")
    })

    it("requires the PatchOp schema in rfc and reports its absence as a quirk in lenient", () => {
      const noSchemas = { Operations: [{ op: "replace", path: "title", value: "Boss" }] }
      const error = failure(patchUser(noSchemas, "rfc"))
      assert.strictEqual(error._tag, "InvalidSyntax")
      assert.include(error.message, PatchOpUrn)
      const result = ok(patchUser(noSchemas, "lenient"))
      assert.strictEqual(result.document["title"], "Boss")
      assert.deepStrictEqual(result.quirks, [Profiles.PatchSchemaMissing])
    })

    it("requires Operations to be a non-empty array; an empty list in lenient changes nothing", () => {
      assert.strictEqual(failure(patchUser({ schemas: [PatchOpUrn] }, "lenient"))._tag, "InvalidSyntax")
      assert.strictEqual(failure(patchUser({ schemas: [PatchOpUrn], Operations: {} }, "lenient"))._tag, "InvalidSyntax")
      assert.strictEqual(failure(patchUser(body(), "rfc"))._tag, "InvalidSyntax")
      const result = ok(patchUser(body(), "lenient"))
      assert.strictEqual(result.document, user)
      assert.deepStrictEqual(result.quirks, [Profiles.EmptyOperations])
    })

    it("rejects unknown ops, non-string paths and add/replace without a value", () => {
      assert.strictEqual(failure(patchUser(body({ op: "move", path: "title" })))._tag, "InvalidSyntax")
      assert.strictEqual(failure(patchUser(body({ path: "title", value: "x" })))._tag, "InvalidSyntax")
      assert.strictEqual(failure(patchUser(body({ op: "add", path: 7, value: "x" })))._tag, "InvalidSyntax")
      const missing = failure(patchUser(body({ op: "add", path: "title" })))
      assert.strictEqual(missing._tag, "InvalidValue")
      assert.include(missing.message, "without a \"value\"")
    })

    it("reads op names case-insensitively only where the profile accepts it", () => {
      const b = body({ op: "Replace", path: "title", value: "Boss" })
      const error = failure(patchUser(b, "rfc"))
      assert.strictEqual(error._tag, "InvalidSyntax")
      assert.include(error.message, "\"replace\"")
      assert.strictEqual(failure(patchUser(b, "okta"))._tag, "InvalidSyntax")
      assert.deepStrictEqual(ok(patchUser(b, "entra")).quirks, [Profiles.OpCaseInsensitive])
    })
  })

  describe("add (§3.5.2.1)", () => {
    it("sets a single-valued attribute, absent or present", () => {
      assert.strictEqual(
        ok(patchUser(body({ op: "add", path: "title", value: "Tour Guide" }), "rfc")).document["title"],
        "Tour Guide"
      )
      assert.strictEqual(
        ok(patchUser(body({ op: "add", path: "displayName", value: "B" }), "rfc")).document["displayName"],
        "B"
      )
    })

    it("merges the sub-attributes of a complex attribute", () => {
      const result = ok(patchUser(body({ op: "add", path: "name", value: { middleName: "Jane" } }), "rfc"))
      assert.deepStrictEqual(result.document["name"], {
        givenName: "Barbara",
        familyName: "Jensen",
        middleName: "Jane"
      })
    })

    it("appends to a multi-valued attribute and skips values already there", () => {
      const result = ok(patchUser(
        body({
          op: "add",
          path: "emails",
          value: [{ value: "babs@jensen.org", type: "home" }, { value: "b@other.org", type: "other" }, {
            value: "b@other.org",
            type: "other"
          }]
        }),
        "rfc"
      ))
      assert.deepStrictEqual(result.document["emails"], [
        { value: "bjensen@example.com", type: "work", primary: true },
        { value: "babs@jensen.org", type: "home" },
        { value: "b@other.org", type: "other" }
      ])
    })

    it("leaves the document as it was when the value is already there", () => {
      const result = ok(
        patchUser(body({ op: "add", path: "emails", value: [{ value: "BABS@jensen.org", type: "home" }] }), "rfc")
      )
      assert.strictEqual(result.document, user)
    })

    it("keeps primary unique: a new primary value clears the others", () => {
      const result = ok(
        patchUser(
          body({ op: "add", path: "emails", value: [{ value: "new@example.com", type: "work", primary: true }] }),
          "rfc"
        )
      )
      assert.deepStrictEqual(result.document["emails"], [
        { value: "bjensen@example.com", type: "work" },
        { value: "babs@jensen.org", type: "home" },
        { value: "new@example.com", type: "work", primary: true }
      ])
    })

    it("rejects two primary values in one request", () => {
      const error = failure(patchUser(
        body({
          op: "add",
          path: "emails",
          value: [{ value: "a@example.com", primary: true }, { value: "b@example.com", primary: true }]
        }),
        "rfc"
      ))
      assert.strictEqual(error._tag, "InvalidValue")
      assert.include(error.message, "primary")
    })

    it("merges a path-less value object attribute by attribute, extensions under their URN", () => {
      const result = ok(patchUser(
        body({
          op: "add",
          value: {
            nickName: "Babs",
            name: { honorificPrefix: "Ms." },
            emails: [{ value: "b@third.org" }],
            [EnterpriseUserUrn]: { costCenter: "4130" }
          }
        }),
        "rfc"
      ))
      const doc = result.document
      assert.strictEqual(doc["nickName"], "Babs")
      assert.deepStrictEqual(doc["name"], { givenName: "Barbara", familyName: "Jensen", honorificPrefix: "Ms." })
      assert.lengthOf(doc["emails"] as ReadonlyArray<unknown>, 3)
      assert.deepStrictEqual(doc[EnterpriseUserUrn], { department: "Tour Operations", costCenter: "4130" })
      assert.deepStrictEqual(result.quirks, [])
    })

    it("accepts attribute names in any case and stores canonical names", () => {
      const result = ok(
        patchUser(
          body({ op: "add", path: "NAME.GIVENNAME", value: "Babs" }, { op: "add", value: { NickName: "B" } }),
          "rfc"
        )
      )
      assert.strictEqual((result.document["name"] as JsonObject)["givenName"], "Babs")
      assert.strictEqual(result.document["nickName"], "B")
    })

    it("accepts a fully qualified core path", () => {
      const result = ok(
        patchUser(
          body({ op: "add", path: "urn:ietf:params:scim:schemas:core:2.0:User:name.givenName", value: "Babs" }),
          "rfc"
        )
      )
      assert.strictEqual((result.document["name"] as JsonObject)["givenName"], "Babs")
    })

    it("checks value types against the schema", () => {
      const error = failure(patchUser(body({ op: "add", path: "active", value: "yes" }), "lenient"))
      assert.strictEqual(error._tag, "InvalidValue")
      assert.include(error.message, "active")
      assert.strictEqual(
        failure(patchUser(body({ op: "add", path: "name", value: "Barbara" }), "rfc"))._tag,
        "InvalidValue"
      )
      assert.strictEqual(
        failure(patchUser(body({ op: "add", path: "emails", value: [{ value: "x@y.z", color: "red" }] }), "rfc"))._tag,
        "InvalidValue"
      )
      assert.strictEqual(
        failure(patchUser(body({ op: "add", path: "emails", value: { value: "x@y.z" } }), "rfc"))._tag,
        "InvalidValue"
      )
    })

    it("accepts one element for a multi-valued attribute in lenient, as a quirk", () => {
      const result = ok(patchUser(body({ op: "add", path: "emails", value: { value: "x@y.z" } }), "lenient"))
      assert.lengthOf(result.document["emails"] as ReadonlyArray<unknown>, 3)
      assert.deepStrictEqual(result.quirks, [Profiles.SingleValueForMultiValued])
    })
  })

  describe("replace (§3.5.2.3)", () => {
    it("replaces a single-valued attribute and treats an absent one as add", () => {
      assert.strictEqual(
        ok(patchUser(body({ op: "replace", path: "displayName", value: "B. Jensen" }), "rfc")).document["displayName"],
        "B. Jensen"
      )
      assert.strictEqual(
        ok(patchUser(body({ op: "replace", path: "title", value: "Guide" }), "rfc")).document["title"],
        "Guide"
      )
    })

    it("replaces all values of a multi-valued attribute", () => {
      const result = ok(
        patchUser(body({ op: "replace", path: "emails", value: [{ value: "only@example.com", type: "work" }] }), "rfc")
      )
      assert.deepStrictEqual(result.document["emails"], [{ value: "only@example.com", type: "work" }])
    })

    it("replaces the matched elements' sub-attribute (attr[filter].sub)", () => {
      const result = ok(
        patchUser(body({ op: "replace", path: "emails[type eq \"work\"].value", value: "barbara@example.com" }), "rfc")
      )
      assert.deepStrictEqual(result.document["emails"], [
        { value: "barbara@example.com", type: "work", primary: true },
        { value: "babs@jensen.org", type: "home" }
      ])
    })

    it("reads sub-attributes inside a value filter also when qualified by the attribute", () => {
      const expected = ok(
        patchUser(body({ op: "replace", path: "emails[type eq \"work\"].value", value: "barbara@example.com" }), "rfc")
      )
      for (
        const path of [
          "emails[emails.type eq \"work\"].value",
          "emails[urn:ietf:params:scim:schemas:core:2.0:User:emails.type eq \"work\"].value"
        ]
      ) {
        assert.deepStrictEqual(
          ok(patchUser(body({ op: "replace", path, value: "barbara@example.com" }), "rfc")).document,
          expected.document,
          path
        )
      }
      const error = failure(
        patchUser(body({ op: "replace", path: "emails[color eq \"red\"].value", value: "x" }), "rfc")
      )
      assert.strictEqual(error._tag, "InvalidPath")
      assert.include(error.message, "unknown attribute \"emails.color\"")
    })

    it("merges into the matched elements (attr[filter])", () => {
      const result = ok(
        patchUser(
          body({
            op: "replace",
            path: "emails[value eq \"babs@jensen.org\"]",
            value: { type: "other", primary: true }
          }),
          "rfc"
        )
      )
      assert.deepStrictEqual(result.document["emails"], [
        { value: "bjensen@example.com", type: "work" },
        { value: "babs@jensen.org", type: "other", primary: true }
      ])
    })

    it("fails with noTarget when the value filter matches nothing", () => {
      const error = failure(
        patchUser(body({ op: "replace", path: "emails[type eq \"other\"].value", value: "x@y.z" }), "rfc")
      )
      assert.strictEqual(error._tag, "NoTarget")
      assert.include(error.message, "emails")
    })

    it("merges a complex attribute, leaving other sub-attributes unchanged", () => {
      const result = ok(patchUser(body({ op: "replace", path: "name", value: { familyName: "Jensen-Smith" } }), "rfc"))
      assert.deepStrictEqual(result.document["name"], { givenName: "Barbara", familyName: "Jensen-Smith" })
    })

    it("unassigns with null (RFC 7643 §2.5)", () => {
      const result = ok(
        patchUser(
          body({ op: "replace", path: "displayName", value: null }, {
            op: "replace",
            path: "name",
            value: { givenName: null }
          }),
          "rfc"
        )
      )
      assert.isUndefined(result.document["displayName"])
      assert.deepStrictEqual(result.document["name"], { familyName: "Jensen" })
    })

    it("replaces extension attributes by path", () => {
      const result = ok(
        patchUser(body({ op: "replace", path: `${EnterpriseUserUrn}:department`, value: "Sales" }), "rfc")
      )
      assert.deepStrictEqual(result.document[EnterpriseUserUrn], { department: "Sales" })
    })
  })

  describe("remove (§3.5.2.2)", () => {
    it("fails with noTarget without a path", () => {
      const error = failure(patchUser(body({ op: "remove" }), "rfc"))
      assert.strictEqual(error._tag, "NoTarget")
    })

    it("removes a single-valued attribute, a sub-attribute and a whole multi-valued attribute", () => {
      const result = ok(patchUser(
        body(
          { op: "remove", path: "displayName" },
          { op: "remove", path: "name.givenName" },
          { op: "remove", path: "emails" }
        ),
        "rfc"
      ))
      assert.isUndefined(result.document["displayName"])
      assert.deepStrictEqual(result.document["name"], { familyName: "Jensen" })
      assert.isUndefined(result.document["emails"])
    })

    it("removes the elements a value filter matches, and noTarget when it matches none", () => {
      const result = ok(patchUser(body({ op: "remove", path: "emails[type eq \"home\"]" }), "rfc"))
      assert.deepStrictEqual(result.document["emails"], [{ value: "bjensen@example.com", type: "work", primary: true }])
      assert.strictEqual(
        failure(patchUser(body({ op: "remove", path: "emails[type eq \"other\"]" }), "rfc"))._tag,
        "NoTarget"
      )
    })

    it("removes a sub-attribute of matched elements", () => {
      const result = ok(patchUser(body({ op: "remove", path: "emails[type eq \"work\"].primary" }), "rfc"))
      assert.deepStrictEqual(result.document["emails"], [{ value: "bjensen@example.com", type: "work" }, {
        value: "babs@jensen.org",
        type: "home"
      }])
    })

    it("leaves the attribute unassigned when its last element goes", () => {
      const result = ok(patchUser(body({ op: "remove", path: "emails[value pr]" }), "rfc"))
      assert.isUndefined(result.document["emails"])
    })

    it("removes the extension object with its last attribute", () => {
      const result = ok(patchUser(body({ op: "remove", path: `${EnterpriseUserUrn}:department` }), "rfc"))
      assert.isUndefined(result.document[EnterpriseUserUrn])
    })

    it("changes nothing when the attribute is already absent", () => {
      assert.strictEqual(ok(patchUser(body({ op: "remove", path: "title" }), "rfc")).document, user)
    })

    it("refuses to remove a required attribute (mutability)", () => {
      const error = failure(patchUser(body({ op: "remove", path: "userName" }), "rfc"))
      assert.strictEqual(error._tag, "Mutability")
      assert.include(error.message, "required")
    })
  })

  describe("paths", () => {
    it("invalidPath for malformed paths, unknown attributes and sub-attributes", () => {
      for (
        const path of [
          "emails[type eq",
          "nosuch",
          "name.nickname",
          "emails[color eq \"red\"]",
          "displayName[value eq \"x\"]",
          "urn:x:y:z:attr",
          "emails[type eq 5]"
        ]
      ) {
        const error = failure(patchUser(body({ op: "replace", path, value: "x" }), "rfc"))
        assert.strictEqual(error._tag, "InvalidPath", path)
      }
    })

    it("invalidPath for a path-less value key that names nothing", () => {
      assert.strictEqual(failure(patchUser(body({ op: "add", value: { nosuch: 1 } }), "lenient"))._tag, "InvalidPath")
    })

    it("invalidValue for a path-less add whose value is not an object", () => {
      assert.strictEqual(failure(patchUser(body({ op: "add", value: "x" }), "rfc"))._tag, "InvalidValue")
    })
  })

  describe("mutability", () => {
    it("id and meta are the server's: targeting them is a mutability error", () => {
      for (const path of ["id", "meta", "meta.created", "meta.version"]) {
        const error = failure(patchUser(body({ op: "replace", path, value: "x" }), "lenient"))
        assert.strictEqual(error._tag, "Mutability", path)
      }
      assert.strictEqual(failure(patchUser(body({ op: "remove", path: "id" }), "lenient"))._tag, "Mutability")
    })

    it("readOnly attributes cannot change", () => {
      const error = failure(patchUser(body({ op: "add", path: "groups", value: [{ value: "g1" }] }), "rfc"))
      assert.strictEqual(error._tag, "Mutability")
      assert.include(error.message, "read-only")
    })

    it("an immutable value cannot change, but re-sending it unchanged is fine", () => {
      const changed = failure(
        patchGroup(body({ op: "replace", path: "members[value eq \"u1\"].value", value: "u9" }), "rfc")
      )
      assert.strictEqual(changed._tag, "Mutability")
      assert.include(changed.message, "immutable")
      const same = ok(patchGroup(body({ op: "replace", path: "members[value eq \"u1\"].value", value: "u1" }), "rfc"))
      assert.strictEqual(same.document, group)
    })

    it("a readOnly sub-attribute inside an element value is the server's and is ignored", () => {
      const result = ok(
        patchGroup(body({ op: "add", path: "members", value: [{ value: "u4", display: "Dora" }] }), "rfc")
      )
      assert.deepStrictEqual((result.document["members"] as ReadonlyArray<unknown>).at(-1), { value: "u4" })
    })
  })

  describe("all or nothing", () => {
    it("a failing operation discards the ones before it", () => {
      const before = structuredClone(user)
      const error = failure(patchUser(
        body(
          { op: "replace", path: "displayName", value: "Changed" },
          { op: "remove", path: "emails[type eq \"nosuch\"]" }
        ),
        "rfc"
      ))
      assert.strictEqual(error._tag, "NoTarget")
      assert.deepStrictEqual(user, before)
    })

    it("the result is validated: an operation leaving an invalid document is rejected", () => {
      const error = failure(
        patchUser(body({ op: "replace", path: `${CustomUserAttributesUrn}:platformRole`, value: "OWNER" }), "rfc")
      )
      assert.strictEqual(error._tag, "InvalidValue")
      assert.include(error.message, "platformRole")
    })
  })
})

describe("Patch: Microsoft Entra ID dialect", () => {
  it("Update User [multi-valued properties] from Microsoft's SCIM guide", () => {
    const result = ok(patchUser(
      body(
        { op: "Replace", path: "emails[type eq \"work\"].value", value: "updatedEmail@microsoft.com" },
        { op: "Replace", path: "name.familyName", value: "updatedFamilyName" }
      ),
      "entra"
    ))
    assert.strictEqual(
      (result.document["emails"] as ReadonlyArray<JsonObject>)[0]!["value"],
      "updatedEmail@microsoft.com"
    )
    assert.strictEqual((result.document["name"] as JsonObject)["familyName"], "updatedFamilyName")
    assert.deepStrictEqual(result.quirks, [Profiles.OpCaseInsensitive])
  })

  it("Update User [single-valued properties] and Disable User", () => {
    const result = ok(patchUser(
      body(
        { op: "Replace", path: "userName", value: "5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com" },
        { op: "Replace", path: "active", value: false }
      ),
      "entra"
    ))
    assert.strictEqual(result.document["userName"], "5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com")
    assert.strictEqual(result.document["active"], false)
  })

  it("booleans sent as \"True\"/\"False\" strings", () => {
    const off = ok(patchUser(body({ op: "Replace", path: "active", value: "False" }), "entra"))
    assert.strictEqual(off.document["active"], false)
    assert.include(off.quirks, Profiles.BooleanAsString)
    const on = ok(patchUser(body({ op: "replace", value: { active: "True" } }), "lenient", off.document))
    assert.strictEqual(on.document["active"], true)
    const error = failure(patchUser(body({ op: "replace", path: "active", value: "False" }), "rfc"))
    assert.strictEqual(error._tag, "InvalidValue")
    assert.include(error.message, Profiles.BooleanAsString)
  })

  it("path-less values keyed by dotted and URN-qualified paths", () => {
    const b = body({
      op: "Add",
      value: {
        "name.givenName": "Jane",
        "name.familyName": "Doe",
        [`${EnterpriseUserUrn}:department`]: "Sales",
        [`${EnterpriseUserUrn}:manager`]: { value: "m-1" },
        [`${CustomUserAttributesUrn}:platformRole`]: "ADMIN"
      }
    })
    const result = ok(patchUser(b, "entra"))
    assert.deepStrictEqual(result.document["name"], { givenName: "Jane", familyName: "Doe" })
    assert.deepStrictEqual(result.document[EnterpriseUserUrn], { department: "Sales", manager: { value: "m-1" } })
    assert.deepStrictEqual(result.document[CustomUserAttributesUrn], { platformRole: "ADMIN" })
    assert.sameMembers([...result.quirks], [Profiles.OpCaseInsensitive, Profiles.DottedValueKey, Profiles.UrnValueKey])
    assert.strictEqual(
      failure(patchUser(body({ op: "add", value: { "name.givenName": "Jane" } }), "rfc"))._tag,
      "InvalidPath"
    )
    assert.strictEqual(
      failure(patchUser(body({ op: "add", value: { [`${EnterpriseUserUrn}:department`]: "S" } }), "okta"))._tag,
      "InvalidPath"
    )
  })

  it("replace on emails[type eq \"work\"].value creates the element when it is missing", () => {
    const noEmails: JsonObject = { userName: "jdoe@example.com" }
    const result = ok(
      patchUser(
        body({ op: "Replace", path: "emails[type eq \"work\"].value", value: "jdoe@example.com" }),
        "entra",
        noEmails
      )
    )
    assert.deepStrictEqual(result.document["emails"], [{ type: "work", value: "jdoe@example.com" }])
    assert.include(result.quirks, Profiles.FilterCreatesElement)
    const added = ok(
      patchUser(body({ op: "Add", path: "emails[type eq \"home\"].value", value: "home@example.com" }), "entra")
    )
    assert.deepStrictEqual((added.document["emails"] as ReadonlyArray<unknown>).at(-1), {
      type: "home",
      value: "home@example.com"
    })
    const error = failure(
      patchUser(body({ op: "replace", path: "emails[type eq \"work\"].value", value: "x@y.z" }), "rfc", noEmails)
    )
    assert.strictEqual(error._tag, "NoTarget")
  })

  it("Update Group [Add Members] and [Remove Members] with path \"members\" and a value list", () => {
    const added = ok(
      patchGroup(body({ op: "Add", path: "members", value: [{ $ref: null, value: "f648f8d5ea4e4cd38e9c" }] }), "entra")
    )
    assert.deepStrictEqual((added.document["members"] as ReadonlyArray<unknown>).at(-1), {
      value: "f648f8d5ea4e4cd38e9c"
    })
    const removed = ok(
      patchGroup(body({ op: "Remove", path: "members", value: [{ $ref: null, value: "u2" }] }), "entra")
    )
    assert.deepStrictEqual(removed.document["members"], [{ value: "u1" }, { value: "u3" }])
    assert.include(removed.quirks, Profiles.RemoveWithValue)
    const strict = failure(patchGroup(body({ op: "remove", path: "members", value: [{ value: "u2" }] }), "rfc"))
    assert.strictEqual(strict._tag, "InvalidValue")
    assert.include(strict.message, "members[value eq")
  })

  it("Update Group [Attributes]", () => {
    const result = ok(
      patchGroup(
        body({ op: "Replace", path: "displayName", value: "1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName" }),
        "entra"
      )
    )
    assert.strictEqual(result.document["displayName"], "1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName")
    assert.deepStrictEqual(result.document["members"], group["members"])
  })

  it("sets the platform role extension by Add and Replace, by path and by value object", () => {
    const bodies = [
      body({ op: "Add", path: `${CustomUserAttributesUrn}:platformRole`, value: "ADMIN" }),
      body({ op: "Replace", path: `${CustomUserAttributesUrn}:platformRole`, value: "ADMIN" }),
      body({ op: "Add", value: { [`${CustomUserAttributesUrn}:platformRole`]: "ADMIN" } }),
      body({ op: "Replace", value: { [`${CustomUserAttributesUrn}:platformRole`]: "ADMIN" } }),
      body({ op: "Replace", value: { [CustomUserAttributesUrn]: { platformRole: "ADMIN" } } }),
      body({ op: "Add", path: CustomUserAttributesUrn, value: { platformRole: "ADMIN" } })
    ]
    for (const b of bodies) {
      const result = ok(patchUser(b, "lenient"))
      assert.deepStrictEqual(result.document[CustomUserAttributesUrn], { platformRole: "ADMIN" }, JSON.stringify(b))
    }
    const lower = ok(
      patchUser(body({ op: "replace", path: `${CustomUserAttributesUrn}:platformRole`, value: "operator" }), "rfc")
    )
    assert.deepStrictEqual(lower.document[CustomUserAttributesUrn], { platformRole: "OPERATOR" })
    assert.strictEqual(
      failure(patchUser(body({ op: "add", path: CustomUserAttributesUrn, value: { platformRole: "ADMIN" } }), "rfc"))
        ._tag,
      "InvalidPath"
    )
  })

  it("roles from an app-role mapping keep their JSON-encoded value as given", () => {
    const value = "{\"id\":\"7c93a8e1-0000-4ab0-9d5a-1b2c3d4e5f60\",\"value\":\"Admin\",\"displayName\":\"Admin\"}"
    const result = ok(patchUser(
      body({
        op: "Add",
        path: "roles",
        value: [{ primary: true, type: "WindowsAzureActiveDirectoryRole", value }]
      }),
      "entra"
    ))
    assert.deepStrictEqual(result.document["roles"], [{
      primary: true,
      type: "WindowsAzureActiveDirectoryRole",
      value
    }])
  })

  it("manager sent as a bare id string", () => {
    const result = ok(
      patchUser(
        body({ op: "Add", path: `${EnterpriseUserUrn}:manager`, value: "2c2f6fb8-254f-492e-b7fe-c09c5a61c8a2" }),
        "entra"
      )
    )
    assert.deepStrictEqual((result.document[EnterpriseUserUrn] as JsonObject)["manager"], {
      value: "2c2f6fb8-254f-492e-b7fe-c09c5a61c8a2"
    })
    assert.include(result.quirks, Profiles.BareStringValue)
    assert.strictEqual(
      failure(patchUser(body({ op: "add", path: `${EnterpriseUserUrn}:manager`, value: "m" }), "rfc"))._tag,
      "InvalidValue"
    )
  })
})

describe("Patch: Okta dialect", () => {
  it("deactivates with a path-less replace of {active: false}", () => {
    const result = ok(patchUser(body({ op: "replace", value: { active: false } }), "okta"))
    assert.strictEqual(result.document["active"], false)
    assert.deepStrictEqual(result.quirks, [])
  })

  it("group push adds up to 256 members as [{value, display}] and removes with members[value eq …]", () => {
    const push = Array.from({ length: 256 }, (_, i) => ({ value: `user-${i}`, display: `user${i}@example.com` }))
    const added = ok(patchGroup(body({ op: "add", path: "members", value: push }), "okta"))
    const members = added.document["members"] as ReadonlyArray<JsonObject>
    assert.lengthOf(members, 259)
    assert.deepStrictEqual(members[3], { value: "user-0" })
    const removed = ok(patchGroup(body({ op: "remove", path: "members[value eq \"user-7\"]" }), "okta", added.document))
    assert.lengthOf(removed.document["members"] as ReadonlyArray<unknown>, 258)
    assert.isFalse((removed.document["members"] as ReadonlyArray<JsonObject>).some((m) => m["value"] === "user-7"))
  })

  it("replaces members with [] and then adds (Okta's push after a rename)", () => {
    const result = ok(patchGroup(
      body(
        { op: "replace", path: "members", value: [] },
        { op: "add", path: "members", value: [{ value: "u9", display: "Nine" }] }
      ),
      "okta"
    ))
    assert.deepStrictEqual(result.document["members"], [{ value: "u9" }])
  })

  it("path-less replace of {id, displayName, members}: the id repeated is ignored as a quirk", () => {
    const result = ok(patchGroup(
      body({
        op: "replace",
        value: {
          id: "abf4dd94-a4c0-4f67-89c9-76b03340cb9b",
          displayName: "Test SCIMv2",
          members: [{ value: "u2", display: "Two" }]
        }
      }),
      "okta"
    ))
    assert.deepStrictEqual(result.document, { displayName: "Test SCIMv2", members: [{ value: "u2" }] })
    assert.deepStrictEqual(result.quirks, [Profiles.ReadOnlyValueIgnored])
    const strict = failure(patchGroup(body({ op: "replace", value: { id: "abf4dd94", displayName: "X" } }), "rfc"))
    assert.strictEqual(strict._tag, "Mutability")
  })

  it("an id equal to the document's own is no change even in rfc", () => {
    const rendered: JsonObject = { ...group, id: "g-1" }
    const result = ok(
      patchGroup(body({ op: "replace", value: { id: "g-1", displayName: "Renamed" } }), "rfc", rendered)
    )
    assert.strictEqual(result.document["id"], "g-1")
    assert.strictEqual(result.document["displayName"], "Renamed")
  })
})

describe("Patch: Microsoft SCIM validator collection", () => {
  it("adds a member given as a bare string value in lenient", () => {
    const result = ok(patchGroup(body({ op: "add", path: "members", value: "u7" }), "lenient"))
    assert.deepStrictEqual((result.document["members"] as ReadonlyArray<unknown>).at(-1), { value: "u7" })
    assert.include(result.quirks, Profiles.BareStringValue)
    assert.strictEqual(
      failure(patchGroup(body({ op: "add", path: "members", value: "u7" }), "rfc"))._tag,
      "InvalidValue"
    )
  })
})
