/**
 * The reference semantics a store's `query` is checked against: the SCIM view of each stored
 * resource, core's filter evaluator over it, and the specified order and paging.
 *
 * @since 0.1.0
 */
import type { Json, JsonObject, MemberView, StoredProject, StoredUser, StoreQuery } from "@scimkit/core"
import { Document, Filter, Paging, Schemas, Sort } from "@scimkit/core"
import * as DateTime from "effect/DateTime"
import * as Either from "effect/Either"
import * as Option from "effect/Option"

const serverOwned = ["schemas", "id", "externalId", "meta", "groups", "members", "password"]

const withoutServerAttributes = (document: JsonObject): Record<string, Json> => {
  const out: Record<string, Json> = {}
  for (const key of Object.keys(document)) {
    if (!serverOwned.includes(key)) out[key] = document[key]!
  }
  return out
}

const objectOrEmpty = (value: Json | undefined): JsonObject => (Document.isObject(value) ? value : {})

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
 * The SCIM view of a user that filters and sorts apply to, as the services render it (less
 * `groups`, `schemas` and `meta.location`): the stored document's client attributes, `platformRole`
 * from the column (absent means MEMBER), `active` from the column when the document has none,
 * `id`, `externalId` and `meta` (`resourceType`, `created`/`lastModified` in ISO 8601, `version` `W/"n"`).
 *
 * @since 0.1.0
 */
export const userDocument = (user: StoredUser): JsonObject => ({
  active: user.active,
  ...withoutServerAttributes(user.document),
  [Schemas.CustomUserAttributesUrn]: {
    ...objectOrEmpty(user.document[Schemas.CustomUserAttributesUrn]),
    platformRole: user.platformRole
  },
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

/** What a query must return: ids in order, the total and whether more items follow. @since 0.1.0 */
export interface ExpectedPage {
  readonly ids: ReadonlyArray<string>
  readonly total: number
  readonly hasMore: boolean
}

const idOf = (doc: JsonObject): string => String(doc["id"])

/**
 * The expected answer to a query over the given documents (RFC 7644 §3.4.2, RFC 9865), from core
 * as the reference: `Filter.evaluate` decides matches, `Sort.comparator` the order (the sort value
 * by its attribute's type, absent last, then id; descending the exact reverse; without a sort
 * `meta.created`, then id) and `Paging.slice` the page.
 *
 * @since 0.1.0
 */
export const expectedPage = (
  rt: Schemas.ResourceTypeDef,
  docs: ReadonlyArray<JsonObject>,
  filter: Option.Option<Filter.Filter>,
  sort: Option.Option<StoreQuery.Sort>,
  page: StoreQuery.IndexPage | StoreQuery.CursorPage
): ExpectedPage => {
  const matches = docs.filter((doc) =>
    Option.match(filter, {
      onNone: () => true,
      onSome: (f) => Either.getOrThrowWith(Filter.evaluate(rt, f, doc), (e) => new Error(e.message))
    })
  )
  const sorted = [...matches].sort(Sort.comparator(rt, sort))
  const result = Paging.slice(sorted, page, (doc) => Sort.position(rt, sort, doc), (a, b) => Sort.comparePositions(rt, sort, a, b))
  return { ids: result.items.map(idOf), total: result.total, hasMore: result.hasMore }
}

/** The user resource type (re-exported for suites). @since 0.1.0 */
export const UserResourceType: Schemas.ResourceTypeDef = Schemas.UserResourceType
/** The group (project) resource type. @since 0.1.0 */
export const GroupResourceType: Schemas.ResourceTypeDef = Schemas.GroupResourceType
