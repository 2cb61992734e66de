import { assert, describe, it } from "@effect/vitest"
import * as Result from "effect/Result"
import * as fc from "fast-check"
import type { Json, JsonObject } from "../src/domain/Model.js"
import * as Projection from "../src/query/Projection.js"
import * as A from "../src/schema/Attribute.js"
import type { ResourceTypeDef } from "../src/schema/Schemas.js"
import {
  CustomUserAttributesUrn,
  EnterpriseUserUrn,
  GroupResourceType,
  GroupUrn,
  UserResourceType,
  UserUrn
} from "../src/schema/Schemas.js"
import type { ProjectionRequest } from "../src/query/Projection.js"

const rt = UserResourceType
const parse = (request: ProjectionRequest, type: ResourceTypeDef = rt): Projection.Projection => {
  const result = Projection.parse(type, request)
  if (Result.isFailure(result)) return assert.fail(result.failure.message)
  return result.success
}
const project = (request: ProjectionRequest, doc: JsonObject = user) => Projection.apply(rt, doc, parse(request))

const user: JsonObject = {
  schemas: [UserUrn, EnterpriseUserUrn, CustomUserAttributesUrn],
  id: "u-1",
  externalId: "e-1",
  userName: "bjensen@example.com",
  name: { givenName: "Barbara", familyName: "Jensen" },
  emails: [{ value: "b@x.com", type: "work", primary: true }, { value: "b@home.com", type: "home" }],
  password: "should never leave",
  groups: [{ value: "g-1", display: "Admins" }],
  driftField: "kept as given",
  meta: { resourceType: "User", created: "2024-01-01T00:00:00Z", location: "https://h/Users/u-1", version: "W/\"1\"" },
  [EnterpriseUserUrn]: { department: "R&D", manager: { value: "u-2", displayName: "Boss" } },
  [CustomUserAttributesUrn]: { platformRole: "ADMIN" }
}

describe("Projection.parse", () => {
  it("accepts comma-separated strings and arrays", () => {
    const fromString = parse({ attributes: "userName, name.givenName" })
    const fromArray = parse({ attributes: ["userName", "name.givenName"] })
    assert.strictEqual(fromString._tag, "Include")
    assert.deepStrictEqual(Projection.apply(rt, user, fromString), Projection.apply(rt, user, fromArray))
  })

  it("gives the default projection when neither is given (or both are empty)", () => {
    assert.strictEqual(parse({}), Projection.none)
    assert.strictEqual(parse({ attributes: "", excludedAttributes: " , " })._tag, "Default")
  })

  it("rejects attributes together with excludedAttributes (RFC 7644 §3.9: mutually exclusive)", () => {
    const result = Projection.parse(rt, { attributes: "userName", excludedAttributes: "emails" })
    assert.isTrue(Result.isFailure(result))
    if (Result.isFailure(result)) {
      assert.strictEqual(result.failure._tag, "InvalidValue")
      assert.include(result.failure.message, "mutually exclusive")
    }
  })

  it("ignores unknown names", () => {
    assert.deepStrictEqual(project({ attributes: "userName,costCentre.code,urn:acme:x:y,nonsense" }), {
      schemas: [UserUrn],
      id: "u-1",
      userName: "bjensen@example.com"
    })
  })
})

describe("Projection.parse with value filters (quirk filtered-projection)", () => {
  const lenient = (request: ProjectionRequest): Projection.Parsed => {
    const result = Projection.parseWithQuirks(rt, request, { profile: "lenient" })
    if (Result.isFailure(result)) return assert.fail(result.failure.message)
    return result.success
  }
  const projectWith = (parsed: Projection.Parsed) => Projection.apply(rt, user, parsed.projection)

  it("lenient: attr[filter] projects attr, the filter dropped", () => {
    const parsed = lenient({ attributes: "emails[type eq \"work\"]" })
    assert.deepStrictEqual(parsed.quirks, ["filtered-projection"])
    assert.deepStrictEqual(projectWith(parsed), { schemas: [UserUrn], id: "u-1", emails: user.emails as Json })
    assert.deepStrictEqual(projectWith(lenient({ attributes: ["userName", "Emails[value eq \"emailName357\"]"] })), {
      schemas: [UserUrn],
      id: "u-1",
      userName: "bjensen@example.com",
      emails: user.emails as Json
    })
  })

  it("lenient: attr[filter].sub projects attr.sub, also in excludedAttributes and extensions", () => {
    assert.deepStrictEqual(projectWith(lenient({ attributes: "emails[type eq \"work\"].value" })).emails, [{
      value: "b@x.com"
    }, { value: "b@home.com" }])
    const excluded = projectWith(
      lenient({ excludedAttributes: "emails[type eq \"home\"], name[givenName pr].familyName" })
    )
    assert.isUndefined(excluded.emails)
    assert.deepStrictEqual(excluded.name, { givenName: "Barbara" })
    assert.deepStrictEqual(
      projectWith(lenient({ attributes: `${EnterpriseUserUrn}:manager[value pr].value` }))[EnterpriseUserUrn],
      { manager: { value: "u-2" } }
    )
  })

  it("lenient: names without a value filter report no quirk; malformed ones stay ignored", () => {
    assert.deepStrictEqual(lenient({ attributes: "userName,emails.value" }).quirks, [])
    const malformed = lenient({ attributes: "userName,emails[type eq \"work\",[x],emails[x]y" })
    assert.deepStrictEqual(projectWith(malformed), { schemas: [UserUrn], id: "u-1", userName: "bjensen@example.com" })
  })

  it("rfc (and no profile): a name with a value filter is ignored like an unknown name", () => {
    for (const options of [{ profile: "rfc" } as const, { profile: "entra" } as const, {}]) {
      const result = Projection.parseWithQuirks(rt, { attributes: "userName,emails[type eq \"work\"]" }, options)
      assert.isTrue(Result.isSuccess(result))
      if (Result.isSuccess(result)) {
        assert.deepStrictEqual(result.success.quirks, [])
        assert.deepStrictEqual(projectWith(result.success), {
          schemas: [UserUrn],
          id: "u-1",
          userName: "bjensen@example.com"
        })
      }
    }
    assert.deepStrictEqual(project({ attributes: "emails[type eq \"work\"]" }), { schemas: [UserUrn], id: "u-1" })
  })

  it("hasValueFilter tells whether a profile is needed", () => {
    assert.isTrue(Projection.hasValueFilter({ attributes: "userName,emails[type eq \"work\"]" }))
    assert.isTrue(Projection.hasValueFilter({ excludedAttributes: ["emails[type eq \"work\"]"] }))
    assert.isFalse(Projection.hasValueFilter({ attributes: "userName,emails.value" }))
    assert.isFalse(Projection.hasValueFilter({}))
  })
})

describe("Projection.apply", () => {
  it("default: everything but returned:never", () => {
    const { password: _, ...rest } = user
    assert.deepStrictEqual(project({}), rest)
  })

  it("attributes: id and schemas always, plus what was asked, case-insensitively and with URNs", () => {
    assert.deepStrictEqual(
      project({ attributes: "USERNAME,urn:ietf:params:scim:schemas:core:2.0:User:name.GIVENNAME" }),
      {
        schemas: [UserUrn],
        id: "u-1",
        userName: "bjensen@example.com",
        name: { givenName: "Barbara" }
      }
    )
  })

  it("attributes: sub-attributes of multi-valued attributes", () => {
    assert.deepStrictEqual(project({ attributes: "emails.value" }).emails, [{ value: "b@x.com" }, {
      value: "b@home.com"
    }])
    assert.deepStrictEqual(project({ attributes: "emails.type,emails.primary" }).emails, [{
      type: "work",
      primary: true
    }, { type: "home" }])
  })

  it("attributes: extension attributes, by short name, full path or whole schema URN", () => {
    assert.deepStrictEqual(project({ attributes: `${EnterpriseUserUrn}:manager.value` }), {
      schemas: [UserUrn, EnterpriseUserUrn],
      id: "u-1",
      [EnterpriseUserUrn]: { manager: { value: "u-2" } }
    })
    assert.deepStrictEqual(project({ attributes: "platformRole" })[CustomUserAttributesUrn], { platformRole: "ADMIN" })
    assert.deepStrictEqual(project({ attributes: EnterpriseUserUrn })[EnterpriseUserUrn], user[EnterpriseUserUrn])
  })

  it("attributes: never returns password even when asked", () => {
    assert.isUndefined(project({ attributes: "password,userName" }).password)
  })

  it("attributes: returns an attribute kept as given when named", () => {
    assert.strictEqual(project({ attributes: "DRIFTFIELD" }).driftField, "kept as given")
  })

  it("excludedAttributes: removes what is listed, never id or schemas; empty extensions disappear from schemas", () => {
    const result = project({
      excludedAttributes: ["emails", "id", "schemas", "name.familyName", "platformRole", "meta", "driftField"]
    })
    assert.strictEqual(result.id, "u-1")
    assert.isUndefined(result.emails)
    assert.isUndefined(result.meta)
    assert.isUndefined(result.driftField)
    assert.isUndefined(result.password)
    assert.deepStrictEqual(result.name, { givenName: "Barbara" })
    assert.isUndefined(result[CustomUserAttributesUrn])
    assert.deepStrictEqual(result.schemas, [UserUrn, EnterpriseUserUrn])
    assert.deepStrictEqual(result[EnterpriseUserUrn], user[EnterpriseUserUrn])
  })

  it("excludedAttributes: sub-attributes of extension attributes", () => {
    const result = project({ excludedAttributes: `${EnterpriseUserUrn}:manager.displayName` })
    assert.deepStrictEqual(result[EnterpriseUserUrn], { department: "R&D", manager: { value: "u-2" } })
  })

  const withRequest: ResourceTypeDef = {
    ...rt,
    schema: {
      ...rt.schema,
      attributes: [
        ...rt.schema.attributes,
        A.string("recoveryCode", "Returned on request only.", { returned: "request" })
      ]
    }
  }

  it("returned:request attributes come back only when listed in attributes", () => {
    const doc = { ...user, recoveryCode: "42" }
    const apply = (request: ProjectionRequest) => Projection.apply(withRequest, doc, parse(request, withRequest))
    assert.isUndefined(apply({}).recoveryCode)
    assert.isUndefined(apply({ excludedAttributes: "emails" }).recoveryCode)
    assert.strictEqual(apply({ attributes: "recoveryCode" }).recoveryCode, "42")
    assert.isFalse(Projection.includes(withRequest, parse({}, withRequest), "recoveryCode"))
    assert.isTrue(Projection.includes(withRequest, parse({ attributes: "recoveryCode" }, withRequest), "recoveryCode"))
  })
})

describe("Projection.includes", () => {
  const group = GroupResourceType
  it("tells a service whether group members will be returned", () => {
    assert.isTrue(Projection.includes(group, parse({}, group), "members"))
    assert.isFalse(Projection.includes(group, parse({ excludedAttributes: "members" }, group), "members"))
    assert.isTrue(Projection.includes(group, parse({ excludedAttributes: "members.display" }, group), "members"))
    assert.isFalse(Projection.includes(group, parse({ attributes: "displayName" }, group), "members"))
    assert.isTrue(Projection.includes(group, parse({ attributes: "members.value" }, group), "MEMBERS"))
    assert.isTrue(Projection.includes(group, parse({ attributes: "displayName" }, group), "id"))
    assert.isFalse(Projection.includes(rt, parse({ attributes: "password" }), "password"))
    assert.deepStrictEqual(
      Projection.apply(group, {
        schemas: [GroupUrn],
        id: "g",
        displayName: "G",
        members: [{ value: "u", display: "U" }]
      }, parse({ excludedAttributes: "members" }, group)),
      { schemas: [GroupUrn], id: "g", displayName: "G" }
    )
  })
})

const names = [
  "id",
  "schemas",
  "userName",
  "name",
  "name.givenName",
  "name.familyName",
  "emails",
  "emails.value",
  "emails.type",
  "meta",
  "meta.version",
  "password",
  "groups",
  "groups.display",
  "driftField",
  "unknownThing",
  "externalId",
  EnterpriseUserUrn,
  `${EnterpriseUserUrn}:department`,
  "manager.value",
  "department",
  "platformRole",
  CustomUserAttributesUrn
]
const requestArb: fc.Arbitrary<ProjectionRequest> = fc.oneof(
  fc.constant({}),
  fc.subarray(names, { minLength: 1 }).map((list) => ({
    attributes: list.map((n) => (n.length % 2 === 0 ? n.toUpperCase() : n)).join(",")
  })),
  fc.subarray(names, { minLength: 1 }).map((list) => ({ excludedAttributes: list }))
)
const textArb = fc.string({ maxLength: 6 })
const docArb: fc.Arbitrary<JsonObject> = fc.record({
  userName: textArb,
  name: fc.record({ givenName: textArb, familyName: textArb }, { requiredKeys: [] }),
  emails: fc.array(fc.record({ value: textArb, type: textArb, primary: fc.boolean() }, { requiredKeys: [] }), {
    maxLength: 3
  }),
  password: textArb,
  driftField: textArb,
  externalId: textArb,
  [EnterpriseUserUrn]: fc.record({ department: textArb, manager: fc.record({ value: textArb }) }, { requiredKeys: [] }),
  [CustomUserAttributesUrn]: fc.record({ platformRole: fc.constantFrom("MEMBER", "ADMIN") })
}, { requiredKeys: ["userName"] }).map((doc) => ({
  schemas: [UserUrn, EnterpriseUserUrn, CustomUserAttributesUrn],
  id: "u-1",
  ...doc
}))

const isSubDocument = (part: Json | undefined, whole: Json | undefined): boolean => {
  if (part === undefined) return true
  if (Array.isArray(part) && Array.isArray(whole)) {
    const items: ReadonlyArray<Json> = part
    const from: ReadonlyArray<Json> = whole
    return items.every((item) => from.some((w) => isSubDocument(item, w)))
  }
  if (
    typeof part === "object" && part !== null && !Array.isArray(part) && typeof whole === "object" && whole !== null &&
    !Array.isArray(whole)
  ) {
    const p = part as JsonObject
    const w = whole as JsonObject
    return Object.keys(p).every((k) => k in w && isSubDocument(p[k], w[k]))
  }
  return JSON.stringify(part) === JSON.stringify(whole)
}

describe("Projection laws", () => {
  it("never drops id or schemas", () => {
    fc.assert(fc.property(fc.record({ doc: docArb, request: requestArb }), ({ doc, request }) => {
      const result = Projection.apply(rt, doc, parse(request))
      assert.strictEqual(result.id, "u-1")
      assert.isTrue(Array.isArray(result.schemas))
      assert.include(result.schemas as ReadonlyArray<Json>, UserUrn)
    }))
  })

  it("never returns a returned:never attribute", () => {
    fc.assert(fc.property(fc.record({ doc: docArb, request: requestArb }), ({ doc, request }) => {
      assert.notProperty(Projection.apply(rt, doc, parse(request)), "password")
    }))
  })

  it("is idempotent", () => {
    fc.assert(fc.property(fc.record({ doc: docArb, request: requestArb }), ({ doc, request }) => {
      const projection = parse(request)
      const once = Projection.apply(rt, doc, projection)
      assert.deepStrictEqual(Projection.apply(rt, once, projection), once)
    }))
  })

  it("returns a part of the document, and schemas lists exactly the extensions returned", () => {
    fc.assert(fc.property(fc.record({ doc: docArb, request: requestArb }), ({ doc, request }) => {
      const result = Projection.apply(rt, doc, parse(request))
      const { schemas: _, ...rest } = result
      assert.isTrue(isSubDocument(rest, doc))
      for (const urn of [EnterpriseUserUrn, CustomUserAttributesUrn]) {
        assert.strictEqual((result.schemas as ReadonlyArray<Json>).includes(urn), urn in result, urn)
      }
    }))
  })

  it("includes agrees with apply", () => {
    fc.assert(fc.property(fc.record({ doc: docArb, request: requestArb }), ({ doc, request }) => {
      const projection = parse(request)
      const result = Projection.apply(rt, doc, projection)
      for (const attribute of ["userName", "name", "emails", "externalId", "id"]) {
        if (attribute in result) assert.isTrue(Projection.includes(rt, projection, attribute), attribute)
        if (!Projection.includes(rt, projection, attribute)) assert.notProperty(result, attribute)
      }
    }))
  })

  it("the default projection returns what the general walk returns (its fast path keeps a document as it is only when nothing would change)", () => {
    // `Exclude` of nothing is the default projection computed by the general walk, attribute by attribute
    const walk: Projection.Projection = { _tag: "Exclude", selected: new Map(), extra: new Set() }
    const shapes = fc.oneof(
      docArb,
      docArb.map(({ password: _, ...rest }) => rest),
      docArb.map((doc) => ({ ...doc, emails: [] })),
      docArb.map((doc) => ({ ...doc, name: {} })),
      docArb.map((doc) => ({ ...doc, [CustomUserAttributesUrn]: {} })),
      docArb.map((doc) => ({ ...doc, [CustomUserAttributesUrn]: { platformRole: "ADMIN", unknownThing: 1 } })),
      docArb.map((doc) => ({ ...doc, schemas: [UserUrn, EnterpriseUserUrn] as Array<Json> }))
    )
    fc.assert(fc.property(shapes, (doc) => {
      assert.deepStrictEqual(Projection.apply(rt, doc, Projection.none), Projection.apply(rt, doc, walk))
    }))
  })
})
