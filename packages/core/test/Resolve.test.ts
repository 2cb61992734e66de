import { assert, describe, it } from "@effect/vitest"
import * as Result from "effect/Result"
import * as Resolve from "../src/schema/Resolve.js"
import { UserResourceType } from "../src/schema/Schemas.js"

const resolve = (path: string) =>
  Result.flatMap(Resolve.parseAttrPath(UserResourceType, path), (p) => Resolve.resolve(UserResourceType, p))

describe("Resolve", () => {
  it("resolves attribute names case-insensitively", () => {
    for (const path of ["userName", "USERNAME", "urn:ietf:params:scim:schemas:core:2.0:User:userName"]) {
      const resolved = resolve(path)
      assert.isTrue(Result.isSuccess(resolved), path)
      if (Result.isSuccess(resolved)) {
        assert.strictEqual(
          Resolve.canonicalName(resolved.success),
          "urn:ietf:params:scim:schemas:core:2.0:User:userName"
        )
      }
    }
  })

  it("resolves extension sub-attributes with the URN prefix", () => {
    const resolved = resolve("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value")
    assert.isTrue(Result.isSuccess(resolved))
    if (Result.isSuccess(resolved)) {
      assert.strictEqual(resolved.success.attribute.name, "manager")
      assert.strictEqual(resolved.success.subAttribute?.name, "value")
    }
  })

  it("resolves common attributes without a schema", () => {
    const resolved = resolve("meta.lastModified")
    assert.isTrue(Result.isSuccess(resolved))
    if (Result.isSuccess(resolved)) assert.isUndefined(resolved.success.schema)
  })

  it("reports the unknown attribute precisely", () => {
    const resolved = resolve("name.nickname")
    assert.isTrue(Result.isFailure(resolved))
    if (Result.isFailure(resolved)) {
      assert.strictEqual(resolved.failure._tag, "InvalidPath")
      assert.include(resolved.failure.message, "no sub-attribute \"nickname\"")
    }
  })
})
