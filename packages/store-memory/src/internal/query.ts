/**
 * Filtering, sorting and paging in memory with core's evaluator and value ordering, over the SCIM
 * view of each stored resource.
 */
import type { Ast, Json, JsonObject, MemberView, StoredProject, StoredUser, StoreQuery } from "@scimkit/core"
import { Document, Filter, InvalidFilter, Resolve, Schemas, Value } from "@scimkit/core"
import * as DateTime from "effect/DateTime"
import * as Either from "effect/Either"
import * as Option from "effect/Option"

const weakVersion = (version: number): string => `W/"${version}"`

const base = (document: JsonObject): Record<string, Json> => {
  const out: Record<string, Json> = { ...document }
  delete out["id"]
  delete out["externalId"]
  delete out["meta"]
  return out
}

const meta = (resourceType: string, r: { readonly created: DateTime.Utc; readonly lastModified: DateTime.Utc; readonly version: number }) => ({
  resourceType,
  created: DateTime.formatIso(r.created),
  lastModified: DateTime.formatIso(r.lastModified),
  version: weakVersion(r.version)
})

export const userDocument = (user: StoredUser): JsonObject => {
  const doc = base(user.document)
  doc["id"] = user.id
  if (Option.isSome(user.externalId)) doc["externalId"] = user.externalId.value
  doc["meta"] = meta("User", user)
  return doc
}

export const projectDocument = (project: StoredProject, members?: ReadonlyArray<MemberView>): JsonObject => {
  const doc = base(project.document)
  doc["id"] = project.id
  if (Option.isSome(project.externalId)) doc["externalId"] = project.externalId.value
  doc["meta"] = meta("Group", project)
  if (members !== undefined) {
    doc["members"] = members.map((m) => ({
      value: m.userId,
      display: Option.getOrElse(m.displayName, () => m.userName),
      type: "User"
    }))
  }
  return doc
}

const mentionsMembers = (filter: Ast.Filter): boolean => {
  switch (filter._tag) {
    case "Compare":
    case "Present":
    case "ValuePath":
      return filter.path.attribute.toLowerCase() === "members"
    case "And":
    case "Or":
      return mentionsMembers(filter.left) || mentionsMembers(filter.right)
    case "Not":
      return mentionsMembers(filter.filter)
  }
}

/** Whether the group view needs `members` for this query (reading them costs; most queries do not). */
export const referencesMembers = (query: StoreQuery.StoreQuery): boolean =>
  Option.exists(query.filter, mentionsMembers) ||
  Option.exists(query.sort, (s) => s.path.attribute.toLowerCase() === "members")

interface Entry<A> {
  readonly item: A
  readonly id: string
  readonly key: StoreQuery.SortValue
}

const compareIds = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

const isObject = (value: Json | undefined): value is JsonObject =>
  typeof value === "object" && value !== null && !Array.isArray(value)

const scalar = (value: Json | undefined): StoreQuery.SortValue => {
  if (value === undefined || value === null) return null
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") return value
  return isObject(value) ? scalar(value["value"]) : null
}

/**
 * The value an item sorts by (RFC 7644 §3.4.2.3): of a multi-valued attribute its primary element,
 * else its first; of a complex value its `value` sub-attribute. Null when absent.
 */
export const sortKey = (rt: Schemas.ResourceTypeDef, path: Resolve.ResolvedPath, doc: JsonObject): StoreQuery.SortValue => {
  const value = Document.attributeValue(rt, doc, path)
  if (value === undefined || value === null) return null
  const element: Json | undefined = Array.isArray(value)
    ? value.find((v: Json) => isObject(v) && v["primary"] === true) ?? value[0]
    : value
  if (path.subAttribute === undefined) return scalar(element)
  return isObject(element) ? scalar(element[path.subAttribute.name]) : null
}

const createdKey = (value: StoreQuery.SortValue): number =>
  typeof value === "number" ? value : typeof value === "string" ? Value.parseInstant(value) : Number.NaN

const sign = (n: number): number => (n < 0 ? -1 : n > 0 ? 1 : 0)

/** First index in `[0, length)` where `pred` holds, `pred` being false then true along the array. */
const search = (length: number, pred: (i: number) => boolean): number => {
  let lo = 0
  let hi = length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (pred(mid)) hi = mid
    else lo = mid + 1
  }
  return lo
}

const paginate = <A>(
  entries: Array<Entry<A>>,
  compareKeys: (a: StoreQuery.SortValue, b: StoreQuery.SortValue) => number,
  descending: boolean,
  page: StoreQuery.IndexPage | StoreQuery.CursorPage
): StoreQuery.Page<A> => {
  const compare = (a: StoreQuery.SortValue, aId: string, b: StoreQuery.SortValue, bId: string): number => {
    const c = compareKeys(a, b)
    const r = c !== 0 ? c : compareIds(aId, bId)
    return descending ? -r : r
  }
  entries.sort((a, b) => compare(a.key, a.id, b.key, b.id))
  const total = entries.length
  const count = Math.max(0, page.count)
  if (page._tag === "Index") {
    const start = Math.max(1, page.startIndex) - 1
    return {
      items: entries.slice(start, start + count).map((e) => e.item),
      total,
      hasMore: start + count < total
    }
  }
  const after = page.after
  if (!page.backward) {
    const from = Option.isNone(after)
      ? 0
      : search(total, (i) => compare(entries[i]!.key, entries[i]!.id, after.value.sortValue, after.value.id) > 0)
    return { items: entries.slice(from, from + count).map((e) => e.item), total, hasMore: from + count < total }
  }
  const end = Option.isNone(after)
    ? total
    : search(total, (i) => compare(entries[i]!.key, entries[i]!.id, after.value.sortValue, after.value.id) >= 0)
  const from = Math.max(0, end - count)
  return { items: entries.slice(from, end).map((e) => e.item), total, hasMore: from > 0 }
}

/**
 * Filters, sorts and pages `items` with the core evaluator (`Filter.compile`) and value order
 * (`Value.compareValues`) over their SCIM view. Without a sort the order is `created` ascending,
 * then `id`; with one it is the sort value (absent last), then `id`, and descending is the exact
 * reverse. Cursor paging (RFC 9865) is keyset paging on (sort value, id); the sort value of the
 * default order is `created` (epoch milliseconds or an ISO 8601 string).
 */
export const queryInMemory = <A extends { readonly id: string; readonly created: DateTime.Utc }>(
  rt: Schemas.ResourceTypeDef,
  items: Iterable<A>,
  toDocument: (item: A) => JsonObject,
  query: StoreQuery.StoreQuery
): Either.Either<StoreQuery.Page<A>, InvalidFilter> => {
  let matcher: Filter.Matcher | undefined
  if (Option.isSome(query.filter)) {
    const compiled = Filter.compile(rt, query.filter.value)
    if (Either.isLeft(compiled)) return Either.left(compiled.left)
    matcher = compiled.right
  }
  const entries: Array<Entry<A>> = []
  if (Option.isNone(query.sort)) {
    for (const item of items) {
      if (matcher === undefined || matcher(toDocument(item))) {
        entries.push({ item, id: item.id, key: DateTime.toEpochMillis(item.created) })
      }
    }
    return Either.right(paginate(entries, (a, b) => sign(createdKey(a) - createdKey(b)), false, query.page))
  }
  const sort = query.sort.value
  const resolved = Resolve.resolve(rt, sort.path)
  if (Either.isLeft(resolved)) {
    return Either.left(new InvalidFilter({
      filter: Resolve.printAttrPath(sort.path),
      offset: 0,
      expected: `a sortBy attribute of ${rt.name}: ${resolved.left.detail}`
    }))
  }
  const path = resolved.right
  const def = path.subAttribute ?? path.attribute
  for (const item of items) {
    const doc = toDocument(item)
    if (matcher === undefined || matcher(doc)) entries.push({ item, id: item.id, key: sortKey(rt, path, doc) })
  }
  return Either.right(paginate(entries, (a, b) => Value.compareValues(def, a, b), sort.descending, query.page))
}
