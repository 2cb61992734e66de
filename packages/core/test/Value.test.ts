import { assert, describe, it } from "@effect/vitest"
import * as FastCheck from "fast-check"
import type { Json } from "../src/domain/Model.js"
import * as A from "../src/schema/Attribute.js"
import * as Value from "../src/schema/Value.js"

const text = A.string("title", "t")
const exact = A.string("id", "i", { caseExact: true })
const when = A.dateTime("created", "c")
const count = A.integer("count", "n")
const ratio = A.decimal("ratio", "r")
const flag = A.boolean("active", "a")
const emails = A.complex("emails", "e", [A.string("value", "v"), A.string("type", "t"), A.boolean("primary", "p")], {
  multiValued: true
})
const name = A.complex("name", "n", [A.string("givenName", "g"), A.string("familyName", "f")])

describe("Value.parseInstant", () => {
  it("reads xsd:dateTime with zones and fractions", () => {
    assert.strictEqual(Value.parseInstant("2011-05-13T04:42:34Z"), Date.UTC(2011, 4, 13, 4, 42, 34))
    assert.strictEqual(Value.parseInstant("2011-05-13T04:42:34.5+02:00"), Date.UTC(2011, 4, 13, 2, 42, 34, 500))
    assert.strictEqual(
      Value.parseInstant("2015-10-10T14:38:21.8617979-07:00"),
      Date.UTC(2015, 9, 10, 21, 38, 21) + 861.7979
    )
    assert.strictEqual(Value.parseInstant("2011-05-13"), Date.UTC(2011, 4, 13))
    assert.strictEqual(Value.parseInstant("2011-05-13t04:42z"), Date.UTC(2011, 4, 13, 4, 42))
    assert.strictEqual(Value.parseInstant("2011-05-13T04:42:34+0130"), Date.UTC(2011, 4, 13, 3, 12, 34))
    assert.strictEqual(Value.parseInstant("0099-01-01T00:00:00Z"), new Date("0099-01-01T00:00:00Z").getTime())
    assert.strictEqual(Value.parseInstant("2024-02-29T00:00:00Z"), Date.UTC(2024, 1, 29))
  })

  it("rejects what is not a dateTime", () => {
    for (
      const bad of [
        "",
        "yesterday",
        "2011-13-01",
        "2011-02-29",
        "2011-05-13T25:00:00Z",
        "2011-05-13T04:42:34.Z",
        "2011-05-13T04:42:34Q",
        "2011-5-13",
        "2011-05-13T04:60"
      ]
    ) {
      assert.isNaN(Value.parseInstant(bad), bad)
    }
  })

  it("agrees with Date for ISO strings", () => {
    FastCheck.assert(
      FastCheck.property(
        FastCheck.record({
          date: FastCheck.date({ min: new Date("1970-01-01"), max: new Date("2200-01-01"), noInvalidDate: true })
        }),
        ({ date }) => {
          assert.strictEqual(Value.parseInstant(date.toISOString()), date.getTime())
        }
      )
    )
  })
})

describe("Value.compareValues", () => {
  it("orders by the attribute's type", () => {
    assert.isBelow(Value.compareValues(when, "2011-05-13T04:42:34Z", "2011-05-13T03:42:34-02:00"), 0)
    assert.strictEqual(Value.compareValues(when, "2011-05-13T04:42:34Z", "2011-05-13T06:42:34+02:00"), 0)
    assert.isBelow(Value.compareValues(count, 9, 10), 0)
    assert.isAbove(Value.compareValues(ratio, 1.5, -2), 0)
    assert.isBelow(Value.compareValues(flag, false, true), 0)
    assert.strictEqual(Value.compareValues(text, "Alice", "alice"), 0)
    assert.isBelow(Value.compareValues(text, "alice", "Bob"), 0)
    assert.isBelow(Value.compareValues(exact, "Bob", "alice"), 0)
    assert.isAbove(Value.compareValues(exact, "alice", "Alice"), 0)
  })

  it("sorts null last and invalid dateTimes after valid ones", () => {
    assert.isAbove(Value.compareValues(text, null, "zzz"), 0)
    assert.isBelow(Value.compareValues(count, 5, null), 0)
    assert.strictEqual(Value.compareValues(text, null, null), 0)
    assert.isBelow(Value.compareValues(when, "2011-05-13T04:42:34Z", "never"), 0)
  })

  it("orders complex and multi-valued attributes by their primary value", () => {
    const a: Json = [{ value: "z@x.com" }, { value: "A@x.com", primary: true }]
    const b: Json = [{ value: "b@x.com" }]
    assert.isBelow(Value.compareValues(emails, a, b), 0)
    assert.isAbove(Value.compareValues(emails, [], b), 0)
    assert.isBelow(Value.compareValues(emails, { value: "a" }, { value: "B" }), 0)
  })

  it("falls back to JSON type order without a definition", () => {
    assert.isBelow(Value.compareValues(undefined, true, 1), 0)
    assert.isBelow(Value.compareValues(undefined, 1, "1"), 0)
    assert.isBelow(Value.compareValues(undefined, "B", "a"), 0)
    assert.isBelow(Value.compareValues(text, 5, "a"), 0)
  })

  const json: FastCheck.Arbitrary<Json> = FastCheck.oneof(
    FastCheck.constantFrom<Array<Json>>(
      null,
      true,
      false,
      "",
      "a",
      "A",
      "b",
      "2011-05-13T04:42:34Z",
      "2011-05-13T06:42:34+02:00"
    ),
    FastCheck.integer({ min: -3, max: 3 }),
    FastCheck.string({ maxLength: 3 })
  )
  const defs = [text, exact, when, count, ratio, flag, undefined] as const

  it("is antisymmetric and transitive for every type", () => {
    FastCheck.assert(FastCheck.property(
      FastCheck.record({
        def: FastCheck.constantFrom(...defs),
        a: json,
        b: json,
        c: json
      }),
      ({ a, b, c, def }) => {
        assert.strictEqual(Math.sign(Value.compareValues(def, a, b)), -Math.sign(Value.compareValues(def, b, a)) || 0)
        if (Value.compareValues(def, a, b) <= 0 && Value.compareValues(def, b, c) <= 0) {
          assert.isAtMost(Value.compareValues(def, a, c), 0)
        }
      }
    ))
  })

  it("equal values compare as 0", () => {
    FastCheck.assert(
      FastCheck.property(
        FastCheck.record({ def: FastCheck.constantFrom(...defs), a: json, b: json }),
        ({ a, b, def }) => {
          if (Value.equalValues(def, a, b)) assert.strictEqual(Value.compareValues(def, a, b), 0)
        }
      )
    )
  })
})

describe("Value.equalValues", () => {
  it("compares by type and caseExact", () => {
    assert.isTrue(Value.equalValues(text, "Alice", "ALICE"))
    assert.isFalse(Value.equalValues(exact, "Alice", "ALICE"))
    assert.isTrue(Value.equalValues(when, "2011-05-13T04:42:34Z", "2011-05-13T06:42:34.000+02:00"))
    assert.isFalse(Value.equalValues(when, "2011-05-13T04:42:34Z", "2011-05-13T04:42:35Z"))
    assert.isTrue(Value.equalValues(count, 3, 3))
    assert.isFalse(Value.equalValues(count, 3, "3"))
    assert.isFalse(Value.equalValues(flag, true, false))
    assert.isTrue(Value.equalValues(undefined, "a", "a"))
    assert.isFalse(Value.equalValues(undefined, "a", "A"))
  })

  it("compares complex values sub-attribute by sub-attribute", () => {
    assert.isTrue(Value.equalValues(name, { givenName: "Ann", familyName: null }, { GivenName: "ann" }))
    assert.isFalse(Value.equalValues(name, { givenName: "Ann" }, { givenName: "Ann", familyName: "X" }))
    assert.isTrue(Value.equalValues(emails, { value: "A@x.com", type: "work" }, { type: "WORK", value: "a@X.com" }))
    assert.isFalse(Value.equalValues(emails, { value: "a@x.com" }, "a@x.com"))
  })

  it("compares multi-valued attributes as sets", () => {
    assert.isTrue(Value.equalValues(emails, [{ value: "a" }, { value: "b" }], [{ value: "B" }, { value: "A" }]))
    assert.isFalse(Value.equalValues(emails, [{ value: "a" }, { value: "a" }], [{ value: "a" }, { value: "b" }]))
    assert.isFalse(Value.equalValues(emails, [{ value: "a" }], [{ value: "a" }, { value: "a" }]))
  })
})

describe("Value.isPresent", () => {
  it("follows RFC 7644 §3.4.2.2", () => {
    for (const absent of [undefined, null, "", [], [null, ""], {}, { value: null, type: "" }]) {
      assert.isFalse(Value.isPresent(absent))
    }
    for (const present of ["x", 0, false, ["", " "], { value: "x" }, [{ value: "" }, { value: "x" }]]) {
      assert.isTrue(Value.isPresent(present))
    }
  })
})
