/**
 * Filtering, sorting and paging in memory (RFC 7644 §3.4.2; cursor paging per RFC 9865): the
 * semantics every store follows, and the fallback of any store without native filtering (the
 * memory store runs every query through it). Items are read through their filter view
 * (`Render.userView`, `Render.projectView`): the checked filter's `matches` decides membership,
 * `Sort` the order (the sort value by its attribute's type, absent last, then `id`, descending the
 * exact reverse; without a sort `meta.created`, then `id`), and `Paging.slice` the page. Cursors
 * are keyset positions as `Sort.position` makes them (the default order's sort value is
 * `meta.created`; epoch milliseconds are accepted too). `total` counts every match.
 *
 * A store may keep the order of a whole collection across queries while the collection is
 * unchanged ({@link OrderCache}, {@link queryCollection}), so repeated lists do not sort, and may
 * answer equalities from its indexes ({@link candidates}).
 */
import * as DateTime from "effect/DateTime"
import * as Option from "effect/Option"
import type * as Ast from "../filter/Ast.js"
import type * as Filter from "../filter/Filter.js"
import type { JsonObject } from "../domain/Model.js"
import type {
  CursorPage,
  CursorPosition,
  IndexPage,
  Page,
  Sort as StoreSort,
  SortValue,
  StoreQuery
} from "../ports/StoreQuery.js"
import type { ResourceTypeDef } from "../schema/Schemas.js"
import { parseInstant } from "../schema/Value.js"
import * as Paging from "./Paging.js"
import * as Sort from "./Sort.js"

/** What the evaluator needs of an item besides its filter view: the id and creation instant of the default order. */
export interface Item {
  readonly id: string
  readonly created: DateTime.Utc
}

/**
 * Whether the filter reads the top-level attribute `attribute` (lower case) anywhere: a store
 * builds the costly part of a view (a group's `members`) only for the filters that read it.
 */
export const mentions = (filter: Ast.Filter, attribute: string): boolean => {
  switch (filter._tag) {
    case "Compare":
    case "Present":
    case "ValuePath":
      return filter.path.attribute.toLowerCase() === attribute
    case "And":
    case "Or":
      return mentions(filter.left, attribute) || mentions(filter.right, attribute)
    case "Not":
      return mentions(filter.filter, attribute)
  }
}

/**
 * The attribute an equality on which an index can answer: `attribute` (lower case) of the core
 * schema `urn` or the common attributes, compared with `eq` to a string.
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
 * The items that may match `filter`, found through a store's indexes (`lookup` answers an
 * equality on one attribute, or undefined when it has no index for it), or undefined when no
 * index helps: an indexed equality, an `and` with one indexable side, an `or` of two. The
 * candidates still go through {@link query}, which applies the whole filter.
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

interface Entry<A> {
  readonly item: A
  readonly doc: JsonObject
}

interface Created<A> {
  readonly item: A
  readonly position: CursorPosition
}

const compareIds = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

/** `created` as a number: epoch milliseconds, or an ISO 8601 instant (what `Sort.sortValue` gives). */
const instant = (value: SortValue): number =>
  typeof value === "number" ? value : typeof value === "string" ? parseInstant(value) : Number.NaN

/**
 * The default order (`meta.created`, then id) on epoch milliseconds: the same order as
 * `Sort.comparePositions` with no sort (dateTimes compare as instants), without parsing dates in
 * every comparison.
 */
const compareCreated = (a: CursorPosition, b: CursorPosition): number => {
  const ia = instant(a.sortValue)
  const ib = instant(b.sortValue)
  if (ia !== ib && !Number.isNaN(ia) && !Number.isNaN(ib)) return ia < ib ? -1 : 1
  return compareIds(a.id, b.id)
}

const clamp = (page: IndexPage | CursorPage): IndexPage | CursorPage =>
  page._tag === "Index"
    ? { ...page, startIndex: Math.max(1, page.startIndex), count: Math.max(0, page.count) }
    : { ...page, count: Math.max(0, page.count) }

const itemsOf = <A>(page: Page<{ readonly item: A }>): Page<A> => ({
  items: page.items.map((e) => e.item),
  total: page.total,
  hasMore: page.hasMore
})

const matcherOf = (query: StoreQuery): Filter.Matcher | undefined =>
  Option.isSome(query.filter) ? query.filter.value.matches : undefined

/**
 * Filters, sorts and pages `items` through their filter view `toDocument` (see the module
 * description for the semantics).
 */
export const query = <A extends Item>(
  rt: ResourceTypeDef,
  items: Iterable<A>,
  toDocument: (item: A) => JsonObject,
  query: StoreQuery
): Page<A> => select(rt, items, toDocument, matcherOf(query), query)

const select = <A extends Item>(
  rt: ResourceTypeDef,
  items: Iterable<A>,
  toDocument: (item: A) => JsonObject,
  matcher: Filter.Matcher | undefined,
  query: StoreQuery
): Page<A> => {
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
  readonly positionOf: (item: A) => CursorPosition
  readonly compare: (a: CursorPosition, b: CursorPosition) => number
}

/** The key of a sort in an {@link OrderCache}: the default order is "". */
const sortKey = (sort: Option.Option<StoreSort>): string =>
  Option.match(sort, {
    onNone: () => "",
    onSome: (s) =>
      `${s.path.uri ?? ""}\u0000${s.path.attribute}\u0000${s.path.subAttribute ?? ""}\u0000${s.descending ? "d" : "a"}`
  })

/** Orders `items` as `sort` (None: `created`, then id), every item included. */
const order = <A extends Item>(
  rt: ResourceTypeDef,
  items: Iterable<A>,
  toDocument: (item: A) => JsonObject,
  sort: Option.Option<StoreSort>
): Ordered<A> => {
  if (Option.isNone(sort)) {
    const created: Array<Created<A>> = []
    for (const item of items) {
      created.push({ item, position: { sortValue: DateTime.toEpochMillis(item.created), id: item.id } })
    }
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

// A handful of sorts are ever asked for of one collection (the IdPs sort by nothing, userName or
// displayName); the bound is a guess that only stops a client walking every attribute from
// keeping an order per attribute.
const sortsKept = 16

/**
 * The orders of collections kept across queries: per collection (any object that changes
 * identity when the collection changes, such as a persistent map), one {@link Ordered} per sort.
 * Weakly held: a collection no longer current is collected with its orders.
 */
export class OrderCache<A extends Item> {
  private readonly orders = new WeakMap<object, Map<string, Ordered<A>>>()

  /** The order of `collection` for `sort`, if kept. */
  get(collection: object, sort: Option.Option<StoreSort>): Ordered<A> | undefined {
    return this.orders.get(collection)?.get(sortKey(sort))
  }

  /** Orders `items` (the whole of `collection`) for `sort` and keeps it. */
  make(
    collection: object,
    rt: ResourceTypeDef,
    items: Iterable<A>,
    toDocument: (item: A) => JsonObject,
    sort: Option.Option<StoreSort>
  ): Ordered<A> {
    let bySort = this.orders.get(collection)
    if (bySort === undefined) {
      bySort = new Map()
      this.orders.set(collection, bySort)
    }
    if (bySort.size >= sortsKept) bySort.clear()
    const ordered = order(rt, items, toDocument, sort)
    bySort.set(sortKey(sort), ordered)
    return ordered
  }
}

/**
 * {@link query} over a whole collection through `cache`: a kept order answers any filter without
 * sorting; without one, an unfiltered query (which sorts everything anyway) makes and keeps it,
 * while a filtered one sorts only its matches, as {@link query} does.
 */
export const queryCollection = <A extends Item>(
  cache: OrderCache<A>,
  collection: object,
  rt: ResourceTypeDef,
  items: () => Iterable<A>,
  toDocument: (item: A) => JsonObject,
  query: StoreQuery
): Page<A> => {
  const matcher = matcherOf(query)
  let ordered = cache.get(collection, query.sort)
  if (ordered === undefined) {
    if (matcher !== undefined) return select(rt, items(), toDocument, matcher, query)
    ordered = cache.make(collection, rt, items(), toDocument, query.sort)
  }
  const matches = matcher === undefined ? ordered.items : ordered.items.filter((item) => matcher(toDocument(item)))
  return Paging.slice(matches, clamp(query.page), ordered.positionOf, ordered.compare)
}
