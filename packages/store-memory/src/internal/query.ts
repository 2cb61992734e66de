/**
 * Filtering, sorting and paging in memory with core's evaluator and value ordering, over the SCIM
 * view of each stored resource.
 */
import type { Ast, InvalidFilter, JsonObject, MemberView, StoredProject, StoredUser, StoreQuery } from "@scimkit/core"
import { Filter, Paging, Render, Schemas, Sort, Value } from "@scimkit/core"
import * as DateTime from "effect/DateTime"
import * as Option from "effect/Option"
import * as Result from "effect/Result"

/** The SCIM view of a user that filters and sorts run on (core's `Render.userView`, built once per stored value). */
export const userDocument = (user: StoredUser): JsonObject => Render.userView(user)

/** The SCIM view of a project, with `members` when given (core's `Render.projectView`). */
export const projectDocument = (project: StoredProject, members?: ReadonlyArray<MemberView>): JsonObject =>
  Render.projectView(project, members)

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

/**
 * The attribute an equality on which an index can answer: `attribute` (lower case) of the core
 * schema or the common attributes, compared with `eq` to a string.
 */
export const indexedEquality = (
  filter: Ast.Filter,
  urn: string
): { readonly attribute: string; readonly value: string } | undefined => {
  if (filter._tag !== "Compare" || filter.op !== "eq" || typeof filter.value !== "string") return undefined
  if (filter.path.subAttribute !== undefined) return undefined
  if (filter.path.uri !== undefined && filter.path.uri.toLowerCase() !== urn.toLowerCase()) return undefined
  return { attribute: filter.path.attribute.toLowerCase(), value: filter.value }
}

/**
 * The items that may match `filter`, found through indexes, or undefined when no index helps:
 * an indexed equality, an `and` with one indexable side, an `or` of two.
 */
export const candidates = <A>(
  filter: Ast.Filter,
  lookup: (attribute: string, value: string) => ReadonlyArray<A> | undefined,
  urn: string
): ReadonlyArray<A> | undefined => {
  switch (filter._tag) {
    case "Compare": {
      const eq = indexedEquality(filter, urn)
      return eq === undefined ? undefined : lookup(eq.attribute, eq.value)
    }
    case "And":
      return candidates(filter.left, lookup, urn) ?? candidates(filter.right, lookup, urn)
    case "Or": {
      const left = candidates(filter.left, lookup, urn)
      if (left === undefined) return undefined
      const right = candidates(filter.right, lookup, urn)
      return right === undefined ? undefined : Array.from(new Set([...left, ...right]))
    }
    default:
      return undefined
  }
}

/** Whether the group view needs `members` for this query (reading them costs; most queries do not). */
export const referencesMembers = (query: StoreQuery.StoreQuery): boolean => Option.exists(query.filter, mentionsMembers)

interface Entry<A> {
  readonly item: A
  readonly doc: JsonObject
}

interface Created<A> {
  readonly item: A
  readonly position: StoreQuery.CursorPosition
}

const compareIds = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

/** `created` as a number: epoch milliseconds, or an ISO 8601 instant (what `Sort.sortValue` gives). */
const instant = (value: StoreQuery.SortValue): number =>
  typeof value === "number" ? value : typeof value === "string" ? Value.parseInstant(value) : Number.NaN

/**
 * The default order (`meta.created`, then id) on epoch milliseconds: the same order as
 * `Sort.comparePositions` with no sort (dateTimes compare as instants), without parsing dates in
 * every comparison.
 */
const compareCreated = (a: StoreQuery.CursorPosition, b: StoreQuery.CursorPosition): number => {
  const ia = instant(a.sortValue)
  const ib = instant(b.sortValue)
  if (ia !== ib && !Number.isNaN(ia) && !Number.isNaN(ib)) return ia < ib ? -1 : 1
  return compareIds(a.id, b.id)
}

const clamp = (page: StoreQuery.IndexPage | StoreQuery.CursorPage): StoreQuery.IndexPage | StoreQuery.CursorPage =>
  page._tag === "Index"
    ? { ...page, startIndex: Math.max(1, page.startIndex), count: Math.max(0, page.count) }
    : { ...page, count: Math.max(0, page.count) }

const itemsOf = <A>(page: StoreQuery.Page<{ readonly item: A }>): StoreQuery.Page<A> => ({
  items: page.items.map((e) => e.item),
  total: page.total,
  hasMore: page.hasMore
})

/**
 * Filters, sorts and pages `items` with core's evaluator (`Filter.compile`), order (`Sort`) and
 * slicing (`Paging.slice`) over their SCIM view.
 */
export const queryInMemory = <A extends { readonly id: string; readonly created: DateTime.Utc }>(
  rt: Schemas.ResourceTypeDef,
  items: Iterable<A>,
  toDocument: (item: A) => JsonObject,
  query: StoreQuery.StoreQuery
): Result.Result<StoreQuery.Page<A>, InvalidFilter> => {
  let matcher: Filter.Matcher | undefined
  if (Option.isSome(query.filter)) {
    const compiled = Filter.compile(rt, query.filter.value)
    if (Result.isFailure(compiled)) return Result.fail(compiled.failure)
    matcher = compiled.success
  }
  const page = clamp(query.page)
  if (Option.isNone(query.sort)) {
    const created: Array<Created<A>> = []
    for (const item of items) {
      if (matcher === undefined || matcher(toDocument(item))) {
        created.push({ item, position: { sortValue: DateTime.toEpochMillis(item.created), id: item.id } })
      }
    }
    created.sort((a, b) => compareCreated(a.position, b.position))
    return Result.succeed(itemsOf(Paging.slice(created, page, (e) => e.position, compareCreated)))
  }
  const sort = query.sort
  const entries: Array<Entry<A>> = []
  for (const item of items) {
    const doc = toDocument(item)
    if (matcher === undefined || matcher(doc)) entries.push({ item, doc })
  }
  const order = Sort.comparator(rt, sort)
  entries.sort((a, b) => order(a.doc, b.doc))
  // positions are needed only for the O(log n) probes of a cursor search
  const positionOf = Sort.positioner(rt, sort)
  return Result.succeed(itemsOf(Paging.slice(
    entries,
    page,
    (e) => positionOf(e.doc),
    Sort.positionComparator(rt, sort)
  )))
}
