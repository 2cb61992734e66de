import { assert, describe, it } from "@effect/vitest"
import * as Config from "effect/Config"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Result from "effect/Result"
import * as DomainModel from "../src/domain/DomainModel.js"
import * as ProjectRolePolicy from "../src/policy/ProjectRolePolicy.js"
import * as Resource from "../src/schema/Resource.js"
import * as Schemas from "../src/schema/Schemas.js"
import * as ScimOptions from "../src/ScimOptions.js"

const acme: DomainModel.DomainModelInput = {
  userExtension: {
    urn: "urn:acme:scim:1.0:User",
    role: { attribute: "tier", values: ["FREE", "PRO"], default: "FREE" },
    attributes: [
      { name: "costCenter", type: "string" },
      { name: "seats", type: "integer" },
      { name: "beta", type: "boolean" }
    ]
  }
}

/** The problems of an invalid model (fails the test when the model is valid). */
const problems = (input: DomainModel.DomainModelInput): ReadonlyArray<string> => {
  const result = DomainModel.validate(input)
  if (Result.isSuccess(result)) return assert.fail("the model was accepted")
  return result.failure.problems
}

const role = (values: ReadonlyArray<DomainModel.RoleInput>, extra: { default?: string; ownerRole?: string } = {}) => ({
  userExtension: { urn: "urn:acme:scim:1.0:User", role: { attribute: "tier", values, ...extra } }
})

describe("DomainModel.defaults", () => {
  it("is today's model: CustomUserAttributes / platformRole / MEMBER, OPERATOR, ADMIN / MEMBER", () => {
    const model = DomainModel.defaults
    assert.strictEqual(model.platformRoles.schema, Schemas.CustomUserAttributesUrn)
    assert.strictEqual(model.platformRoles.schema, "urn:ietf:params:scim:schemas:activepieces:1.0:CustomUserAttributes")
    assert.strictEqual(model.platformRoles.attribute, "platformRole")
    assert.deepStrictEqual(model.platformRoles.values, ["MEMBER", "OPERATOR", "ADMIN"])
    assert.deepStrictEqual(model.platformRoles.values, Schemas.PlatformRoles)
    assert.strictEqual(model.platformRoles.default, "MEMBER")
    assert.deepStrictEqual(model.platformRoles.ownerRole, Option.some("ADMIN"))
    assert.strictEqual(model.userExtension, Schemas.CustomUserAttributes)
    assert.strictEqual(model.userResourceType, Schemas.UserResourceType)
    assert.isTrue(model.exposeRoles)
  })

  it("has today's project roles Admin, Editor, Viewer with Editor as default", () => {
    assert.deepStrictEqual(DomainModel.defaults.projectRoles.values, ["Admin", "Editor", "Viewer"])
    assert.strictEqual(DomainModel.defaults.projectRoles.default, "Editor")
    assert.deepStrictEqual(ProjectRolePolicy.roles, ["Admin", "Editor", "Viewer"])
    assert.strictEqual(ProjectRolePolicy.defaultRole, "Editor")
    assert.strictEqual(ScimOptions.defaults.defaultProjectRole, "Editor")
    assert.strictEqual(ScimOptions.defaults.model, DomainModel.defaults)
  })

  it("building today's input gives today's model, schema and resource type", () => {
    const built = DomainModel.make(DomainModel.defaultInput)
    assert.deepStrictEqual(built, DomainModel.defaults)
    assert.deepStrictEqual(built.userExtension, Schemas.CustomUserAttributes)
    assert.deepStrictEqual(built.userResourceType, Schemas.UserResourceType)
  })

  it("building an empty input gives today's model", () => {
    assert.deepStrictEqual(DomainModel.make({}), DomainModel.defaults)
  })
})

describe("DomainModel.make", () => {
  it("builds a host's extension: the role attribute first, then the further attributes with their types", () => {
    const model = DomainModel.make(acme)
    assert.strictEqual(model.userExtension.id, "urn:acme:scim:1.0:User")
    assert.strictEqual(model.userExtension.name, "User")
    assert.deepStrictEqual(model.userExtension.attributes.map((a) => [a.name, a.type, a.multiValued]), [
      ["tier", "string", false],
      ["costCenter", "string", false],
      ["seats", "integer", false],
      ["beta", "boolean", false]
    ])
    const tier = model.userExtension.attributes[0]!
    assert.deepStrictEqual(tier.canonicalValues, ["FREE", "PRO"])
    assert.isTrue(tier.enforceCanonicalValues)
    assert.strictEqual(model.platformRoles.default, "FREE")
    assert.isTrue(Option.isNone(model.platformRoles.ownerRole))
    assert.deepStrictEqual(model.userResourceType.roleAttribute, { schema: "urn:acme:scim:1.0:User", name: "tier" })
    assert.deepStrictEqual(model.userResourceType.extensions.map((e) => e.schema.id), [
      Schemas.EnterpriseUserUrn,
      "urn:acme:scim:1.0:User"
    ])
    assert.strictEqual(DomainModel.userResourceType(model), model.userResourceType)
    // the project roles stay today's unless declared
    assert.strictEqual(model.projectRoles, DomainModel.defaults.projectRoles)
  })

  it("matches defaults and the owner role case-insensitively and keeps the declared spelling", () => {
    const model = DomainModel.make(role(["Free", "Pro"], { default: "free", ownerRole: "PRO" }))
    assert.strictEqual(model.platformRoles.default, "Free")
    assert.deepStrictEqual(model.platformRoles.ownerRole, Option.some("Pro"))
    assert.deepStrictEqual(DomainModel.platformRole(model, " pRo "), Option.some("Pro"))
    assert.deepStrictEqual(DomainModel.platformRole(model, "gold"), Option.none())
  })

  it("without a default the first value is the default", () => {
    assert.strictEqual(DomainModel.make(role(["FREE", "PRO"])).platformRoles.default, "FREE")
    assert.strictEqual(
      DomainModel.make({ projectRoles: { values: ["Owner", "Member"] } }).projectRoles.default,
      "Owner"
    )
  })

  it("takes roles with a display name and a description", () => {
    const model = DomainModel.make({
      projectRoles: {
        values: [{ value: "Owner", displayName: "Project owner", description: "Owns it" }, "Member"],
        default: "member"
      }
    })
    assert.deepStrictEqual(model.projectRoles.values, ["Owner", "Member"])
    assert.strictEqual(model.projectRoles.default, "Member")
    assert.deepStrictEqual(model.projectRoles.details, [
      { value: "Owner", displayName: "Project owner", description: "Owns it" },
      { value: "Member", displayName: "Member", description: "" }
    ])
  })

  it("an attribute with allowed values enforces them; multiValued and caseExact are kept", () => {
    const model = DomainModel.make({
      userExtension: {
        ...acme.userExtension!,
        attributes: [
          { name: "region", type: "string", allowedValues: ["EU", "US"] },
          { name: "tags", type: "string", multiValued: true, caseExact: true },
          { name: "homepage", type: "reference" },
          { name: "since", type: "dateTime" },
          { name: "quota", type: "decimal" }
        ]
      }
    })
    const [, region, tags, homepage] = model.userExtension.attributes
    assert.deepStrictEqual(region!.canonicalValues, ["EU", "US"])
    assert.isTrue(region!.enforceCanonicalValues)
    assert.isTrue(tags!.multiValued)
    assert.isTrue(tags!.caseExact)
    assert.deepStrictEqual(homepage!.referenceTypes, ["external"])
    assert.isTrue(homepage!.caseExact)
  })

  it("validation follows the model: the role's values are enforced, further attributes are typed", () => {
    const model = DomainModel.make(acme)
    const rt = model.userResourceType
    const ok = Resource.normalize(rt, {
      schemas: [Schemas.UserUrn, "urn:acme:scim:1.0:User"],
      userName: "a@acme.test",
      "urn:acme:scim:1.0:User": { tier: "pro", costCenter: "CC-1", seats: 3, beta: true }
    }, { profile: "rfc" })
    assert.isTrue(Result.isSuccess(ok))
    if (Result.isSuccess(ok)) {
      assert.deepStrictEqual(ok.success.document["urn:acme:scim:1.0:User"], {
        tier: "PRO",
        costCenter: "CC-1",
        seats: 3,
        beta: true
      })
    }
    const badTier = Resource.normalize(rt, {
      schemas: [Schemas.UserUrn, "urn:acme:scim:1.0:User"],
      userName: "a@acme.test",
      "urn:acme:scim:1.0:User": { tier: "GOLD" }
    }, { profile: "rfc" })
    assert.isTrue(Result.isFailure(badTier))
    if (Result.isFailure(badTier)) assert.include(badTier.failure.message, "FREE, PRO")
    const badSeats = Resource.normalize(rt, {
      schemas: [Schemas.UserUrn, "urn:acme:scim:1.0:User"],
      userName: "a@acme.test",
      "urn:acme:scim:1.0:User": { seats: "three" }
    }, { profile: "rfc" })
    assert.isTrue(Result.isFailure(badSeats))
    if (Result.isFailure(badSeats)) assert.include(badSeats.failure.message, "seats")
    // today's extension is not a schema of this model's users
    const old = Resource.normalize(rt, {
      schemas: [Schemas.UserUrn, Schemas.CustomUserAttributesUrn],
      userName: "a@acme.test"
    }, { profile: "rfc" })
    assert.isTrue(Result.isFailure(old))
  })
})

describe("DomainModel.validate rejects invalid models with clear messages", () => {
  it("a default that is not among the values", () => {
    assert.deepStrictEqual(problems(role(["FREE", "PRO"], { default: "GOLD" })), [
      "the role attribute \"tier\": the default \"GOLD\" is not among the values \"FREE\", \"PRO\""
    ])
    assert.deepStrictEqual(problems({ projectRoles: { values: ["Owner"], default: "Admin" } }), [
      "the project roles: the default \"Admin\" is not among the values \"Owner\""
    ])
  })

  it("an owner role that is not among the values", () => {
    assert.deepStrictEqual(problems(role(["FREE", "PRO"], { ownerRole: "ADMIN" })), [
      "the owner's role \"ADMIN\" is not among the values \"FREE\", \"PRO\""
    ])
  })

  it("duplicate values (case-insensitively) and empty lists", () => {
    assert.deepStrictEqual(problems(role(["FREE", "Free"])), [
      "the role attribute \"tier\": \"Free\" repeats \"FREE\" (values are case-insensitive)"
    ])
    assert.deepStrictEqual(problems({ projectRoles: { values: [] } }), [
      "the project roles must list at least one value"
    ])
    assert.deepStrictEqual(problems(role(["FREE", " PRO", ""])), [
      "the role attribute \"tier\": \" PRO\" is not a role value (a non-empty string without surrounding spaces)",
      "the role attribute \"tier\": \"\" is not a role value (a non-empty string without surrounding spaces)"
    ])
  })

  it("duplicate attribute names, the role attribute's included", () => {
    assert.deepStrictEqual(
      problems({
        userExtension: {
          urn: "urn:acme:scim:1.0:User",
          role: { attribute: "tier", values: ["FREE"] },
          attributes: [{ name: "seats", type: "integer" }, { name: "Seats", type: "string" }, {
            name: "TIER",
            type: "string"
          }]
        }
      }),
      [
        "the attribute \"Seats\" repeats \"seats\" (names are case-insensitive)",
        "the attribute \"TIER\" repeats \"tier\" (names are case-insensitive)"
      ]
    )
  })

  it("a malformed URN, or one that is or extends a core schema's", () => {
    const urn = (value: string) => ({
      userExtension: { urn: value, role: { attribute: "tier", values: ["FREE"] } }
    })
    for (const bad of ["acme:User", "urn:acme", "urn:acme:", "urn:a cme:x", "urn:acme:scim user"]) {
      const found = problems(urn(bad))
      assert.strictEqual(found.length, 1, bad)
      assert.include(found[0], "is not a URN (RFC 8141", bad)
    }
    assert.deepStrictEqual(problems(urn(Schemas.EnterpriseUserUrn)), [
      `the user extension URN "${Schemas.EnterpriseUserUrn}" collides with the schema ${Schemas.EnterpriseUserUrn}`
    ])
    assert.deepStrictEqual(problems(urn(`${Schemas.UserUrn}:acme`)), [
      `the user extension URN "${Schemas.UserUrn}:acme" collides with the schema ${Schemas.UserUrn}`
    ])
  })

  it("attribute names outside RFC 7643 §2.1, unknown types, allowed values on a non-string", () => {
    const found = problems({
      userExtension: {
        urn: "urn:acme:scim:1.0:User",
        role: { attribute: "1tier", values: ["FREE"] },
        attributes: [
          { name: "cost center", type: "string" },
          { name: "manager", type: "complex" as DomainModel.ExtensionAttributeType },
          { name: "seats", type: "integer", allowedValues: ["1", "2"] }
        ]
      }
    })
    assert.deepStrictEqual(found, [
      "the role attribute \"1tier\" is not an attribute name (RFC 7643 §2.1: a letter, then letters, digits, \"-\" or \"_\")",
      "the attribute \"cost center\" is not an attribute name (RFC 7643 §2.1: a letter, then letters, digits, \"-\" or \"_\")",
      "attribute \"manager\": type \"complex\" is not one of string, boolean, integer, decimal, dateTime, reference",
      "attribute \"seats\": allowedValues apply to string attributes only"
    ])
  })

  it("make throws InvalidDomainModel naming every problem", () => {
    try {
      DomainModel.make(role(["FREE", "FREE"], { default: "GOLD" }))
      assert.fail("make accepted an invalid model")
    } catch (error) {
      assert.instanceOf(error, DomainModel.InvalidDomainModel)
      if (error instanceof DomainModel.InvalidDomainModel) {
        assert.strictEqual(error.problems.length, 2)
        assert.match(error.message, /^Invalid domain model: .*repeats.*; .*GOLD/)
      }
    }
  })
})

describe("ScimOptions with a model", () => {
  const model = DomainModel.make({ projectRoles: { values: ["Owner", "Member"], default: "Member" } })

  it.effect("a model without defaultProjectRole uses the model's default project role", () =>
    Effect.gen(function*() {
      const options = yield* ScimOptions.ScimOptions
      assert.strictEqual(options.model, model)
      assert.strictEqual(options.defaultProjectRole, "Member")
    }).pipe(Effect.provide(ScimOptions.layer({ model }))))

  it.effect("defaultProjectRole is checked against the model and spelled as it declares", () =>
    Effect.gen(function*() {
      const options = yield* ScimOptions.ScimOptions
      assert.strictEqual(options.defaultProjectRole, "Owner")
    }).pipe(Effect.provide(ScimOptions.layer({ model, defaultProjectRole: "owner" }))))

  it("a defaultProjectRole outside the model's project roles stops the layer with the allowed values", () => {
    assert.throws(
      () => ScimOptions.layer({ model, defaultProjectRole: "Editor" }),
      /the default project role "Editor" is not among the project roles Owner, Member/
    )
    assert.throws(() => ScimOptions.layer({ defaultProjectRole: "Owner" }), /Admin, Editor, Viewer/)
  })

  it.effect("the default project role's variable is read against the model's roles", () =>
    Effect.gen(function*() {
      const read = (env: Record<string, string>) =>
        Effect.provideService(
          ProjectRolePolicy.defaultProjectRoleConfigFor(model),
          ConfigProvider.ConfigProvider,
          ConfigProvider.fromEnv({ env })
        )
      assert.strictEqual(yield* read({}), "Member")
      assert.strictEqual(yield* read({ SCIM_DEFAULT_PROJECT_ROLE: "OWNER" }), "Owner")
      const error = String(yield* Effect.flip(read({ SCIM_DEFAULT_PROJECT_ROLE: "Editor" })))
      assert.include(error, "Owner, Member")
      assert.include(error, "SCIM_DEFAULT_PROJECT_ROLE")
    }))

  it.effect("layerConfig turns a defaultProjectRole outside the model into a ConfigError", () =>
    Effect.gen(function*() {
      // today's variable names a role the host's model does not have
      const config = Config.map(ProjectRolePolicy.defaultProjectRoleConfig, (defaultProjectRole) => ({
        model,
        defaultProjectRole
      }))
      const error = yield* Effect.flip(
        Effect.provideService(
          Effect.scoped(Layer.build(ScimOptions.layerConfig(config))),
          ConfigProvider.ConfigProvider,
          ConfigProvider.fromEnv({ env: { SCIM_DEFAULT_PROJECT_ROLE: "Editor" } })
        )
      )
      assert.instanceOf(error, Config.ConfigError)
      assert.include(String(error), "not among the project roles Owner, Member")
    }))
})
