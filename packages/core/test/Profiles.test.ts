import { assert, describe, it } from "@effect/vitest"
import * as Profiles from "../src/profile/Profiles.js"

describe("Profiles", () => {
  it("rfc accepts no quirk and lenient accepts every quirk", () => {
    for (const quirk of Profiles.quirks) {
      assert.isFalse(Profiles.accepts("rfc", quirk), quirk)
      assert.isTrue(Profiles.accepts("lenient", quirk), quirk)
    }
  })

  it("entra and okta accept their own dialects and not each other's", () => {
    for (const quirk of [Profiles.OpCaseInsensitive, Profiles.BooleanAsString, Profiles.DottedValueKey, Profiles.UrnValueKey, Profiles.FilterCreatesElement, Profiles.RemoveWithValue]) {
      assert.isTrue(Profiles.accepts("entra", quirk), quirk)
      assert.isFalse(Profiles.accepts("okta", quirk), quirk)
    }
    assert.isTrue(Profiles.accepts("okta", Profiles.ReadOnlyValueIgnored))
    assert.isFalse(Profiles.accepts("entra", Profiles.ReadOnlyValueIgnored))
  })

  it("quirk names are stable kebab-case strings, all different", () => {
    assert.strictEqual(new Set(Profiles.quirks).size, Profiles.quirks.length)
    for (const quirk of Profiles.quirks) assert.match(quirk, /^[a-z]+(-[a-z]+)*$/)
  })

  it("names the profiles that accept a quirk", () => {
    assert.deepStrictEqual(Profiles.acceptedBy(Profiles.BooleanAsString), ["entra", "lenient"])
    assert.deepStrictEqual(Profiles.acceptedBy(Profiles.PatchSchemaMissing), ["lenient"])
    assert.deepStrictEqual(Profiles.acceptedBy(Profiles.BareFilterValue), ["lenient"])
    assert.deepStrictEqual(Profiles.acceptedBy(Profiles.FilteredProjection), ["lenient"])
    assert.strictEqual(Profiles.get("okta").name, "okta")
  })
})
