/**
 * What every part of the store contract shares: the type of the suite's `it` (its services are
 * the adapter's stores), queries that select everything or one filter, and the comparisons of ids.
 */
import { assert, type Vitest } from "@effect/vitest"
import { Filter, type Ast, type Schemas, type StoreQuery, type Stores } from "@scimkit/core"
import * as Option from "effect/Option"
import * as Result from "effect/Result"
import * as Reference from "../../Reference.js"

/** The `it` of the suite: every test gets the adapter's stores. */
export type It = Vitest.MethodsNonLive<Stores.Stores>

/** The first 1000 items: more than any contract test stores on one platform. */
export const allPage: StoreQuery.IndexPage = { _tag: "Index", startIndex: 1, count: 1000 }

/** No filter, no sort, every item (users and projects alike). */
export const allItems: StoreQuery.StoreQuery = { filter: Option.none(), sort: Option.none(), page: allPage }

/** The filter written in SCIM's syntax; a test's own filters always parse. */
export const parse = (text: string): Ast.Filter =>
  Result.getOrThrowWith(Filter.parseResult(text), (e) => new Error(e.message))

/** The filter checked against the resource type, as a service hands it to a store; a test's own filters always check. */
export const check = (rt: Schemas.ResourceTypeDef, filter: Ast.Filter): Filter.Checked =>
  Result.getOrThrowWith(Filter.check(rt, filter), (e) => new Error(e.message))

const where = (rt: Schemas.ResourceTypeDef) => (filter: string | Ast.Filter): StoreQuery.StoreQuery => ({
  ...allItems,
  filter: Option.some(check(rt, typeof filter === "string" ? parse(filter) : filter))
})

/** Every user matching the filter (in SCIM's syntax, or its AST), in the default order. */
export const usersWhere: (filter: string | Ast.Filter) => StoreQuery.StoreQuery = where(Reference.UserResourceType)

/** Every project matching the filter (in SCIM's syntax, or its AST) on the Group view, in the default order. */
export const projectsWhere: (filter: string | Ast.Filter) => StoreQuery.StoreQuery = where(Reference.GroupResourceType)

/** Whether a filter checks against the User resource type (the generator only builds such filters). */
export const checksForUsers = (f: Ast.Filter): boolean => Result.isSuccess(Filter.check(Reference.UserResourceType, f))

/** The ids of the items, in their order. */
export const ids = (items: ReadonlyArray<{ readonly id: string }>): ReadonlyArray<string> => items.map((i) => i.id)

/** Asserts the same ids in any order. */
export const sameIds = (actual: ReadonlyArray<string>, expected: ReadonlyArray<string>): void =>
  assert.deepStrictEqual([...actual].sort(), [...expected].sort())
