/**
 * fast-check arbitraries for store and filter tests: users with random SCIM attributes drawn from
 * small pools (so filters match some and miss others), and filters, sorts and pages over the
 * attributes those users actually have.
 *
 * @since 0.1.0
 */
import type { Ast, JsonObject, StoreQuery } from "@scimkit/core"
import { Schemas, StoredUser, UserId } from "@scimkit/core"
import * as DateTime from "effect/DateTime"
import * as fc from "fast-check"
import * as Option from "effect/Option"

/** The instant generated timestamps start from (2024-01-01T00:00:00Z). @since 0.1.0 */
export const baseMillis = Date.UTC(2024, 0, 1)

const minute = 60_000

const givenNames = ["Alice", "alice", "Bob", "Carol", "CAROL", "Dave", "José", "Zoë"] as const
const familyNames = ["Smith", "smith", "Jensen", "O'Brien", "Müller", "Ng"] as const
const locals = ["alice", "bob", "carol", "dave", "eve", "frank"] as const
const domains = ["example.com", "Example.org", "corp.test"] as const
const titles = ["Engineer", "engineer", "Senior Engineer", "Manager", "Director"] as const
const departments = ["Sales", "sales", "R&D", "Engineering", "Support"] as const
const emailTypes = ["work", "home", "other"] as const
const roles = Schemas.PlatformRoles

/** Upper-cases a random selection of ASCII letters. */
const randomCase = (text: string): fc.Arbitrary<string> =>
  fc.array(fc.boolean(), { minLength: text.length, maxLength: text.length }).map((flags) =>
    Array.from(text, (c, i) => (flags[i] === true && /[a-z]/.test(c) ? c.toUpperCase() : c)).join("")
  )

const optional = <A>(arb: fc.Arbitrary<A>): fc.Arbitrary<A | undefined> =>
  fc.option(arb, { nil: undefined, freq: 3 })

const email = fc.record({
  value: fc.tuple(fc.constantFrom(...locals), fc.constantFrom(...domains), fc.nat(9))
    .map(([l, d, n]) => `${l}${n}@${d}`),
  type: optional(fc.constantFrom(...emailTypes)),
  primary: optional(fc.boolean())
})

/**
 * The attributes of one user, before the user gets its unique `userName`, `externalId` and `id`
 * (see {@link users}).
 *
 * @since 0.1.0
 */
export interface UserDraft {
  readonly local: string
  readonly domain: string
  readonly externalId: string | undefined
  readonly givenName: string | undefined
  readonly familyName: string | undefined
  readonly displayName: string | undefined
  readonly title: string | undefined
  readonly active: boolean
  readonly emails: ReadonlyArray<{ readonly value: string; readonly type: string | undefined; readonly primary: boolean | undefined }>
  readonly department: string | undefined
  readonly platformRole: string | undefined
  /** Minutes after {@link baseMillis}; a small range, so that ties in `created` occur. */
  readonly createdMinute: number
  readonly modifiedMinutes: number
  readonly idSeed: number
}

/** @since 0.1.0 */
export const userDraft: fc.Arbitrary<UserDraft> = fc.record({
  local: fc.constantFrom(...locals).chain(randomCase),
  domain: fc.constantFrom(...domains),
  externalId: optional(fc.constantFrom("ext", "EXT", "aad", "okta")),
  givenName: optional(fc.constantFrom(...givenNames)),
  familyName: optional(fc.constantFrom(...familyNames)),
  displayName: optional(fc.tuple(fc.constantFrom(...givenNames), fc.constantFrom(...familyNames)).map(([g, f]) => `${g} ${f}`)),
  title: optional(fc.constantFrom(...titles)),
  active: fc.boolean(),
  emails: fc.array(email, { maxLength: 3 }),
  department: optional(fc.constantFrom(...departments)),
  platformRole: optional(fc.constantFrom(...roles)),
  createdMinute: fc.nat(40),
  modifiedMinutes: fc.nat(100),
  idSeed: fc.nat(0xffffff)
})

const hex = (n: number): string => n.toString(16).padStart(6, "0")

/**
 * Turns drafts into stored users whose `userName` (case-insensitively), `externalId` and `id` are
 * unique: the draft's index is part of each. `idPrefix` keeps ids apart between test runs (ids
 * may be globally unique in a store); the random part of the id makes id order differ from
 * creation order.
 *
 * @since 0.1.0
 */
export const toStoredUsers = (drafts: ReadonlyArray<UserDraft>, idPrefix: string): ReadonlyArray<StoredUser> =>
  drafts.map((d, i) => {
    const userName = `${d.local}.${i}@${d.domain}`
    const externalId = d.externalId === undefined ? undefined : `${d.externalId}-${i}`
    const name: Record<string, string> = {}
    if (d.givenName !== undefined) name["givenName"] = d.givenName
    if (d.familyName !== undefined) name["familyName"] = d.familyName
    const document: Record<string, JsonObject[keyof JsonObject]> = {
      schemas: [
        Schemas.UserUrn,
        ...(d.department !== undefined ? [Schemas.EnterpriseUserUrn] : []),
        ...(d.platformRole !== undefined ? [Schemas.CustomUserAttributesUrn] : [])
      ],
      userName,
      active: d.active
    }
    if (externalId !== undefined) document["externalId"] = externalId
    if (Object.keys(name).length > 0) document["name"] = name
    if (d.displayName !== undefined) document["displayName"] = d.displayName
    if (d.title !== undefined) document["title"] = d.title
    if (d.emails.length > 0) {
      document["emails"] = d.emails.map((e) => ({
        value: e.value,
        ...(e.type !== undefined ? { type: e.type } : {}),
        ...(e.primary !== undefined ? { primary: e.primary } : {})
      }))
    }
    if (d.department !== undefined) document[Schemas.EnterpriseUserUrn] = { department: d.department }
    if (d.platformRole !== undefined) document[Schemas.CustomUserAttributesUrn] = { platformRole: d.platformRole }
    const created = baseMillis + d.createdMinute * minute
    return new StoredUser({
      id: UserId.make(`${idPrefix}${hex(d.idSeed)}-${i}`),
      userName,
      externalId: Option.fromNullishOr(externalId),
      displayName: Option.fromNullishOr(d.displayName),
      active: d.active,
      platformRole: d.platformRole === "ADMIN" || d.platformRole === "OPERATOR" ? d.platformRole : "MEMBER",
      document,
      version: 1,
      created: DateTime.makeUnsafe(created),
      lastModified: DateTime.makeUnsafe(created + d.modifiedMinutes * minute)
    })
  })

/** Between `minLength` and `maxLength` user drafts (default 0–30). @since 0.1.0 */
export const userDrafts = (options?: { readonly minLength?: number; readonly maxLength?: number }): fc.Arbitrary<ReadonlyArray<UserDraft>> =>
  fc.array(userDraft, { minLength: options?.minLength ?? 0, maxLength: options?.maxLength ?? 30 })

// -----------------------------------------------------------------------------------------------
// filters

type Kind = "string" | "caseExact" | "boolean" | "dateTime"

interface Attr {
  readonly paths: ReadonlyArray<Ast.AttrPath>
  readonly kind: Kind
  readonly values: ReadonlyArray<string>
  /** Values the given user has for the attribute, so filters hit existing data. */
  readonly of: (user: StoredUser) => ReadonlyArray<string>
}

const iso = (minutes: number): string => new Date(baseMillis + minutes * minute).toISOString()

const EnterpriseUserUrn = Schemas.EnterpriseUserUrn
const CustomUrn = Schemas.CustomUserAttributesUrn

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)
const text = (value: unknown): ReadonlyArray<string> => (typeof value === "string" ? [value] : [])
const field = (value: unknown, key: string): unknown => (isRecord(value) ? value[key] : undefined)
const emailsOf = (u: StoredUser): ReadonlyArray<unknown> => {
  const emails = u.document["emails"]
  return Array.isArray(emails) ? emails : []
}

/**
 * The user attributes filters and sorts are drawn over, each under a few spellings (attribute
 * names are case-insensitive, extension attributes may carry their URN).
 */
const userAttrs: ReadonlyArray<Attr> = [
  {
    paths: [{ attribute: "userName" }, { attribute: "USERNAME" }, { uri: Schemas.UserUrn, attribute: "userName" }],
    kind: "string",
    values: ["alice", "ALICE.1", "bob.0@example.com", "@example", ".org", "Corp.test", "e", "carol.2@corp.test", "zed"],
    of: (u) => [u.userName, u.userName.toUpperCase()]
  },
  {
    paths: [{ attribute: "displayName" }],
    kind: "string",
    values: ["Alice Smith", "alice smith", "Bob", "smith", "JENSEN", "José Müller", "a", "Zz"],
    of: (u) => Option.toArray(u.displayName)
  },
  {
    paths: [{ attribute: "name", subAttribute: "givenName" }, { attribute: "NAME", subAttribute: "GIVENNAME" }],
    kind: "string",
    values: ["alice", "Bob", "CAROL", "car", "e", "José", "Zoë", "M"],
    of: (u) => text(field(u.document["name"], "givenName"))
  },
  {
    paths: [{ attribute: "emails", subAttribute: "value" }],
    kind: "string",
    values: ["alice1@example.com", "BOB2@CORP.TEST", "@example.org", "eve", ".com", "frank9@example.com"],
    of: (u) => emailsOf(u).flatMap((e) => text(field(e, "value")))
  },
  {
    paths: [{ attribute: "emails", subAttribute: "type" }],
    kind: "string",
    values: ["work", "WORK", "home", "other", "wo", "k"],
    of: () => []
  },
  { paths: [{ attribute: "active" }], kind: "boolean", values: [], of: () => [] },
  {
    paths: [{ attribute: "externalId" }, { attribute: "EXTERNALID" }],
    kind: "caseExact",
    values: ["ext-0", "EXT-1", "aad", "okta-3", "-2", "ext", "x"],
    of: (u) => Option.toArray(u.externalId)
  },
  {
    paths: [{ attribute: "title" }],
    kind: "string",
    values: ["Engineer", "senior engineer", "Manager", "eng", "or", "Zebra"],
    of: (u) => text(u.document["title"])
  },
  {
    paths: [{ attribute: "meta", subAttribute: "created" }, { attribute: "META", subAttribute: "Created" }],
    kind: "dateTime",
    values: [iso(0), iso(10), iso(20), iso(20).replace("Z", "+00:00"), iso(40), iso(60)],
    of: (u) => [DateTime.formatIso(u.created)]
  },
  {
    paths: [{ uri: EnterpriseUserUrn, attribute: "department" }, { attribute: "department" }],
    kind: "string",
    values: ["Sales", "SALES", "R&D", "eng", "Support", "s"],
    of: (u) => text(field(u.document[EnterpriseUserUrn], "department"))
  },
  {
    paths: [{ uri: CustomUrn, attribute: "platformRole" }, { uri: CustomUrn, attribute: "PLATFORMROLE" }],
    kind: "string",
    values: ["ADMIN", "admin", "MEMBER", "Operator", "MIN", "ER"],
    of: () => []
  }
]

const stringOps = ["eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le"] as const
const orderOps = ["eq", "ne", "gt", "ge", "lt", "le"] as const

const opsOf = (kind: Kind): ReadonlyArray<Ast.CompareOp> =>
  kind === "boolean" ? ["eq", "ne"] : kind === "dateTime" ? orderOps : stringOps

const compareOn = (attr: Attr, users: ReadonlyArray<StoredUser>): fc.Arbitrary<Ast.Filter> => {
  const seen = users.flatMap(attr.of)
  const values: fc.Arbitrary<Ast.CompValue> = attr.kind === "boolean"
    ? fc.boolean()
    : seen.length === 0
    ? fc.constantFrom(...attr.values)
    : fc.oneof(fc.constantFrom(...attr.values), fc.constantFrom(...seen))
  return fc.tuple(
    fc.constantFrom(...attr.paths),
    fc.oneof({ arbitrary: fc.constant<Ast.CompareOp>("eq"), weight: 1 }, { arbitrary: fc.constantFrom(...opsOf(attr.kind)), weight: 2 }),
    values
  ).map(([path, op, value]): Ast.Filter => ({ _tag: "Compare", path, op, value }))
}

const presentOn = (attr: Attr): fc.Arbitrary<Ast.Filter> =>
  fc.constantFrom(...attr.paths).map((path): Ast.Filter => ({ _tag: "Present", path }))

const leafFor = (users: ReadonlyArray<StoredUser>): fc.Arbitrary<Ast.Filter> =>
  fc.oneof(
    { arbitrary: fc.constantFrom(...userAttrs).chain((attr) => compareOn(attr, users)), weight: 4 },
    { arbitrary: fc.constantFrom(...userAttrs).chain(presentOn), weight: 1 }
  )

/** One comparison or presence test on a user attribute. @since 0.1.0 */
export const userLeafFilter: fc.Arbitrary<Ast.Filter> = leafFor([])

const emailValueFilter: fc.Arbitrary<Ast.Filter> = fc.oneof(
  fc.tuple(fc.constantFrom<Ast.CompareOp>(...stringOps), fc.constantFrom("work", "home", "Other", "o"))
    .map(([op, value]): Ast.Filter => ({ _tag: "Compare", path: { attribute: "type" }, op, value })),
  fc.tuple(fc.constantFrom<Ast.CompareOp>(...stringOps), fc.constantFrom("alice1@example.com", "example", "BOB", ".test"))
    .map(([op, value]): Ast.Filter => ({ _tag: "Compare", path: { attribute: "value" }, op, value })),
  fc.constantFrom<Ast.Filter>(
    { _tag: "Compare", path: { attribute: "primary" }, op: "eq", value: true },
    { _tag: "Present", path: { attribute: "type" } }
  )
)

/** `emails[…]`: a value filter over the sub-attributes of emails (RFC 7644 §3.4.2.2 valuePath). @since 0.1.0 */
export const emailsValuePath: fc.Arbitrary<Ast.Filter> = fc.oneof(
  emailValueFilter,
  fc.tuple(emailValueFilter, emailValueFilter).map(([left, right]): Ast.Filter => ({ _tag: "And", left, right })),
  fc.tuple(emailValueFilter, emailValueFilter).map(([left, right]): Ast.Filter => ({ _tag: "Or", left, right }))
).map((filter): Ast.Filter => ({ _tag: "ValuePath", path: { attribute: "emails" }, filter }))

const filterOfDepth = (depth: number, users: ReadonlyArray<StoredUser>): fc.Arbitrary<Ast.Filter> => {
  const leaf = fc.oneof({ arbitrary: leafFor(users), weight: 5 }, { arbitrary: emailsValuePath, weight: 1 })
  if (depth <= 0) return leaf
  const sub = filterOfDepth(depth - 1, users)
  return fc.oneof(
    { arbitrary: leaf, weight: 4 },
    { arbitrary: fc.tuple(sub, sub).map(([left, right]): Ast.Filter => ({ _tag: "And", left, right })), weight: 2 },
    { arbitrary: fc.tuple(sub, sub).map(([left, right]): Ast.Filter => ({ _tag: "Or", left, right })), weight: 2 },
    { arbitrary: sub.map((filter): Ast.Filter => ({ _tag: "Not", filter })), weight: 1 }
  )
}

/**
 * Filters over user attributes that exist (userName, displayName, name.givenName, emails.value,
 * emails.type, active, externalId, title, meta.created, the enterprise department, platformRole),
 * with every operator, `and`/`or`/`not` and `emails[…]` value paths, nested up to `depth` (default 3).
 * Comparison values come from fixed pools and, when `users` are given, from those users' own
 * values (so equalities hit existing users, through a store's indexes too).
 *
 * @since 0.1.0
 */
export const userFilter = (depth = 3, users: ReadonlyArray<StoredUser> = []): fc.Arbitrary<Ast.Filter> =>
  filterOfDepth(depth, users)

/** A sort on one of the user attributes above, ascending or descending (RFC 7644 §3.4.2.3). @since 0.1.0 */
export const userSort: fc.Arbitrary<StoreQuery.Sort> = fc.record({
  path: fc.constantFrom(...userAttrs).chain((a) => fc.constantFrom(...a.paths)),
  descending: fc.boolean()
})

/** Index paging (RFC 7644 §3.4.2.4) around a result of up to `size` items, `count` 0 included. @since 0.1.0 */
export const indexPage = (size: number): fc.Arbitrary<StoreQuery.IndexPage> =>
  fc.record({ startIndex: fc.integer({ min: 1, max: size + 3 }), count: fc.integer({ min: 0, max: size + 3 }) })
    .map(({ count, startIndex }): StoreQuery.IndexPage => ({ _tag: "Index", startIndex, count }))

/** A generated list query over generated users. @since 0.1.0 */
export interface UserQueryCase {
  readonly drafts: ReadonlyArray<UserDraft>
  readonly filter: Option.Option<Ast.Filter>
  readonly sort: Option.Option<StoreQuery.Sort>
  readonly page: StoreQuery.IndexPage
}

/**
 * Users (up to `maxUsers`, default 25) and an index-paged query over them whose filter draws
 * values from those users; `valid` keeps only filters the caller accepts (e.g. ones that compile).
 *
 * @since 0.1.0
 */
export const userQueryCase = (options?: {
  readonly maxUsers?: number
  readonly valid?: (filter: Ast.Filter) => boolean
}): fc.Arbitrary<UserQueryCase> => {
  const maxUsers = options?.maxUsers ?? 25
  const valid = options?.valid ?? (() => true)
  return userDrafts({ maxLength: maxUsers }).chain((drafts) =>
    fc.record({
      drafts: fc.constant(drafts),
      filter: fc.option(userFilter(3, toStoredUsers(drafts, "")).filter(valid), { freq: 5 }),
      sort: fc.option(userSort, { freq: 3 }),
      page: indexPage(maxUsers)
    }).map((c): UserQueryCase => ({
      drafts: c.drafts,
      filter: c.filter === null ? Option.none() : Option.some(c.filter),
      sort: c.sort === null ? Option.none() : Option.some(c.sort),
      page: c.page
    }))
  )
}
