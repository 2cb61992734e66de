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
    for (
      const quirk of [
        Profiles.OpCaseInsensitive,
        Profiles.BooleanAsString,
        Profiles.DottedValueKey,
        Profiles.UrnValueKey,
        Profiles.FilterCreatesElement,
        Profiles.RemoveWithValue
      ]
    ) {
      assert.isTrue(Profiles.accepts("entra", quirk), quirk)
      assert.isFalse(Profiles.accepts("okta", quirk), quirk)
    }
    assert.isTrue(Profiles.accepts("okta", Profiles.ReadOnlyValueIgnored))
    assert.isFalse(Profiles.accepts("entra", Profiles.ReadOnlyValueIgnored))
  })

  it("the tolerated quirks are accepted by every profile, rfc included, and are none of the quirks a profile chooses", () => {
    for (const quirk of Profiles.tolerated) {
      assert.deepStrictEqual(Profiles.acceptedBy(quirk), ["rfc", "entra", "okta", "lenient"], quirk)
      assert.notInclude(Profiles.quirks as ReadonlyArray<Profiles.Quirk>, quirk)
    }
  })

  it("quirk names are stable kebab-case strings, all different", () => {
    const all = [...Profiles.quirks, ...Profiles.tolerated]
    assert.strictEqual(new Set(all).size, all.length)
    for (const quirk of all) assert.match(quirk, /^[a-z]+(-[a-z]+)*$/)
  })

  it("names the profiles that accept a quirk", () => {
    assert.deepStrictEqual(Profiles.acceptedBy(Profiles.BooleanAsString), ["entra", "lenient"])
    assert.deepStrictEqual(Profiles.acceptedBy(Profiles.PatchSchemaMissing), ["lenient"])
    assert.deepStrictEqual(Profiles.acceptedBy(Profiles.BareFilterValue), ["lenient"])
    assert.deepStrictEqual(Profiles.acceptedBy(Profiles.FilteredProjection), ["lenient"])
    assert.deepStrictEqual(Profiles.acceptedBy(Profiles.NumberForString), ["lenient"])
    assert.deepStrictEqual(Profiles.acceptedBy(Profiles.ArrayForSingleValued), ["lenient"])
    assert.deepStrictEqual(Profiles.acceptedBy(Profiles.SingleValueForMultiValued), ["lenient"])
    for (
      const quirk of [
        Profiles.SeveralPrimaries,
        Profiles.SchemasMissing,
        Profiles.SchemasAsString,
        Profiles.CoreSchemaUnlisted
      ]
    ) {
      assert.deepStrictEqual(Profiles.acceptedBy(quirk), ["entra", "okta", "lenient"], quirk)
    }
    assert.strictEqual(Profiles.get("okta").name, "okta")
  })

  it("a QuirkLog records each accepted quirk once, in the order first accepted, and nothing it refuses", () => {
    const log = new Profiles.QuirkLog("entra")
    assert.isTrue(log.allow(Profiles.BooleanAsString))
    assert.isFalse(log.allow(Profiles.NumberForString))
    log.tolerate(Profiles.UndeclaredExtension)
    assert.isTrue(log.allow(Profiles.BooleanAsString))
    assert.deepStrictEqual(log.fired, [Profiles.BooleanAsString, Profiles.UndeclaredExtension])
  })
})
