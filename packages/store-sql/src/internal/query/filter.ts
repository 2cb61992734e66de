/**
 * Compiles a SCIM filter (RFC 7644 §3.4.2.2) to a parameterised SQL condition over the SCIM view
 * of a row (`views.ts`) that decides exactly as core's evaluator (`Filter.compile`) does.
 *
 * Comparands are always bound parameters, never spliced into the text. Strings compare in binary
 * collation (code point order, as the core's comparison of UTF-16 code units for everything but
 * astral characters), case-insensitive ones case-folded.
 *
 * A leaf comparison may be SQL NULL when the attribute is absent; that reads as false in a
 * positive context, and leaves under an odd number of `not` are wrapped in `coalesce(…, false)`
 * so that `not` of an absent attribute holds, as in the evaluator.
 *
 * @internal
 */
import type { Fragment } from "effect/sql/Statement"
import type { Ast, Schemas } from "@scimkit/core"
import { Attribute, Filter, Resolve } from "@scimkit/core"
import * as Result from "effect/Result"
import { type AttributeDef, type ElementRows, type Scalar, type Sql, unchecked, type View } from "./views.js"

/** Where paths are read: the row, or one element of a multi-valued complex attribute (`attr[…]`). */
type Scope =
  | { readonly _tag: "Root" }
  | { readonly _tag: "JsonElement"; readonly parent: AttributeDef; readonly element: Fragment }
  | { readonly _tag: "RowElement"; readonly parent: AttributeDef; readonly rows: ElementRows }

interface Target {
  readonly attribute: AttributeDef
  readonly subAttribute: AttributeDef | undefined
  /** the attribute value as JSON (no sub-attribute step) */
  readonly json: Fragment
  /** the single scalar the (sub-)attribute is, when it lives in a column */
  readonly column: (sub: AttributeDef | undefined) => Scalar | undefined
  readonly rows: ElementRows | undefined
}

/** `schemas` as the evaluator derives it for a rendered view: the core URN, then each extension whose object is present. */
const schemasJson = ({ sql, d }: Sql, rt: Schemas.ResourceTypeDef): Fragment =>
  d.jsonStrings([
    [rt.schema.id, undefined],
    ...rt.extensions.map((ext): readonly [string, Fragment | undefined] => [
      ext.schema.id,
      // the view always carries the role attribute
      ext.schema.id === rt.roleAttribute?.schema
        ? undefined
        : d.jsonIs(d.jsonGet(sql`t.document`, ext.schema.id), ["object"])
    ])
  ])

const targetOf = (c: Sql, view: View, scope: Scope, path: Ast.AttrPath): Target => {
  if (scope._tag !== "Root") {
    const attribute = Attribute.findSubAttribute(scope.parent, path.attribute) ??
      unchecked(`unknown sub-attribute ${path.attribute} of ${scope.parent.name}`)
    if (scope._tag === "JsonElement") {
      return {
        attribute,
        subAttribute: undefined,
        json: c.d.jsonGet(scope.element, attribute.name),
        column: () => undefined,
        rows: undefined
      }
    }
    const rowScalar = scope.rows.sub(attribute)
    return { attribute, subAttribute: undefined, json: c.d.jsonNull, column: () => rowScalar, rows: undefined }
  }
  if (path.uri === undefined && path.subAttribute === undefined && path.attribute.toLowerCase() === "schemas") {
    return {
      attribute: Filter.schemasAttribute,
      subAttribute: undefined,
      json: schemasJson(c, view.rt),
      column: () => undefined,
      rows: undefined
    }
  }
  const resolved = Resolve.resolve(view.rt, path)
  if (Result.isFailure(resolved)) return unchecked(resolved.failure.message)
  const r = resolved.success
  return {
    attribute: r.attribute,
    subAttribute: r.subAttribute,
    json: view.json(r),
    column: (sub) => view.column(r.attribute, sub, { ...r, subAttribute: sub }),
    rows: view.rows(r)
  }
}

const comparison = (op: Ast.CompareOp): string => {
  switch (op) {
    case "eq":
      return "="
    case "ne":
      return "<>"
    case "gt":
      return ">"
    case "ge":
      return ">="
    case "lt":
      return "<"
    case "le":
      return "<="
    default:
      return unchecked(`"${op}" is not an ordering comparison`)
  }
}

/** A text expression compared to a string comparand, case-folded unless `caseExact`. */
const textTest = ({ sql, d }: Sql, text: Fragment, caseExact: boolean, op: Ast.CompareOp, value: string): Fragment => {
  if (op === "co" || op === "sw" || op === "ew") return d.like(text, op, value, caseExact)
  const operator = sql.literal(comparison(op))
  return caseExact
    ? sql`${d.exact(text)} ${operator} ${d.exact(d.text(value))}`
    : sql`${d.folded(text)} ${operator} ${d.folded(d.text(value))}`
}

/** The test of one comparison on one scalar of an attribute of type `def` (the comparand is already type-checked). */
const scalarTest = (c: Sql, scalar: Scalar, def: AttributeDef, op: Ast.CompareOp, value: Ast.CompValue): Fragment => {
  const { sql, d } = c
  switch (def.type) {
    case "string":
    case "reference":
    case "binary": {
      if (typeof value !== "string") return unchecked(`${def.name} compares with strings only`)
      if (scalar._tag === "Json") {
        return sql`(${d.jsonIs(scalar.expr, ["string"])} and ${
          textTest(c, d.jsonText(scalar.expr), def.caseExact, op, value)
        })`
      }
      if (scalar._tag === "Instant") return unchecked(`${def.name} is not a dateTime`)
      return textTest(c, scalar.expr, def.caseExact, op, value)
    }
    case "boolean": {
      if (typeof value !== "boolean" || (op !== "eq" && op !== "ne")) {
        return unchecked(`${def.name} compares with eq/ne true/false only`)
      }
      if (scalar._tag !== "Json") return unchecked(`${def.name} is not kept as a boolean column`)
      return sql`(${d.jsonIs(scalar.expr, ["boolean"])} and ${d.jsonBoolean(scalar.expr)} ${
        sql.literal(comparison(op))
      } ${d.boolean(value)})`
    }
    case "integer":
    case "decimal": {
      if (typeof value !== "number") return unchecked(`${def.name} compares with numbers only`)
      if (scalar._tag !== "Json") return unchecked(`${def.name} is not kept as a number column`)
      return sql`(${d.jsonIs(scalar.expr, ["number"])} and ${d.jsonNumber(scalar.expr)} ${
        sql.literal(comparison(op))
      } ${d.number(value)})`
    }
    case "dateTime": {
      if (typeof value !== "string") return unchecked(`${def.name} compares with dateTime strings only`)
      const operator = sql.literal(comparison(op))
      if (scalar._tag === "Instant") return sql`${scalar.expr} ${operator} ${d.instant(value)}`
      if (scalar._tag === "Text") return sql`${d.instantOfText(scalar.expr)} ${operator} ${d.instant(value)}`
      return sql`(${d.jsonIs(scalar.expr, ["string"])} and ${d.instantOfText(d.jsonText(scalar.expr))} ${operator} ${
        d.instant(value)
      })`
    }
    case "complex":
      return unchecked(`${def.name} is complex: compare one of its sub-attributes`)
  }
}

/** `isPresent` of a scalar. */
const scalarPresent = ({ sql, d }: Sql, scalar: Scalar): Fragment => {
  switch (scalar._tag) {
    case "Json":
      return d.jsonPresent(scalar.expr)
    case "Text":
      return sql`coalesce(${scalar.expr} <> '', false)`
    case "Instant":
      return sql`(${scalar.expr} is not null)`
  }
}

let aliasCounter = 0
const alias = (): string => `e${(aliasCounter = (aliasCounter + 1) % 1_000_000)}`

/** True when some value of the target (or of its sub-attribute in some element) passes `test`. */
const anyValue = (
  c: Sql,
  target: Target,
  sub: AttributeDef | undefined,
  test: (scalar: Scalar) => Fragment
): Fragment => {
  const { sql, d } = c
  const column = target.column(sub)
  if (column !== undefined) return test(column)
  if (target.rows !== undefined) {
    return sql`exists (select 1 from ${target.rows.source} and ${
      test(target.rows.sub(sub ?? unchecked("members without a sub-attribute")))
    })`
  }
  if (sub === undefined) {
    if (!target.attribute.multiValued) return test({ _tag: "Json", expr: target.json })
    const e = d.jsonElements(target.json, alias())
    return sql`exists (select 1 from ${e.source} where ${test({ _tag: "Json", expr: e.element })})`
  }
  if (!target.attribute.multiValued) {
    return test({ _tag: "Json", expr: d.jsonGet(target.json, sub.name) })
  }
  const e = d.jsonElements(target.json, alias())
  return sql`exists (select 1 from ${e.source} where ${test({ _tag: "Json", expr: d.jsonGet(e.element, sub.name) })})`
}

/** `attr pr` (RFC 7644 §3.4.2.2): not null, not "", not [], a complex value with some present sub-attribute. */
const present = (c: Sql, target: Target): Fragment => {
  const { sql, d } = c
  const sub = target.subAttribute
  if (target.rows !== undefined) {
    return sub === undefined
      ? sql`exists (select 1 from ${target.rows.source})`
      : sql`exists (select 1 from ${target.rows.source} and ${scalarPresent(c, target.rows.sub(sub))})`
  }
  if (sub === undefined) {
    const column = target.column(undefined)
    return column !== undefined && column._tag !== "Json" ? scalarPresent(c, column) : d.jsonPresent(target.json)
  }
  return anyValue(c, target, sub, (scalar) => scalarPresent(c, scalar))
}

const compileCompare = (c: Sql, view: View, scope: Scope, node: Ast.Compare): Fragment => {
  const target = targetOf(c, view, scope, node.path)
  if (node.value === null) {
    if (node.op === "eq") return c.sql`not ${present(c, target)}`
    if (node.op === "ne") return present(c, target)
    return unchecked(`"${node.op}" cannot compare with null`)
  }
  let sub = target.subAttribute
  let def = sub ?? target.attribute
  if (def.type === "complex" && sub === undefined) {
    const value = Attribute.findSubAttribute(def, "value")
    if (value !== undefined) {
      sub = value
      def = value
    }
  }
  const value = node.value
  const op = node.op
  return anyValue(c, target, sub, (scalar) => scalarTest(c, scalar, def, op, value))
}

const compileValuePath = (c: Sql, view: View, scope: Scope, node: Ast.ValuePath, negated: boolean): Fragment => {
  const { sql, d } = c
  if (scope._tag !== "Root") return unchecked("value filters do not nest")
  const target = targetOf(c, view, scope, node.path)
  if (target.subAttribute !== undefined || target.attribute.type !== "complex") {
    return unchecked(`a value filter applies to a complex attribute, not ${target.attribute.name}`)
  }
  if (target.rows !== undefined) {
    const inner = compileNode(
      c,
      view,
      { _tag: "RowElement", parent: target.attribute, rows: target.rows },
      node.filter,
      false
    )
    return sql`exists (select 1 from ${target.rows.source} and ${inner})`
  }
  if (target.attribute.multiValued) {
    const e = d.jsonElements(target.json, alias())
    const inner = compileNode(
      c,
      view,
      { _tag: "JsonElement", parent: target.attribute, element: e.element },
      node.filter,
      false
    )
    return sql`exists (select 1 from ${e.source} where ${d.jsonIs(e.element, ["object"])} and ${inner})`
  }
  const inner = compileNode(
    c,
    view,
    { _tag: "JsonElement", parent: target.attribute, element: target.json },
    node.filter,
    negated
  )
  const isObject = d.jsonIs(target.json, ["object"])
  return negated ? sql`(coalesce(${isObject}, false) and ${inner})` : sql`(${isObject} and ${inner})`
}

const operands = (node: Ast.Filter, tag: "And" | "Or", out: Array<Ast.Filter>): Array<Ast.Filter> => {
  if (node._tag === tag) {
    operands(node.left, tag, out)
    operands(node.right, tag, out)
  } else {
    out.push(node)
  }
  return out
}

const compileNode = (c: Sql, view: View, scope: Scope, node: Ast.Filter, negated: boolean): Fragment => {
  const { sql } = c
  const leaf = (predicate: Fragment): Fragment => (negated ? sql`coalesce(${predicate}, false)` : predicate)
  switch (node._tag) {
    case "Compare":
      return leaf(compileCompare(c, view, scope, node))
    case "Present":
      return leaf(present(c, targetOf(c, view, scope, node.path)))
    case "Not":
      return sql`(not ${compileNode(c, view, scope, node.filter, !negated)})`
    case "ValuePath":
      return compileValuePath(c, view, scope, node, negated)
    case "And":
      return sql.and(operands(node, "And", []).map((n) => compileNode(c, view, scope, n, negated)))
    case "Or":
      return sql.or(operands(node, "Or", []).map((n) => compileNode(c, view, scope, n, negated)))
  }
}

/**
 * The SQL condition of a filter over the view's row `t`. Throws `UncheckedQuery` for a filter the
 * core rejects (the service hands the store only filters `Filter.check` accepted).
 *
 * @internal
 */
export const compileFilter = (c: Sql, view: View, filter: Ast.Filter): Fragment =>
  compileNode(c, view, { _tag: "Root" }, filter, false)
