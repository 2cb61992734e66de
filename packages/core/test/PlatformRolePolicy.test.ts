import { assert, describe, it } from "@effect/vitest"
import * as Result from "effect/Result"
import * as DomainModel from "../src/domain/DomainModel.js"
import * as PlatformRole from "../src/policy/PlatformRolePolicy.js"
import { CustomUserAttributesUrn } from "../src/schema/Schemas.js"

describe("PlatformRole", () => {
  it("absent extension or attribute means MEMBER", () => {
    assert.deepStrictEqual(PlatformRole.fromDocument({ userName: "a@x.io" }), Result.succeed("MEMBER"))
    assert.deepStrictEqual(PlatformRole.fromDocument({ [CustomUserAttributesUrn]: {} }), Result.succeed("MEMBER"))
    assert.deepStrictEqual(
      PlatformRole.fromDocument({ [CustomUserAttributesUrn]: { platformRole: null } }),
      Result.succeed("MEMBER")
    )
  })

  it("accepts every role case-insensitively and returns it uppercase", () => {
    for (
      const [input, role] of [["admin", "ADMIN"], ["Operator", "OPERATOR"], ["MEMBER", "MEMBER"], [
        " aDmIn ",
        "ADMIN"
      ]] as const
    ) {
      assert.deepStrictEqual(
        PlatformRole.fromDocument({ [CustomUserAttributesUrn]: { platformRole: input } }),
        Result.succeed(role)
      )
    }
  })

  it("rejects anything else with InvalidValue listing the allowed values", () => {
    for (const input of ["OWNER", "", 3, true, ["ADMIN"]]) {
      const result = PlatformRole.parse(input)
      assert.isTrue(Result.isFailure(result))
      if (Result.isFailure(result)) {
        assert.strictEqual(result.failure._tag, "InvalidValue")
        assert.include(result.failure.detail, "MEMBER, OPERATOR, ADMIN")
        assert.strictEqual(result.failure.attribute, PlatformRole.attributeName)
      }
    }
  })

  it("rejects an extension that is not an object", () => {
    const result = PlatformRole.fromDocument({ [CustomUserAttributesUrn]: "ADMIN" })
    assert.isTrue(Result.isFailure(result))
  })

  it("hasExtension tells a PUT without the extension from one with it", () => {
    assert.isFalse(PlatformRole.hasExtension({ userName: "a" }))
    assert.isTrue(PlatformRole.hasExtension({ [CustomUserAttributesUrn]: {} }))
  })

  it("withRole writes the stored form and keeps other extension attributes", () => {
    const doc = PlatformRole.withRole(
      { userName: "a", [CustomUserAttributesUrn]: { platformRole: "admin", other: 1 } },
      "ADMIN"
    )
    assert.deepStrictEqual(doc, { userName: "a", [CustomUserAttributesUrn]: { platformRole: "ADMIN", other: 1 } })
    assert.deepStrictEqual(PlatformRole.withRole({}, "MEMBER"), {
      [CustomUserAttributesUrn]: { platformRole: "MEMBER" }
    })
  })
})

describe("PlatformRole with a host's model", () => {
  const acme = DomainModel.make({
    userExtension: {
      urn: "urn:acme:scim:1.0:User",
      role: { attribute: "tier", values: ["Free", "Pro"], default: "Free" }
    }
  })
  const urn = "urn:acme:scim:1.0:User"

  it("reads the model's attribute under the model's URN; absent means the model's default", () => {
    assert.deepStrictEqual(PlatformRole.fromDocument({ userName: "a" }, acme), Result.succeed("Free"))
    assert.deepStrictEqual(PlatformRole.fromDocument({ [urn]: { tier: "PRO" } }, acme), Result.succeed("Pro"))
    // today's extension means nothing to this model
    assert.deepStrictEqual(
      PlatformRole.fromDocument({ [CustomUserAttributesUrn]: { platformRole: "ADMIN" } }, acme),
      Result.succeed("Free")
    )
  })

  it("rejects other values naming the model's attribute and values", () => {
    const result = PlatformRole.parse("ADMIN", acme)
    assert.isTrue(Result.isFailure(result))
    if (Result.isFailure(result)) {
      assert.strictEqual(result.failure.attribute, "urn:acme:scim:1.0:User:tier")
      assert.include(result.failure.detail, "must be one of Free, Pro")
    }
    assert.strictEqual(PlatformRole.attributeNameOf(acme), "urn:acme:scim:1.0:User:tier")
    const notObject = PlatformRole.fromDocument({ [urn]: "Pro" }, acme)
    assert.isTrue(Result.isFailure(notObject))
    if (Result.isFailure(notObject)) assert.include(notObject.failure.detail, `{"tier": "Pro"}`)
  })

  it("hasExtension and withRole use the model's extension", () => {
    assert.isTrue(PlatformRole.hasExtension({ [urn]: {} }, acme))
    assert.isFalse(PlatformRole.hasExtension({ [CustomUserAttributesUrn]: {} }, acme))
    assert.deepStrictEqual(PlatformRole.withRole({ [urn]: { tier: "pro", seats: 3 } }, "Pro", acme), {
      [urn]: { tier: "Pro", seats: 3 }
    })
  })
})
