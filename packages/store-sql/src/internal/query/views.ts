/**
 * The SCIM view of each resource table, as the filter compiler and the sort keys read it: the
 * stored `document` plus `id`, `externalId`, `meta` and, for groups, `members` — the resource as
 * the services render it (`Render`), so that a filter decides in SQL exactly as core's evaluator
 * decides over the rendered resource. Paths resolve to the indexed columns where there is one
 * (`id`, `userName`, `externalId`, group `displayName`, `meta.created`, `meta.lastModified`), to
 * membership rows for `members`, and to JSON paths of the document otherwise. Written once over a
 * {@link SqlDialect}.
 *
 * @internal
 */
import type * as SqlClient from "effect/sql/SqlClient"
import type { Fragment } from "effect/sql/Statement"
import type { Attribute, Resolve } from "@scimkit/core"
import { Render, Schemas } from "@scimkit/core"
import type { SqlDialect } from "../../Dialect.js"

/** An attribute's definition in the core's schemas. @internal */
export type AttributeDef = Attribute.AttributeDef

/** The client and the dialect's building blocks over it. @internal */
export interface Sql {
  readonly sql: SqlClient.SqlClient
  readonly d: SqlDialect
}

/** One SQL value of an attribute (a single value, never a set). @internal */
export type Scalar =
  /** a JSON value: possibly SQL NULL, JSON null or of an unexpected JSON type */
  | { readonly _tag: "Json"; readonly expr: Fragment }
  /** a text expression (NULL when absent) */
  | { readonly _tag: "Text"; readonly expr: Fragment }
  /** a timestamp column (an instant) */
  | { readonly _tag: "Instant"; readonly expr: Fragment }

/** A multi-valued complex attribute kept as rows (group `members`): one row per element. @internal */
export interface ElementRows {
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
  readonly column: (
    attribute: AttributeDef,
    sub: AttributeDef | undefined,
    resolved: Resolve.ResolvedPath
  ) => Scalar | undefined
  /** the attribute as a JSON value */
  readonly json: (resolved: Resolve.ResolvedPath) => Fragment
  /** the attribute as element rows, when it is kept as rows */
  readonly rows: (resolved: Resolve.ResolvedPath) => ElementRows | undefined
}

const isCommon = (resolved: Resolve.ResolvedPath): boolean => resolved.schema === undefined

/** The path is the attribute `name` of `schema` (a common attribute when no schema is given). @internal */
export const named = (resolved: Resolve.ResolvedPath, name: string, schema?: string): boolean =>
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

const userJson = (c: Sql, rt: Schemas.ResourceTypeDef, resolved: Resolve.ResolvedPath): Fragment => {
  const { sql, d } = c
  // `active` absent from the document reads from the column; the model's role attribute always from the column
  if (named(resolved, "active", Schemas.UserUrn)) {
    return sql`coalesce(${d.jsonGet(sql`t.document`, "active")}, ${d.jsonOfBoolean(sql`t.active`)})`
  }
  const role = rt.roleAttribute
  if (role !== undefined && named(resolved, role.name, role.schema)) return d.jsonOfText(sql`t.platform_role`)
  if (resolved.schema?.id === Schemas.UserUrn && Render.serverRendered.has(resolved.attribute.name)) return d.jsonNull
  return documentJson(c, rt, resolved)
}

/**
 * The SCIM view of `scimkit_users t`, as the services render a user of the resource type `rt` (the
 * domain model's): the document's client attributes, `active` (the column when the document has
 * none), the model's extension with its role attribute from the `platform_role` column, `id`,
 * `externalId` and `meta`.
 *
 * @internal
 */
export const userView = (c: Sql, rt: Schemas.ResourceTypeDef = Schemas.UserResourceType): View => ({
  rt,
  column: (attribute, sub, resolved) => {
    if (sub === undefined && named(resolved, "id")) return { _tag: "Text", expr: c.sql`t.id` }
    if (sub === undefined && named(resolved, "externalId")) return { _tag: "Text", expr: c.sql`t.external_id` }
    if (sub === undefined && named(resolved, "userName", Schemas.UserUrn)) {
      return { _tag: "Text", expr: c.sql`t.user_name` }
    }
    return metaColumn(c, resolved, sub)
  },
  json: (resolved) => commonJson(c, "User", resolved) ?? userJson(c, rt, resolved),
  rows: () => undefined
})

/**
 * The SCIM view of `scimkit_projects t`, with `members` as membership rows: those SCIM manages
 * (`scim`), as a group's `members` render; host-managed ones are not SCIM's to see.
 *
 * @internal
 */
export const projectView = (c: Sql): View => ({
  rt: Schemas.GroupResourceType,
  column: (attribute, sub, resolved) => {
    if (sub === undefined && named(resolved, "id")) return { _tag: "Text", expr: c.sql`t.id` }
    if (sub === undefined && named(resolved, "externalId")) return { _tag: "Text", expr: c.sql`t.external_id` }
    if (sub === undefined && named(resolved, "displayName", Schemas.GroupUrn)) {
      return { _tag: "Text", expr: c.sql`t.display_name` }
    }
    return metaColumn(c, resolved, sub)
  },
  json: (resolved) =>
    commonJson(c, "Group", resolved) ??
      (resolved.schema?.id === Schemas.GroupUrn && Render.serverRendered.has(resolved.attribute.name)
        ? c.d.jsonNull
        : documentJson(c, Schemas.GroupResourceType, resolved)),
  rows: (resolved) =>
    named(resolved, "members", Schemas.GroupUrn)
      ? {
        source: c.sql`scimkit_project_members m join scimkit_users mu on mu.platform = m.platform and mu.id = m.user_id
          where m.platform = t.platform and m.project_id = t.id and m.scim`,
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

/**
 * Thrown when a query reaches the SQL compiler with a path or a comparison the core rejects. The
 * service checks every filter (`Filter.check`) and sort path before it calls a store, so this is
 * a bug, never an answer: the store turns it into a defect.
 *
 * @internal
 */
export class UncheckedQuery extends Error {}

/** Throws {@link UncheckedQuery}. @internal */
export const unchecked = (message: string): never => {
  throw new UncheckedQuery(message)
}
