/**
 * Compiles the SCIM filter AST (RFC 7644 §3.4.2.2) and sort (§3.4.2.3) to parameterised SQL
 * fragments that decide exactly as the core evaluator (`Filter.compile`) and comparator
 * (`Value.compareValues`) do over the store's SCIM view of a row: the stored `document` plus `id`,
 * `externalId`, `meta` and, for groups, `members`. Written once over a {@link Dialect.SqlDialect}.
 *
 * Comparands are always bound parameters, never spliced into the text. Paths resolve to the
 * indexed columns where there is one (`id`, `userName`, `externalId`, group `displayName`,
 * `meta.created`, `meta.lastModified`), to membership rows for `members`, and to JSON paths of
 * the document otherwise. Strings compare in binary collation (code point order, as the core's
 * comparison of UTF-16 code units for everything but astral characters), case-insensitive ones
 * case-folded.
 *
 * A leaf comparison may be SQL NULL when the attribute is absent; that reads as false in a
 * positive context, and leaves under an odd number of `not` are wrapped in `coalesce(…, false)`
 * so that `not` of an absent attribute holds, as in the evaluator.
 *
 * @internal
 */
import type * as SqlClient from "effect/sql/SqlClient"
import type { Fragment } from "effect/sql/Statement"
import type { Ast, StoreQuery } from "@scimkit/core"
import { Attribute, Filter, Render, Resolve, Schemas, Value } from "@scimkit/core"
import * as Result from "effect/Result"
import * as Option from "effect/Option"
import type { SqlDialect } from "../Dialect.js"

type AttributeDef = Attribute.AttributeDef

/** The client and the dialect's building blocks over it. @internal */
export interface Sql {
  readonly sql: SqlClient.SqlClient
  readonly d: SqlDialect
}

/** One SQL value of an attribute (a single value, never a set). */
type Scalar =
  /** a JSON value: possibly SQL NULL, JSON null or of an unexpected JSON type */
  | { readonly _tag: "Json"; readonly expr: Fragment }
  /** a text expression (NULL when absent) */
  | { readonly _tag: "Text"; readonly expr: Fragment }
  /** a timestamp column (an instant) */
  | { readonly _tag: "Instant"; readonly expr: Fragment }

/** A multi-valued complex attribute kept as rows (group `members`): one row per element. */
interface Rows {
  /** `from … where …` of the element rows of the current row `t`. */
  readonly source: Fragment
  /** The value of a sub-attribute of an element row. */
  readonly sub: (def: AttributeDef) => Scalar
  /** Rows ordered as the SCIM view lists them (for the sort element). */
  readonly order: Fragment
}

/** How a resource table exposes its SCIM view. @internal */
export interface View {
  readonly rt: Schemas.ResourceTypeDef
  /** the indexed column holding a (sub-)attribute, when there is one */
  readonly column: (attribute: AttributeDef, sub: AttributeDef | undefined, resolved: Resolve.ResolvedPath) => Scalar | undefined
  /** the attribute as a JSON value */
  readonly json: (resolved: Resolve.ResolvedPath) => Fragment
  /** the attribute as element rows, when it is kept as rows */
  readonly rows: (resolved: Resolve.ResolvedPath) => Rows | undefined
}

const isCommon = (resolved: Resolve.ResolvedPath): boolean => resolved.schema === undefined
const named = (resolved: Resolve.ResolvedPath, name: string, schema?: string): boolean =>
  resolved.attribute.name === name && (schema === undefined ? isCommon(resolved) : resolved.schema?.id === schema)

const version = ({ sql }: Sql): Fragment => sql`('W/"' || t.version || '"')`

const metaJson = (c: Sql, resourceType: "User" | "Group"): Fragment =>
  c.d.jsonObject([
    ["resourceType", c.d.textLiteral(resourceType)],
    ["created", c.d.isoOf(c.sql`t.created`)],
    ["lastModified", c.d.isoOf(c.sql`t.last_modified`)],
    ["version", version(c)]
  ])

/** The document key of an attribute: top level for common and core attributes, under its URN for extensions. */
const documentJson = ({ sql, d }: Sql, rt: Schemas.ResourceTypeDef, resolved: Resolve.ResolvedPath): Fragment =>
  resolved.schema === undefined || resolved.schema.id === rt.schema.id
    ? d.jsonGet(sql`t.document`, resolved.attribute.name)
    : d.jsonGet(d.jsonGet(sql`t.document`, resolved.schema.id), resolved.attribute.name)

const commonJson = (c: Sql, resourceType: "User" | "Group", resolved: Resolve.ResolvedPath): Fragment | undefined => {
  if (named(resolved, "id")) return c.d.jsonOfText(c.sql`t.id`)
  if (named(resolved, "externalId")) return c.d.jsonOfText(c.sql`t.external_id`)
  if (named(resolved, "meta")) return metaJson(c, resourceType)
  return undefined
}

const metaColumn = (c: Sql, resolved: Resolve.ResolvedPath, sub: AttributeDef | undefined): Scalar | undefined => {
  if (!named(resolved, "meta") || sub === undefined) return undefined
  switch (sub.name) {
    case "created":
      return { _tag: "Instant", expr: c.sql`t.created` }
    case "lastModified":
      return { _tag: "Instant", expr: c.sql`t.last_modified` }
    case "version":
      return { _tag: "Text", expr: version(c) }
    default:
      return undefined
  }
}

// Attributes the services render around the stored document, never read from it (core's one list).
const serverOwned = Render.serverRendered

const userJson = (c: Sql, resolved: Resolve.ResolvedPath): Fragment => {
  const { sql, d } = c
  // `active` absent from the document reads from the column; `platformRole` always from the column
  if (named(resolved, "active", Schemas.UserUrn)) return sql`coalesce(${d.jsonGet(sql`t.document`, "active")}, ${d.jsonOfBoolean(sql`t.active`)})`
  if (named(resolved, "platformRole", Schemas.CustomUserAttributesUrn)) return d.jsonOfText(sql`t.platform_role`)
  if (resolved.schema?.id === Schemas.UserUrn && serverOwned.has(resolved.attribute.name)) return d.jsonNull
  return documentJson(c, Schemas.UserResourceType, resolved)
}

/**
 * The SCIM view of `scimkit_users t`, as the services render a user: the document's client
 * attributes, `active` (the column when the document has none), the platform extension with
 * `platformRole` from its column, `id`, `externalId` and `meta`.
 *
 * @internal
 */
export const userView = (c: Sql): View => ({
  rt: Schemas.UserResourceType,
  column: (attribute, sub, resolved) => {
    if (sub === undefined && named(resolved, "id")) return { _tag: "Text", expr: c.sql`t.id` }
    if (sub === undefined && named(resolved, "externalId")) return { _tag: "Text", expr: c.sql`t.external_id` }
    if (sub === undefined && named(resolved, "userName", Schemas.UserUrn)) return { _tag: "Text", expr: c.sql`t.user_name` }
    return metaColumn(c, resolved, sub)
  },
  json: (resolved) => commonJson(c, "User", resolved) ?? userJson(c, resolved),
  rows: () => undefined
})

/** The SCIM view of `scimkit_projects t`, with `members` as membership rows. @internal */
export const projectView = (c: Sql): View => ({
  rt: Schemas.GroupResourceType,
  column: (attribute, sub, resolved) => {
    if (sub === undefined && named(resolved, "id")) return { _tag: "Text", expr: c.sql`t.id` }
    if (sub === undefined && named(resolved, "externalId")) return { _tag: "Text", expr: c.sql`t.external_id` }
    if (sub === undefined && named(resolved, "displayName", Schemas.GroupUrn)) return { _tag: "Text", expr: c.sql`t.display_name` }
    return metaColumn(c, resolved, sub)
  },
  json: (resolved) =>
    commonJson(c, "Group", resolved) ??
      (resolved.schema?.id === Schemas.GroupUrn && serverOwned.has(resolved.attribute.name)
        ? c.d.jsonNull
        : documentJson(c, Schemas.GroupResourceType, resolved)),
  rows: (resolved) =>
    named(resolved, "members", Schemas.GroupUrn)
      ? {
        source: c.sql`scimkit_project_members m join scimkit_users mu on mu.platform = m.platform and mu.id = m.user_id
          where m.platform = t.platform and m.project_id = t.id`,
        sub: (def) => {
          switch (def.name) {
            case "value":
              return { _tag: "Text", expr: c.sql`m.user_id` }
            case "display":
              return { _tag: "Text", expr: c.sql`coalesce(mu.display_name, mu.user_name)` }
            case "type":
              return { _tag: "Text", expr: c.d.textLiteral("User") }
            default:
              return { _tag: "Text", expr: c.d.nullText }
          }
        },
        order: c.sql`m.user_id`
      }
      : undefined
})

// ---------------------------------------------------------------------------------------------
// filters

/** Where paths are read: the row, or one element of a multi-valued complex attribute (`attr[…]`). */
type Scope =
  | { readonly _tag: "Root" }
  | { readonly _tag: "JsonElement"; readonly parent: AttributeDef; readonly element: Fragment }
  | { readonly _tag: "RowElement"; readonly parent: AttributeDef; readonly rows: Rows }

interface Target {
  readonly attribute: AttributeDef
  readonly subAttribute: AttributeDef | undefined
  /** the attribute value as JSON (no sub-attribute step) */
  readonly json: Fragment
  /** the single scalar the (sub-)attribute is, when it lives in a column */
  readonly column: (sub: AttributeDef | undefined) => Scalar | undefined
  readonly rows: Rows | undefined
}

/** Thrown for a filter the core evaluator would reject; the store checks with `Filter.compile` first. @internal */
export class UnsupportedFilter extends Error {}

const unsupported = (message: string): never => {
  throw new UnsupportedFilter(message)
}

/** `schemas` as the evaluator derives it for a rendered view: the core URN, then each extension whose object is present. */
const schemasJson = ({ sql, d }: Sql, rt: Schemas.ResourceTypeDef): Fragment =>
  d.jsonStrings([
    [rt.schema.id, undefined],
    ...rt.extensions.map((ext): readonly [string, Fragment | undefined] => [
      ext.schema.id,
      // the view always carries platformRole
      ext.schema.id === Schemas.CustomUserAttributesUrn ? undefined : d.jsonIs(d.jsonGet(sql`t.document`, ext.schema.id), ["object"])
    ])
  ])

const targetOf = (c: Sql, view: View, scope: Scope, path: Ast.AttrPath): Target => {
  if (scope._tag !== "Root") {
    const attribute = Attribute.findSubAttribute(scope.parent, path.attribute) ??
      unsupported(`unknown sub-attribute ${path.attribute} of ${scope.parent.name}`)
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
    return { attribute: Filter.schemasAttribute, subAttribute: undefined, json: schemasJson(c, view.rt), column: () => undefined, rows: undefined }
  }
  const resolved = Resolve.resolve(view.rt, path)
  if (Result.isFailure(resolved)) return unsupported(resolved.failure.message)
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
      return unsupported(`"${op}" is not an ordering comparison`)
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
      if (typeof value !== "string") return unsupported(`${def.name} compares with strings only`)
      if (scalar._tag === "Json") {
        return sql`(${d.jsonIs(scalar.expr, ["string"])} and ${textTest(c, d.jsonText(scalar.expr), def.caseExact, op, value)})`
      }
      if (scalar._tag === "Instant") return unsupported(`${def.name} is not a dateTime`)
      return textTest(c, scalar.expr, def.caseExact, op, value)
    }
    case "boolean": {
      if (typeof value !== "boolean" || (op !== "eq" && op !== "ne")) return unsupported(`${def.name} compares with eq/ne true/false only`)
      if (scalar._tag !== "Json") return unsupported(`${def.name} is not kept as a boolean column`)
      return sql`(${d.jsonIs(scalar.expr, ["boolean"])} and ${d.jsonBoolean(scalar.expr)} ${sql.literal(comparison(op))} ${d.boolean(value)})`
    }
    case "integer":
    case "decimal": {
      if (typeof value !== "number") return unsupported(`${def.name} compares with numbers only`)
      if (scalar._tag !== "Json") return unsupported(`${def.name} is not kept as a number column`)
      return sql`(${d.jsonIs(scalar.expr, ["number"])} and ${d.jsonNumber(scalar.expr)} ${sql.literal(comparison(op))} ${d.number(value)})`
    }
    case "dateTime": {
      if (typeof value !== "string") return unsupported(`${def.name} compares with dateTime strings only`)
      const operator = sql.literal(comparison(op))
      if (scalar._tag === "Instant") return sql`${scalar.expr} ${operator} ${d.instant(value)}`
      if (scalar._tag === "Text") return sql`${d.instantOfText(scalar.expr)} ${operator} ${d.instant(value)}`
      return sql`(${d.jsonIs(scalar.expr, ["string"])} and ${d.instantOfText(d.jsonText(scalar.expr))} ${operator} ${d.instant(value)})`
    }
    case "complex":
      return unsupported(`${def.name} is complex: compare one of its sub-attributes`)
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
    return sql`exists (select 1 from ${target.rows.source} and ${test(target.rows.sub(sub ?? unsupported("members without a sub-attribute")))})`
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
    return unsupported(`"${node.op}" cannot compare with null`)
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
  if (scope._tag !== "Root") return unsupported("value filters do not nest")
  const target = targetOf(c, view, scope, node.path)
  if (target.subAttribute !== undefined || target.attribute.type !== "complex") {
    return unsupported(`a value filter applies to a complex attribute, not ${target.attribute.name}`)
  }
  if (target.rows !== undefined) {
    const inner = compileNode(c, view, { _tag: "RowElement", parent: target.attribute, rows: target.rows }, node.filter, false)
    return sql`exists (select 1 from ${target.rows.source} and ${inner})`
  }
  if (target.attribute.multiValued) {
    const e = d.jsonElements(target.json, alias())
    const inner = compileNode(c, view, { _tag: "JsonElement", parent: target.attribute, element: e.element }, node.filter, false)
    return sql`exists (select 1 from ${e.source} where ${d.jsonIs(e.element, ["object"])} and ${inner})`
  }
  const inner = compileNode(c, view, { _tag: "JsonElement", parent: target.attribute, element: target.json }, node.filter, negated)
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
 * The SQL condition of a filter over the view's row `t`. Throws {@link UnsupportedFilter} for a
 * filter the core evaluator rejects (callers check with `Filter.compile` first).
 *
 * @internal
 */
export const compileFilter = (c: Sql, view: View, filter: Ast.Filter): Fragment => compileNode(c, view, { _tag: "Root" }, filter, false)

// ---------------------------------------------------------------------------------------------
// sorting and keyset paging

/**
 * A sort key: the SQL expression rows are ordered by (then by `t.id`), whether it can be NULL, and
 * how a cursor's remembered sort value becomes a bound of the same type.
 *
 * @internal
 */
export interface SortKey {
  readonly expr: Fragment
  readonly nullable: boolean
  /** the cursor value as a bound; `undefined` when it compares equal to every key (an unreadable value) */
  readonly bound: (value: StoreQuery.SortValue) => Fragment | null | undefined
}

const typedBound = ({ d }: Sql, def: AttributeDef) => (value: StoreQuery.SortValue): Fragment | null | undefined => {
  if (value === null) return null
  switch (def.type) {
    case "string":
    case "reference":
    case "binary":
      return typeof value === "string" ? (def.caseExact ? d.exact(d.text(value)) : d.folded(d.text(value))) : undefined
    case "integer":
    case "decimal":
      return typeof value === "number" ? d.number(value) : undefined
    case "boolean":
      return typeof value === "boolean" ? d.boolean(value) : undefined
    case "dateTime":
      return typeof value === "string" && !Number.isNaN(Value.parseInstant(value)) ? d.instant(value) : undefined
    case "complex":
      return undefined
  }
}

/** The typed key of a JSON scalar (NULL when absent or of another JSON type). */
const typedKey = ({ sql, d }: Sql, def: AttributeDef, scalar: Fragment): Fragment => {
  switch (def.type) {
    case "string":
    case "reference":
    case "binary": {
      const text = sql`(case when ${d.jsonIs(scalar, ["string"])} then ${d.jsonText(scalar)} end)`
      return def.caseExact ? d.exact(text) : d.folded(text)
    }
    case "integer":
    case "decimal":
      return sql`(case when ${d.jsonIs(scalar, ["number"])} then ${d.jsonNumber(scalar)} end)`
    case "boolean":
      return sql`(case when ${d.jsonIs(scalar, ["boolean"])} then ${d.jsonBoolean(scalar)} end)`
    case "dateTime":
      return sql`(case when ${d.jsonIs(scalar, ["string"])} then ${d.instantOfText(d.jsonText(scalar))} end)`
    case "complex":
      return d.exact(d.jsonAsText(scalar))
  }
}

const textKey = ({ d }: Sql, def: AttributeDef, text: Fragment): Fragment => def.caseExact ? d.exact(text) : d.folded(text)

const createdBound = ({ d }: Sql) => (value: StoreQuery.SortValue): Fragment | null | undefined => {
  const ms = typeof value === "number" ? value : typeof value === "string" ? Value.parseInstant(value) : Number.NaN
  return Number.isFinite(ms) ? d.instantOfMillis(Math.trunc(ms)) : undefined
}

/** The default order: `created` ascending, then id. @internal */
export const createdKey = (c: Sql): SortKey => ({ expr: c.sql`t.created`, nullable: false, bound: createdBound(c) })

/**
 * The key a sort path orders by, as the core's `sortKey` + `Value.compareValues`: the primary (else
 * first) element of a multi-valued attribute, a complex value's `value`, typed by the attribute.
 *
 * @internal
 */
export const sortKey = (c: Sql, view: View, path: Ast.AttrPath): SortKey => {
  const { sql, d } = c
  const resolved = Resolve.resolve(view.rt, path)
  if (Result.isFailure(resolved)) return unsupported(resolved.failure.message)
  const r = resolved.success
  let def = r.subAttribute ?? r.attribute
  if (def.type === "complex") def = Attribute.findSubAttribute(def, "value") ?? def
  const bound = typedBound(c, def)
  const column = view.column(r.attribute, r.subAttribute, r)
  if (column !== undefined) {
    switch (column._tag) {
      case "Instant":
        return { expr: column.expr, nullable: false, bound: createdBound(c) }
      case "Text": {
        const nullable = !(named(r, "id") || named(r, "userName", Schemas.UserUrn) || named(r, "displayName", Schemas.GroupUrn) ||
          named(r, "meta"))
        return { expr: textKey(c, def, column.expr), nullable, bound }
      }
      case "Json":
        return { expr: typedKey(c, def, column.expr), nullable: true, bound }
    }
  }
  const rows = view.rows(r)
  if (rows !== undefined) {
    const sub = r.subAttribute ?? Attribute.findSubAttribute(r.attribute, "value")
    const scalar = sub !== undefined ? rows.sub(sub) : { _tag: "Text" as const, expr: d.nullText }
    const first = sql`(select ${scalar._tag === "Text" ? scalar.expr : d.nullText} from ${rows.source} order by ${d.exact(rows.order)} limit 1)`
    return { expr: textKey(c, def, first), nullable: true, bound }
  }
  const element = d.jsonSortElement(view.json(r))
  // a value that is an object or an array has no sort value (core's Sort: primitives only)
  const primitive = (json: Fragment): Fragment => sql`(case when ${d.jsonIs(json, ["object", "array", "null"])} then null else ${json} end)`
  const scalar = r.subAttribute === undefined
    ? primitive(element)
    : sql`(case when ${d.jsonIs(element, ["object"])} then ${primitive(d.jsonGet(element, r.subAttribute.name))} end)`
  return { expr: typedKey(c, def, scalar), nullable: true, bound }
}

/**
 * Rows strictly after (`after` true) or strictly before the position `(value, id)` in ascending
 * order of (key, id), where a NULL key sorts after every value.
 *
 * @internal
 */
export const keyset = ({ sql, d }: Sql, key: SortKey, position: StoreQuery.CursorPosition, after: boolean): Fragment => {
  const bound = key.bound(position.sortValue)
  const id = d.text(position.id)
  const k = key.expr
  if (bound === undefined) return after ? sql`t.id > ${id}` : sql`t.id < ${id}`
  if (bound === null) {
    if (!key.nullable) return sql.literal(after ? "false" : "true")
    return after ? sql`(${k} is null and t.id > ${id})` : sql`(${k} is not null or t.id < ${id})`
  }
  if (!key.nullable) {
    return after
      ? sql`(${k} >= ${bound} and (${k} > ${bound} or t.id > ${id}))`
      : sql`(${k} <= ${bound} and (${k} < ${bound} or t.id < ${id}))`
  }
  return after
    ? sql`(${k} > ${bound} or (${k} = ${bound} and t.id > ${id}) or ${k} is null)`
    : sql`(${k} < ${bound} or (${k} = ${bound} and t.id < ${id}))`
}

/**
 * `order by` of (key, id), ascending or the exact reverse; a NULL key sorts after every value
 * ascending (Postgres' default, spelled out for SQLite, which sorts NULL first), so before every
 * value descending.
 *
 * @internal
 */
export const orderBy = ({ sql }: Sql, key: SortKey, descending: boolean): Fragment =>
  key.nullable
    ? descending ? sql`${key.expr} desc nulls first, t.id desc` : sql`${key.expr} asc nulls last, t.id asc`
    : descending
    ? sql`${key.expr} desc, t.id desc`
    : sql`${key.expr} asc, t.id asc`

/** Whether a sort reads group `members`. @internal */
export const sortMentionsMembers = (sort: Option.Option<StoreQuery.Sort>): boolean =>
  Option.exists(sort, (s) => s.path.attribute.toLowerCase() === "members")
