/**
 * Sorting (RFC 7644 §3.4.2.3): `sortBy` names an attribute (a sub-attribute for complex ones),
 * `sortOrder` is `ascending` (the default) or `descending`. Values compare by the attribute's type
 * and `caseExact` ({@link compareValues}); a multi-valued attribute sorts by its primary value, or
 * else its first; resources without a value come last in ascending order and first in descending
 * order. Ties are broken by `id`, so the order is total and keyset cursors can name a position.
 *
 * Without a `sortBy` the order is creation time, then id: the stores' default order.
 */
import * as Result from "effect/Result"
import * as Option from "effect/Option"
import type { Json, JsonObject } from "../domain/Model.js"
import { InvalidPath, InvalidValue } from "../errors/ScimError.js"
import type { CursorPosition, Sort, SortValue } from "../ports/StoreQuery.js"
import type { AttributeDef } from "../schema/Attribute.js"
import { findSubAttribute } from "../schema/Attribute.js"
import { isObject } from "../schema/Document.js"
import * as Resolve from "../schema/Resolve.js"
import type { ResourceTypeDef } from "../schema/Schemas.js"
import { meta } from "../schema/Schemas.js"
import { compareValues } from "../schema/Value.js"

export type { Sort } from "../ports/StoreQuery.js"

const created: AttributeDef = findSubAttribute(meta, "created")!

/**
 * Parses `sortBy` and `sortOrder`. No `sortBy` gives `None` (the default order). An unknown
 * attribute fails with `InvalidPath`, an order other than ascending/descending with `InvalidValue`.
 * A complex attribute sorts by its `value` sub-attribute (`emails` means `emails.value`).
 */
export const parse = (
  rt: ResourceTypeDef,
  sortBy?: string,
  sortOrder?: string
): Result.Result<Option.Option<Sort>, InvalidValue | InvalidPath> => {
  const order = sortOrder?.trim().toLowerCase() ?? ""
  if (order !== "" && order !== "ascending" && order !== "descending") {
    return Result.fail(
      new InvalidValue({
        attribute: "sortOrder",
        detail: `sortOrder must be "ascending" or "descending"; got ${JSON.stringify(sortOrder)}`
      })
    )
  }
  const descending = order === "descending"
  if (sortBy === undefined || sortBy.trim() === "") return Result.succeed(Option.none())
  return Result.flatMap(
    Result.flatMap(Resolve.parseAttrPath(rt, sortBy), (path) => Resolve.resolve(rt, path)),
    (resolved): Result.Result<Option.Option<Sort>, InvalidPath> => {
      let sub = resolved.subAttribute
      if (sub === undefined && resolved.attribute.type === "complex") {
        sub = findSubAttribute(resolved.attribute, "value")
        if (sub === undefined) {
          const example = resolved.attribute.subAttributes?.[0]?.name ?? "value"
          return Result.fail(
            new InvalidPath({
              path: sortBy,
              detail:
                `"${resolved.attribute.name}" is complex: sort by one of its sub-attributes, such as ${resolved.attribute.name}.${example}`
            })
          )
        }
      }
      const extension = resolved.schema !== undefined && resolved.schema.id !== rt.schema.id
      return Result.succeed(Option.some({
        path: {
          ...(extension ? { uri: resolved.schema!.id } : {}),
          attribute: resolved.attribute.name,
          ...(sub !== undefined ? { subAttribute: sub.name } : {})
        },
        descending
      }))
    }
  )
}

interface Keyer {
  readonly def: AttributeDef | undefined
  readonly descending: boolean
  readonly valueOf: (doc: JsonObject) => SortValue
}

const primitive = (value: Json | undefined): SortValue =>
  value === undefined || (typeof value === "object" && value !== null) ? null : value

/** The element a multi-valued attribute sorts by: its primary value, or else its first. */
const chosen = (value: Json | undefined): Json | undefined => {
  if (!Array.isArray(value)) return value
  const items: ReadonlyArray<Json> = value
  return items.find((item) => isObject(item) && item["primary"] === true) ?? items[0]
}

const toOption = (
  sort: Sort | Option.Option<Sort>
): Option.Option<Sort> => (Option.isOption(sort) ? sort : Option.some(sort))

const keyerCache = new WeakMap<ResourceTypeDef, Map<string, Keyer>>()

const keyer = (rt: ResourceTypeDef, sort: Option.Option<Sort>): Keyer => {
  const cacheKey = Option.match(sort, { onNone: () => "", onSome: (s) => JSON.stringify(s) })
  let cache = keyerCache.get(rt)
  if (cache === undefined) {
    cache = new Map()
    keyerCache.set(rt, cache)
  }
  const hit = cache.get(cacheKey)
  if (hit !== undefined) return hit
  const made = makeKeyer(rt, sort)
  if (cache.size < 256) cache.set(cacheKey, made)
  return made
}

const makeKeyer = (rt: ResourceTypeDef, sort: Option.Option<Sort>): Keyer => {
  if (Option.isNone(sort)) {
    return {
      def: created,
      descending: false,
      valueOf: (doc) => {
        const m = doc["meta"]
        return isObject(m) ? primitive(m["created"]) : null
      }
    }
  }
  const resolved = Resolve.resolve(rt, sort.value.path)
  if (Result.isFailure(resolved)) {
    const { attribute, subAttribute } = sort.value.path
    return {
      def: undefined,
      descending: sort.value.descending,
      valueOf: (doc) => {
        const value = chosen(doc[attribute])
        return subAttribute === undefined ? primitive(value) : isObject(value) ? primitive(value[subAttribute]) : null
      }
    }
  }
  return keyerOf(rt, resolved.success, sort.value.descending)
}

const keyerOf = (rt: ResourceTypeDef, resolved: Resolve.ResolvedPath, descending: boolean): Keyer => {
  const def = resolved.subAttribute ?? { ...resolved.attribute, multiValued: false }
  const ext = resolved.schema !== undefined && resolved.schema.id !== rt.schema.id ? resolved.schema.id : undefined
  const name = resolved.attribute.name
  const sub = resolved.subAttribute?.name
  return {
    def,
    descending,
    valueOf: (doc) => {
      const holder = ext === undefined ? doc : doc[ext]
      if (!isObject(holder)) return null
      const value = chosen(holder[name])
      if (sub === undefined) return primitive(value)
      return isObject(value) ? primitive(value[sub]) : null
    }
  }
}

/**
 * The key a cursor remembers for a rendered document: the sort attribute's value (the primary or
 * first one for a multi-valued attribute), or `meta.created` without a sort; null when absent.
 */
export const sortValue = (rt: ResourceTypeDef, sort: Option.Option<Sort>, doc: JsonObject): SortValue =>
  keyer(rt, sort).valueOf(doc)

const positionWith = (k: Keyer, doc: JsonObject): CursorPosition => ({
  sortValue: k.valueOf(doc),
  id: typeof doc["id"] === "string" ? doc["id"] : ""
})

/** The keyset position of a rendered document: its sort value and id. */
export const position = (rt: ResourceTypeDef, sort: Option.Option<Sort>, doc: JsonObject): CursorPosition =>
  positionWith(keyer(rt, sort), doc)

/**
 * {@link position} with the sort resolved once: for computing the positions of many documents.
 */
export const positioner = (
  rt: ResourceTypeDef,
  sort: Sort | Option.Option<Sort>
): (doc: JsonObject) => CursorPosition => {
  const k = keyer(rt, toOption(sort))
  return (doc) => positionWith(k, doc)
}

const compareIds = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

const compareWith = (k: Keyer, a: CursorPosition, b: CursorPosition): number => {
  const c = compareValues(k.def, a.sortValue, b.sortValue) || compareIds(a.id, b.id)
  return k.descending ? -c : c
}

/**
 * Orders two keyset positions as the sort does (descending reverses the whole order, id
 * included, so `(value, id)` comparisons work in both directions).
 */
export const comparePositions = (
  rt: ResourceTypeDef,
  sort: Sort | Option.Option<Sort>,
  a: CursorPosition,
  b: CursorPosition
): number => compareWith(keyer(rt, toOption(sort)), a, b)

/**
 * {@link comparePositions} with the sort resolved once: the comparator to hand to a search or a
 * sort that compares many positions (`comparePositions` looks the sort up on every call).
 */
export const positionComparator = (
  rt: ResourceTypeDef,
  sort: Sort | Option.Option<Sort>
): (a: CursorPosition, b: CursorPosition) => number => {
  const k = keyer(rt, toOption(sort))
  return (a, b) => compareWith(k, a, b)
}

/**
 * A comparator over rendered documents for the sort (or, given `None`, the default order:
 * `meta.created`, then id).
 */
export const comparator = (
  rt: ResourceTypeDef,
  sort: Sort | Option.Option<Sort>
): (a: JsonObject, b: JsonObject) => number => {
  const k = keyer(rt, toOption(sort))
  const id = (doc: JsonObject): string => (typeof doc["id"] === "string" ? doc["id"] : "")
  return (a, b) => {
    const c = compareValues(k.def, k.valueOf(a), k.valueOf(b)) || compareIds(id(a), id(b))
    return k.descending ? -c : c
  }
}
