import { assert, describe, it } from "@effect/vitest"
import * as Result from "effect/Result"
import type { AttributeDef, SchemaDef } from "../src/schema/Attribute.js"
import { findAttribute, findSubAttribute } from "../src/schema/Attribute.js"
import * as Resolve from "../src/schema/Resolve.js"
import * as Schemas from "../src/schema/Schemas.js"

const attr = (schema: SchemaDef, path: string): AttributeDef => {
  const [name, sub] = path.split(".")
  const a = findAttribute(schema, name!)
  if (a === undefined) return assert.fail(`${schema.name} has no ${name}`)
  if (sub === undefined) return a
  const s = findSubAttribute(a, sub)
  if (s === undefined) return assert.fail(`${schema.name}.${name} has no ${sub}`)
  return s
}
const walk = (
  attributes: ReadonlyArray<AttributeDef>,
  visit: (a: AttributeDef, parent?: AttributeDef) => void,
  parent?: AttributeDef
): void => {
  for (const a of attributes) {
    visit(a, parent)
    if (a.subAttributes !== undefined) walk(a.subAttributes, visit, a)
  }
}

describe("Schemas (RFC 7643 §4, §8.7.1)", () => {
  it("User has every attribute of §4.1", () => {
    assert.deepStrictEqual(Schemas.User.attributes.map((a) => a.name), [
      "userName",
      "name",
      "displayName",
      "nickName",
      "profileUrl",
      "title",
      "userType",
      "preferredLanguage",
      "locale",
      "timezone",
      "active",
      "password",
      "emails",
      "phoneNumbers",
      "ims",
      "photos",
      "addresses",
      "groups",
      "entitlements",
      "roles",
      "x509Certificates"
    ])
  })

  it("common attributes: id is always returned, read-only and case-exact; externalId case-exact", () => {
    const [id, externalId, meta] = Schemas.commonAttributes
    assert.deepInclude(id, {
      name: "id",
      returned: "always",
      mutability: "readOnly",
      caseExact: true,
      uniqueness: "server"
    })
    assert.deepInclude(externalId, { name: "externalId", caseExact: true, mutability: "readWrite" })
    assert.deepInclude(meta, { name: "meta", mutability: "readOnly", type: "complex" })
    assert.deepStrictEqual(meta!.subAttributes!.map((a) => a.name), [
      "resourceType",
      "created",
      "lastModified",
      "location",
      "version"
    ])
  })

  it("User characteristics follow §8.7.1", () => {
    assert.deepInclude(attr(Schemas.User, "userName"), {
      required: true,
      caseExact: false,
      uniqueness: "server",
      mutability: "readWrite"
    })
    assert.deepInclude(attr(Schemas.User, "password"), { mutability: "writeOnly", returned: "never" })
    assert.deepInclude(attr(Schemas.User, "active"), { type: "boolean" })
    assert.deepInclude(attr(Schemas.User, "profileUrl"), { type: "reference", referenceTypes: ["external"] })
    assert.deepInclude(attr(Schemas.User, "groups"), { mutability: "readOnly", multiValued: true })
    for (const sub of ["value", "$ref", "display", "type"]) {
      assert.strictEqual(attr(Schemas.User, `groups.${sub}`).mutability, "readOnly")
    }
    assert.deepStrictEqual(attr(Schemas.User, "groups.type").canonicalValues, ["direct", "indirect"])
    assert.deepStrictEqual(attr(Schemas.User, "groups.$ref").referenceTypes, ["User", "Group"])
    assert.deepStrictEqual(attr(Schemas.User, "emails.type").canonicalValues, ["work", "home", "other"])
    assert.deepStrictEqual(attr(Schemas.User, "phoneNumbers.type").canonicalValues, [
      "work",
      "home",
      "mobile",
      "fax",
      "pager",
      "other"
    ])
    assert.deepStrictEqual(attr(Schemas.User, "ims.type").canonicalValues, [
      "aim",
      "gtalk",
      "icq",
      "xmpp",
      "msn",
      "skype",
      "qq",
      "yahoo"
    ])
    assert.deepStrictEqual(attr(Schemas.User, "photos.type").canonicalValues, ["photo", "thumbnail"])
    assert.deepInclude(attr(Schemas.User, "photos.value"), { type: "reference", referenceTypes: ["external"] })
    assert.deepStrictEqual(attr(Schemas.User, "addresses.type").canonicalValues, ["work", "home", "other"])
    assert.strictEqual(attr(Schemas.User, "x509Certificates.value").type, "binary")
    for (
      const multi of [
        "emails",
        "phoneNumbers",
        "ims",
        "photos",
        "addresses",
        "groups",
        "entitlements",
        "roles",
        "x509Certificates"
      ]
    ) {
      assert.isTrue(attr(Schemas.User, multi).multiValued, multi)
    }
    assert.deepStrictEqual(attr(Schemas.User, "name").subAttributes!.map((a) => a.name), [
      "formatted",
      "familyName",
      "givenName",
      "middleName",
      "honorificPrefix",
      "honorificSuffix"
    ])
  })

  it("Group follows §4.2: displayName required, members with value, $ref, display and type", () => {
    assert.deepInclude(attr(Schemas.Group, "displayName"), { required: true })
    assert.deepStrictEqual(attr(Schemas.Group, "members").subAttributes!.map((a) => a.name), [
      "value",
      "$ref",
      "display",
      "type"
    ])
    assert.strictEqual(attr(Schemas.Group, "members.value").mutability, "immutable")
    assert.strictEqual(attr(Schemas.Group, "members.display").mutability, "readOnly")
    assert.deepStrictEqual(attr(Schemas.Group, "members.type").canonicalValues, ["User", "Group"])
  })

  it("Enterprise User follows §4.3", () => {
    assert.deepStrictEqual(Schemas.EnterpriseUser.attributes.map((a) => a.name), [
      "employeeNumber",
      "costCenter",
      "organization",
      "division",
      "department",
      "manager"
    ])
    assert.deepStrictEqual(attr(Schemas.EnterpriseUser, "manager").subAttributes!.map((a) => a.name), [
      "value",
      "$ref",
      "displayName"
    ])
    assert.strictEqual(attr(Schemas.EnterpriseUser, "manager.displayName").mutability, "readOnly")
    assert.isFalse(attr(Schemas.EnterpriseUser, "manager.value").required)
  })

  it("CustomUserAttributes carries platformRole with MEMBER, OPERATOR, ADMIN", () => {
    assert.deepInclude(attr(Schemas.CustomUserAttributes, "platformRole"), {
      type: "string",
      canonicalValues: ["MEMBER", "OPERATOR", "ADMIN"]
    })
  })

  it("every definition is well-formed", () => {
    for (
      const schema of [...Schemas.schemas, {
        id: "common",
        name: "common",
        description: "",
        attributes: Schemas.commonAttributes
      }]
    ) {
      const names = new Set<string>()
      walk(schema.attributes, (a, parent) => {
        const key = `${parent?.name ?? ""}.${a.name}`.toLowerCase()
        assert.isFalse(names.has(key), `${schema.name}: ${key} defined twice`)
        names.add(key)
        if (a.type === "complex") assert.isTrue((a.subAttributes?.length ?? 0) > 0, `${a.name} has no sub-attributes`)
        else assert.isUndefined(a.subAttributes, `${a.name} is simple but has sub-attributes`)
        if (a.type === "reference") {
          assert.isTrue((a.referenceTypes?.length ?? 0) > 0, `${a.name} has no referenceTypes`)
        }
        // RFC 7643 §2.3.7: "A reference is case exact" (§8.7.1 says otherwise; erratum 6001).
        if (a.type === "reference") assert.isTrue(a.caseExact, `${a.name} should be caseExact`)
        if (a.type === "boolean") assert.isFalse(a.caseExact, `${a.name}: a boolean has no case sensitivity`)
        if (parent !== undefined) {
          assert.isFalse(a.type === "complex", `${a.name}: complex attributes do not nest (§2.3.8)`)
        }
        assert.isFalse(a.required && a.mutability === "readOnly", `${a.name}: a required attribute cannot be read-only`)
      })
    }
  })

  it("the enforced canonical values name attributes that have canonical values and enforce them", () => {
    assert.deepStrictEqual(Schemas.enforcedCanonicalValues, [
      `${Schemas.CustomUserAttributesUrn}:platformRole`,
      `${Schemas.GroupUrn}:members.type`
    ])
    for (const path of Schemas.enforcedCanonicalValues) {
      const rt = Schemas.resourceTypes.find((r) => Resolve.splitUri(r, path).uri !== undefined)!
      const resolved = Result.flatMap(Resolve.parseAttrPath(rt, path), (p) => Resolve.resolve(rt, p))
      assert.isTrue(Result.isSuccess(resolved), path)
      if (Result.isSuccess(resolved)) {
        const def = resolved.success.subAttribute ?? resolved.success.attribute
        assert.isTrue((def.canonicalValues?.length ?? 0) > 0, path)
        assert.isTrue(def.enforceCanonicalValues, path)
      }
    }
  })

  it("no other attribute enforces its canonical values", () => {
    const flagged: Array<string> = []
    for (const schema of Schemas.schemas) {
      walk(schema.attributes, (a, parent) => {
        if (a.enforceCanonicalValues === true) {
          flagged.push(`${schema.id}:${parent === undefined ? "" : parent.name + "."}${a.name}`)
        }
      })
    }
    assert.sameMembers(flagged, [...Schemas.enforcedCanonicalValues])
  })

  it("resource types: User with its two extensions, Group without, the read-only Role", () => {
    assert.deepStrictEqual(Schemas.UserResourceType.extensions.map((e) => [e.schema.id, e.required]), [
      [Schemas.EnterpriseUserUrn, false],
      [Schemas.CustomUserAttributesUrn, false]
    ])
    assert.deepStrictEqual(Schemas.GroupResourceType.extensions, [])
    assert.deepStrictEqual(Schemas.resourceTypes.map((r) => r.endpoint), ["/Users", "/Groups", "/Roles"])
    assert.deepStrictEqual(Schemas.UserResourceType.roleAttribute, {
      schema: Schemas.CustomUserAttributesUrn,
      name: "platformRole"
    })
    assert.isUndefined(Schemas.GroupResourceType.roleAttribute)
  })

  it("Role follows Okta's role URN and is read-only throughout", () => {
    assert.strictEqual(Schemas.RoleResourceType.schema.id, "urn:okta:scim:schemas:core:1.0:Role")
    assert.deepStrictEqual(Schemas.Role.attributes.map((a) => [a.name, a.type]), [
      ["displayName", "string"],
      ["value", "string"],
      ["type", "string"],
      ["description", "string"],
      ["supported", "boolean"]
    ])
    for (const a of Schemas.Role.attributes) assert.strictEqual(a.mutability, "readOnly", a.name)
  })
})
