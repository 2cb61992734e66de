/**
 * Filtering, sorting and paging in memory with core's evaluator and value ordering, over the SCIM
 * view of each stored resource. A store keeps the order of a whole collection across queries
 * while the collection is unchanged ({@link OrderCache}), so repeated lists do not sort.
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

/** A filter compiled against the resource type, or none; a bad filter is an `InvalidFilter`. */
const matcherOf = (rt: Schemas.ResourceTypeDef, query: StoreQuery.StoreQuery): Result.Result<Filter.Matcher | undefined, InvalidFilter> => {
  if (Option.isNone(query.filter)) return Result.succeed(undefined)
  const compiled = Filter.compile(rt, query.filter.value)
  return Result.isFailure(compiled) ? Result.fail(compiled.failure) : Result.succeed(compiled.success)
}

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
  const compiled = matcherOf(rt, query)
  return Result.isFailure(compiled)
    ? Result.fail(compiled.failure)
    : Result.succeed(select(rt, items, toDocument, compiled.success, query))
}

/** {@link queryInMemory} with its filter compiled. */
const select = <A extends { readonly id: string; readonly created: DateTime.Utc }>(
  rt: Schemas.ResourceTypeDef,
  items: Iterable<A>,
  toDocument: (item: A) => JsonObject,
  matcher: Filter.Matcher | undefined,
  query: StoreQuery.StoreQuery
): StoreQuery.Page<A> => {
  const page = clamp(query.page)
  if (Option.isNone(query.sort)) {
    const created: Array<Created<A>> = []
    for (const item of items) {
      if (matcher === undefined || matcher(toDocument(item))) {
        created.push({ item, position: { sortValue: DateTime.toEpochMillis(item.created), id: item.id } })
      }
    }
    created.sort((a, b) => compareCreated(a.position, b.position))
    return itemsOf(Paging.slice(created, page, (e) => e.position, compareCreated))
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
  return itemsOf(Paging.slice(
    entries,
    page,
    (e) => positionOf(e.doc),
    Sort.positionComparator(rt, sort)
  ))
}

// ---------------------------------------------------------------------------------------------
// ordered collections, kept across queries

/**
 * Every item of a collection in one query order (filter aside), with what paging through them
 * needs. Ordering is the costly part of a query (n log n comparisons) and depends only on the
 * collection and the sort, so a store keeps it for as long as its (immutable) collection is
 * unchanged; filtering a list in order keeps it in order, so any filter is answered from it.
 */
export interface Ordered<A> {
  readonly items: ReadonlyArray<A>
  readonly toDocument: (item: A) => JsonObject
  readonly positionOf: (item: A) => StoreQuery.CursorPosition
  readonly compare: (a: StoreQuery.CursorPosition, b: StoreQuery.CursorPosition) => number
}

/** The key of a sort in an {@link OrderCache}: the default order is "". */
const sortKey = (sort: Option.Option<StoreQuery.Sort>): string =>
  Option.match(sort, {
    onNone: () => "",
    onSome: (s) => `${s.path.uri ?? ""}\u0000${s.path.attribute}\u0000${s.path.subAttribute ?? ""}\u0000${s.descending ? "d" : "a"}`
  })

/** Orders `items` as `sort` (None: `created`, then id), every item included. */
const order = <A extends { readonly id: string; readonly created: DateTime.Utc }>(
  rt: Schemas.ResourceTypeDef,
  items: Iterable<A>,
  toDocument: (item: A) => JsonObject,
  sort: Option.Option<StoreQuery.Sort>
): Ordered<A> => {
  if (Option.isNone(sort)) {
    const created: Array<Created<A>> = []
    for (const item of items) created.push({ item, position: { sortValue: DateTime.toEpochMillis(item.created), id: item.id } })
    created.sort((a, b) => compareCreated(a.position, b.position))
    return {
      items: created.map((e) => e.item),
      toDocument,
      positionOf: (item) => ({ sortValue: DateTime.toEpochMillis(item.created), id: item.id }),
      compare: compareCreated
    }
  }
  const entries: Array<Entry<A>> = []
  for (const item of items) entries.push({ item, doc: toDocument(item) })
  const comparator = Sort.comparator(rt, sort.value)
  entries.sort((a, b) => comparator(a.doc, b.doc))
  const positionOf = Sort.positioner(rt, sort.value)
  return {
    items: entries.map((e) => e.item),
    toDocument,
    positionOf: (item) => positionOf(toDocument(item)),
    compare: Sort.positionComparator(rt, sort.value)
  }
}

/**
 * The orders of collections kept across queries: per collection (any object that changes
 * identity when the collection changes, such as a persistent map), one {@link Ordered} per sort.
 * Weakly held: a collection no longer current is collected with its orders.
 */
export class OrderCache<A extends { readonly id: string; readonly created: DateTime.Utc }> {
  private readonly orders = new WeakMap<object, Map<string, Ordered<A>>>()

  /** The order of `collection` for `sort`, if kept. */
  get(collection: object, sort: Option.Option<StoreQuery.Sort>): Ordered<A> | undefined {
    return this.orders.get(collection)?.get(sortKey(sort))
  }

  /** Orders `items` (the whole of `collection`) for `sort` and keeps it. */
  make(
    collection: object,
    rt: Schemas.ResourceTypeDef,
    items: Iterable<A>,
    toDocument: (item: A) => JsonObject,
    sort: Option.Option<StoreQuery.Sort>
  ): Ordered<A> {
    let bySort = this.orders.get(collection)
    if (bySort === undefined) {
      bySort = new Map()
      this.orders.set(collection, bySort)
    }
    // a handful of sorts are ever asked for; the bound only guards against a client walking every attribute
    if (bySort.size >= 16) bySort.clear()
    const ordered = order(rt, items, toDocument, sort)
    bySort.set(sortKey(sort), ordered)
    return ordered
  }
}

/**
 * {@link queryInMemory} over a whole collection through `cache`: a kept order answers any filter
 * without sorting; without one, an unfiltered query (which sorts everything anyway) makes and keeps
 * it, while a filtered one sorts only its matches, as `queryInMemory` does.
 */
export const queryCollection = <A extends { readonly id: string; readonly created: DateTime.Utc }>(
  cache: OrderCache<A>,
  collection: object,
  rt: Schemas.ResourceTypeDef,
  items: () => Iterable<A>,
  toDocument: (item: A) => JsonObject,
  query: StoreQuery.StoreQuery
): Result.Result<StoreQuery.Page<A>, InvalidFilter> => {
  const compiled = matcherOf(rt, query)
  if (Result.isFailure(compiled)) return Result.fail(compiled.failure)
  const matcher = compiled.success
  let ordered = cache.get(collection, query.sort)
  if (ordered === undefined) {
    if (matcher !== undefined) return Result.succeed(select(rt, items(), toDocument, matcher, query))
    ordered = cache.make(collection, rt, items(), toDocument, query.sort)
  }
  const matches = matcher === undefined ? ordered.items : ordered.items.filter((item) => matcher(toDocument(item)))
  return Result.succeed(Paging.slice(matches, clamp(query.page), ordered.positionOf, ordered.compare))
}
