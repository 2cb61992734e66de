/**
 * Compiles the SCIM filter AST (RFC 7644 §3.4.2.2) and sort (§3.4.2.3) to parameterised SQL
 * fragments that decide exactly as the core evaluator (`Filter.compile`) and comparator
 * (`Value.compareValues`) do over the store's SCIM view of a row: the stored `document` plus `id`,
 * `externalId`, `meta` and, for groups, `members`.
 *
 * Comparands are always bound parameters, never spliced into the text. Paths resolve to the
 * indexed columns where there is one (`id`, `userName`, `externalId`, group `displayName`,
 * `meta.created`, `meta.lastModified`), to membership rows for `members`, and to `jsonb` paths of
 * the document otherwise. Strings compare in the "C" collation (code point order, as the core's
 * comparison of UTF-16 code units for everything but astral characters), case-insensitive ones
 * through `lower()`.
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
import { Attribute, Filter, Resolve, Schemas, Value } from "@scimkit/core"
import * as Result from "effect/Result"
import * as Option from "effect/Option"

type AttributeDef = Attribute.AttributeDef
type Sql = SqlClient.SqlClient

/** One SQL value of an attribute (a single value, never a set). */
type Scalar =
  /** a `jsonb` value: possibly SQL NULL, JSON null or of an unexpected JSON type */
  | { readonly _tag: "Json"; readonly expr: Fragment }
  /** a `text` expression (NULL when absent) */
  | { readonly _tag: "Text"; readonly expr: Fragment }
  /** a `timestamptz` expression (an instant) */
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

/** How a resource table exposes its SCIM view. */
export interface View {
  readonly rt: Schemas.ResourceTypeDef
  /** the indexed column holding a (sub-)attribute, when there is one */
  readonly column: (attribute: AttributeDef, sub: AttributeDef | undefined, resolved: Resolve.ResolvedPath) => Scalar | undefined
  /** the attribute as `jsonb` */
  readonly json: (resolved: Resolve.ResolvedPath) => Fragment
  /** the attribute as element rows, when it is kept as rows */
  readonly rows: (resolved: Resolve.ResolvedPath) => Rows | undefined
}

const isCommon = (resolved: Resolve.ResolvedPath): boolean => resolved.schema === undefined
const named = (resolved: Resolve.ResolvedPath, name: string, schema?: string): boolean =>
  resolved.attribute.name === name && (schema === undefined ? isCommon(resolved) : resolved.schema?.id === schema)

const iso = (sql: Sql, column: string): Fragment =>
  sql`to_char(${sql.literal(column)} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`

const metaJson = (sql: Sql, resourceType: "User" | "Group"): Fragment =>
  sql`jsonb_build_object('resourceType', ${sql.literal(`'${resourceType}'`)}, 'created', ${iso(sql, "t.created")}, 'lastModified', ${
    iso(sql, "t.last_modified")
  }, 'version', 'W/"' || t.version || '"')`

/** The document key of an attribute: top level for common and core attributes, under its URN for extensions. */
const documentJson = (sql: Sql, rt: Schemas.ResourceTypeDef, resolved: Resolve.ResolvedPath): Fragment =>
  resolved.schema === undefined || resolved.schema.id === rt.schema.id
    ? sql`(t.document -> ${resolved.attribute.name}::text)`
    : sql`(t.document -> ${resolved.schema.id}::text -> ${resolved.attribute.name}::text)`

const commonJson = (sql: Sql, resourceType: "User" | "Group", resolved: Resolve.ResolvedPath): Fragment | undefined => {
  if (named(resolved, "id")) return sql`to_jsonb(t.id)`
  if (named(resolved, "externalId")) return sql`to_jsonb(t.external_id)`
  if (named(resolved, "meta")) return metaJson(sql, resourceType)
  return undefined
}

const metaColumn = (sql: Sql, resolved: Resolve.ResolvedPath, sub: AttributeDef | undefined): Scalar | undefined => {
  if (!named(resolved, "meta") || sub === undefined) return undefined
  switch (sub.name) {
    case "created":
      return { _tag: "Instant", expr: sql`t.created` }
    case "lastModified":
      return { _tag: "Instant", expr: sql`t.last_modified` }
    case "version":
      return { _tag: "Text", expr: sql`('W/"' || t.version || '"')` }
    default:
      return undefined
  }
}

// Attributes the services render around the stored document, never read from it.
const serverOwned = new Set(["schemas", "id", "externalId", "meta", "groups", "members", "password"])

const userJson = (sql: Sql, resolved: Resolve.ResolvedPath): Fragment => {
  // `active` absent from the document reads from the column; `platformRole` always from the column
  if (named(resolved, "active", Schemas.UserUrn)) return sql`coalesce(t.document -> 'active', to_jsonb(t.active))`
  if (named(resolved, "platformRole", Schemas.CustomUserAttributesUrn)) return sql`to_jsonb(t.platform_role)`
  if (resolved.schema?.id === Schemas.UserUrn && serverOwned.has(resolved.attribute.name)) return sql`null::jsonb`
  return documentJson(sql, Schemas.UserResourceType, resolved)
}

/**
 * The SCIM view of `scimkit_users t`, as the services render a user: the document's client
 * attributes, `active` (the column when the document has none), the platform extension with
 * `platformRole` from its column, `id`, `externalId` and `meta`.
 *
 * @internal
 */
export const userView = (sql: Sql): View => ({
  rt: Schemas.UserResourceType,
  column: (attribute, sub, resolved) => {
    if (sub === undefined && named(resolved, "id")) return { _tag: "Text", expr: sql`t.id` }
    if (sub === undefined && named(resolved, "externalId")) return { _tag: "Text", expr: sql`t.external_id` }
    if (sub === undefined && named(resolved, "userName", Schemas.UserUrn)) return { _tag: "Text", expr: sql`t.user_name` }
    return metaColumn(sql, resolved, sub)
  },
  json: (resolved) => commonJson(sql, "User", resolved) ?? userJson(sql, resolved),
  rows: () => undefined
})

/** The SCIM view of `scimkit_projects t`, with `members` as membership rows. @internal */
export const projectView = (sql: Sql): View => ({
  rt: Schemas.GroupResourceType,
  column: (attribute, sub, resolved) => {
    if (sub === undefined && named(resolved, "id")) return { _tag: "Text", expr: sql`t.id` }
    if (sub === undefined && named(resolved, "externalId")) return { _tag: "Text", expr: sql`t.external_id` }
    if (sub === undefined && named(resolved, "displayName", Schemas.GroupUrn)) return { _tag: "Text", expr: sql`t.display_name` }
    return metaColumn(sql, resolved, sub)
  },
  json: (resolved) =>
    commonJson(sql, "Group", resolved) ??
      (resolved.schema?.id === Schemas.GroupUrn && serverOwned.has(resolved.attribute.name)
        ? sql`null::jsonb`
        : documentJson(sql, Schemas.GroupResourceType, resolved)),
  rows: (resolved) =>
    named(resolved, "members", Schemas.GroupUrn)
      ? {
        source: sql`scimkit_project_members m join scimkit_users mu on mu.platform = m.platform and mu.id = m.user_id
          where m.platform = t.platform and m.project_id = t.id`,
        sub: (def) => {
          switch (def.name) {
            case "value":
              return { _tag: "Text", expr: sql`m.user_id` }
            case "display":
              return { _tag: "Text", expr: sql`coalesce(mu.display_name, mu.user_name)` }
            case "type":
              return { _tag: "Text", expr: sql`'User'::text` }
            default:
              return { _tag: "Text", expr: sql`null::text` }
          }
        },
        order: sql`m.user_id`
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
  /** the attribute value as jsonb (no sub-attribute step) */
  readonly json: Fragment
  /** the single scalar the (sub-)attribute is, when it lives in a column */
  readonly column: (sub: AttributeDef | undefined) => Scalar | undefined
  readonly rows: Rows | undefined
}


/** Thrown for a filter the core evaluator would reject; the store checks with `Filter.compile` first. */
export class UnsupportedFilter extends Error {}

const unsupported = (message: string): never => {
  throw new UnsupportedFilter(message)
}

/** `schemas` as the evaluator derives it for a rendered view: the core URN, then each extension whose object is present. */
const schemasJson = (sql: Sql, rt: Schemas.ResourceTypeDef): Fragment => {
  const parts = [sql`jsonb_build_array(${rt.schema.id}::text)`]
  for (const ext of rt.extensions) {
    parts.push(
      ext.schema.id === Schemas.CustomUserAttributesUrn
        ? sql`jsonb_build_array(${ext.schema.id}::text)` // the view always carries platformRole
        : sql`(case when jsonb_typeof(t.document -> ${ext.schema.id}::text) = 'object' then jsonb_build_array(${ext.schema.id}::text) else '[]'::jsonb end)`
    )
  }
  return sql`(${sql.join(" || ", false)(parts)})`
}

const targetOf = (sql: Sql, view: View, scope: Scope, path: Ast.AttrPath): Target => {
  if (scope._tag !== "Root") {
    const attribute = Attribute.findSubAttribute(scope.parent, path.attribute) ??
      unsupported(`unknown sub-attribute ${path.attribute} of ${scope.parent.name}`)
    if (scope._tag === "JsonElement") {
      return {
        attribute,
        subAttribute: undefined,
        json: sql`(${scope.element} -> ${attribute.name}::text)`,
        column: () => undefined,
        rows: undefined
      }
    }
    const rowScalar = scope.rows.sub(attribute)
    return { attribute, subAttribute: undefined, json: sql`null::jsonb`, column: () => rowScalar, rows: undefined }
  }
  if (path.uri === undefined && path.subAttribute === undefined && path.attribute.toLowerCase() === "schemas") {
    return { attribute: Filter.schemasAttribute, subAttribute: undefined, json: schemasJson(sql, view.rt), column: () => undefined, rows: undefined }
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

const escapeLike = (value: string): string => value.replace(/[\\%_]/g, (c) => "\\" + c)

const likePattern = (op: "co" | "sw" | "ew", value: string): string => {
  const escaped = escapeLike(value)
  return op === "co" ? `%${escaped}%` : op === "sw" ? `${escaped}%` : `%${escaped}`
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
const textTest = (sql: Sql, text: Fragment, caseExact: boolean, op: Ast.CompareOp, value: string): Fragment => {
  if (op === "co" || op === "sw" || op === "ew") {
    const pattern = likePattern(op, value)
    return caseExact
      ? sql`(${text}) collate "C" like ${pattern}::text`
      : sql`lower(${text}) collate "C" like lower(${pattern}::text)`
  }
  const operator = sql.literal(comparison(op))
  return caseExact
    ? sql`(${text}) collate "C" ${operator} ${value}::text`
    : sql`lower(${text}) collate "C" ${operator} lower(${value}::text) collate "C"`
}

/** The test of one comparison on one scalar of an attribute of type `def` (the comparand is already type-checked). */
const scalarTest = (sql: Sql, scalar: Scalar, def: AttributeDef, op: Ast.CompareOp, value: Ast.CompValue): Fragment => {
  switch (def.type) {
    case "string":
    case "reference":
    case "binary": {
      if (typeof value !== "string") return unsupported(`${def.name} compares with strings only`)
      if (scalar._tag === "Json") {
        return sql`(jsonb_typeof(${scalar.expr}) = 'string' and ${textTest(sql, sql`${scalar.expr} #>> '{}'`, def.caseExact, op, value)})`
      }
      if (scalar._tag === "Instant") return unsupported(`${def.name} is not a dateTime`)
      return textTest(sql, scalar.expr, def.caseExact, op, value)
    }
    case "boolean": {
      if (typeof value !== "boolean" || (op !== "eq" && op !== "ne")) return unsupported(`${def.name} compares with eq/ne true/false only`)
      if (scalar._tag !== "Json") return unsupported(`${def.name} is not kept as a boolean column`)
      return sql`(jsonb_typeof(${scalar.expr}) = 'boolean' and (${scalar.expr})::boolean ${sql.literal(comparison(op))} ${value}::boolean)`
    }
    case "integer":
    case "decimal": {
      if (typeof value !== "number") return unsupported(`${def.name} compares with numbers only`)
      if (scalar._tag !== "Json") return unsupported(`${def.name} is not kept as a number column`)
      return sql`(jsonb_typeof(${scalar.expr}) = 'number' and (${scalar.expr})::float8 ${sql.literal(comparison(op))} ${value}::float8)`
    }
    case "dateTime": {
      if (typeof value !== "string") return unsupported(`${def.name} compares with dateTime strings only`)
      const operator = sql.literal(comparison(op))
      if (scalar._tag === "Instant") return sql`${scalar.expr} ${operator} scimkit_instant(${value}::text)`
      if (scalar._tag === "Text") return sql`scimkit_instant(${scalar.expr}) ${operator} scimkit_instant(${value}::text)`
      return sql`(jsonb_typeof(${scalar.expr}) = 'string' and scimkit_instant(${scalar.expr} #>> '{}') ${operator} scimkit_instant(${value}::text))`
    }
    case "complex":
      return unsupported(`${def.name} is complex: compare one of its sub-attributes`)
  }
}

/** `isPresent` of a scalar. */
const scalarPresent = (sql: Sql, scalar: Scalar): Fragment => {
  switch (scalar._tag) {
    case "Json":
      return sql`scimkit_present(${scalar.expr})`
    case "Text":
      return sql`coalesce(${scalar.expr} <> '', false)`
    case "Instant":
      return sql`(${scalar.expr} is not null)`
  }
}

let aliasCounter = 0
const alias = (sql: Sql): Fragment => sql.literal(`e${(aliasCounter = (aliasCounter + 1) % 1_000_000)}`)

/** The elements of a jsonb value: an array's elements, or the value itself. */
const elementsOf = (sql: Sql, json: Fragment): Fragment =>
  sql`jsonb_array_elements(case when jsonb_typeof(${json}) = 'array' then ${json} else jsonb_build_array(${json}) end)`

/** True when some value of the target (or of its sub-attribute in some element) passes `test`. */
const anyValue = (
  sql: Sql,
  target: Target,
  sub: AttributeDef | undefined,
  test: (scalar: Scalar) => Fragment
): Fragment => {
  const column = target.column(sub)
  if (column !== undefined) return test(column)
  if (target.rows !== undefined) {
    return sql`exists (select 1 from ${target.rows.source} and ${test(target.rows.sub(sub ?? unsupported("members without a sub-attribute")))})`
  }
  if (sub === undefined) {
    if (!target.attribute.multiValued) return test({ _tag: "Json", expr: target.json })
    const e = alias(sql)
    return sql`exists (select 1 from ${elementsOf(sql, target.json)} ${e}(v) where ${test({ _tag: "Json", expr: sql`${e}.v` })})`
  }
  if (!target.attribute.multiValued) {
    return test({ _tag: "Json", expr: sql`(${target.json} -> ${sub.name}::text)` })
  }
  const e = alias(sql)
  return sql`exists (select 1 from ${elementsOf(sql, target.json)} ${e}(v) where ${
    test({ _tag: "Json", expr: sql`(${e}.v -> ${sub.name}::text)` })
  })`
}

/** `attr pr` (RFC 7644 §3.4.2.2): not null, not "", not [], a complex value with some present sub-attribute. */
const present = (sql: Sql, target: Target): Fragment => {
  const sub = target.subAttribute
  if (target.rows !== undefined) {
    return sub === undefined
      ? sql`exists (select 1 from ${target.rows.source})`
      : sql`exists (select 1 from ${target.rows.source} and ${scalarPresent(sql, target.rows.sub(sub))})`
  }
  if (sub === undefined) {
    const column = target.column(undefined)
    return column !== undefined && column._tag !== "Json" ? scalarPresent(sql, column) : sql`scimkit_present(${target.json})`
  }
  return anyValue(sql, target, sub, (scalar) => scalarPresent(sql, scalar))
}

const compileCompare = (sql: Sql, view: View, scope: Scope, node: Ast.Compare): Fragment => {
  const target = targetOf(sql, view, scope, node.path)
  if (node.value === null) {
    if (node.op === "eq") return sql`not ${present(sql, target)}`
    if (node.op === "ne") return present(sql, target)
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
  return anyValue(sql, target, sub, (scalar) => scalarTest(sql, scalar, def, op, value))
}

const compileValuePath = (sql: Sql, view: View, scope: Scope, node: Ast.ValuePath, negated: boolean): Fragment => {
  if (scope._tag !== "Root") return unsupported("value filters do not nest")
  const target = targetOf(sql, view, scope, node.path)
  if (target.subAttribute !== undefined || target.attribute.type !== "complex") {
    return unsupported(`a value filter applies to a complex attribute, not ${target.attribute.name}`)
  }
  if (target.rows !== undefined) {
    const inner = compileNode(sql, view, { _tag: "RowElement", parent: target.attribute, rows: target.rows }, node.filter, false)
    return sql`exists (select 1 from ${target.rows.source} and ${inner})`
  }
  if (target.attribute.multiValued) {
    const e = alias(sql)
    const element = sql`${e}.v`
    const inner = compileNode(sql, view, { _tag: "JsonElement", parent: target.attribute, element }, node.filter, false)
    return sql`exists (select 1 from ${elementsOf(sql, target.json)} ${e}(v) where jsonb_typeof(${element}) = 'object' and ${inner})`
  }
  const inner = compileNode(sql, view, { _tag: "JsonElement", parent: target.attribute, element: target.json }, node.filter, negated)
  const isObject = sql`jsonb_typeof(${target.json}) = 'object'`
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

const compileNode = (sql: Sql, view: View, scope: Scope, node: Ast.Filter, negated: boolean): Fragment => {
  const leaf = (predicate: Fragment): Fragment => (negated ? sql`coalesce(${predicate}, false)` : predicate)
  switch (node._tag) {
    case "Compare":
      return leaf(compileCompare(sql, view, scope, node))
    case "Present":
      return leaf(present(sql, targetOf(sql, view, scope, node.path)))
    case "Not":
      return sql`(not ${compileNode(sql, view, scope, node.filter, !negated)})`
    case "ValuePath":
      return compileValuePath(sql, view, scope, node, negated)
    case "And":
      return sql.and(operands(node, "And", []).map((n) => compileNode(sql, view, scope, n, negated)))
    case "Or":
      return sql.or(operands(node, "Or", []).map((n) => compileNode(sql, view, scope, n, negated)))
  }
}

/**
 * The SQL condition of a filter over the view's row `t`. Throws {@link UnsupportedFilter} for a
 * filter the core evaluator rejects (callers check with `Filter.compile` first).
 *
 * @internal
 */
export const compileFilter = (sql: Sql, view: View, filter: Ast.Filter): Fragment =>
  compileNode(sql, view, { _tag: "Root" }, filter, false)

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

const typedBound = (sql: Sql, def: AttributeDef) => (value: StoreQuery.SortValue): Fragment | null | undefined => {
  if (value === null) return null
  switch (def.type) {
    case "string":
    case "reference":
    case "binary":
      return typeof value === "string"
        ? def.caseExact ? sql`(${value}::text) collate "C"` : sql`lower(${value}::text) collate "C"`
        : undefined
    case "integer":
    case "decimal":
      return typeof value === "number" ? sql`${value}::float8` : undefined
    case "boolean":
      return typeof value === "boolean" ? sql`${value}::boolean` : undefined
    case "dateTime":
      return typeof value === "string" && !Number.isNaN(Value.parseInstant(value)) ? sql`scimkit_instant(${value}::text)` : undefined
    case "complex":
      return undefined
  }
}

/** The typed key of a jsonb scalar (NULL when absent or of another JSON type). */
const typedKey = (sql: Sql, def: AttributeDef, scalar: Fragment): Fragment => {
  switch (def.type) {
    case "string":
    case "reference":
    case "binary":
      return def.caseExact
        ? sql`(case when jsonb_typeof(${scalar}) = 'string' then ${scalar} #>> '{}' end) collate "C"`
        : sql`lower(case when jsonb_typeof(${scalar}) = 'string' then ${scalar} #>> '{}' end) collate "C"`
    case "integer":
    case "decimal":
      return sql`(case when jsonb_typeof(${scalar}) = 'number' then (${scalar})::float8 end)`
    case "boolean":
      return sql`(case when jsonb_typeof(${scalar}) = 'boolean' then (${scalar})::boolean end)`
    case "dateTime":
      return sql`(case when jsonb_typeof(${scalar}) = 'string' then scimkit_instant(${scalar} #>> '{}') end)`
    case "complex":
      return sql`(${scalar})::text collate "C"`
  }
}

const textKey = (sql: Sql, def: AttributeDef, text: Fragment): Fragment =>
  def.caseExact ? sql`(${text}) collate "C"` : sql`lower(${text}) collate "C"`

const createdBound = (sql: Sql) => (value: StoreQuery.SortValue): Fragment | null | undefined => {
  const ms = typeof value === "number" ? value : typeof value === "string" ? Value.parseInstant(value) : Number.NaN
  return Number.isFinite(ms) ? sql`(timestamptz 'epoch' + ${Math.trunc(ms)}::bigint * interval '1 millisecond')` : undefined
}

/** The default order: `created` ascending, then id. @internal */
export const createdKey = (sql: Sql): SortKey => ({ expr: sql`t.created`, nullable: false, bound: createdBound(sql) })

/**
 * The key a sort path orders by, as the core's `sortKey` + `Value.compareValues`: the primary (else
 * first) element of a multi-valued attribute, a complex value's `value`, typed by the attribute.
 *
 * @internal
 */
export const sortKey = (sql: Sql, view: View, path: Ast.AttrPath): SortKey => {
  const resolved = Resolve.resolve(view.rt, path)
  if (Result.isFailure(resolved)) return unsupported(resolved.failure.message)
  const r = resolved.success
  let def = r.subAttribute ?? r.attribute
  if (def.type === "complex") def = Attribute.findSubAttribute(def, "value") ?? def
  const bound = typedBound(sql, def)
  const column = view.column(r.attribute, r.subAttribute, r)
  if (column !== undefined) {
    switch (column._tag) {
      case "Instant":
        return { expr: column.expr, nullable: false, bound: createdBound(sql) }
      case "Text": {
        const nullable = !(named(r, "id") || named(r, "userName", Schemas.UserUrn) || named(r, "displayName", Schemas.GroupUrn) ||
          named(r, "meta"))
        return { expr: textKey(sql, def, column.expr), nullable, bound }
      }
      case "Json":
        return { expr: typedKey(sql, def, column.expr), nullable: true, bound }
    }
  }
  const rows = view.rows(r)
  if (rows !== undefined) {
    const sub = r.subAttribute ?? Attribute.findSubAttribute(r.attribute, "value")
    const scalar = sub !== undefined ? rows.sub(sub) : { _tag: "Text" as const, expr: sql`null::text` }
    const first = sql`(select ${scalar._tag === "Text" ? scalar.expr : sql`null::text`} from ${rows.source} order by ${rows.order} collate "C" limit 1)`
    return { expr: textKey(sql, def, first), nullable: true, bound }
  }
  const element = sql`scimkit_sort_element(${view.json(r)})`
  // a value that is an object or an array has no sort value (core's Sort: primitives only)
  const primitive = (json: Fragment): Fragment =>
    sql`(case when jsonb_typeof(${json}) in ('object', 'array', 'null') then null else ${json} end)`
  const scalar = r.subAttribute === undefined
    ? primitive(element)
    : sql`(case when jsonb_typeof(${element}) = 'object' then ${primitive(sql`(${element} -> ${r.subAttribute.name}::text)`)} end)`
  return { expr: typedKey(sql, def, scalar), nullable: true, bound }
}

/**
 * Rows strictly after (`after` true) or strictly before the position `(value, id)` in ascending
 * order of (key, id), where a NULL key sorts after every value.
 *
 * @internal
 */
export const keyset = (sql: Sql, key: SortKey, position: StoreQuery.CursorPosition, after: boolean): Fragment => {
  const bound = key.bound(position.sortValue)
  const id = position.id
  const k = key.expr
  if (bound === undefined) return after ? sql`t.id > ${id}::text` : sql`t.id < ${id}::text`
  if (bound === null) {
    if (!key.nullable) return sql.literal(after ? "false" : "true")
    return after ? sql`(${k} is null and t.id > ${id}::text)` : sql`(${k} is not null or t.id < ${id}::text)`
  }
  if (!key.nullable) {
    return after
      ? sql`(${k} >= ${bound} and (${k} > ${bound} or t.id > ${id}::text))`
      : sql`(${k} <= ${bound} and (${k} < ${bound} or t.id < ${id}::text))`
  }
  return after
    ? sql`(${k} > ${bound} or (${k} = ${bound} and t.id > ${id}::text) or ${k} is null)`
    : sql`(${k} < ${bound} or (${k} = ${bound} and t.id < ${id}::text))`
}

/** `order by` of (key, id), ascending or the exact reverse. @internal */
export const orderBy = (sql: Sql, key: SortKey, descending: boolean): Fragment =>
  descending ? sql`${key.expr} desc, t.id desc` : sql`${key.expr} asc, t.id asc`

/** Whether a sort reads group `members`. @internal */
export const sortMentionsMembers = (sort: Option.Option<StoreQuery.Sort>): boolean =>
  Option.exists(sort, (s) => s.path.attribute.toLowerCase() === "members")
