/**
 * The reference semantics a store's `query` is checked against: the SCIM view of each stored
 * resource, core's filter evaluator over it, and the specified order and paging.
 *
 * @since 0.1.0
 */
import type { Json, JsonObject, MemberView, StoredProject, StoredUser, StoreQuery } from "@scimkit/core"
import { Document, Filter, Resolve, Schemas, Value } from "@scimkit/core"
import * as DateTime from "effect/DateTime"
import * as Either from "effect/Either"
import * as Option from "effect/Option"

const withoutServerAttributes = (document: JsonObject): Record<string, Json> => {
  const out: Record<string, Json> = {}
  for (const key of Object.keys(document)) {
    if (key !== "id" && key !== "externalId" && key !== "meta") out[key] = document[key]!
  }
  return out
}

const meta = (
  resourceType: string,
  r: { readonly created: DateTime.Utc; readonly lastModified: DateTime.Utc; readonly version: number }
): JsonObject => ({
  resourceType,
  created: DateTime.formatIso(r.created),
  lastModified: DateTime.formatIso(r.lastModified),
  version: `W/"${r.version}"`
})

/**
 * The SCIM view of a user that filters and sorts apply to: the stored document plus `id`,
 * `externalId` and `meta` (`resourceType`, `created`/`lastModified` in ISO 8601, `version` `W/"n"`).
 *
 * @since 0.1.0
 */
export const userDocument = (user: StoredUser): JsonObject => ({
  ...withoutServerAttributes(user.document),
  id: user.id,
  ...(Option.isSome(user.externalId) ? { externalId: user.externalId.value } : {}),
  meta: meta("User", user)
})

/**
 * The SCIM view of a project that filters and sorts apply to: the stored document plus `id`,
 * `externalId`, `meta` and `members` as `[{ value: userId, display, type: "User" }]`, `display`
 * being the user's displayName, else userName.
 *
 * @since 0.1.0
 */
export const projectDocument = (project: StoredProject, members: ReadonlyArray<MemberView>): JsonObject => ({
  ...withoutServerAttributes(project.document),
  id: project.id,
  ...(Option.isSome(project.externalId) ? { externalId: project.externalId.value } : {}),
  meta: meta("Group", project),
  members: members.map((m) => ({ value: m.userId, display: Option.getOrElse(m.displayName, () => m.userName), type: "User" }))
})

const isObject = (value: Json | undefined): value is JsonObject =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/**
 * The value a document sorts by (RFC 7644 §3.4.2.3): a multi-valued attribute by its primary
 * element, else its first; a complex value by its `value` sub-attribute; null when absent. A
 * cursor position is this value and the item's id. For the default order (no sort) it is
 * `meta.created`.
 *
 * @since 0.1.0
 */
export const sortValue = (
  rt: Schemas.ResourceTypeDef,
  sort: Option.Option<StoreQuery.Sort>,
  doc: JsonObject
): StoreQuery.SortValue => {
  const path = Option.match(sort, {
    onNone: () => Resolve.resolve(rt, { attribute: "meta", subAttribute: "created" }),
    onSome: (s) => Resolve.resolve(rt, s.path)
  })
  if (Either.isLeft(path)) return null
  let value: Json | undefined = Document.attributeValue(rt, doc, path.right)
  if (Array.isArray(value)) value = value.find((v: Json) => isObject(v) && v["primary"] === true) ?? value[0]
  if (path.right.subAttribute !== undefined) value = isObject(value) ? value[path.right.subAttribute.name] : undefined
  else if (isObject(value)) value = value["value"]
  return typeof value === "string" || typeof value === "number" || typeof value === "boolean" ? value : null
}

/**
 * The total order of a query: the sort value by its attribute's type (`Value.compareValues`,
 * absent last), then `id`; descending is the exact reverse. Without a sort: `meta.created`, then `id`.
 *
 * @since 0.1.0
 */
export const comparator = (
  rt: Schemas.ResourceTypeDef,
  sort: Option.Option<StoreQuery.Sort>
): (a: JsonObject, b: JsonObject) => number => {
  const path = Option.match(sort, {
    onNone: () => Resolve.resolve(rt, { attribute: "meta", subAttribute: "created" }),
    onSome: (s) => Resolve.resolve(rt, s.path)
  })
  const def = Either.isRight(path) ? path.right.subAttribute ?? path.right.attribute : undefined
  const descending = Option.exists(sort, (s) => s.descending)
  return (a, b) => {
    const c = Value.compareValues(def, sortValue(rt, sort, a), sortValue(rt, sort, b))
    const ida = String(a["id"])
    const idb = String(b["id"])
    const r = c !== 0 ? c : ida < idb ? -1 : ida > idb ? 1 : 0
    return descending ? -r : r
  }
}

/** What a query must return: ids in order, the total and whether more items follow. @since 0.1.0 */
export interface ExpectedPage {
  readonly ids: ReadonlyArray<string>
  readonly total: number
  readonly hasMore: boolean
}

/**
 * The expected answer to an index-paged query over the given documents (RFC 7644 §3.4.2): core's
 * evaluator decides matches, {@link comparator} the order, `startIndex` is 1-based, `count` 0
 * returns no items.
 *
 * @since 0.1.0
 */
export const expectedPage = (
  rt: Schemas.ResourceTypeDef,
  docs: ReadonlyArray<JsonObject>,
  filter: Option.Option<Filter.Filter>,
  sort: Option.Option<StoreQuery.Sort>,
  page: StoreQuery.IndexPage
): ExpectedPage => {
  const matches = docs.filter((doc) =>
    Option.match(filter, {
      onNone: () => true,
      onSome: (f) => Either.getOrThrowWith(Filter.evaluate(rt, f, doc), (e) => new Error(e.message))
    })
  )
  const sorted = [...matches].sort(comparator(rt, sort))
  const start = Math.max(1, page.startIndex) - 1
  const count = Math.max(0, page.count)
  return {
    ids: sorted.slice(start, start + count).map((d) => String(d["id"])),
    total: sorted.length,
    hasMore: start + count < sorted.length
  }
}

/** The user resource type (re-exported for suites). @since 0.1.0 */
export const UserResourceType: Schemas.ResourceTypeDef = Schemas.UserResourceType
/** The group (project) resource type. @since 0.1.0 */
export const GroupResourceType: Schemas.ResourceTypeDef = Schemas.GroupResourceType
