import { assert, describe, it } from "@effect/vitest"
import * as Either from "effect/Either"
import * as Resolve from "../src/schema/Resolve.js"
import { UserResourceType } from "../src/schema/Schemas.js"

const resolve = (path: string) =>
  Either.flatMap(Resolve.parseAttrPath(UserResourceType, path), (p) => Resolve.resolve(UserResourceType, p))

describe("Resolve", () => {
  it("resolves attribute names case-insensitively", () => {
    for (const path of ["userName", "USERNAME", "urn:ietf:params:scim:schemas:core:2.0:User:userName"]) {
      const resolved = resolve(path)
      assert.isTrue(Either.isRight(resolved), path)
      if (Either.isRight(resolved)) assert.strictEqual(Resolve.canonicalName(resolved.right), "urn:ietf:params:scim:schemas:core:2.0:User:userName")
    }
  })

  it("resolves extension sub-attributes with the URN prefix", () => {
    const resolved = resolve("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value")
    assert.isTrue(Either.isRight(resolved))
    if (Either.isRight(resolved)) {
      assert.strictEqual(resolved.right.attribute.name, "manager")
      assert.strictEqual(resolved.right.subAttribute?.name, "value")
    }
  })

  it("resolves common attributes without a schema", () => {
    const resolved = resolve("meta.lastModified")
    assert.isTrue(Either.isRight(resolved))
    if (Either.isRight(resolved)) assert.isUndefined(resolved.right.schema)
  })

  it("reports the unknown attribute precisely", () => {
    const resolved = resolve("name.nickname")
    assert.isTrue(Either.isLeft(resolved))
    if (Either.isLeft(resolved)) {
      assert.strictEqual(resolved.left._tag, "InvalidPath")
      assert.include(resolved.left.message, "no sub-attribute \"nickname\"")
    }
  })
})
