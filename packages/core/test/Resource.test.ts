import { assert, describe, it } from "@effect/vitest"
import * as Result from "effect/Result"
import * as fc from "fast-check"
import type { CompatibilityProfile, JsonObject } from "../src/domain/Model.js"
import * as Profiles from "../src/profile/Profiles.js"
import * as A from "../src/schema/Attribute.js"
import * as Resource from "../src/schema/Resource.js"
import type { ResourceTypeDef } from "../src/schema/Schemas.js"
import {
  CustomUserAttributesUrn,
  EnterpriseUserUrn,
  GroupResourceType,
  GroupUrn,
  LegacyGroupUrn,
  UserResourceType,
  UserUrn
} from "../src/schema/Schemas.js"
import { isBase64, isDateTime } from "../src/schema/Value.js"

const profiles: ReadonlyArray<CompatibilityProfile> = ["lenient", "rfc", "entra", "okta"]

const normalizeUser = (body: unknown, profile: CompatibilityProfile = "lenient") =>
  Resource.normalize(UserResourceType, body, { profile })
const normalizeGroup = (body: unknown, profile: CompatibilityProfile = "lenient") =>
  Resource.normalize(GroupResourceType, body, { profile })

const ok = <A, E>(result: Result.Result<A, E>): A => {
  if (Result.isFailure(result)) assert.fail(`expected success, got ${JSON.stringify(result.failure)}`)
  return result.success
}
const fail = <A, E>(result: Result.Result<A, E>): E => {
  if (Result.isSuccess(result)) assert.fail(`expected a failure, got ${JSON.stringify(result.success)}`)
  return result.failure
}

describe("Resource.normalize", () => {
  it("rejects a body that is not an object", () => {
    for (const body of [null, "x", 3, [{ userName: "a" }]]) {
      const error = fail(normalizeUser(body))
      assert.strictEqual(error._tag, "InvalidSyntax")
      assert.include(error.message, "JSON object")
    }
  })

  it("canonicalizes attribute names case-insensitively", () => {
    const { document, quirks } = ok(normalizeUser({
      SCHEMAS: [UserUrn.toUpperCase()],
      USERNAME: "bjensen@example.com",
      Name: { GIVENNAME: "Barbara", familyname: "Jensen" },
      Emails: [{ VALUE: "bjensen@example.com", Type: "work", PRIMARY: true }],
      ExternalID: "e-1"
    }))
    assert.deepStrictEqual(document, {
      userName: "bjensen@example.com",
      name: { givenName: "Barbara", familyName: "Jensen" },
      emails: [{ value: "bjensen@example.com", type: "work", primary: true }],
      externalId: "e-1"
    })
    assert.deepStrictEqual(quirks, [])
  })

  it("nests extension attributes under their canonical URN", () => {
    const { document, quirks } = ok(normalizeUser({
      schemas: [UserUrn, EnterpriseUserUrn.toLowerCase(), CustomUserAttributesUrn],
      userName: "a@example.com",
      [EnterpriseUserUrn.toLowerCase()]: { Department: "R&D", manager: { value: "m-1" } },
      [CustomUserAttributesUrn]: { platformRole: "admin" }
    }, "rfc"))
    assert.deepStrictEqual(document, {
      userName: "a@example.com",
      [EnterpriseUserUrn]: { department: "R&D", manager: { value: "m-1" } },
      [CustomUserAttributesUrn]: { platformRole: "ADMIN" }
    })
    assert.deepStrictEqual(quirks, [])
  })

  it("accepts fully qualified attribute keys", () => {
    const { document } = ok(normalizeUser({
      schemas: [UserUrn, EnterpriseUserUrn],
      [`${UserUrn}:userName`]: "a@example.com",
      [`${EnterpriseUserUrn}:department`]: "Sales",
      [`${EnterpriseUserUrn}:manager.value`]: "m-2"
    }, "rfc"))
    assert.deepStrictEqual(document, {
      userName: "a@example.com",
      [EnterpriseUserUrn]: { department: "Sales", manager: { value: "m-2" } }
    })
  })

  it("Entra: accepts an extension object whose URN is missing from schemas, as a quirk", () => {
    for (const profile of profiles) {
      const { document, quirks } = ok(normalizeUser({
        schemas: [UserUrn],
        userName: "a@example.com",
        [EnterpriseUserUrn]: { employeeNumber: "701984" }
      }, profile))
      assert.deepStrictEqual(document[EnterpriseUserUrn], { employeeNumber: "701984" })
      assert.deepStrictEqual(quirks, [Profiles.UndeclaredExtension])
    }
  })

  it("rejects an unknown URN in schemas, naming it", () => {
    const urn = "urn:ietf:params:scim:schemas:extension:acme:2.0:User"
    const error = fail(normalizeUser({ schemas: [UserUrn, urn], userName: "a@example.com" }))
    assert.strictEqual(error._tag, "InvalidValue")
    assert.include(error.message, urn)
    assert.include(error.message, EnterpriseUserUrn)
  })

  it("rejects the schema URN of another resource type", () => {
    const error = fail(normalizeUser({ schemas: [UserUrn, GroupUrn], userName: "a@example.com" }))
    assert.strictEqual(error._tag, "InvalidValue")
    assert.include(error.message, "is a schema of Group resources, not of User")
    const keyed = fail(
      normalizeUser({ schemas: [UserUrn], userName: "a@example.com", [GroupUrn]: { displayName: "x" } })
    )
    assert.include(keyed.message, "Group resources")
  })

  it("rejects an object keyed by an unknown URN", () => {
    const urn = "urn:ietf:params:scim:schemas:extension:acme:2.0:User"
    const error = fail(normalizeUser({ schemas: [UserUrn], userName: "a@example.com", [urn]: { badge: "7" } }))
    assert.strictEqual(error._tag, "InvalidValue")
    assert.include(error.message, urn)
  })

  it("Entra: accepts the legacy group URI as Group, as a quirk", () => {
    for (const profile of profiles) {
      const { document, quirks } = ok(normalizeGroup({ schemas: [LegacyGroupUrn], displayName: "Marketing" }, profile))
      assert.deepStrictEqual(document, { displayName: "Marketing" })
      assert.deepStrictEqual(quirks, [Profiles.LegacyGroupSchema])
    }
    assert.strictEqual(
      fail(normalizeUser({ schemas: [LegacyGroupUrn], userName: "a@example.com" }))._tag,
      "InvalidValue"
    )
  })

  it("missing schemas: accepted in lenient, entra and okta; InvalidSyntax in rfc", () => {
    for (const profile of ["lenient", "entra", "okta"] as const) {
      const { document, quirks } = ok(normalizeUser({ userName: "a@example.com" }, profile))
      assert.deepStrictEqual(document, { userName: "a@example.com" })
      assert.deepStrictEqual(quirks, [Profiles.SchemasMissing])
    }
    const error = fail(normalizeUser({ userName: "a@example.com" }, "rfc"))
    assert.strictEqual(error._tag, "InvalidSyntax")
    assert.include(error.message, UserUrn)
  })

  it("rejects schemas that are not an array of strings", () => {
    assert.strictEqual(fail(normalizeUser({ schemas: [3], userName: "a@example.com" }))._tag, "InvalidSyntax")
    assert.strictEqual(
      fail(normalizeUser({ schemas: UserUrn, userName: "a@example.com" }, "rfc"))._tag,
      "InvalidSyntax"
    )
    assert.deepStrictEqual(ok(normalizeUser({ schemas: UserUrn, userName: "a@example.com" })), {
      document: { userName: "a@example.com" },
      quirks: [Profiles.SchemasAsString]
    })
  })

  it("ignores read-only input: id, meta and a user's groups", () => {
    for (const profile of profiles) {
      const { document } = ok(normalizeUser({
        schemas: [UserUrn],
        id: "client-chosen",
        meta: { resourceType: "User", created: "not a date", version: 7 },
        userName: "a@example.com",
        groups: [{ value: "g-1", display: "Admins" }]
      }, profile))
      assert.deepStrictEqual(document, { userName: "a@example.com" })
    }
  })

  it("keeps members' display as sent", () => {
    const { document } = ok(normalizeGroup({
      schemas: [GroupUrn],
      displayName: "Ops",
      members: [{ value: "u-1", display: "Ann", type: "user" }]
    }))
    assert.deepStrictEqual(document, { displayName: "Ops", members: [{ value: "u-1", display: "Ann", type: "User" }] })
  })

  it("accepts password and drops it", () => {
    const { document } = ok(
      normalizeUser({ schemas: [UserUrn], userName: "a@example.com", password: "t1meMa$heen" }, "rfc")
    )
    assert.deepStrictEqual(document, { userName: "a@example.com" })
    assert.isFalse(JSON.stringify(document).includes("t1meMa$heen"))
  })

  it("treats null and empty arrays as absent", () => {
    const { document } = ok(normalizeUser({
      schemas: [UserUrn],
      userName: "a@example.com",
      displayName: null,
      emails: [],
      phoneNumbers: [null],
      name: { givenName: null },
      [EnterpriseUserUrn]: { department: null },
      custom: null
    }, "rfc"))
    assert.deepStrictEqual(document, { userName: "a@example.com" })
  })

  it("string booleans: accepted in lenient and entra (quirk), rejected in rfc and okta", () => {
    for (const profile of ["lenient", "entra"] as const) {
      const { document, quirks } = ok(normalizeUser({
        schemas: [UserUrn],
        userName: "a@example.com",
        active: "False",
        emails: [{ value: "a@example.com", primary: "True" }]
      }, profile))
      assert.strictEqual(document.active, false)
      assert.deepStrictEqual(document.emails, [{ value: "a@example.com", primary: true }])
      assert.deepStrictEqual(quirks, [Profiles.BooleanAsString], "each quirk is reported once")
    }
    for (const profile of ["rfc", "okta"] as const) {
      const error = fail(normalizeUser({ schemas: [UserUrn], userName: "a@example.com", active: "true" }, profile))
      assert.strictEqual(error._tag, "InvalidValue")
      assert.include(error.message, "active must be true or false")
      assert.include(error.message, "\"true\"")
    }
  })

  it("reports a type error with the path, what was expected and what was given", () => {
    const error = fail(
      normalizeUser({ schemas: [UserUrn], userName: "a@example.com", emails: [{ value: "x" }, { value: 42 }] }, "rfc")
    )
    assert.strictEqual(error._tag, "InvalidValue")
    assert.strictEqual(error.message, "emails[1].value must be a string; got the number 42")
    const nested = fail(normalizeUser({ schemas: [UserUrn], userName: "a@example.com", name: "Barbara" }))
    assert.include(nested.message, "name must be an object with the sub-attributes formatted, familyName")
    const ext = fail(
      normalizeUser({ schemas: [UserUrn], userName: "a@example.com", [EnterpriseUserUrn]: { costCenter: true } })
    )
    assert.include(ext.message, `${EnterpriseUserUrn}:costCenter must be a string; got the boolean true`)
  })

  it("checks every data type", () => {
    const good = ok(normalizeUser({
      schemas: [UserUrn],
      userName: "a@example.com",
      profileUrl: "https://example.com/a",
      x509Certificates: [{ value: "MIIDQzCCAqygAwIBAgICEAAwDQYJKoZIhvcNAQEFBQAwTjELMAkGA1UEBhMCVVMx" }]
    }, "rfc")).document
    assert.strictEqual(good.profileUrl, "https://example.com/a")
    const binary = fail(
      normalizeUser(
        { schemas: [UserUrn], userName: "a@example.com", x509Certificates: [{ value: "not base64!" }] },
        "rfc"
      )
    )
    assert.include(binary.message, "x509Certificates[0].value must be base64-encoded binary data")
    const reference = fail(normalizeUser({ schemas: [UserUrn], userName: "a@example.com", profileUrl: 7 }, "rfc"))
    assert.include(reference.message, "profileUrl must be a URI reference")
  })

  it("multi-valued: lenient wraps a single value (quirk); the other profiles reject it", () => {
    const { document, quirks } = ok(
      normalizeUser({ schemas: [UserUrn], userName: "a@example.com", emails: { value: "a@example.com" } })
    )
    assert.deepStrictEqual(document.emails, [{ value: "a@example.com" }])
    assert.deepStrictEqual(quirks, [Profiles.SingleValueForMultiValued])
    for (const profile of ["rfc", "entra", "okta"] as const) {
      const error = fail(
        normalizeUser({ schemas: [UserUrn], userName: "a@example.com", emails: { value: "a@example.com" } }, profile)
      )
      assert.include(error.message, "emails is multi-valued")
    }
  })

  it("platformRole: case-insensitive in, uppercase out, other values rejected with the allowed ones", () => {
    const { document } = ok(
      normalizeUser({
        schemas: [UserUrn, CustomUserAttributesUrn],
        userName: "a@example.com",
        [CustomUserAttributesUrn]: { platformRole: "Operator" }
      })
    )
    assert.deepStrictEqual(document[CustomUserAttributesUrn], { platformRole: "OPERATOR" })
    const error = fail(
      normalizeUser({
        schemas: [UserUrn, CustomUserAttributesUrn],
        userName: "a@example.com",
        [CustomUserAttributesUrn]: { platformRole: "owner" }
      })
    )
    assert.strictEqual(error._tag, "InvalidValue")
    assert.include(error.message, "MEMBER, OPERATOR, ADMIN")
    assert.include(error.message, "\"owner\"")
  })

  it("members.type is enforced; other canonical values are suggestions", () => {
    const error = fail(
      normalizeGroup({ schemas: [GroupUrn], displayName: "Ops", members: [{ value: "u-1", type: "Robot" }] })
    )
    assert.include(error.message, "members[0].type must be one of User, Group")
    const { document } = ok(
      normalizeUser({
        schemas: [UserUrn],
        userName: "a@example.com",
        emails: [{ value: "a@example.com", type: "Office" }]
      }, "rfc")
    )
    assert.deepStrictEqual(document.emails, [{ value: "a@example.com", type: "Office" }])
  })

  it("more than one primary: rfc rejects; lenient keeps the first primary (quirk)", () => {
    const body = {
      schemas: [UserUrn],
      userName: "a@example.com",
      emails: [{ value: "a@x.com", primary: true }, { value: "b@x.com", primary: true }, {
        value: "c@x.com",
        primary: false
      }]
    }
    const error = fail(normalizeUser(body, "rfc"))
    assert.include(error.message, "at most one value may be primary")
    const { document, quirks } = ok(normalizeUser(body))
    assert.deepStrictEqual(document.emails, [{ value: "a@x.com", primary: true }, { value: "b@x.com" }, {
      value: "c@x.com",
      primary: false
    }])
    assert.deepStrictEqual(quirks, [Profiles.SeveralPrimaries])
  })

  it("required attributes missing or empty are rejected", () => {
    for (const userName of [undefined, "", "   ", null]) {
      const error = fail(normalizeUser({ schemas: [UserUrn], userName, displayName: "A" }))
      assert.strictEqual(error._tag, "InvalidValue")
      assert.isTrue(error.message.startsWith("userName is required"))
    }
    assert.isTrue(
      fail(normalizeGroup({ schemas: [GroupUrn], members: [] })).message.startsWith("displayName is required")
    )
  })

  it("keeps attributes it does not know, as given", () => {
    const { document } = ok(normalizeUser({
      schemas: [UserUrn],
      userName: "a@example.com",
      costCenterCode: { region: "EU", code: 7 },
      name: { givenName: "A", nickname2: "Ace" }
    }, "rfc"))
    assert.deepStrictEqual(document, {
      userName: "a@example.com",
      costCenterCode: { region: "EU", code: 7 },
      name: { givenName: "A", nickname2: "Ace" }
    })
  })

  it("two spellings of one attribute must agree", () => {
    const error = fail(normalizeUser({ schemas: [UserUrn], userName: "a@example.com", USERNAME: "b@example.com" }))
    assert.include(error.message, "was sent twice")
    assert.deepStrictEqual(
      ok(normalizeUser({ schemas: [UserUrn], userName: "a@example.com", USERNAME: "a@example.com" })).document,
      { userName: "a@example.com" }
    )
  })

  it("dateTime values must be xsd:dateTime; binary values base64", () => {
    for (
      const good of [
        "2008-01-23T04:56:22Z",
        "2024-02-29T23:59:59.123+02:00",
        "2011-05-13T04:42:34",
        "2000-01-01T24:00:00Z"
      ]
    ) {
      assert.isTrue(isDateTime(good), good)
    }
    for (
      const bad of [
        "2008-01-23",
        "2023-02-29T00:00:00Z",
        "2008-13-01T00:00:00Z",
        "2008-01-23T25:00:00Z",
        "yesterday",
        "2008-01-23 04:56:22Z"
      ]
    ) {
      assert.isFalse(isDateTime(bad), bad)
    }
    assert.isTrue(isBase64("TWFu\nTWE="))
    assert.isFalse(isBase64("TWF"))
  })

  const Device: ResourceTypeDef = {
    id: "User",
    name: "Device",
    endpoint: "/Devices",
    description: "A resource type with every data type, to check the decoder against the schema data",
    schema: {
      id: "urn:example:params:scim:schemas:core:2.0:Device",
      name: "Device",
      description: "Device",
      attributes: [
        A.integer("ports", "An integer."),
        A.decimal("weight", "A decimal."),
        A.dateTime("purchased", "A dateTime."),
        A.binary("firmware", "Binary."),
        A.integer("readings", "Multi-valued integers.", { multiValued: true }),
        A.complex("owner", "Complex with a required sub-attribute.", [
          A.string("value", "Owner id.", { required: true }),
          A.string("display", "Name.")
        ])
      ]
    },
    extensions: []
  }
  const device = (body: Record<string, unknown>, profile: CompatibilityProfile = "rfc") =>
    Resource.normalize(Device, { schemas: [Device.schema.id], ...body }, { profile })

  it("checks integer, decimal, dateTime and binary values against the schema data", () => {
    assert.deepStrictEqual(
      ok(device({ ports: 4, weight: 1.5, purchased: "2024-02-29T10:00:00Z", firmware: "AAEC", readings: [1, 2] }))
        .document,
      {
        ports: 4,
        weight: 1.5,
        purchased: "2024-02-29T10:00:00Z",
        firmware: "AAEC",
        readings: [1, 2]
      }
    )
    assert.strictEqual(fail(device({ ports: 4.5 })).message, "ports must be an integer; got the number 4.5")
    assert.strictEqual(fail(device({ weight: "heavy" })).message, "weight must be a number; got the string \"heavy\"")
    assert.include(
      fail(device({ purchased: "2023-02-29T10:00:00Z" })).message,
      "purchased must be an xsd:dateTime string"
    )
    assert.include(fail(device({ firmware: "%%%" })).message, "firmware must be base64-encoded binary data")
    assert.include(fail(device({ readings: [1, "2"] })).message, "readings[1] must be an integer")
    assert.include(fail(device({ ports: [4] })).message, "ports is single-valued")
    assert.deepStrictEqual(ok(device({ ports: [4] }, "lenient")), {
      document: { ports: 4 },
      quirks: [Profiles.ArrayForSingleValued]
    })
  })

  it("checks required sub-attributes of complex values", () => {
    assert.strictEqual(
      fail(device({ owner: { display: "Ann" } })).message,
      "owner.value is required: send a non-empty value (Owner id.)"
    )
    assert.deepStrictEqual(ok(device({ owner: { value: "u-1" } })).document, { owner: { value: "u-1" } })
  })

  it("lenient reads a number sent for a string as text (quirk); the other profiles reject it", () => {
    const { document, quirks } = ok(
      normalizeUser({
        schemas: [UserUrn, EnterpriseUserUrn],
        userName: "a@example.com",
        [EnterpriseUserUrn]: { employeeNumber: 701984 }
      })
    )
    assert.deepStrictEqual(document[EnterpriseUserUrn], { employeeNumber: "701984" })
    assert.deepStrictEqual(quirks, [Profiles.NumberForString])
    assert.include(
      fail(
        normalizeUser({
          schemas: [UserUrn],
          userName: "a@example.com",
          [EnterpriseUserUrn]: { employeeNumber: 701984 }
        }, "okta")
      ).message,
      "employeeNumber must be a string"
    )
  })

  it("Okta: a typical create body", () => {
    const { document, quirks } = ok(normalizeUser({
      schemas: [UserUrn, EnterpriseUserUrn],
      userName: "isabella@example.com",
      name: { givenName: "Isabella", familyName: "Sanchez" },
      emails: [{ primary: true, value: "isabella@example.com", type: "work" }],
      displayName: "Isabella Sanchez",
      locale: "en-US",
      externalId: "00ujl29u0le5T6Aj10h7",
      groups: [],
      password: "1mz050nq",
      active: true
    }, "okta"))
    assert.deepStrictEqual(document, {
      userName: "isabella@example.com",
      name: { givenName: "Isabella", familyName: "Sanchez" },
      emails: [{ primary: true, value: "isabella@example.com", type: "work" }],
      displayName: "Isabella Sanchez",
      locale: "en-US",
      externalId: "00ujl29u0le5T6Aj10h7",
      active: true
    })
    assert.deepStrictEqual(quirks, [])
  })

  it("Entra: a typical create body", () => {
    const { document, quirks } = ok(normalizeUser({
      schemas: [UserUrn, EnterpriseUserUrn],
      externalId: "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
      userName: "Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1",
      active: "True",
      emails: [{ primary: true, type: "work", value: "Test_User_fd0ea19b@testuser.com" }],
      meta: { resourceType: "User" },
      name: { formatted: "givenName familyName", familyName: "familyName", givenName: "givenName" },
      roles: [],
      [EnterpriseUserUrn]: { department: "Dept", manager: { value: "id-7" } },
      [CustomUserAttributesUrn]: { platformRole: "Admin" }
    }, "entra"))
    assert.strictEqual(document.active, true)
    assert.deepStrictEqual(document[CustomUserAttributesUrn], { platformRole: "ADMIN" })
    assert.deepStrictEqual(document[EnterpriseUserUrn], { department: "Dept", manager: { value: "id-7" } })
    assert.isUndefined(document.meta)
    assert.isUndefined(document.roles)
    assert.sameMembers([...quirks], [Profiles.BooleanAsString, Profiles.UndeclaredExtension])
  })
})

describe("Resource.validate", () => {
  it("checks a normalized document and returns its canonical form", () => {
    const result = ok(Resource.validate(UserResourceType, {
      userName: "a@example.com",
      active: "true",
      [CustomUserAttributesUrn]: { platformRole: "member" }
    }))
    assert.deepStrictEqual(result, {
      userName: "a@example.com",
      active: true,
      [CustomUserAttributesUrn]: { platformRole: "MEMBER" }
    })
  })

  it("fails with InvalidValue when a PATCH produced a bad document", () => {
    const error = fail(Resource.validate(UserResourceType, { userName: "" }))
    assert.strictEqual(error._tag, "InvalidValue")
    const strict = fail(Resource.validate(UserResourceType, { userName: "a", active: "yes" }, { profile: "rfc" }))
    assert.include(strict.message, "active must be true or false")
  })
})

describe("Resource.schemaUrnsOf", () => {
  it("lists the core URN and every extension present", () => {
    assert.deepStrictEqual(Resource.schemaUrnsOf(UserResourceType, { userName: "a" }), [UserUrn])
    assert.deepStrictEqual(
      Resource.schemaUrnsOf(UserResourceType, {
        userName: "a",
        [CustomUserAttributesUrn]: { platformRole: "ADMIN" },
        [EnterpriseUserUrn]: {}
      }),
      [UserUrn, CustomUserAttributesUrn]
    )
    assert.deepStrictEqual(Resource.schemaUrnsOf(GroupResourceType, { displayName: "g" }), [GroupUrn])
  })
})

describe("Resource quirks", () => {
  /** One body per non-RFC form the decoder knows, sent to the resource type it belongs to. */
  const forms: ReadonlyArray<readonly [Profiles.Quirk, ResourceTypeDef, Record<string, unknown>]> = [
    [Profiles.NumberForString, UserResourceType, {
      schemas: [UserUrn, EnterpriseUserUrn],
      userName: "a@example.com",
      [EnterpriseUserUrn]: { employeeNumber: 7 }
    }],
    [Profiles.BooleanAsString, UserResourceType, { schemas: [UserUrn], userName: "a@example.com", active: "TRUE" }],
    [Profiles.ArrayForSingleValued, UserResourceType, {
      schemas: [UserUrn],
      userName: "a@example.com",
      displayName: ["Ann"]
    }],
    [Profiles.SingleValueForMultiValued, UserResourceType, {
      schemas: [UserUrn],
      userName: "a@example.com",
      emails: { value: "a@example.com" }
    }],
    [Profiles.SeveralPrimaries, UserResourceType, {
      schemas: [UserUrn],
      userName: "a@example.com",
      emails: [{ value: "a@example.com", primary: true }, { value: "b@example.com", primary: true }]
    }],
    [Profiles.SchemasMissing, UserResourceType, { userName: "a@example.com" }],
    [Profiles.SchemasAsString, UserResourceType, { schemas: UserUrn, userName: "a@example.com" }],
    [Profiles.CoreSchemaUnlisted, UserResourceType, { schemas: [EnterpriseUserUrn], userName: "a@example.com" }],
    [Profiles.LegacyGroupSchema, GroupResourceType, { schemas: [LegacyGroupUrn], displayName: "Ops" }],
    [Profiles.UndeclaredExtension, UserResourceType, {
      schemas: [UserUrn],
      userName: "a@example.com",
      [`${EnterpriseUserUrn}:department`]: "R&D"
    }],
    [Profiles.CoreAttributesUnderUrn, UserResourceType, {
      schemas: [UserUrn],
      [UserUrn]: { userName: "a@example.com" }
    }]
  ]

  it("a form is accepted exactly by the profiles the registry says accept its quirk, and reported by that name", () => {
    for (const [quirk, rt, body] of forms) {
      for (const profile of profiles) {
        const result = Resource.normalize(rt, body, { profile })
        if (Profiles.accepts(profile, quirk)) {
          assert.deepStrictEqual(ok(result).quirks, [quirk], `${quirk} in ${profile}`)
        } else {
          assert.isTrue(Result.isFailure(result), `${quirk} in ${profile}`)
        }
      }
    }
  })

  it("covers every quirk the decoder can report", () => {
    const decoderQuirks = new Set(forms.map(([quirk]) => quirk))
    assert.strictEqual(decoderQuirks.size, forms.length)
    for (const quirk of Profiles.tolerated) assert.isTrue(decoderQuirks.has(quirk), quirk)
  })
})

const text = fc.string({ minLength: 0, maxLength: 12 })
const nonBlank = fc.string({ minLength: 1, maxLength: 24 }).filter((s) => s.trim() !== "")

const emailsArb = fc.array(
  fc.record({ value: nonBlank, type: fc.constantFrom("work", "home", "other", "Office"), primary: fc.boolean() }, {
    requiredKeys: ["value"]
  }),
  { minLength: 1, maxLength: 4 }
).map((emails) => {
  let primary = false
  return emails.map((e) => {
    if (e.primary !== true) return e
    if (primary) return { ...e, primary: false }
    primary = true
    return e
  })
})

/** Normalized, valid user documents. */
const normalizedUser: fc.Arbitrary<JsonObject> = fc.record({
  userName: nonBlank,
  displayName: text,
  externalId: text,
  active: fc.boolean(),
  title: text,
  name: fc.record({ givenName: text, familyName: text, formatted: text }, { requiredKeys: ["givenName"] }),
  emails: emailsArb,
  x509Certificates: fc.array(fc.record({ value: fc.base64String({ maxLength: 16 }) }), { minLength: 1, maxLength: 2 }),
  [EnterpriseUserUrn]: fc.record({ department: text, employeeNumber: text, manager: fc.record({ value: nonBlank }) }, {
    requiredKeys: ["department"]
  }),
  [CustomUserAttributesUrn]: fc.record({ platformRole: fc.constantFrom("MEMBER", "OPERATOR", "ADMIN") }),
  driftField: fc.oneof(text, fc.integer(), fc.record({ nested: text }))
}, { requiredKeys: ["userName"] })

describe("Resource laws", () => {
  it("normalizing a normalized valid resource is the identity (decode ∘ encode stable)", () => {
    fc.assert(fc.property(
      fc.record({
        doc: normalizedUser,
        profile: fc.constantFrom(...profiles)
      }),
      ({ doc, profile }) => {
        const body = { schemas: Resource.schemaUrnsOf(UserResourceType, doc), ...doc }
        const { document, quirks } = ok(Resource.normalize(UserResourceType, body, { profile }))
        assert.deepStrictEqual(document, doc)
        assert.deepStrictEqual(quirks, [])
        assert.deepStrictEqual(ok(Resource.validate(UserResourceType, document, { profile })), doc)
      }
    ))
  })

  it("normalizing a normalized valid group is the identity", () => {
    fc.assert(fc.property(
      fc.record({
        displayName: nonBlank,
        externalId: fc.option(text, { nil: undefined }),
        members: fc.array(
          fc.record({ value: nonBlank, display: text, type: fc.constantFrom("User", "Group") }, {
            requiredKeys: ["value"]
          }),
          { maxLength: 5 }
        ),
        profile: fc.constantFrom(...profiles)
      }),
      ({ displayName, externalId, members, profile }) => {
        const doc: JsonObject = {
          displayName,
          ...(externalId !== undefined ? { externalId } : {}),
          ...(members.length > 0 ? { members } : {})
        }
        const body = { schemas: Resource.schemaUrnsOf(GroupResourceType, doc), ...doc }
        assert.deepStrictEqual(ok(Resource.normalize(GroupResourceType, body, { profile })), {
          document: doc,
          quirks: []
        })
      }
    ))
  })

  it("validating a normalized document keeps its values: the very objects, not copies", () => {
    fc.assert(fc.property(
      fc.record({
        doc: normalizedUser,
        profile: fc.constantFrom(...profiles)
      }),
      ({ doc, profile }) => {
        const validated = ok(Resource.validate(UserResourceType, doc, { profile }))
        assert.deepStrictEqual(Object.keys(validated).sort(), Object.keys(doc).sort())
        for (const key of Object.keys(doc)) assert.strictEqual(validated[key], doc[key], key)
      }
    ))
  })

  it("validate still returns a new object for what it changes, and leaves its input alone", () => {
    const emails = [{ value: "a@example.com", primary: "true" }]
    const input: JsonObject = { userName: "a@example.com", emails, id: "dropped" }
    const result = ok(Resource.validate(UserResourceType, input))
    assert.deepStrictEqual(result, { userName: "a@example.com", emails: [{ value: "a@example.com", primary: true }] })
    assert.deepStrictEqual(input, {
      userName: "a@example.com",
      emails: [{ value: "a@example.com", primary: "true" }],
      id: "dropped"
    })
  })

  it("normalization is idempotent on sloppy bodies", () => {
    fc.assert(fc.property(
      fc.record({
        doc: normalizedUser,
        shout: fc.boolean()
      }),
      ({ doc, shout }) => {
        const sloppy: Record<string, unknown> = {}
        for (
          const [key, value] of Object.entries(doc)
        ) sloppy[shout && !key.startsWith("urn:") && key !== "driftField" ? key.toUpperCase() : key] = value
        sloppy["id"] = "ignored"
        sloppy["password"] = "secret"
        const once = ok(Resource.normalize(UserResourceType, sloppy, { profile: "lenient" })).document
        const twice = ok(Resource.normalize(UserResourceType, once, { profile: "lenient" })).document
        assert.deepStrictEqual(twice, once)
        assert.deepStrictEqual(once, doc)
      }
    ))
  })
})
