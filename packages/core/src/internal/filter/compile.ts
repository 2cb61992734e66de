/**
 * Compiles a filter AST against a resource type into a predicate over normalized documents:
 * paths are resolved, comparands converted and types checked once, so that evaluation is plain
 * property reads and comparisons. Errors are thrown as {@link CompileFailure} naming the offending
 * node and caught by the public entry point.
 */
import * as Result from "effect/Result"
import type { Json, JsonObject } from "../../domain/Model.js"
import { type CompareOp, type CompValue, type Filter, printAttrPath } from "../../filter/Ast.js"
import type { AttributeDef } from "../../schema/Attribute.js"
import { findSubAttribute } from "../../schema/Attribute.js"
import { resolve } from "../../schema/Resolve.js"
import type { ResourceTypeDef } from "../../schema/Schemas.js"
import { isPresent, parseInstant } from "../../schema/Value.js"

/** @internal */
export type Predicate = (obj: JsonObject) => boolean

/** @internal */
export class CompileFailure {
  constructor(readonly node: Filter, readonly message: string) {}
}

type Test = (value: Json) => boolean

const isObject = (value: Json | undefined): value is JsonObject =>
  typeof value === "object" && value !== null && !Array.isArray(value)
const isArray = (value: Json | undefined): value is ReadonlyArray<Json> => Array.isArray(value)

/** True when some value (an element, for a multi-valued attribute) passes. */
const anyValue = (value: Json | undefined, test: Test): boolean => {
  if (value === undefined || value === null) return false
  if (isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item = value[i]!
      if (item !== null && test(item)) return true
    }
    return false
  }
  return test(value)
}

/** True when some element of a (multi-valued) complex value has a sub-attribute value that passes. */
const anySub = (value: Json | undefined, sub: string, test: Test): boolean => {
  if (value === undefined || value === null) return false
  if (isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item = value[i]!
      if (isObject(item) && anyValue(item[sub], test)) return true
    }
    return false
  }
  return isObject(value) && anyValue(value[sub], test)
}

/**
 * Where a path is read from: the document (resolving through the schemas) or an element of a value
 * filter. `qualified` also accepts sub-attributes written with their parent (`emails.type`, or
 * `urn:…:User:emails.type` when `schemaId` is the parent's schema), as PATCH paths are written.
 */
type Scope =
  | { readonly _tag: "Root"; readonly rt: ResourceTypeDef }
  | {
    readonly _tag: "Element"
    readonly parent: AttributeDef
    readonly parentText: string
    readonly qualified: boolean
    readonly schemaId: string | undefined
  }

interface Target {
  /** Reads the attribute's value from the scope object. */
  readonly read: (obj: JsonObject) => Json | undefined
  readonly attribute: AttributeDef
  readonly subAttribute: AttributeDef | undefined
  readonly text: string
}

const targetOf = (
  scope: Scope,
  node: Filter,
  path: { readonly uri?: string; readonly attribute: string; readonly subAttribute?: string }
): Target => {
  const text = printAttrPath(path)
  if (scope._tag === "Element") {
    const name = elementName(scope, path)
    if (name === undefined) {
      throw new CompileFailure(
        node,
        `expected a sub-attribute name of "${scope.parentText}" inside its value filter, found "${text}"`
      )
    }
    const attribute = findSubAttribute(scope.parent, name)
    if (attribute === undefined) {
      throw new CompileFailure(
        node,
        `unknown attribute "${scope.parentText}.${name}": "${scope.parentText}" has ${
          scope.parent.subAttributes?.map((a) => a.name).join(", ") ?? "no sub-attributes"
        }`
      )
    }
    const key = attribute.name
    return { read: (obj) => obj[key], attribute, subAttribute: undefined, text }
  }
  if (path.uri === undefined && path.subAttribute === undefined && path.attribute.toLowerCase() === "schemas") {
    return schemasTarget(scope.rt, text)
  }
  const resolved = resolve(scope.rt, path)
  if (Result.isFailure(resolved)) {
    throw new CompileFailure(node, `unknown attribute "${text}": ${resolved.failure.detail}`)
  }
  const { attribute, schema, subAttribute } = resolved.success
  const name = attribute.name
  const read = schema === undefined || schema.id === scope.rt.schema.id
    ? (obj: JsonObject) => obj[name]
    : ((key: string) => (obj: JsonObject) => {
      const ext = obj[key]
      return isObject(ext) ? ext[name] : undefined
    })(schema.id)
  return { read, attribute, subAttribute, text }
}

/** The sub-attribute name a path inside a value filter names, or undefined when the form is not accepted there. */
const elementName = (
  scope: Scope & { readonly _tag: "Element" },
  path: { readonly uri?: string; readonly attribute: string; readonly subAttribute?: string }
): string | undefined => {
  if (path.uri === undefined && path.subAttribute === undefined) return path.attribute
  if (!scope.qualified || path.subAttribute === undefined) return undefined
  if (path.attribute.toLowerCase() !== scope.parent.name.toLowerCase()) return undefined
  if (
    path.uri !== undefined && (scope.schemaId === undefined || path.uri.toLowerCase() !== scope.schemaId.toLowerCase())
  ) return undefined
  return path.subAttribute
}

/** @internal */
export const schemasDef: AttributeDef = {
  name: "schemas",
  type: "reference",
  multiValued: true,
  description: "The schema URIs the resource carries (RFC 7643 §3).",
  required: true,
  caseExact: false,
  mutability: "readOnly",
  returned: "always",
  uniqueness: "none",
  referenceTypes: ["uri"]
}

/** `schemas` (RFC 7643 §3), read from the document or, when not rendered, derived from its extension objects. */
const schemasTarget = (rt: ResourceTypeDef, text: string): Target => {
  const extensions = rt.extensions.map((e) => e.schema.id)
  const read = (obj: JsonObject): Json | undefined => {
    const given = obj["schemas"]
    if (given !== undefined) return given
    const out: Array<Json> = [rt.schema.id]
    for (const id of extensions) if (isObject(obj[id])) out.push(id)
    return out
  }
  return { read, attribute: schemasDef, subAttribute: undefined, text }
}

const typeName = (def: AttributeDef): string => (def.type === "integer" || def.type === "decimal" ? "number" : def.type)

const describe = (
  value: CompValue
): string => (typeof value === "string" ? "the string " + JSON.stringify(value) : String(value))

/** The scalar test for one comparison on an attribute of the given definition. */
const scalarTest = (node: Filter, text: string, def: AttributeDef, op: CompareOp, value: CompValue): Test => {
  const fail = (message: string): never => {
    throw new CompileFailure(node, message)
  }
  switch (def.type) {
    case "string":
    case "reference":
    case "binary": {
      if (typeof value !== "string") {
        return fail(`"${text}" is a ${def.type} attribute: compare it with a "quoted string", not ${describe(value)}`)
      }
      return def.caseExact ? exactStringTest(op, value) : foldedStringTest(op, value.toLowerCase())
    }
    case "boolean": {
      if (op !== "eq" && op !== "ne") {
        return fail(`"${op}" cannot compare the boolean attribute "${text}": booleans support only eq and ne`)
      }
      if (typeof value !== "boolean") {
        return fail(`"${text}" is a boolean attribute: compare it with true or false, not ${describe(value)}`)
      }
      return op === "eq" ? (v) => v === value : (v) => typeof v === "boolean" && v !== value
    }
    case "integer":
    case "decimal": {
      if (op === "co" || op === "sw" || op === "ew") {
        return fail(`"${op}" applies to strings; "${text}" is a number: use eq, ne, gt, ge, lt or le`)
      }
      if (typeof value !== "number") {
        return fail(`"${text}" is a number attribute: compare it with a number, not ${describe(value)}`)
      }
      return numberTest(op, value)
    }
    case "dateTime": {
      if (op === "co" || op === "sw" || op === "ew") {
        return fail(`"${op}" applies to strings; "${text}" is a dateTime: use eq, ne, gt, ge, lt or le`)
      }
      const instant = typeof value === "string" ? parseInstant(value) : NaN
      if (Number.isNaN(instant)) {
        return fail(
          `"${text}" is a dateTime attribute: compare it with a dateTime string such as "2024-01-31T12:00:00Z", not ${
            describe(value)
          }`
        )
      }
      const test = numberTest(op, instant)
      return (v) => typeof v === "string" && test(parseInstant(v))
    }
    case "complex":
      return fail(
        `"${text}" is a complex attribute: compare one of its sub-attributes (${
          def.subAttributes?.map((a) => a.name).join(", ") ?? "none"
        })`
      )
  }
}

const exactStringTest = (op: CompareOp, c: string): Test => {
  switch (op) {
    case "eq":
      return (v) => v === c
    case "ne":
      return (v) => typeof v === "string" && v !== c
    case "co":
      return (v) => typeof v === "string" && v.includes(c)
    case "sw":
      return (v) => typeof v === "string" && v.startsWith(c)
    case "ew":
      return (v) => typeof v === "string" && v.endsWith(c)
    case "gt":
      return (v) => typeof v === "string" && v > c
    case "ge":
      return (v) => typeof v === "string" && v >= c
    case "lt":
      return (v) => typeof v === "string" && v < c
    case "le":
      return (v) => typeof v === "string" && v <= c
  }
}

/**
 * `v.toLowerCase() === c` (c already lower-cased) without allocating for ASCII text; any non-ASCII
 * character defers to `toLowerCase`, whose rules are context-sensitive.
 */
const equalsFolded = (v: string, c: string): boolean => {
  const length = v.length
  if (length !== c.length) {
    for (let i = 0; i < length; i++) if (v.charCodeAt(i) > 127) return v.toLowerCase() === c
    return false
  }
  for (let i = 0; i < length; i++) {
    const a = v.charCodeAt(i)
    const b = c.charCodeAt(i)
    if (a > 127 || b > 127) return v.toLowerCase() === c
    if (a !== b && !(a >= 65 && a <= 90 && a + 32 === b)) return false
  }
  return true
}

const foldedStringTest = (op: CompareOp, c: string): Test => {
  switch (op) {
    case "eq":
      return (v) => typeof v === "string" && equalsFolded(v, c)
    case "ne":
      return (v) => typeof v === "string" && !equalsFolded(v, c)
    case "co":
      return (v) => typeof v === "string" && v.toLowerCase().includes(c)
    case "sw":
      return (v) => typeof v === "string" && v.toLowerCase().startsWith(c)
    case "ew":
      return (v) => typeof v === "string" && v.toLowerCase().endsWith(c)
    case "gt":
      return (v) => typeof v === "string" && v.toLowerCase() > c
    case "ge":
      return (v) => typeof v === "string" && v.toLowerCase() >= c
    case "lt":
      return (v) => typeof v === "string" && v.toLowerCase() < c
    case "le":
      return (v) => typeof v === "string" && v.toLowerCase() <= c
  }
}

/** Numeric test; also used for instants, where a value that is not one reads as NaN and fails every test. */
const numberTest = (op: Exclude<CompareOp, "co" | "sw" | "ew">, c: number): Test => {
  switch (op) {
    case "eq":
      return (v) => v === c
    case "ne":
      return (v) => typeof v === "number" && v === v && v !== c
    case "gt":
      return (v) => typeof v === "number" && v > c
    case "ge":
      return (v) => typeof v === "number" && v >= c
    case "lt":
      return (v) => typeof v === "number" && v < c
    case "le":
      return (v) => typeof v === "number" && v <= c
  }
}

/** `attr pr`: present per RFC 7644 §3.4.2.2 (no null, empty string or empty array). */
const presence = (target: Target): Predicate => {
  const { read } = target
  if (target.subAttribute === undefined) return (obj) => isPresent(read(obj))
  const sub = target.subAttribute.name
  return (obj) => anySub(read(obj), sub, isPresent)
}

const compileCompare = (scope: Scope, node: Filter & { readonly _tag: "Compare" }): Predicate => {
  const target = targetOf(scope, node, node.path)
  const { read } = target
  let def = target.subAttribute ?? target.attribute
  let sub = target.subAttribute?.name
  let text = target.text
  if (node.value === null) {
    // `eq null` asks for an absent value, `ne null` for a present one.
    if (node.op === "eq") {
      const present = presence(target)
      return (obj) => !present(obj)
    }
    if (node.op === "ne") return presence(target)
    throw new CompileFailure(node, `"${node.op}" cannot compare with null: use "${text} pr" or "not (${text} pr)"`)
  }
  if (def.type === "complex" && sub === undefined) {
    // RFC 7644 §3.4.2.2: a filter on a complex attribute without a sub-attribute applies to `value`.
    const value = findSubAttribute(def, "value")
    if (value !== undefined) {
      def = value
      sub = value.name
      text = text + ".value"
    }
  }
  const test = scalarTest(node, text, def, node.op, node.value)
  if (sub === undefined) return (obj) => anyValue(read(obj), test)
  const name = sub
  return (obj) => anySub(read(obj), name, test)
}

const compileValuePath = (scope: Scope, node: Filter & { readonly _tag: "ValuePath" }): Predicate => {
  if (scope._tag === "Element") {
    throw new CompileFailure(
      node,
      `expected a comparison inside the value filter of "${scope.parentText}"; value filters do not nest`
    )
  }
  const target = targetOf(scope, node, node.path)
  if (target.subAttribute !== undefined || target.attribute.type !== "complex") {
    throw new CompileFailure(
      node,
      `a value filter "[…]" applies to a complex attribute; "${target.text}" is ${
        target.subAttribute !== undefined ? "a sub-attribute" : "a " + typeName(target.attribute) + " attribute"
      }`
    )
  }
  const inner = compileNode(
    { _tag: "Element", parent: target.attribute, parentText: target.text, qualified: false, schemaId: undefined },
    node.filter
  )
  const { read } = target
  return (obj) => {
    const value = read(obj)
    if (isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        const item = value[i]!
        if (isObject(item) && inner(item)) return true
      }
      return false
    }
    return isObject(value) && inner(value)
  }
}

/** Operands of a chain of the same connective, flattened (so long `or` chains do not nest closures). */
const operands = (node: Filter, tag: "And" | "Or", out: Array<Filter>): Array<Filter> => {
  if (node._tag === tag) {
    operands(node.left, tag, out)
    operands(node.right, tag, out)
  } else {
    out.push(node)
  }
  return out
}

const compileNode = (scope: Scope, node: Filter): Predicate => {
  switch (node._tag) {
    case "Compare":
      return compileCompare(scope, node)
    case "Present":
      return presence(targetOf(scope, node, node.path))
    case "Not": {
      const inner = compileNode(scope, node.filter)
      return (obj) => !inner(obj)
    }
    case "ValuePath":
      return compileValuePath(scope, node)
    case "And": {
      const ps = operands(node, "And", []).map((n) => compileNode(scope, n))
      if (ps.length === 2) {
        const [a, b] = ps as [Predicate, Predicate]
        return (obj) => a(obj) && b(obj)
      }
      return (obj) => {
        for (let i = 0; i < ps.length; i++) if (!ps[i]!(obj)) return false
        return true
      }
    }
    case "Or": {
      const ps = operands(node, "Or", []).map((n) => compileNode(scope, n))
      if (ps.length === 2) {
        const [a, b] = ps as [Predicate, Predicate]
        return (obj) => a(obj) || b(obj)
      }
      return (obj) => {
        for (let i = 0; i < ps.length; i++) if (ps[i]!(obj)) return true
        return false
      }
    }
  }
}

/** @internal */
export const compileRoot = (rt: ResourceTypeDef, filter: Filter): Predicate => compileNode({ _tag: "Root", rt }, filter)

const noSubAttributes: JsonObject = {}

/** A simple multi-valued attribute seen as complex elements `{value}` (RFC 7644 §3.10: `value` names the element itself). */
const valueWrapped = (attribute: AttributeDef): AttributeDef => ({
  ...attribute,
  type: "complex",
  subAttributes: [{ ...attribute, name: "value", multiValued: false }]
})

/**
 * A value filter (`[…]` of a PATCH path, RFC 7644 §3.5.2) compiled into a predicate over one
 * element of `attribute`: paths name its sub-attributes (also as `attribute.sub` or
 * `urn:…:attribute.sub`); for a simple attribute `value` is the element itself.
 *
 * @internal
 */
export const compileElementRoot = (
  rt: ResourceTypeDef,
  attribute: AttributeDef,
  filter: Filter
): (element: Json) => boolean => {
  const schemaId = schemaIdOf(rt, attribute)
  if (attribute.type !== "complex") {
    const wrapped = compileNode(
      { _tag: "Element", parent: valueWrapped(attribute), parentText: attribute.name, qualified: true, schemaId },
      filter
    )
    return (element) => wrapped({ value: element })
  }
  const inner = compileNode({
    _tag: "Element",
    parent: attribute,
    parentText: attribute.name,
    qualified: true,
    schemaId
  }, filter)
  // an element that is not an object has none of the sub-attributes
  return (element) => inner(isObject(element) ? element : noSubAttributes)
}

/** The URN of the schema of the resource type that defines `attribute` (undefined for the common attributes). */
const schemaIdOf = (rt: ResourceTypeDef, attribute: AttributeDef): string | undefined => {
  if (rt.schema.attributes.includes(attribute)) return rt.schema.id
  return rt.extensions.find((e) => e.schema.attributes.includes(attribute))?.schema.id
}
