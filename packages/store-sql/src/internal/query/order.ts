/**
 * Sorting (RFC 7644 §3.4.2.3) and keyset paging (RFC 9865) in SQL: the key a sort path orders by,
 * typed and compared as core's `Sort` and `Value.compareValues` do, then `id`; the `order by` of
 * that key either way; and the bound of a cursor's position, so that a page after a cursor starts
 * exactly where the previous one stopped, with no OFFSET.
 *
 * @internal
 */
import type { Fragment } from "effect/sql/Statement"
import type { Ast, StoreQuery } from "@scimkit/core"
import { Attribute, Resolve, Schemas, Value } from "@scimkit/core"
import * as Result from "effect/Result"
import { type AttributeDef, named, type Sql, unchecked, type View } from "./views.js"

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

const textKey = ({ d }: Sql, def: AttributeDef, text: Fragment): Fragment =>
  def.caseExact ? d.exact(text) : d.folded(text)

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
  if (Result.isFailure(resolved)) return unchecked(resolved.failure.message)
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
        const nullable =
          !(named(r, "id") || named(r, "userName", Schemas.UserUrn) || named(r, "displayName", Schemas.GroupUrn) ||
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
    const first = sql`(select ${scalar._tag === "Text" ? scalar.expr : d.nullText} from ${rows.source} order by ${
      d.exact(rows.order)
    } limit 1)`
    return { expr: textKey(c, def, first), nullable: true, bound }
  }
  const element = d.jsonSortElement(view.json(r))
  // a value that is an object or an array has no sort value (core's Sort: primitives only)
  const primitive = (json: Fragment): Fragment =>
    sql`(case when ${d.jsonIs(json, ["object", "array", "null"])} then null else ${json} end)`
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
export const keyset = (
  { sql, d }: Sql,
  key: SortKey,
  position: StoreQuery.CursorPosition,
  after: boolean
): Fragment => {
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
