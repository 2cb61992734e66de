import { assert, describe, it } from "@effect/vitest"
import * as Result from "effect/Result"
import type { Json, JsonObject } from "../src/domain/Model.js"
import * as DomainModel from "../src/domain/DomainModel.js"
import { defaults } from "../src/ScimOptions.js"
import * as Discovery from "../src/schema/Discovery.js"
import {
  CustomUserAttributesUrn,
  EnterpriseUserUrn,
  GroupUrn,
  ListResponseUrn,
  RoleUrn,
  UserUrn
} from "../src/schema/Schemas.js"

const base = "https://scim.example.com/api/v1/scim/v2/"
const ok = <A, E>(result: Result.Result<A, E>): A => {
  if (Result.isFailure(result)) return assert.fail(String(result.failure))
  return result.success
}
const objects = (value: Json | undefined): ReadonlyArray<JsonObject> => value as ReadonlyArray<JsonObject>

describe("Discovery.serviceProviderConfig", () => {
  const options = { ...defaults, maxResults: 200, defaultCount: 50, bulkMaxOperations: 77, bulkMaxPayloadSize: 2048 }
  const spc = Discovery.serviceProviderConfig(options, base)

  it("tells the truth about features and limits", () => {
    assert.deepStrictEqual(spc.schemas, ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"])
    assert.deepStrictEqual(spc.patch, { supported: true })
    assert.deepStrictEqual(spc.bulk, { supported: true, maxOperations: 77, maxPayloadSize: 2048 })
    assert.deepStrictEqual(spc.filter, { supported: true, maxResults: 200 })
    assert.deepStrictEqual(spc.changePassword, { supported: false })
    assert.deepStrictEqual(spc.sort, { supported: true })
    assert.deepStrictEqual(spc.etag, { supported: true })
  })

  it("advertises RFC 9865 pagination with index as the default", () => {
    assert.deepStrictEqual(spc.pagination, {
      cursor: true,
      index: true,
      defaultPaginationMethod: "index",
      defaultPageSize: 50,
      maxPageSize: 200
    })
    const clamped = Discovery.serviceProviderConfig({ ...options, defaultCount: 500 }, base)
    assert.strictEqual((clamped.pagination as JsonObject).defaultPageSize, 200)
  })

  it("names bearer-token authentication and an absolute location", () => {
    const schemes = objects(spc.authenticationSchemes)
    assert.strictEqual(schemes.length, 1)
    assert.strictEqual(schemes[0]!.type, "oauthbearertoken")
    assert.strictEqual(schemes[0]!.primary, true)
    assert.deepStrictEqual(spc.meta, {
      resourceType: "ServiceProviderConfig",
      location: "https://scim.example.com/api/v1/scim/v2/ServiceProviderConfig"
    })
  })
})

describe("Discovery.resourceTypes", () => {
  it("lists User and Group with their schemas and extensions, then the read-only Role", () => {
    const list = Discovery.resourceTypes(base)
    assert.deepStrictEqual(list.schemas, [ListResponseUrn])
    assert.strictEqual(list.totalResults, 3)
    const [user, group, role] = objects(list.Resources)
    assert.deepStrictEqual(user, {
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
      id: "User",
      name: "User",
      endpoint: "/Users",
      description: "User Account",
      schema: UserUrn,
      schemaExtensions: [{ schema: EnterpriseUserUrn, required: false }, {
        schema: CustomUserAttributesUrn,
        required: false
      }],
      meta: { resourceType: "ResourceType", location: "https://scim.example.com/api/v1/scim/v2/ResourceTypes/User" }
    })
    assert.strictEqual(group!.schema, GroupUrn)
    assert.deepStrictEqual(group!.schemaExtensions, [])
    // Okta Identity Governance lists the roles of every resource type whose schema is its Role URN
    assert.deepStrictEqual(role, {
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
      id: "Role",
      name: "Role",
      endpoint: "/Roles",
      description: "The roles an administrator can assign: platform roles and project roles (read-only)",
      schema: "urn:okta:scim:schemas:core:1.0:Role",
      schemaExtensions: [],
      meta: { resourceType: "ResourceType", location: "https://scim.example.com/api/v1/scim/v2/ResourceTypes/Role" }
    })
  })

  it("finds one by id, case-insensitively; unknown ids are ResourceNotFound", () => {
    assert.strictEqual(ok(Discovery.resourceType("group", base)).id, "Group")
    const missing = Discovery.resourceType("Device", base)
    assert.isTrue(Result.isFailure(missing))
    if (Result.isFailure(missing)) {
      assert.strictEqual(missing.failure._tag, "ResourceNotFound")
      assert.strictEqual(missing.failure.id, "Device")
    }
  })
})

const characteristics = [
  "name",
  "type",
  "multiValued",
  "description",
  "required",
  "caseExact",
  "mutability",
  "returned",
  "uniqueness"
]
const everyAttribute = (attributes: ReadonlyArray<JsonObject>, visit: (a: JsonObject) => void): void => {
  for (const a of attributes) {
    visit(a)
    if (a.subAttributes !== undefined) everyAttribute(objects(a.subAttributes), visit)
  }
}

describe("Discovery.schemas", () => {
  it("lists every resource schema", () => {
    const list = Discovery.schemas(base)
    assert.deepStrictEqual(objects(list.Resources).map((s) => s.id), [
      UserUrn,
      GroupUrn,
      EnterpriseUserUrn,
      CustomUserAttributesUrn,
      RoleUrn
    ])
    assert.strictEqual(list.totalResults, 5)
  })

  it("gives every characteristic of every attribute, sub-attributes included", () => {
    let count = 0
    for (const s of objects(Discovery.schemas(base).Resources)) {
      assert.deepStrictEqual(s.schemas, ["urn:ietf:params:scim:schemas:core:2.0:Schema"])
      everyAttribute(objects(s.attributes), (a) => {
        count++
        for (const c of characteristics) assert.property(a, c, `${String(a.name)} lacks ${c}`)
        if (a.type === "reference") {
          assert.isTrue(Array.isArray(a.referenceTypes), `${String(a.name)} lacks referenceTypes`)
        }
        if (a.type === "complex") assert.isTrue(Array.isArray(a.subAttributes), `${String(a.name)} lacks subAttributes`)
      })
    }
    assert.isAbove(count, 80)
  })

  it("serves one schema by URN with its absolute location", () => {
    const custom = ok(Discovery.schema(CustomUserAttributesUrn.toUpperCase(), base))
    assert.strictEqual(custom.id, CustomUserAttributesUrn)
    assert.deepStrictEqual(custom.meta, {
      resourceType: "Schema",
      location: `https://scim.example.com/api/v1/scim/v2/Schemas/${CustomUserAttributesUrn}`
    })
    const role = objects(custom.attributes)[0]!
    assert.deepStrictEqual(role.canonicalValues, ["MEMBER", "OPERATOR", "ADMIN"])
    const user = ok(Discovery.schema(UserUrn, base))
    const password = objects(user.attributes).find((a) => a.name === "password")!
    assert.strictEqual(password.returned, "never")
    assert.strictEqual(password.mutability, "writeOnly")
    const emails = objects(user.attributes).find((a) => a.name === "emails")!
    assert.deepStrictEqual(objects(emails.subAttributes).map((a) => a.name), ["value", "display", "type", "primary"])
    const missing = Discovery.schema("urn:example:nothing", base)
    assert.isTrue(Result.isFailure(missing) && missing.failure._tag === "ResourceNotFound")
  })
})

describe("Discovery with a host's domain model", () => {
  const acme = DomainModel.make({
    userExtension: {
      urn: "urn:acme:scim:1.0:User",
      name: "AcmeUser",
      role: { attribute: "tier", values: ["FREE", "PRO"], default: "FREE" },
      attributes: [
        { name: "costCenter", type: "string" },
        { name: "seats", type: "integer" },
        { name: "beta", type: "boolean" }
      ]
    }
  })

  it("/ResourceTypes lists the host's extension on User instead of CustomUserAttributes", () => {
    const user = ok(Discovery.resourceType("User", base, acme))
    assert.deepStrictEqual(user.schemaExtensions, [
      { schema: EnterpriseUserUrn, required: false },
      { schema: "urn:acme:scim:1.0:User", required: false }
    ])
    const ids = objects(Discovery.resourceTypes(base, acme).Resources).map((r) => r.id)
    assert.deepStrictEqual(ids, ["User", "Group", "Role"])
  })

  it("/Schemas serves the host's extension with the role's values and every further attribute", () => {
    const ids = objects(Discovery.schemas(base, acme).Resources).map((s) => s.id)
    assert.deepStrictEqual(ids, [UserUrn, GroupUrn, EnterpriseUserUrn, "urn:acme:scim:1.0:User", RoleUrn])
    assert.isTrue(Result.isFailure(Discovery.schema(CustomUserAttributesUrn, base, acme)))
    const ext = ok(Discovery.schema("URN:ACME:SCIM:1.0:USER", base, acme))
    assert.strictEqual(ext.name, "AcmeUser")
    const attributes = objects(ext.attributes)
    assert.deepStrictEqual(attributes.map((a) => [a.name, a.type]), [
      ["tier", "string"],
      ["costCenter", "string"],
      ["seats", "integer"],
      ["beta", "boolean"]
    ])
    assert.deepStrictEqual(attributes[0]!.canonicalValues, ["FREE", "PRO"])
    // the enforcement flag is the server's business, not a characteristic of RFC 7643 §7
    assert.notProperty(attributes[0]!, "enforceCanonicalValues")
  })

  it("a model that hides its roles lists neither the Role resource type nor its schema", () => {
    const hidden = DomainModel.make({ exposeRoles: false })
    assert.deepStrictEqual(objects(Discovery.resourceTypes(base, hidden).Resources).map((r) => r.id), ["User", "Group"])
    assert.notInclude(objects(Discovery.schemas(base, hidden).Resources).map((s) => s.id), RoleUrn)
    assert.isTrue(Result.isFailure(Discovery.resourceType("Role", base, hidden)))
    assert.isTrue(Result.isFailure(Discovery.schema(RoleUrn, base, hidden)))
  })
})
