import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Result from "effect/Result"
import * as FastCheck from "fast-check"
import type { JsonObject } from "../src/domain/Model.js"
import type { AttrPath, CompareOp, CompValue, Filter as Ast } from "../src/filter/Ast.js"
import * as Filter from "../src/filter/Filter.js"
import {
  CustomUserAttributesUrn,
  EnterpriseUserUrn,
  GroupResourceType,
  UserResourceType,
  UserUrn
} from "../src/schema/Schemas.js"

const parsed = (input: string): Ast => {
  const result = Filter.parseResult(input)
  if (Result.isFailure(result)) assert.fail(`${input.slice(0, 80)}: ${result.failure.message}`)
  return result.success
}

const failure = (input: string, options?: Filter.ParseOptions) => {
  const result = Filter.parseResult(input, options)
  if (Result.isSuccess(result)) assert.fail(`${input} parsed as ${Filter.print(result.success)}`)
  return result.failure
}

describe("Filter.parse", () => {
  it.effect("parses a comparison into the AST", () =>
    Effect.gen(function*() {
      const filter = yield* Filter.parse("userName eq \"bjensen\"")
      assert.deepStrictEqual(filter, { _tag: "Compare", path: { attribute: "userName" }, op: "eq", value: "bjensen" })
    }))

  it.effect("points at the unknown operator", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Filter.parse("userName zz \"bjensen\""))
      assert.strictEqual(error._tag, "InvalidFilter")
      assert.strictEqual(error.offset, 9)
      assert.include(error.expected, "eq, ne, co, sw, ew, gt, lt, ge, le or pr")
      assert.include(error.message, "offset 9")
    }))

  it.effect("bounds the number of comparisons, pointing at the first one too many", () =>
    Effect.gen(function*() {
      const terms = (n: number) => Array.from({ length: n }, (_, i) => `userName eq "u${i}"`).join(" or ")
      yield* Filter.parse(terms(3), { maxTerms: 3 })
      const error = yield* Effect.flip(Filter.parse(terms(4), { maxTerms: 3 }))
      assert.strictEqual(error.offset, terms(3).length + " or userName ".length)
      assert.include(error.expected, "at most 3 comparisons")
      yield* Filter.parse(terms(Filter.defaultMaxTerms), { maxLength: 100_000 })
      assert.strictEqual(
        (yield* Effect.flip(Filter.parse(terms(Filter.defaultMaxTerms + 1), { maxLength: 100_000 })))._tag,
        "InvalidFilter"
      )
    }))

  it.effect("refuses NUL and lone surrogates in filter text, at their offset", () =>
    Effect.gen(function*() {
      const nul = yield* Effect.flip(Filter.parse("userName eq \"a\u0000b\""))
      assert.strictEqual(nul.offset, 14)
      assert.include(nul.expected, "NUL")
      const lone = yield* Effect.flip(Filter.parse("displayName co \"\uD83D\""))
      assert.strictEqual(lone.offset, 16)
      assert.include(lone.expected, "surrogate")
      yield* Filter.parse("displayName co \"😀\"")
    }))

  it("parses every example filter of RFC 7644 §3.4.2.2", () => {
    const examples = [
      "userName eq \"bjensen\"",
      "name.familyName co \"O'Malley\"",
      "userName sw \"J\"",
      "urn:ietf:params:scim:schemas:core:2.0:User:userName sw \"J\"",
      "title pr",
      "meta.lastModified gt \"2011-05-13T04:42:34Z\"",
      "meta.lastModified ge \"2011-05-13T04:42:34Z\"",
      "meta.lastModified lt \"2011-05-13T04:42:34Z\"",
      "meta.lastModified le \"2011-05-13T04:42:34Z\"",
      "title pr and userType eq \"Employee\"",
      "title pr or userType eq \"Intern\"",
      "schemas eq \"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User\"",
      "userType eq \"Employee\" and (emails co \"example.com\" or emails.value co \"example.org\")",
      "userType ne \"Employee\" and not (emails co \"example.com\" or emails.value co \"example.org\")",
      "userType eq \"Employee\" and (emails.type eq \"work\")",
      "userType eq \"Employee\" and emails[type eq \"work\" and value co \"@example.com\"]",
      "emails[type eq \"work\" and value co \"@example.com\"] or ims[type eq \"xmpp\" and value co \"@foo.com\"]"
    ]
    for (const example of examples) {
      const filter = parsed(example)
      assert.deepStrictEqual(parsed(Filter.print(filter)), filter, example)
    }
  })

  it("gives and precedence over or, both left-associative", () => {
    const a = { _tag: "Present", path: { attribute: "a" } } as const
    const b = { _tag: "Present", path: { attribute: "b" } } as const
    const c = { _tag: "Present", path: { attribute: "c" } } as const
    assert.deepStrictEqual(parsed("a pr or b pr and c pr"), {
      _tag: "Or",
      left: a,
      right: { _tag: "And", left: b, right: c }
    })
    assert.deepStrictEqual(parsed("a pr and b pr or c pr"), {
      _tag: "Or",
      left: { _tag: "And", left: a, right: b },
      right: c
    })
    assert.deepStrictEqual(parsed("a pr or b pr or c pr"), {
      _tag: "Or",
      left: { _tag: "Or", left: a, right: b },
      right: c
    })
    assert.deepStrictEqual(parsed("(a pr or b pr) and c pr"), {
      _tag: "And",
      left: { _tag: "Or", left: a, right: b },
      right: c
    })
    assert.deepStrictEqual(parsed("not (a pr) and not(b pr)"), {
      _tag: "And",
      left: { _tag: "Not", filter: a },
      right: { _tag: "Not", filter: b }
    })
  })

  it("reads operators, keywords and literals case-insensitively and keeps attribute case", () => {
    assert.deepStrictEqual(
      parsed("UserName EQ \"x\" AND Active Eq TRUE OR title PR"),
      parsed("UserName eq \"x\" and Active eq true or title pr")
    )
    assert.deepStrictEqual(parsed("NOT (x Ne NULL)"), {
      _tag: "Not",
      filter: { _tag: "Compare", path: { attribute: "x" }, op: "ne", value: null }
    })
    assert.deepStrictEqual(parsed("active eq False"), {
      _tag: "Compare",
      path: { attribute: "active" },
      op: "eq",
      value: false
    })
  })

  it("decodes JSON strings and numbers", () => {
    const value = (input: string) => {
      const filter = parsed(input)
      return filter._tag === "Compare" ? filter.value : assert.fail(input)
    }
    assert.strictEqual(
      value("a eq \"q\\\"uote \\\\ \\/ \\b\\f\\n\\r\\t \\u00e9\\uD83D\\uDE00\""),
      "q\"uote \\ / \b\f\n\r\t é😀"
    )
    assert.strictEqual(value("a eq \"O'Malley\""), "O'Malley")
    assert.strictEqual(value("a eq \"\""), "")
    assert.strictEqual(value("a eq 42"), 42)
    assert.strictEqual(value("a eq -0.5"), -0.5)
    assert.strictEqual(value("a eq 1.5E+3"), 1500)
    assert.strictEqual(value("a eq 2e-2"), 0.02)
    assert.isTrue(Object.is(value("a eq -0"), -0))
  })

  it("splits a URN-prefixed path at the last colon", () => {
    assert.deepStrictEqual(parsed(`${EnterpriseUserUrn}:manager.value eq "m1"`), {
      _tag: "Compare",
      path: { uri: EnterpriseUserUrn, attribute: "manager", subAttribute: "value" },
      op: "eq",
      value: "m1"
    })
    assert.deepStrictEqual(parsed(`${CustomUserAttributesUrn}:platformRole eq "ADMIN"`), {
      _tag: "Compare",
      path: { uri: CustomUserAttributesUrn, attribute: "platformRole" },
      op: "eq",
      value: "ADMIN"
    })
    assert.deepStrictEqual(parsed(`${UserUrn}:emails[type eq "work"]`), {
      _tag: "ValuePath",
      path: { uri: UserUrn, attribute: "emails" },
      filter: { _tag: "Compare", path: { attribute: "type" }, op: "eq", value: "work" }
    })
  })

  it("accepts what Entra ID, Okta and Microsoft's conformance suite send", () => {
    const sent = [
      "userName eq \"AdeleV@contoso.onmicrosoft.com\"",
      "externalId eq \"0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef\"",
      "displayName eq \"Sales Team\"",
      "id eq \"3e0e8b5c\" and members[value eq \"2819c223\"]",
      "name.FamilyName eq \"Employee\" and (emails.Value co \"example.com\" or emails.Value co \"example.org\")",
      "userName sw \"O\"",
      "meta.Created gt \"2015-10-10T14:38:21.8617979-07:00\"",
      "emails[type eq \"work\"].value eq \"x@example.com\"",
      "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq \"701984\""
    ]
    for (const filter of sent) assert.isTrue(Result.isSuccess(Filter.parseResult(filter)), filter)
  })

  it("reads emails[…].value as a condition inside the value filter", () => {
    assert.deepStrictEqual(
      parsed("emails[type eq \"work\"].value co \"@x.com\""),
      parsed("emails[type eq \"work\" and value co \"@x.com\"]")
    )
  })

  it("tolerates extra whitespace and tabs between tokens", () => {
    assert.deepStrictEqual(
      parsed("  ( userName  eq\t\"x\" )  and\n title pr "),
      parsed("userName eq \"x\" and title pr")
    )
  })

  it("treats keywords as attribute names where the grammar expects an attribute", () => {
    assert.deepStrictEqual(parsed("not pr"), { _tag: "Present", path: { attribute: "not" } })
    assert.deepStrictEqual(parsed("or eq 1 and and pr"), {
      _tag: "And",
      left: { _tag: "Compare", path: { attribute: "or" }, op: "eq", value: 1 },
      right: { _tag: "Present", path: { attribute: "and" } }
    })
  })

  it("reports malformed filters with the offset and what was expected", () => {
    const cases: ReadonlyArray<readonly [string, number, string]> = [
      ["", 0, "expected a filter"],
      ["   ", 0, "expected a filter"],
      ["userName", 8, "expected an operator"],
      ["userName eq", 11, "expected a value"],
      ["userName eq bjensen", 12, "expected a value"],
      ["userName eq \"bjensen", 12, "closing '\"'"],
      ["userName eq \"a\\x\"", 14, "JSON escape"],
      ["userName eq \"\\u12\"", 13, "four hex digits"],
      ["userName eq 01", 12, "JSON number"],
      ["userName eq 1e999", 12, "range"],
      ["userName eq 1.", 14, "digit after the decimal point"],
      ["(userName pr", 12, "close the \"(\" at offset 0"],
      ["emails[type eq \"work\"", 21, "close the \"[\" at offset 6"],
      ["userName pr)", 11, "expected \"and\", \"or\" or the end"],
      ["userName pr title pr", 12, "expected \"and\", \"or\" or the end"],
      ["and pr and", 10, "expected an attribute path"],
      ["emails[type eq \"work\" and x[y pr]]", 27, "do not nest"],
      ["name.givenName[value pr]", 0, "not a sub-attribute"],
      ["a.b.c pr", 2, "at most one sub-attribute"],
      ["1abc pr", 0, "expected an attribute path"],
      [":abc pr", 0, "expected an attribute path"],
      ["urn:x: pr", 6, "attribute name after the schema URI"],
      ["a/b pr", 0, "schema URI is followed by"],
      ["userName eq\"x\"", -1, ""]
    ]
    for (const [input, offset, expected] of cases) {
      if (offset < 0) {
        assert.isTrue(Result.isSuccess(Filter.parseResult(input)), input)
        continue
      }
      const error = failure(input)
      assert.strictEqual(error.offset, offset, `${input}: ${error.expected}`)
      assert.include(error.expected, expected, input)
      assert.strictEqual(error.filter, input)
    }
  })

  it("enforces the length limit", () => {
    const long = "userName eq \"" + "x".repeat(5000) + "\""
    assert.include(failure(long).expected, "at most 4096 characters")
    assert.include(failure("title pr", { maxLength: 5 }).expected, "at most 5 characters")
    assert.isTrue(Result.isSuccess(Filter.parseResult(long, { maxLength: 10_000 })))
  })

  it("enforces the nesting limit for parentheses, not and value filters", () => {
    const nested = (n: number) => "(".repeat(n) + "a pr" + ")".repeat(n)
    assert.isTrue(Result.isSuccess(Filter.parseResult(nested(32))))
    const error = failure(nested(33))
    assert.strictEqual(error.offset, 32)
    assert.include(error.expected, "at most 32 nested groups")
    assert.include(failure("not (not (not (a pr)))", { maxDepth: 2 }).expected, "at most 2 nested")
    assert.include(failure("emails[value pr]", { maxDepth: 0 }).expected, "at most 0 nested")
    assert.include(failure(nested(5000), { maxLength: 100_000 }).expected, "nested groups")
  })

  it("does not nest for long and/or chains", () => {
    const chain = Array.from({ length: 250 }, (_, i) => `id eq "${i}"`).join(" or ")
    const filter = parsed(chain)
    assert.strictEqual(filter._tag, "Or")
    assert.strictEqual(Filter.print(filter), chain)
  })
})

describe("Filter.print", () => {
  it("prints canonical text", () => {
    assert.strictEqual(
      Filter.print(parsed("NOT ( userName SW \"J\" ) and ( Title Pr OR emails[ Type EQ \"work\" ] )")),
      "not (userName sw \"J\") and (Title pr or emails[Type eq \"work\"])"
    )
    assert.strictEqual(
      Filter.print(parsed("a eq \"tab\\there\" and b eq 1.5E3 and c ne NULL")),
      "a eq \"tab\\there\" and b eq 1500 and c ne null"
    )
  })

  it("parenthesizes only where precedence needs it", () => {
    const a = { _tag: "Present", path: { attribute: "a" } } as const
    const b = { _tag: "Present", path: { attribute: "b" } } as const
    assert.strictEqual(
      Filter.print({ _tag: "And", left: a, right: { _tag: "And", left: b, right: a } }),
      "a pr and (b pr and a pr)"
    )
    assert.strictEqual(
      Filter.print({ _tag: "Or", left: a, right: { _tag: "Or", left: b, right: a } }),
      "a pr or (b pr or a pr)"
    )
    assert.strictEqual(
      Filter.print({ _tag: "And", left: { _tag: "Or", left: a, right: b }, right: a }),
      "(a pr or b pr) and a pr"
    )
    assert.strictEqual(
      Filter.print({ _tag: "Or", left: { _tag: "And", left: a, right: b }, right: a }),
      "a pr and b pr or a pr"
    )
  })
})

const user: JsonObject = {
  schemas: [UserUrn, EnterpriseUserUrn, CustomUserAttributesUrn],
  id: "2819c223-7f76-453a-919d-413861904646",
  externalId: "Bjensen-Ext",
  userName: "BJensen@Example.com",
  name: { familyName: "Jensen", givenName: "Barbara", middleName: "" },
  displayName: "Babs Jensen",
  title: "",
  active: true,
  emails: [
    { value: "bjensen@example.com", type: "work", primary: true },
    { value: "babs@jensen.org", type: "home" }
  ],
  phoneNumbers: [],
  meta: {
    resourceType: "User",
    created: "2010-01-23T04:56:22Z",
    lastModified: "2011-05-13T04:42:34.123-07:00"
  },
  [EnterpriseUserUrn]: { department: "Tour Operations", manager: { value: "26118915-6090-4610-87e4-49d8ca9f808d" } },
  [CustomUserAttributesUrn]: { platformRole: "ADMIN" }
}

const matches = (input: string, doc: JsonObject = user, rt = UserResourceType): boolean => {
  const result = Filter.evaluate(rt, parsed(input), doc)
  if (Result.isFailure(result)) assert.fail(`${input}: ${result.failure.message}`)
  return result.success
}

const evaluationError = (input: string, rt = UserResourceType) => {
  const result = Filter.evaluate(rt, parsed(input), user)
  if (Result.isSuccess(result)) assert.fail(`${input} evaluated to ${result.success}`)
  return result.failure
}

describe("Filter.evaluate", () => {
  it("compares strings case-insensitively unless the attribute is caseExact", () => {
    assert.isTrue(matches("userName eq \"bjensen@example.com\""))
    assert.isTrue(matches("USERNAME Eq \"BJENSEN@EXAMPLE.COM\""))
    assert.isTrue(matches("externalId eq \"Bjensen-Ext\""))
    assert.isFalse(matches("externalId eq \"bjensen-ext\""))
    assert.isFalse(matches("id eq \"2819C223-7F76-453A-919D-413861904646\""))
    assert.isTrue(matches("displayName co \"BS JEN\" and displayName sw \"babs\" and displayName ew \"SEN\""))
    assert.isTrue(
      matches(
        "userName gt \"BJ\" and userName lt \"bk\" and userName ge \"bjensen@example.com\" and userName le \"BJENSEN@EXAMPLE.COM\""
      )
    )
    assert.isFalse(matches("userName ne \"bjensen@EXAMPLE.com\""))
  })

  it("resolves URN-prefixed extension attributes", () => {
    assert.isTrue(matches(`${EnterpriseUserUrn}:manager.value eq "26118915-6090-4610-87e4-49d8ca9f808d"`))
    assert.isTrue(matches(`${CustomUserAttributesUrn}:platformRole eq "admin"`))
    assert.isTrue(matches("platformRole eq \"ADMIN\" and department sw \"tour\""))
    assert.isTrue(matches(`${UserUrn}:userName sw "bj"`))
    assert.isFalse(matches(`${CustomUserAttributesUrn}:platformRole pr`, { userName: "x" }))
  })

  it("compares dateTimes as instants", () => {
    assert.isTrue(matches("meta.lastModified eq \"2011-05-13T11:42:34.123Z\""))
    assert.isTrue(matches("meta.lastModified gt \"2011-05-13T04:42:34Z\""))
    assert.isTrue(
      matches("meta.Created lt \"2010-01-23T05:56:22+01:00\" or meta.created eq \"2010-01-23T05:56:22+01:00\"")
    )
    assert.isTrue(matches("meta.created ge \"2010-01-23\" and meta.created le \"2010-01-24\""))
    assert.isTrue(matches("meta.created gt \"2009-10-10T14:38:21.8617979-07:00\""))
  })

  it("matches multi-valued attributes when any value matches", () => {
    assert.isTrue(matches("emails.value ew \".org\""))
    assert.isTrue(matches("emails.type eq \"home\" and emails.primary eq true"))
    assert.isTrue(matches("emails ne \"bjensen@example.com\""))
    assert.isFalse(matches("phoneNumbers.value pr"))
  })

  it("compares the value sub-attribute of a complex attribute named without one", () => {
    assert.isTrue(matches("emails co \"JENSEN.ORG\""))
    assert.isTrue(matches("emails eq \"bjensen@example.com\""))
    assert.isFalse(matches("emails sw \"nobody\""))
  })

  it("evaluates value filters on the elements of the attribute", () => {
    assert.isTrue(matches("emails[type eq \"work\" and value co \"@example.com\"]"))
    assert.isFalse(matches("emails[type eq \"home\" and value co \"@example.com\"]"))
    assert.isTrue(matches("emails[not (type eq \"work\") and primary pr]") === false)
    assert.isTrue(matches("emails[TYPE eq \"work\"].VALUE sw \"bjensen\""))
    assert.isTrue(matches("name[givenName eq \"barbara\"]"))
    assert.isTrue(matches(`${EnterpriseUserUrn}:manager[value pr]`))
  })

  it("follows RFC 7644 for pr: null, empty string and empty array are not present", () => {
    assert.isTrue(matches("userName pr and emails pr and name pr and meta.created pr"))
    assert.isFalse(matches("title pr"))
    assert.isFalse(matches("phoneNumbers pr"))
    assert.isFalse(matches("name.middleName pr"))
    assert.isFalse(matches("nickName pr"))
    assert.isFalse(matches("nickName pr", { nickName: null }))
    assert.isFalse(matches("name pr", { name: { givenName: "", familyName: null } }))
    assert.isFalse(matches("emails pr", { emails: [{ value: "" }] }))
    assert.isTrue(matches("nickName eq null and not (userName eq null) and userName ne null"))
  })

  it("never matches an absent attribute, not even with ne", () => {
    assert.isFalse(matches("nickName ne \"x\""))
    assert.isTrue(matches("not (nickName eq \"x\")"))
    assert.isFalse(matches(`${EnterpriseUserUrn}:department eq "x"`, { userName: "x" }))
  })

  it("compares booleans with eq and ne", () => {
    assert.isTrue(matches("active eq true"))
    assert.isFalse(matches("active ne true"))
    assert.isFalse(matches("active eq false", { userName: "x" }))
  })

  it("matches group members by value", () => {
    const group: JsonObject = {
      id: "g1",
      displayName: "Sales",
      members: [{ value: "u1", display: "Ann" }, { value: "u2" }]
    }
    assert.isTrue(matches("members[value eq \"u2\"]", group, GroupResourceType))
    assert.isTrue(matches("members.value eq \"u1\"", group, GroupResourceType))
    assert.isTrue(matches("id eq \"g1\" and members[value eq \"u1\"]", group, GroupResourceType))
    assert.isFalse(matches("members[value eq \"u3\"]", group, GroupResourceType))
    assert.isFalse(matches("members pr", { id: "g2", displayName: "Empty", members: [] }, GroupResourceType))
  })

  it("matches schemas against the document's schema URIs", () => {
    assert.isTrue(matches(`schemas eq "${EnterpriseUserUrn}"`))
    assert.isTrue(
      matches(`schemas eq "${EnterpriseUserUrn}"`, { userName: "x", [EnterpriseUserUrn]: { department: "d" } })
    )
    assert.isFalse(matches(`schemas eq "${EnterpriseUserUrn}"`, { userName: "x" }))
  })

  it("rejects comparisons of incompatible types", () => {
    const cases: ReadonlyArray<readonly [string, string]> = [
      ["active gt \"x\"", "booleans support only eq and ne"],
      ["active gt true", "booleans support only eq and ne"],
      ["active eq \"true\"", "compare it with true or false"],
      ["userName gt 5", "compare it with a \"quoted string\", not 5"],
      ["userName eq true", "not true"],
      ["meta.created gt \"yesterday\"", "dateTime string"],
      ["meta.created gt 5", "dateTime string"],
      ["meta.created co \"2015\"", "applies to strings"],
      ["name eq \"Barbara\"", "complex attribute"],
      ["meta gt \"x\"", "complex attribute"],
      ["userName gt null", "cannot compare with null"],
      ["userName[value eq \"x\"]", "applies to a complex attribute"],
      ["emails[type eq \"work\" and value.x pr]", "sub-attribute name of \"emails\""]
    ]
    for (const [input, detail] of cases) {
      const error = evaluationError(input)
      assert.strictEqual(error._tag, "InvalidFilter")
      assert.include(error.expected, detail, input)
    }
  })

  it("names the unknown attribute and where it is", () => {
    const error = evaluationError("userName eq \"x\" or nickname pr and fooBar eq \"y\"")
    assert.include(error.expected, "fooBar")
    assert.strictEqual(error.filter, "userName eq \"x\" or nickname pr and fooBar eq \"y\"")
    assert.strictEqual(error.offset, 35)
    assert.include(evaluationError("name.nickname pr").expected, "no sub-attribute \"nickname\"")
    assert.include(evaluationError("emails[kind eq \"work\"]").expected, "emails.kind")
    assert.include(evaluationError("urn:example:unknown:1.0:User:x pr").expected, "unknown schema")
    assert.include(evaluationError("userName pr", GroupResourceType).expected, "Group has no attribute \"userName\"")
  })

  it("compiles once and gives the same answer as evaluate", () => {
    const filter = parsed("emails[type eq \"work\"] and active eq true")
    const compiled = Filter.compile(UserResourceType, filter)
    assert.isTrue(Result.isSuccess(compiled))
    if (Result.isSuccess(compiled)) {
      assert.isTrue(compiled.success(user))
      assert.isFalse(compiled.success({ userName: "x", active: true }))
      assert.strictEqual(Filter.compile(UserResourceType, filter), compiled)
    }
  })
})

describe("Filter.evaluate on non-ASCII text", () => {
  it("eq agrees with toLowerCase for any strings", () => {
    FastCheck.assert(FastCheck.property(
      FastCheck.record({
        a: FastCheck.string({
          unit: FastCheck.constantFrom("a", "A", "z", "Z", "é", "É", "İ", "i", "Σ", "σ", "ς", " ", "ß", "ẞ")
        }),
        b: FastCheck.string({
          unit: FastCheck.constantFrom("a", "A", "z", "Z", "é", "É", "İ", "i", "Σ", "σ", "ς", " ", "ß", "ẞ")
        })
      }),
      ({ a, b }) => {
        const filter: Ast = { _tag: "Compare", path: { attribute: "displayName" }, op: "eq", value: b }
        const negated: Ast = { ...filter, op: "ne" }
        const expected = a.toLowerCase() === b.toLowerCase()
        assert.strictEqual(Result.getOrThrow(Filter.evaluate(UserResourceType, filter, { displayName: a })), expected)
        assert.strictEqual(Result.getOrThrow(Filter.evaluate(UserResourceType, negated, { displayName: a })), !expected)
      }
    ))
  })
})

describe("Filter.parse with generous limits", () => {
  it("reports nesting beyond the call stack as InvalidFilter", () => {
    const depth = 200_000
    const input = "(".repeat(depth) + "a pr" + ")".repeat(depth)
    const error = failure(input, { maxLength: Infinity, maxDepth: Infinity })
    assert.include(error.expected, "lower maxDepth")
  })
})

describe("Filter.compile with deep ASTs", () => {
  it("reports an AST nested beyond the call stack as InvalidFilter", () => {
    let deep: Ast = { _tag: "Present", path: { attribute: "userName" } }
    for (let i = 0; i < 200_000; i++) deep = { _tag: "Not", filter: deep }
    const result = Filter.compile(UserResourceType, deep)
    assert.isTrue(Result.isFailure(result) && result.failure.expected.includes("lower maxDepth"))
  })
})

describe("Filter.parse with bareValues", () => {
  const bare = (input: string): Ast => {
    const result = Filter.parseResult(input, { bareValues: true })
    if (Result.isFailure(result)) assert.fail(`${input}: ${result.failure.message}`)
    return result.success
  }
  const bareFailure = (input: string) => failure(input, { bareValues: true })
  const evaluate = (filter: Ast, doc: JsonObject): boolean =>
    Result.getOrThrowWith(Filter.evaluate(UserResourceType, filter, doc), (e) => e)
  const compare = (attribute: string, subAttribute: string | undefined, op: CompareOp, value: CompValue): Ast => ({
    _tag: "Compare",
    path: subAttribute === undefined ? { attribute } : { attribute, subAttribute },
    op,
    value
  })

  // the filters of Microsoft's SCIM reference Postman collection
  const andOr = "name.FamilyName eq Employee and (emails.Value co example.com or emails.Value co example.org)"
  const startsWith = "userName sw O"
  const after = "meta.Created gt 2015-10-10T14:38:21.8617979-07:00"

  it("reads unquoted words as strings: name.FamilyName eq Employee and (emails.Value co … or …)", () => {
    const filter = bare(andOr)
    assert.deepStrictEqual(filter, {
      _tag: "And",
      left: compare("name", "FamilyName", "eq", "Employee"),
      right: {
        _tag: "Or",
        left: compare("emails", "Value", "co", "example.com"),
        right: compare("emails", "Value", "co", "example.org")
      }
    })
    assert.isTrue(
      evaluate(filter, { userName: "e1", name: { familyName: "employee" }, emails: [{ value: "e1@Example.org" }] })
    )
    assert.isFalse(
      evaluate(filter, { userName: "e2", name: { familyName: "Employee" }, emails: [{ value: "e2@example.net" }] })
    )
    assert.isFalse(
      evaluate(filter, { userName: "e3", name: { familyName: "Jensen" }, emails: [{ value: "e3@example.com" }] })
    )
  })

  it("reads userName sw O", () => {
    const filter = bare(startsWith)
    assert.deepStrictEqual(filter, compare("userName", undefined, "sw", "O"))
    assert.isTrue(evaluate(filter, { userName: "OMalley" }))
    assert.isTrue(evaluate(filter, { userName: "omalley" }))
    assert.isFalse(evaluate(filter, { userName: "bjensen" }))
  })

  it("reads an unquoted dateTime as a string, compared as an instant", () => {
    const filter = bare(after)
    assert.deepStrictEqual(filter, compare("meta", "Created", "gt", "2015-10-10T14:38:21.8617979-07:00"))
    const created = (at: string): JsonObject => ({ userName: "x", meta: { created: at } })
    assert.isTrue(evaluate(filter, created("2015-10-10T21:38:22Z")))
    assert.isFalse(evaluate(filter, created("2015-10-10T21:38:21.861Z")))
    assert.isTrue(evaluate(filter, created("2015-10-10T21:38:21.862Z")))
    // after the value as text, before it as an instant (21:00Z)
    assert.isFalse(evaluate(filter, created("2015-10-10T22:00:00+01:00")))
  })

  it("is off by default: the RFC grammar rejects each of them at the value", () => {
    const cases: ReadonlyArray<readonly [string, number, string]> = [
      [andOr, 19, "expected a value after \"eq\""],
      [startsWith, 12, "expected a value after \"sw\""],
      [after, 16, "expected a JSON number"]
    ]
    for (const [input, offset, expected] of cases) {
      const error = failure(input)
      assert.strictEqual(error.offset, offset, `${input}: ${error.expected}`)
      assert.include(error.expected, expected, input)
      assert.include(failure(input, { bareValues: false }).expected, expected, input)
    }
  })

  it("keeps numbers, true, false and null, and ends a word at whitespace, ) or ]", () => {
    assert.deepStrictEqual(bare("a eq -1.5e3"), compare("a", undefined, "eq", -1500))
    assert.deepStrictEqual(bare("a eq TRUE"), compare("a", undefined, "eq", true))
    assert.deepStrictEqual(bare("a eq false"), compare("a", undefined, "eq", false))
    assert.deepStrictEqual(bare("a ne Null"), compare("a", undefined, "ne", null))
    assert.deepStrictEqual(bare("a eq \"quoted\""), compare("a", undefined, "eq", "quoted"))
    for (const word of ["007", "1.", "-", "5abc", "trueish", "nullable", "O'Malley", "a\"b", "x(y"]) {
      assert.deepStrictEqual(bare(`a eq ${word}`), compare("a", undefined, "eq", word), word)
    }
    assert.deepStrictEqual(bare("(a eq x)"), compare("a", undefined, "eq", "x"))
    assert.deepStrictEqual(bare("emails[type eq work]"), {
      _tag: "ValuePath",
      path: { attribute: "emails" },
      filter: compare("type", undefined, "eq", "work")
    })
    assert.deepStrictEqual(bare("emails[type eq work].value co x"), {
      _tag: "ValuePath",
      path: { attribute: "emails" },
      filter: {
        _tag: "And",
        left: compare("type", undefined, "eq", "work"),
        right: compare("value", undefined, "co", "x")
      }
    })
  })

  it("keeps errors precise", () => {
    const cases: ReadonlyArray<readonly [string, number, string]> = [
      ["userName eq", 11, "expected a value after \"eq\""],
      ["userName eq )", 12, "expected a value after \"eq\""],
      ["userName eq \"open", 12, "closing '\"'"],
      ["userName eq O Malley", 14, "expected \"and\", \"or\" or the end"],
      ["(userName eq O", 14, "to close the \"(\" at offset 0"],
      ["emails[type eq work", 19, "to close the \"[\" at offset 6"],
      ["count gt 1e999", 9, "within the range of a double"],
      ["userName zz O", 9, "expected an operator"]
    ]
    for (const [input, offset, expected] of cases) {
      const error = bareFailure(input)
      assert.strictEqual(error.offset, offset, `${input}: ${error.expected}`)
      assert.include(error.expected, expected, input)
    }
  })

  const name = FastCheck.oneof(
    { weight: 6, arbitrary: FastCheck.stringMatching(/^[A-Za-z][A-Za-z0-9_-]{0,6}$/) },
    { weight: 1, arbitrary: FastCheck.constantFrom("not", "and", "or", "pr", "eq", "true", "null", "$ref") }
  )
  const path = (withSub: boolean): FastCheck.Arbitrary<AttrPath> =>
    FastCheck.record({
      uri: FastCheck.option(FastCheck.constantFrom(UserUrn, EnterpriseUserUrn, "urn:x:y"), { nil: undefined }),
      attribute: name,
      subAttribute: withSub ? FastCheck.option(name, { nil: undefined }) : FastCheck.constant(undefined)
    }).map(({ attribute, subAttribute, uri }) => ({
      ...(uri !== undefined ? { uri } : {}),
      attribute,
      ...(subAttribute !== undefined ? { subAttribute } : {})
    }))
  const value: FastCheck.Arbitrary<CompValue> = FastCheck.oneof(
    FastCheck.string(),
    FastCheck.constantFrom(
      "",
      "true",
      "NULL",
      "1",
      "-0",
      "1e3",
      "2015-10-10T14:38:21.8617979-07:00",
      "a b",
      "x)",
      "y]",
      "\"",
      "\\"
    ),
    FastCheck.double({ noNaN: true, noDefaultInfinity: true }),
    FastCheck.integer(),
    FastCheck.boolean(),
    FastCheck.constant(null)
  )
  const op = FastCheck.constantFrom<CompareOp>("eq", "ne", "co", "sw", "ew", "gt", "lt", "ge", "le")
  const leaf: FastCheck.Arbitrary<Ast> = FastCheck.oneof(
    FastCheck.record({ path: path(true), op, value }).map((c): Ast => ({ _tag: "Compare", ...c })),
    path(true).map((p): Ast => ({ _tag: "Present", path: p }))
  )
  const tree = (depth: number, inner: FastCheck.Arbitrary<Ast>): FastCheck.Arbitrary<Ast> => {
    if (depth === 0) return inner
    const sub = tree(depth - 1, inner)
    return FastCheck.oneof(
      { weight: 3, arbitrary: inner },
      { weight: 2, arbitrary: FastCheck.tuple(sub, sub).map(([left, right]): Ast => ({ _tag: "And", left, right })) },
      { weight: 2, arbitrary: FastCheck.tuple(sub, sub).map(([left, right]): Ast => ({ _tag: "Or", left, right })) },
      { weight: 1, arbitrary: sub.map((filter): Ast => ({ _tag: "Not", filter })) }
    )
  }
  const valuePath: FastCheck.Arbitrary<Ast> = FastCheck.tuple(path(false), tree(2, leaf))
    .map(([p, filter]): Ast => ({ _tag: "ValuePath", path: p, filter }))
  const ast = tree(3, FastCheck.oneof({ weight: 4, arbitrary: leaf }, { weight: 1, arbitrary: valuePath }))

  it("parses every printed AST as the RFC grammar does", () => {
    FastCheck.assert(FastCheck.property(FastCheck.record({ filter: ast }), ({ filter }) => {
      const text = Filter.print(filter)
      const options = { maxLength: 1_000_000 }
      assert.deepStrictEqual(Filter.parseResult(text, { ...options, bareValues: true }), Result.succeed(filter))
      assert.deepStrictEqual(
        Filter.parseResult(text, { ...options, bareValues: true }),
        Filter.parseResult(text, options)
      )
    }))
  })
})
