import { assert, describe, it } from "@effect/vitest"
import * as Result from "effect/Result"
import * as fc from "fast-check"
import type { Json, JsonObject } from "../src/domain/Model.js"
import type { AttrPath, CompareOp, CompValue, Filter as Ast } from "../src/filter/Ast.js"
import * as Filter from "../src/filter/Filter.js"
import * as Path from "../src/filter/Path.js"
import * as A from "../src/schema/Attribute.js"
import type { AttributeDef, SchemaDef } from "../src/schema/Attribute.js"
import type { ResourceTypeDef } from "../src/schema/Schemas.js"
import {
  commonAttributes,
  CustomUserAttributesUrn,
  EnterpriseUserUrn,
  UserResourceType,
  UserUrn
} from "../src/schema/Schemas.js"

// ---------------------------------------------------------------------------------------------
// Grammar-valid ASTs (any attribute names), for print/parse
// ---------------------------------------------------------------------------------------------

const nameArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 8, arbitrary: fc.stringMatching(/^[A-Za-z][A-Za-z0-9_-]{0,6}$/) },
  { weight: 1, arbitrary: fc.constantFrom("$ref", "not", "and", "or", "pr", "eq", "true", "null", "urn") }
)

const uriArb: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(UserUrn, EnterpriseUserUrn, CustomUserAttributesUrn),
  fc.array(fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9.-]{0,5}$/), { minLength: 1, maxLength: 4 }).map((segments) =>
    "urn:" + segments.join(":")
  )
)

const attrPathArb = (withSub: boolean): fc.Arbitrary<AttrPath> =>
  fc.record({
    uri: fc.option(uriArb, { nil: undefined }),
    attribute: nameArb,
    subAttribute: withSub ? fc.option(nameArb, { nil: undefined }) : fc.constant(undefined)
  }).map(({ attribute, subAttribute, uri }) => ({
    ...(uri !== undefined ? { uri } : {}),
    attribute,
    ...(subAttribute !== undefined ? { subAttribute } : {})
  }))

const compValueArb: fc.Arbitrary<CompValue> = fc.oneof(
  fc.string(),
  fc.string({ unit: "binary", maxLength: 8 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
  fc.boolean(),
  fc.constant(null)
)

const opArb: fc.Arbitrary<CompareOp> = fc.constantFrom("eq", "ne", "co", "sw", "ew", "gt", "lt", "ge", "le")

const astArb = (maxDepth: number, inValuePath: boolean): fc.Arbitrary<Ast> => {
  const leaf: fc.Arbitrary<Ast> = fc.oneof(
    fc.record({ path: attrPathArb(true), op: opArb, value: compValueArb }).map(({ op, path, value }): Ast => ({
      _tag: "Compare",
      path,
      op,
      value
    })),
    attrPathArb(true).map((path): Ast => ({ _tag: "Present", path }))
  )
  if (maxDepth <= 0) return leaf
  const sub = astArb(maxDepth - 1, inValuePath)
  const branches: Array<fc.Arbitrary<Ast>> = [
    leaf,
    fc.tuple(sub, sub).map(([left, right]): Ast => ({ _tag: "And", left, right })),
    fc.tuple(sub, sub).map(([left, right]): Ast => ({ _tag: "Or", left, right })),
    sub.map((filter): Ast => ({ _tag: "Not", filter }))
  ]
  if (!inValuePath) {
    branches.push(
      fc.tuple(attrPathArb(false), astArb(Math.min(2, maxDepth - 1), true)).map(([path, filter]): Ast => ({
        _tag: "ValuePath",
        path,
        filter
      }))
    )
  }
  return fc.oneof(...branches)
}

const anyAst = astArb(4, false)

// ---------------------------------------------------------------------------------------------
// A resource type with every attribute type, generated users, and well-typed filters over them
// ---------------------------------------------------------------------------------------------

const MetricsUrn = "urn:example:params:scim:schemas:extension:metrics:1.0:User"
const Metrics: SchemaDef = {
  id: MetricsUrn,
  name: "Metrics",
  description: "Numbers, for testing",
  attributes: [
    A.integer("level", "An integer."),
    A.decimal("score", "A decimal."),
    A.integer("codes", "Several integers.", { multiValued: true })
  ]
}
const rt: ResourceTypeDef = {
  ...UserResourceType,
  extensions: [...UserResourceType.extensions, { schema: Metrics, required: false }]
}

const userNames = [
  "alice@example.com",
  "Alice@Example.com",
  "bob@example.org",
  "BOB@EXAMPLE.ORG",
  "carol",
  "Émile@x.fr",
  ""
]
const words = ["Ann", "ann", "ANN", "Bo", "bob", "", "Engineer", "engineer", "Sales", "x"]
const fragments = ["a", "A", "alice", "EXAMPLE", ".org", "@", "b", "", "ex", "Z"]
const emailValues = ["a@x.com", "A@X.COM", "b@y.org", "", "c@x.com"]
const emailTypes = ["work", "home", "WORK", "other"]
const externalIds = ["ext-1", "EXT-1", "ext-2"]
const roles = ["MEMBER", "ADMIN", "admin", "OPERATOR"]
const dates = [
  "2020-01-01T00:00:00Z",
  "2020-01-01T01:00:00+01:00",
  "2020-06-15T12:30:00.500Z",
  "2021-03-01T08:00:00-05:00",
  "2019-12-31T23:59:59.999Z"
]
const numbers = [-2, -1.5, 0, 0.5, 1, 2, 3]

const optional = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => fc.option(arb, { nil: undefined, freq: 3 })
const compact = (obj: Record<string, Json | undefined>): JsonObject => {
  const out: Record<string, Json> = {}
  for (const [k, v] of Object.entries(obj)) if (v !== undefined) out[k] = v
  return out
}

const userArb: fc.Arbitrary<JsonObject> = fc.record({
  id: fc.uuid(),
  userName: fc.constantFrom(...userNames),
  externalId: optional(fc.constantFrom(...externalIds)),
  displayName: optional(fc.constantFrom<Json>(...words, null)),
  title: optional(fc.constantFrom<Json>(...words, null)),
  active: optional(fc.boolean()),
  name: optional(
    fc.record({ givenName: optional(fc.constantFrom(...words)), familyName: optional(fc.constantFrom(...words)) }).map(
      compact
    )
  ),
  emails: optional(fc.array(
    fc.record({
      value: fc.constantFrom(...emailValues),
      type: optional(fc.constantFrom(...emailTypes)),
      primary: optional(fc.boolean())
    }).map(compact),
    { maxLength: 3 }
  )),
  meta: fc.record({
    resourceType: fc.constant("User"),
    created: fc.constantFrom(...dates),
    lastModified: optional(fc.constantFrom(...dates))
  }).map(compact),
  enterprise: optional(
    fc.record({
      department: optional(fc.constantFrom(...words)),
      manager: optional(fc.record({ value: fc.constantFrom("m1", "M1", "m2") }))
    }).map(compact)
  ),
  custom: optional(fc.record({ platformRole: fc.constantFrom(...roles) })),
  metrics: optional(
    fc.record({
      level: optional(fc.integer({ min: -2, max: 3 })),
      score: optional(fc.constantFrom(...numbers)),
      codes: optional(fc.array(fc.integer({ min: -2, max: 3 }), { maxLength: 3 }))
    }).map(compact)
  )
}).map(({ custom, enterprise, metrics, ...core }) =>
  compact({ ...core, [EnterpriseUserUrn]: enterprise, [CustomUserAttributesUrn]: custom, [MetricsUrn]: metrics })
)

type Kind = "string" | "boolean" | "number" | "dateTime"
interface Typed {
  readonly path: AttrPath
  readonly kind: Kind
  readonly values: ReadonlyArray<CompValue>
}

const strings = [
  ...userNames,
  ...words,
  ...fragments,
  ...emailValues,
  ...emailTypes,
  ...externalIds,
  ...roles,
  "m1",
  "M1"
]
const rootPaths: ReadonlyArray<Typed> = [
  { path: { attribute: "userName" }, kind: "string", values: strings },
  { path: { uri: UserUrn, attribute: "userName" }, kind: "string", values: strings },
  { path: { attribute: "id" }, kind: "string", values: strings },
  { path: { attribute: "externalId" }, kind: "string", values: strings },
  { path: { attribute: "displayName" }, kind: "string", values: strings },
  { path: { attribute: "title" }, kind: "string", values: strings },
  { path: { attribute: "name", subAttribute: "givenName" }, kind: "string", values: words },
  { path: { attribute: "name", subAttribute: "familyName" }, kind: "string", values: words },
  { path: { attribute: "emails", subAttribute: "value" }, kind: "string", values: [...emailValues, ...fragments] },
  { path: { attribute: "emails", subAttribute: "type" }, kind: "string", values: emailTypes },
  { path: { attribute: "emails" }, kind: "string", values: [...emailValues, ...fragments] },
  { path: { attribute: "emails", subAttribute: "primary" }, kind: "boolean", values: [true, false] },
  { path: { attribute: "active" }, kind: "boolean", values: [true, false] },
  { path: { attribute: "meta", subAttribute: "created" }, kind: "dateTime", values: dates },
  { path: { attribute: "meta", subAttribute: "lastModified" }, kind: "dateTime", values: dates },
  { path: { uri: EnterpriseUserUrn, attribute: "department" }, kind: "string", values: words },
  {
    path: { uri: EnterpriseUserUrn, attribute: "manager", subAttribute: "value" },
    kind: "string",
    values: ["m1", "M1", "m2", "m"]
  },
  { path: { attribute: "platformRole" }, kind: "string", values: roles },
  { path: { uri: CustomUserAttributesUrn, attribute: "platformRole" }, kind: "string", values: roles },
  { path: { attribute: "level" }, kind: "number", values: numbers },
  { path: { uri: MetricsUrn, attribute: "score" }, kind: "number", values: numbers },
  { path: { attribute: "codes" }, kind: "number", values: numbers }
]
const emailPaths: ReadonlyArray<Typed> = [
  { path: { attribute: "value" }, kind: "string", values: [...emailValues, ...fragments] },
  { path: { attribute: "type" }, kind: "string", values: emailTypes },
  { path: { attribute: "primary" }, kind: "boolean", values: [true, false] }
]

const opsOf: Record<Kind, ReadonlyArray<CompareOp>> = {
  string: ["eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le"],
  boolean: ["eq", "ne"],
  number: ["eq", "ne", "gt", "ge", "lt", "le"],
  dateTime: ["eq", "ne", "gt", "ge", "lt", "le"]
}

const recase = (path: AttrPath, how: number): AttrPath => {
  const f = (s: string) => (how === 1 ? s.toLowerCase() : how === 2 ? s.toUpperCase() : s)
  return {
    ...path,
    attribute: f(path.attribute),
    ...(path.subAttribute !== undefined ? { subAttribute: f(path.subAttribute) } : {})
  }
}

const typedLeaf = (paths: ReadonlyArray<Typed>): fc.Arbitrary<Ast> =>
  fc.tuple(fc.constantFrom(...paths), fc.nat(2), fc.nat(99), fc.nat(99), fc.nat(9)).map(
    ([typed, how, opIndex, valueIndex, form]): Ast => {
      const path = recase(typed.path, how)
      if (form === 0) return { _tag: "Present", path }
      if (form === 1) return { _tag: "Compare", path, op: opIndex % 2 === 0 ? "eq" : "ne", value: null }
      const ops = opsOf[typed.kind]
      return {
        _tag: "Compare",
        path,
        op: ops[opIndex % ops.length]!,
        value: typed.values[valueIndex % typed.values.length]!
      }
    }
  )

const typedArb = (depth: number, inValuePath: boolean): fc.Arbitrary<Ast> => {
  const leaf = typedLeaf(inValuePath ? emailPaths : rootPaths)
  if (depth <= 0) return leaf
  const sub = typedArb(depth - 1, inValuePath)
  const branches: Array<fc.Arbitrary<Ast>> = [
    leaf,
    leaf,
    fc.tuple(sub, sub).map(([left, right]): Ast => ({ _tag: "And", left, right })),
    fc.tuple(sub, sub).map(([left, right]): Ast => ({ _tag: "Or", left, right })),
    sub.map((filter): Ast => ({ _tag: "Not", filter }))
  ]
  if (!inValuePath) {
    branches.push(
      typedArb(Math.min(depth - 1, 2), true).map((filter): Ast => ({
        _tag: "ValuePath",
        path: { attribute: "emails" },
        filter
      }))
    )
  }
  return fc.oneof(...branches)
}

const typedFilter = typedArb(3, false)

// ---------------------------------------------------------------------------------------------
// The reference evaluator: deliberately simple, no compilation, no shared helpers
// ---------------------------------------------------------------------------------------------

const isObj = (v: Json | undefined): v is JsonObject => typeof v === "object" && v !== null && !Array.isArray(v)
const listOf = (v: Json | undefined): ReadonlyArray<Json> =>
  v === undefined || v === null ? [] : Array.isArray(v) ? (v as ReadonlyArray<Json>) : [v]

const present = (v: Json | undefined): boolean => {
  if (v === undefined || v === null || v === "") return false
  if (Array.isArray(v)) return (v as ReadonlyArray<Json>).some(present)
  if (isObj(v)) return Object.values(v).some(present)
  return true
}

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase()

/** The definition and the values a path denotes in `obj` (a document, or an element inside a value filter). */
const lookup = (
  obj: JsonObject,
  path: AttrPath,
  parent: AttributeDef | undefined
): { def: AttributeDef; values: ReadonlyArray<Json> } => {
  let def: AttributeDef | undefined
  let container: Json | undefined = obj
  if (parent !== undefined) {
    def = parent.subAttributes!.find((a) => same(a.name, path.attribute))
  } else {
    const schemas = [rt.schema, ...rt.extensions.map((e) => e.schema)]
    const candidates: Array<[SchemaDef | undefined, AttributeDef]> = [
      ...commonAttributes.map((a): [undefined, AttributeDef] => [undefined, a]),
      ...schemas.flatMap((s) => s.attributes.map((a): [SchemaDef, AttributeDef] => [s, a]))
    ]
    const found = candidates.find(([s, a]) =>
      same(a.name, path.attribute) && (path.uri === undefined || (s !== undefined && same(s.id, path.uri)))
    )
    if (found === undefined) throw new Error("the generator names only known attributes")
    def = found[1]
    if (found[0] !== undefined && found[0].id !== rt.schema.id) container = obj[found[0].id]
  }
  const raw = isObj(container) ? container[def!.name] : undefined
  if (path.subAttribute === undefined) return { def: def!, values: listOf(raw) }
  const sub = def!.subAttributes!.find((a) => same(a.name, path.subAttribute!))!
  return { def: sub, values: listOf(raw).flatMap((item) => (isObj(item) ? listOf(item[sub.name]) : [])) }
}

const compare = (def: AttributeDef, v: Json, op: CompareOp, c: CompValue): boolean => {
  let a: string | number | boolean
  let b: string | number | boolean
  if (def.type === "boolean") {
    if (typeof v !== "boolean") return false
    return op === "eq" ? v === c : v !== c
  } else if (def.type === "integer" || def.type === "decimal") {
    if (typeof v !== "number") return false
    a = v
    b = c as number
  } else if (def.type === "dateTime") {
    if (typeof v !== "string") return false
    a = Date.parse(v)
    b = Date.parse(c as string)
  } else {
    if (typeof v !== "string") return false
    a = def.caseExact ? v : v.toLowerCase()
    b = def.caseExact ? (c as string) : (c as string).toLowerCase()
  }
  switch (op) {
    case "eq":
      return a === b
    case "ne":
      return a !== b
    case "co":
      return String(a).includes(String(b))
    case "sw":
      return String(a).startsWith(String(b))
    case "ew":
      return String(a).endsWith(String(b))
    case "gt":
      return a > b
    case "ge":
      return a >= b
    case "lt":
      return a < b
    case "le":
      return a <= b
  }
}

const reference = (f: Ast, obj: JsonObject, parent?: AttributeDef): boolean => {
  switch (f._tag) {
    case "And":
      return reference(f.left, obj, parent) && reference(f.right, obj, parent)
    case "Or":
      return reference(f.left, obj, parent) || reference(f.right, obj, parent)
    case "Not":
      return !reference(f.filter, obj, parent)
    case "Present":
      return lookup(obj, f.path, parent).values.some(present)
    case "ValuePath": {
      const { def, values } = lookup(obj, f.path, parent)
      return values.some((item) => isObj(item) && reference(f.filter, item, def))
    }
    case "Compare": {
      let { def, values } = lookup(obj, f.path, parent)
      if (f.value === null) return f.op === "eq" ? !values.some(present) : values.some(present)
      if (def.type === "complex") {
        def = def.subAttributes!.find((a) => a.name === "value")!
        values = values.flatMap((item) => (isObj(item) ? listOf(item["value"]) : []))
      }
      return values.some((v) => compare(def, v, f.op, f.value))
    }
  }
}

const evaluated = (filter: Ast, doc: JsonObject): boolean => {
  const result = Filter.evaluate(rt, filter, doc)
  if (Result.isFailure(result)) assert.fail(`${Filter.print(filter)}: ${result.failure.message}`)
  return result.success
}

// ---------------------------------------------------------------------------------------------

const filterish = fc.array(
  fc.constantFrom(
    "userName",
    "emails",
    "[",
    "]",
    "(",
    ")",
    "not",
    "and",
    "or",
    " ",
    "eq",
    "pr",
    "co",
    "\"x\"",
    "\"",
    "\\",
    "\\u12",
    "1",
    "-",
    ".",
    "e",
    "true",
    "null",
    ":",
    "urn:a:b",
    ".value",
    "$ref",
    "\t",
    "é",
    "\uD800"
  ),
  { maxLength: 25 }
).map((parts) => parts.join(""))

const mutated = fc.tuple(anyAst, fc.nat(), fc.nat(), fc.string({ maxLength: 3 })).map(([ast, at, cut, insert]) => {
  const text = Filter.print(ast)
  const i = at % (text.length + 1)
  return text.slice(0, i) + insert + text.slice(i + (cut % 4))
})

describe("Filter laws", () => {
  it("parse inverts print", () => {
    fc.assert(
      fc.property(fc.record({ ast: anyAst }), ({ ast }) => {
        const result = Filter.parseResult(Filter.print(ast), { maxLength: 1_000_000 })
        if (Result.isFailure(result)) assert.fail(`${Filter.print(ast)}: ${result.failure.message}`)
        assert.deepStrictEqual(result.success, ast)
      }),
      { numRuns: 500 }
    )
  })

  it("print is a fixed point of parse", () => {
    fc.assert(fc.property(fc.record({ ast: anyAst }), ({ ast }) => {
      const text = Filter.print(ast)
      assert.strictEqual(Filter.print(Result.getOrThrow(Filter.parseResult(text, { maxLength: 1_000_000 }))), text)
    }))
  })

  it("parse never throws on random strings", () => {
    fc.assert(
      fc.property(
        fc.record({
          input: fc.oneof(fc.string(), fc.string({ unit: "binary" }), filterish, mutated)
        }),
        ({ input }) => {
          const result = Filter.parseResult(input)
          if (Result.isFailure(result)) {
            assert.strictEqual(result.failure._tag, "InvalidFilter")
            assert.isAtLeast(result.failure.offset, 0)
            assert.isAtMost(result.failure.offset, input.length)
            assert.isTrue(result.failure.expected.length > 0)
          }
          const path = Path.parsePathResult(input)
          if (Result.isFailure(path)) assert.strictEqual(path.failure._tag, "InvalidPath")
        }
      ),
      { numRuns: 2000 }
    )
  })

  it("compiling any AST gives a predicate or an InvalidFilter, never an exception", () => {
    fc.assert(fc.property(fc.record({ ast: anyAst, user: userArb }), ({ ast, user }) => {
      const result = Filter.evaluate(rt, ast, user)
      if (Result.isFailure(result)) assert.strictEqual(result.failure._tag, "InvalidFilter")
      else assert.isBoolean(result.success)
    }))
  })

  it("evaluate equals the reference evaluator on generated users", () => {
    const outcomes = { true: 0, false: 0 }
    fc.assert(
      fc.property(typedFilter, fc.array(userArb, { minLength: 1, maxLength: 8 }), (filter, users) => {
        for (const user of users) {
          const actual = evaluated(filter, user)
          outcomes[actual ? "true" : "false"]++
          assert.strictEqual(actual, reference(filter, user), `${Filter.print(filter)} on ${JSON.stringify(user)}`)
        }
      }),
      { numRuns: 1000 }
    )
    assert.isAbove(outcomes.true, 500)
    assert.isAbove(outcomes.false, 500)
  })

  it("evaluation survives print and parse", () => {
    fc.assert(fc.property(fc.record({ filter: typedFilter, user: userArb }), ({ filter, user }) => {
      const reparsed = Result.getOrThrow(Filter.parseResult(Filter.print(filter), { maxLength: 1_000_000 }))
      assert.strictEqual(evaluated(reparsed, user), evaluated(filter, user))
    }))
  })

  it("De Morgan: not (a and b) is not a or not b", () => {
    fc.assert(fc.property(fc.record({ a: typedFilter, b: typedFilter, user: userArb }), ({ a, b, user }) => {
      assert.strictEqual(
        evaluated({ _tag: "Not", filter: { _tag: "And", left: a, right: b } }, user),
        evaluated({ _tag: "Or", left: { _tag: "Not", filter: a }, right: { _tag: "Not", filter: b } }, user)
      )
    }))
  })

  it("De Morgan: not (a or b) is not a and not b", () => {
    fc.assert(fc.property(fc.record({ a: typedFilter, b: typedFilter, user: userArb }), ({ a, b, user }) => {
      assert.strictEqual(
        evaluated({ _tag: "Not", filter: { _tag: "Or", left: a, right: b } }, user),
        evaluated({ _tag: "And", left: { _tag: "Not", filter: a }, right: { _tag: "Not", filter: b } }, user)
      )
    }))
  })

  it("double negation: not (not (a)) is a", () => {
    fc.assert(fc.property(fc.record({ a: typedFilter, user: userArb }), ({ a, user }) => {
      assert.strictEqual(evaluated({ _tag: "Not", filter: { _tag: "Not", filter: a } }, user), evaluated(a, user))
    }))
  })
})

const emailsDef: AttributeDef = rt.schema.attributes.find((a) => a.name === "emails")!
const codesDef: AttributeDef = Metrics.attributes.find((a) => a.name === "codes")!
const emailArb: fc.Arbitrary<JsonObject> = fc.record({
  value: optional(fc.constantFrom<Json>(...emailValues, null)),
  type: optional(fc.constantFrom(...emailTypes)),
  primary: optional(fc.boolean())
}).map(compact)
const elementFilter = typedArb(3, true)

/** The same filter with every path written qualified by its attribute (`type` → `emails.type`). */
const qualify = (f: Ast, uri: string | undefined): Ast => {
  switch (f._tag) {
    case "And":
    case "Or":
      return { ...f, left: qualify(f.left, uri), right: qualify(f.right, uri) }
    case "Not":
      return { ...f, filter: qualify(f.filter, uri) }
    case "ValuePath":
      return f
    case "Compare":
    case "Present":
      return {
        ...f,
        path: { ...(uri !== undefined ? { uri } : {}), attribute: "EMAILS", subAttribute: f.path.attribute }
      }
  }
}

const matcher = (attribute: AttributeDef, filter: Ast): Filter.ElementMatcher => {
  const compiled = Filter.compileElement(rt, attribute, filter)
  if (Result.isFailure(compiled)) return assert.fail(`${Filter.print(filter)}: ${compiled.failure.message}`)
  return compiled.success
}

describe("Filter.compileElement", () => {
  it("an element matches exactly when the value path over a document holding only it does", () => {
    fc.assert(
      fc.property(
        fc.record({
          filter: elementFilter,
          element: emailArb
        }),
        ({ element, filter }) => {
          const viaDocument = evaluated({ _tag: "ValuePath", path: { attribute: "emails" }, filter }, {
            emails: [element]
          })
          assert.strictEqual(matcher(emailsDef, filter)(element), viaDocument)
        }
      ),
      { numRuns: 1000 }
    )
  })

  it("paths qualified by the attribute (and its schema URN) select the same sub-attributes", () => {
    fc.assert(fc.property(
      fc.record({
        filter: elementFilter,
        element: emailArb,
        uri: fc.constantFrom(undefined, UserUrn, UserUrn.toUpperCase())
      }),
      ({ element, filter, uri }) => {
        assert.strictEqual(matcher(emailsDef, qualify(filter, uri))(element), matcher(emailsDef, filter)(element))
      }
    ))
  })

  it("an element that is not an object has none of the sub-attributes", () => {
    assert.isFalse(matcher(emailsDef, Result.getOrThrow(Filter.parseResult("type pr")))("work"))
    assert.isTrue(matcher(emailsDef, Result.getOrThrow(Filter.parseResult("not (type pr)")))("work"))
  })

  it("value names the element of a simple multi-valued attribute", () => {
    const gt1 = matcher(codesDef, Result.getOrThrow(Filter.parseResult("value gt 1")))
    assert.deepStrictEqual([0, 2, 3].map(gt1), [false, true, true])
    assert.isTrue(matcher(codesDef, Result.getOrThrow(Filter.parseResult("codes.value eq 0")))(0))
  })

  it("reports unknown sub-attributes, a schema the attribute is not in, nesting and type errors as InvalidFilter", () => {
    for (
      const [text, expected] of [
        ["color eq \"red\"", "unknown attribute \"emails.color\""],
        ["urn:x:y:emails.type eq \"work\"", "expected a sub-attribute name of \"emails\""],
        [`${EnterpriseUserUrn}:emails.type eq "work"`, "expected a sub-attribute name of \"emails\""],
        ["name.givenName eq \"x\"", "expected a sub-attribute name of \"emails\""],
        ["type eq 5", "compare it with a \"quoted string\""],
        ["primary gt true", "booleans support only eq and ne"]
      ] as const
    ) {
      const compiled = Filter.compileElement(rt, emailsDef, Result.getOrThrow(Filter.parseResult(text)))
      assert.isTrue(Result.isFailure(compiled), text)
      if (Result.isFailure(compiled)) {
        assert.strictEqual(compiled.failure._tag, "InvalidFilter")
        assert.include(compiled.failure.expected, expected, text)
      }
    }
    const nested: Ast = {
      _tag: "ValuePath",
      path: { attribute: "emails" },
      filter: { _tag: "Present", path: { attribute: "type" } }
    }
    assert.include(
      Result.flip(Filter.compileElement(rt, emailsDef, nested)).pipe(Result.getOrThrow).expected,
      "do not nest"
    )
  })

  it("a filter at the root still refuses qualified paths inside a value filter", () => {
    const root = Filter.compile(rt, Result.getOrThrow(Filter.parseResult("emails[emails.type eq \"work\"]")))
    assert.isTrue(Result.isFailure(root))
  })
})
