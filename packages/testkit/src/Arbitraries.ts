/**
 * fast-check arbitraries for store and filter tests, the only place they are defined: users and
 * groups with random SCIM attributes drawn from small pools (so filters match some and miss
 * others), filters, sorts and pages over the attributes those resources actually have, and whole
 * query cases (resources plus one query) for differential tests against testkit's Reference.
 */
import { Model, Schemas, type Ast, type StoreQuery } from "@scimkit/core"
import * as DateTime from "effect/DateTime"
import * as fc from "fast-check"
import * as Option from "effect/Option"

/** The instant generated timestamps start from (2024-01-01T00:00:00Z). */
export const baseMillis = Date.UTC(2024, 0, 1)

const minute = 60_000

/** The instant `minutes` after {@link baseMillis}: how generated resources get their timestamps. */
export const instant = (minutes: number): DateTime.Utc => DateTime.makeUnsafe(baseMillis + minutes * minute)

/** Upper-cases a random selection of ASCII letters. */
const randomCase = (text: string): fc.Arbitrary<string> =>
  fc.array(fc.boolean(), { minLength: text.length, maxLength: text.length }).map((flags) =>
    Array.from(text, (c, i) => (flags[i] === true && /[a-z]/.test(c) ? c.toUpperCase() : c)).join("")
  )

const optional = <A>(arb: fc.Arbitrary<A>): fc.Arbitrary<A | undefined> => fc.option(arb, { nil: undefined, freq: 3 })

const stringOps: ReadonlyArray<Ast.CompareOp> = ["eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le"]
const orderOps: ReadonlyArray<Ast.CompareOp> = ["eq", "ne", "gt", "ge", "lt", "le"]

/**
 * Filters of `leaf`s under `and`, `or` and `not`, nested up to `depth`, each level choosing a
 * leaf or a combination with the given weights.
 */
const combined = (
  leaf: fc.Arbitrary<Ast.Filter>,
  depth: number,
  weights: { readonly leaf: number; readonly and: number; readonly or: number; readonly not: number }
): fc.Arbitrary<Ast.Filter> => {
  if (depth <= 0) return leaf
  const sub = combined(leaf, depth - 1, weights)
  return fc.oneof(
    { arbitrary: leaf, weight: weights.leaf },
    {
      arbitrary: fc.tuple(sub, sub).map(([left, right]): Ast.Filter => ({ _tag: "And", left, right })),
      weight: weights.and
    },
    {
      arbitrary: fc.tuple(sub, sub).map(([left, right]): Ast.Filter => ({ _tag: "Or", left, right })),
      weight: weights.or
    },
    { arbitrary: sub.map((filter): Ast.Filter => ({ _tag: "Not", filter })), weight: weights.not }
  )
}

// -----------------------------------------------------------------------------------------------
// users

const givenNames = ["Alice", "alice", "Bob", "Carol", "CAROL", "Dave", "José", "Zoë"] as const
const familyNames = ["Smith", "smith", "Jensen", "O'Brien", "Müller", "Ng"] as const
const locals = ["alice", "bob", "carol", "dave", "eve", "frank"] as const
const domains = ["example.com", "Example.org", "corp.test"] as const
const titles = ["Engineer", "engineer", "Senior Engineer", "Manager", "Director"] as const
const departments = ["Sales", "sales", "R&D", "Engineering", "Support"] as const
const emailTypes = ["work", "home", "other"] as const
const roles = Schemas.PlatformRoles

const email = fc.record({
  value: fc.tuple(fc.constantFrom(...locals), fc.constantFrom(...domains), fc.nat(9))
    .map(([l, d, n]) => `${l}${n}@${d}`),
  type: optional(fc.constantFrom(...emailTypes)),
  primary: optional(fc.boolean())
})

/**
 * The attributes of one user, before the user gets its unique `userName`, `externalId` and `id`
 * (see {@link toStoredUsers}).
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
  readonly emails: ReadonlyArray<
    { readonly value: string; readonly type: string | undefined; readonly primary: boolean | undefined }
  >
  readonly department: string | undefined
  readonly platformRole: string | undefined
  /** Minutes after {@link baseMillis}; a small range, so that ties in `created` occur. */
  readonly createdMinute: number
  readonly modifiedMinutes: number
  readonly idSeed: number
}

/** One user's attributes, each drawn from a small pool (names in several cases, a few emails). */
export const userDraft: fc.Arbitrary<UserDraft> = fc.record({
  local: fc.constantFrom(...locals).chain(randomCase),
  domain: fc.constantFrom(...domains),
  externalId: optional(fc.constantFrom("ext", "EXT", "aad", "okta")),
  givenName: optional(fc.constantFrom(...givenNames)),
  familyName: optional(fc.constantFrom(...familyNames)),
  displayName: optional(
    fc.tuple(fc.constantFrom(...givenNames), fc.constantFrom(...familyNames)).map(([g, f]) => `${g} ${f}`)
  ),
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
 */
export const toStoredUsers = (drafts: ReadonlyArray<UserDraft>, idPrefix: string): ReadonlyArray<Model.StoredUser> =>
  drafts.map((d, i) => {
    const userName = `${d.local}.${i}@${d.domain}`
    const externalId = d.externalId === undefined ? undefined : `${d.externalId}-${i}`
    const name: Record<string, string> = {}
    if (d.givenName !== undefined) name["givenName"] = d.givenName
    if (d.familyName !== undefined) name["familyName"] = d.familyName
    const document: Record<string, Model.JsonObject[keyof Model.JsonObject]> = {
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
    return new Model.StoredUser({
      id: Model.UserId.make(`${idPrefix}${hex(d.idSeed)}-${i}`),
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

/** Between `minLength` and `maxLength` user drafts (default 0–30). */
export const userDrafts = (
  options?: { readonly minLength?: number; readonly maxLength?: number }
): fc.Arbitrary<ReadonlyArray<UserDraft>> =>
  fc.array(userDraft, { minLength: options?.minLength ?? 0, maxLength: options?.maxLength ?? 30 })

// -----------------------------------------------------------------------------------------------
// user filters and sorts

type Kind = "string" | "caseExact" | "boolean" | "dateTime"

interface Attr {
  readonly paths: ReadonlyArray<Ast.AttrPath>
  readonly kind: Kind
  readonly values: ReadonlyArray<string>
  /** Values the given user has for the attribute, so filters hit existing data. */
  readonly of: (user: Model.StoredUser) => ReadonlyArray<string>
}

const iso = (minutes: number): string => new Date(baseMillis + minutes * minute).toISOString()

const EnterpriseUserUrn = Schemas.EnterpriseUserUrn
const CustomUrn = Schemas.CustomUserAttributesUrn

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)
const text = (value: unknown): ReadonlyArray<string> => (typeof value === "string" ? [value] : [])
const field = (value: unknown, key: string): unknown => (isRecord(value) ? value[key] : undefined)
const emailsOf = (u: Model.StoredUser): ReadonlyArray<unknown> => {
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

const opsOf = (kind: Kind): ReadonlyArray<Ast.CompareOp> =>
  kind === "boolean" ? ["eq", "ne"] : kind === "dateTime" ? orderOps : stringOps

const compareOn = (attr: Attr, users: ReadonlyArray<Model.StoredUser>): fc.Arbitrary<Ast.Filter> => {
  const seen = users.flatMap(attr.of)
  const values: fc.Arbitrary<Ast.CompValue> = attr.kind === "boolean"
    ? fc.boolean()
    : seen.length === 0
    ? fc.constantFrom(...attr.values)
    : fc.oneof(fc.constantFrom(...attr.values), fc.constantFrom(...seen))
  return fc.tuple(
    fc.constantFrom(...attr.paths),
    fc.oneof({ arbitrary: fc.constant<Ast.CompareOp>("eq"), weight: 1 }, {
      arbitrary: fc.constantFrom(...opsOf(attr.kind)),
      weight: 2
    }),
    values
  ).map(([path, op, value]): Ast.Filter => ({ _tag: "Compare", path, op, value }))
}

const presentOn = (attr: Attr): fc.Arbitrary<Ast.Filter> =>
  fc.constantFrom(...attr.paths).map((path): Ast.Filter => ({ _tag: "Present", path }))

const leafFor = (users: ReadonlyArray<Model.StoredUser>): fc.Arbitrary<Ast.Filter> =>
  fc.oneof(
    { arbitrary: fc.constantFrom(...userAttrs).chain((attr) => compareOn(attr, users)), weight: 4 },
    { arbitrary: fc.constantFrom(...userAttrs).chain(presentOn), weight: 1 }
  )

/** One comparison or presence test on a user attribute. */
export const userLeafFilter: fc.Arbitrary<Ast.Filter> = leafFor([])

const emailValueFilter: fc.Arbitrary<Ast.Filter> = fc.oneof(
  fc.tuple(fc.constantFrom<Ast.CompareOp>(...stringOps), fc.constantFrom("work", "home", "Other", "o"))
    .map(([op, value]): Ast.Filter => ({ _tag: "Compare", path: { attribute: "type" }, op, value })),
  fc.tuple(
    fc.constantFrom<Ast.CompareOp>(...stringOps),
    fc.constantFrom("alice1@example.com", "example", "BOB", ".test")
  )
    .map(([op, value]): Ast.Filter => ({ _tag: "Compare", path: { attribute: "value" }, op, value })),
  fc.constantFrom<Ast.Filter>(
    { _tag: "Compare", path: { attribute: "primary" }, op: "eq", value: true },
    { _tag: "Present", path: { attribute: "type" } }
  )
)

/** `emails[…]`: a value filter over the sub-attributes of emails (RFC 7644 §3.4.2.2 valuePath). */
export const emailsValuePath: fc.Arbitrary<Ast.Filter> = fc.oneof(
  emailValueFilter,
  fc.tuple(emailValueFilter, emailValueFilter).map(([left, right]): Ast.Filter => ({ _tag: "And", left, right })),
  fc.tuple(emailValueFilter, emailValueFilter).map(([left, right]): Ast.Filter => ({ _tag: "Or", left, right }))
).map((filter): Ast.Filter => ({ _tag: "ValuePath", path: { attribute: "emails" }, filter }))

const userFilterLeaf = (users: ReadonlyArray<Model.StoredUser>): fc.Arbitrary<Ast.Filter> =>
  fc.oneof({ arbitrary: leafFor(users), weight: 5 }, { arbitrary: emailsValuePath, weight: 1 })

/**
 * Filters over user attributes that exist (userName, displayName, name.givenName, emails.value,
 * emails.type, active, externalId, title, meta.created, the enterprise department, platformRole),
 * with every operator, `and`/`or`/`not` and `emails[…]` value paths, nested up to `depth` (default 3).
 * Comparison values come from fixed pools and, when `users` are given, from those users' own
 * values (so equalities hit existing users, through a store's indexes too).
 */
export const userFilter = (depth = 3, users: ReadonlyArray<Model.StoredUser> = []): fc.Arbitrary<Ast.Filter> =>
  combined(userFilterLeaf(users), depth, { leaf: 4, and: 2, or: 2, not: 1 })

/** A sort on one of the user attributes above, ascending or descending (RFC 7644 §3.4.2.3). */
export const userSort: fc.Arbitrary<StoreQuery.Sort> = fc.record({
  path: fc.constantFrom(...userAttrs).chain((a) => fc.constantFrom(...a.paths)),
  descending: fc.boolean()
})

// -----------------------------------------------------------------------------------------------
// groups

/** Group names with LIKE metacharacters, a backslash, an accent and names equal ignoring case. */
const groupNames = ["Sales", "sales team", "R&D", "Eng_1", "100%", "back\\slash", "Zoë", "ops"] as const

/**
 * The attributes of one group, before it gets its unique `displayName`, `externalId` and `id`
 * (see {@link toStoredProjects}), and its members as indices into a list of users.
 */
export interface GroupDraft {
  readonly name: string
  readonly externalId: string | undefined
  /** Minutes after {@link baseMillis}; a small range, so that ties in `created` occur. */
  readonly createdMinute: number
  readonly modifiedMinutes: number
  /** Indices into the users the group is stored with; those past the end are no members. */
  readonly members: ReadonlyArray<number>
}

/** One group's attributes and up to 7 member indices below 10. */
export const groupDraft: fc.Arbitrary<GroupDraft> = fc.record({
  name: fc.constantFrom(...groupNames),
  externalId: fc.option(fc.constantFrom("g", "G", "aad-group"), { nil: undefined }),
  createdMinute: fc.nat(6),
  modifiedMinutes: fc.nat(30),
  members: fc.array(fc.nat(9), { maxLength: 7 })
})

/** Between 0 and `maxLength` group drafts (default 8). */
export const groupDrafts = (options?: { readonly maxLength?: number }): fc.Arbitrary<ReadonlyArray<GroupDraft>> =>
  fc.array(groupDraft, { maxLength: options?.maxLength ?? 8 })

/**
 * Turns drafts into stored projects whose `displayName` (case-insensitively), `externalId` and
 * `id` are unique: the draft's index is part of each. `idPrefix` keeps ids apart between test
 * runs; the scrambled part of the id makes id order differ from creation order. Versions vary
 * (1 to 3), so `meta.version` filters select some.
 */
export const toStoredProjects = (
  drafts: ReadonlyArray<GroupDraft>,
  idPrefix: string
): ReadonlyArray<Model.StoredProject> =>
  drafts.map((d, i) => {
    const displayName = `${d.name}-${i}`
    const externalId = d.externalId === undefined ? undefined : `${d.externalId}-${i}`
    return new Model.StoredProject({
      id: Model.ProjectId.make(`${idPrefix}${(i * 7919) % 101}-${i}`),
      displayName,
      externalId: Option.fromNullishOr(externalId),
      document: { schemas: [Schemas.GroupUrn], displayName, ...(externalId !== undefined ? { externalId } : {}) },
      version: 1 + (i % 3),
      created: instant(d.createdMinute),
      lastModified: instant(d.createdMinute + d.modifiedMinutes)
    })
  })

/** The draft's members among `users` (indices past the end skipped), all as Editors. */
export const toMemberships = (
  draft: GroupDraft,
  users: ReadonlyArray<Model.StoredUser>
): ReadonlyArray<Model.Membership> =>
  draft.members.flatMap((
    n
  ) => (users[n] !== undefined ? [new Model.Membership({ userId: users[n].id, role: "Editor" })] : []))

// -----------------------------------------------------------------------------------------------
// group filters and sorts

const comparison = (path: Ast.AttrPath, values: ReadonlyArray<string>, ops: ReadonlyArray<Ast.CompareOp> = stringOps) =>
  fc.tuple(fc.constantFrom(...ops), fc.constantFrom(...values)).map(([op, value]): Ast.Filter => ({
    _tag: "Compare",
    path,
    op,
    value
  }))

const groupLeaf = (
  projects: ReadonlyArray<Model.StoredProject>,
  users: ReadonlyArray<Model.StoredUser>
): fc.Arbitrary<Ast.Filter> => {
  const userIds = users.length > 0 ? users.flatMap((u) => [u.id, u.id.toUpperCase()]) : ["nobody"]
  const displays = users.length > 0 ? users.map((u) => Option.getOrElse(u.displayName, () => u.userName)) : ["x"]
  const names = [...groupNames, ...projects.map((p) => p.displayName), "%", "_", "\\", "s"]
  const memberInner: fc.Arbitrary<Ast.Filter> = fc.oneof(
    comparison({ attribute: "value" }, userIds, ["eq", "ne", "sw", "gt"]),
    comparison({ attribute: "display" }, [...displays, "a", "Smith"], ["eq", "co", "sw", "lt"]),
    comparison({ attribute: "type" }, ["User", "user", "Group"], ["eq", "ne"]),
    fc.constant<Ast.Filter>({ _tag: "Present", path: { attribute: "$ref" } })
  )
  return fc.oneof(
    comparison({ attribute: "displayName" }, names),
    comparison({ attribute: "externalId" }, ["g-0", "G-1", "aad-group-2", "g", "-"]),
    comparison({ attribute: "id" }, projects.length > 0 ? projects.map((p) => p.id) : ["x"], ["eq", "ne", "gt"]),
    comparison({ attribute: "members", subAttribute: "value" }, userIds, ["eq", "ne", "co", "lt"]),
    comparison({ attribute: "members" }, userIds, ["eq", "sw"]),
    comparison({ attribute: "members", subAttribute: "display" }, [...displays, "e"], ["eq", "co", "ew", "ge"]),
    comparison(
      { attribute: "meta", subAttribute: "created" },
      [0, 2, 4, 7].map((m) => DateTime.formatIso(instant(m))),
      ["eq", "gt", "ge", "lt", "le", "ne"]
    ),
    comparison({ attribute: "meta", subAttribute: "version" }, ["W/\"1\"", "W/\"2\"", "w/\"3\""], ["eq", "ne"]),
    comparison({ attribute: "meta", subAttribute: "resourceType" }, ["Group", "group"], ["eq"]),
    comparison({ attribute: "schemas" }, [Schemas.GroupUrn, Schemas.UserUrn.toUpperCase()], ["eq"]),
    memberInner.map((filter): Ast.Filter => ({ _tag: "ValuePath", path: { attribute: "members" }, filter })),
    fc.tuple(memberInner, memberInner).map(([left, right]): Ast.Filter => ({
      _tag: "ValuePath",
      path: { attribute: "members" },
      filter: { _tag: "And", left, right }
    })),
    fc.constantFrom<Ast.Filter>(
      { _tag: "Present", path: { attribute: "members" } },
      { _tag: "Present", path: { attribute: "members", subAttribute: "display" } },
      { _tag: "Present", path: { attribute: "externalId" } },
      { _tag: "Compare", path: { attribute: "externalId" }, op: "eq", value: null },
      { _tag: "Compare", path: { attribute: "members" }, op: "ne", value: null }
    )
  )
}

/**
 * Filters over the Group view (displayName, externalId, id, members and their value, display and
 * type, `members[…]` value paths, meta, schemas) under `and`/`or`/`not`, nested up to `depth`.
 * Comparison values come from fixed pools with LIKE metacharacters and from the given projects
 * and users (ids in either case, display names), so member filters hit existing memberships.
 * Every one checks against the Group resource type (testkit's own tests say so).
 */
export const groupFilter = (
  depth: number,
  projects: ReadonlyArray<Model.StoredProject>,
  users: ReadonlyArray<Model.StoredUser>
): fc.Arbitrary<Ast.Filter> => combined(groupLeaf(projects, users), depth, { leaf: 3, and: 1, or: 1, not: 1 })

/** A sort on a Group attribute, the multi-valued members' sub-attributes included, either direction. */
export const groupSort: fc.Arbitrary<StoreQuery.Sort> = fc.record({
  path: fc.constantFrom<Ast.AttrPath>(
    { attribute: "displayName" },
    { attribute: "externalId" },
    { attribute: "id" },
    { attribute: "meta", subAttribute: "created" },
    { attribute: "meta", subAttribute: "lastModified" },
    { attribute: "members", subAttribute: "value" },
    { attribute: "members", subAttribute: "display" }
  ),
  descending: fc.boolean()
})

// -----------------------------------------------------------------------------------------------
// pages and query cases

/** Index paging (RFC 7644 §3.4.2.4) around a result of up to `size` items, `count` 0 included. */
export const indexPage = (size: number): fc.Arbitrary<StoreQuery.IndexPage> =>
  fc.record({ startIndex: fc.integer({ min: 1, max: size + 3 }), count: fc.integer({ min: 0, max: size + 3 }) })
    .map(({ count, startIndex }): StoreQuery.IndexPage => ({ _tag: "Index", startIndex, count }))

/** A generated list query over generated users. */
export interface UserQueryCase {
  readonly drafts: ReadonlyArray<UserDraft>
  readonly filter: Option.Option<Ast.Filter>
  readonly sort: Option.Option<StoreQuery.Sort>
  readonly page: StoreQuery.IndexPage
}

/**
 * Users (up to `maxUsers`, default 25) and an index-paged query over them whose filter draws
 * values from those users; `valid` keeps only filters the caller accepts (e.g. ones that compile).
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

/**
 * A cursor page (RFC 9865) still to be placed: it starts after the `from`-th item of the expected
 * order (modulo the number of items), or at the start when `from` is undefined.
 */
export interface CursorFrom {
  readonly _tag: "CursorFrom"
  readonly backward: boolean
  readonly count: number
  readonly from: number | undefined
}

/** A generated list query over generated groups with generated members. */
export interface GroupQueryCase {
  readonly userDrafts: ReadonlyArray<UserDraft>
  readonly groupDrafts: ReadonlyArray<GroupDraft>
  readonly filter: Option.Option<Ast.Filter>
  readonly sort: Option.Option<StoreQuery.Sort>
  readonly page: StoreQuery.IndexPage | CursorFrom
}

/**
 * Up to 10 users and up to `maxGroups` (default 8) groups with members among them, and a query
 * over the groups whose filter (nested up to 2) draws values from those users and groups, paged by
 * index or by cursor; `valid` keeps only filters the caller accepts (e.g. ones that check against
 * the Group resource type).
 */
export const groupQueryCase = (options?: {
  readonly maxGroups?: number
  readonly valid?: (filter: Ast.Filter) => boolean
}): fc.Arbitrary<GroupQueryCase> => {
  const maxGroups = options?.maxGroups ?? 8
  const valid = options?.valid ?? (() => true)
  return fc.tuple(userDrafts({ maxLength: 10 }), groupDrafts({ maxLength: maxGroups })).chain(([users, groups]) =>
    fc.record({
      userDrafts: fc.constant(users),
      groupDrafts: fc.constant(groups),
      filter: fc.option(groupFilter(2, toStoredProjects(groups, ""), toStoredUsers(users, "")).filter(valid), {
        nil: undefined,
        freq: 6
      }),
      sort: fc.option(groupSort, { nil: undefined, freq: 2 }),
      page: fc.oneof(
        indexPage(maxGroups),
        fc.record({
          backward: fc.boolean(),
          count: fc.nat(4),
          from: fc.option(fc.nat(maxGroups - 1), { nil: undefined })
        })
          .map((cursor): CursorFrom => ({ _tag: "CursorFrom", ...cursor }))
      )
    }).map((c): GroupQueryCase => ({
      userDrafts: c.userDrafts,
      groupDrafts: c.groupDrafts,
      filter: Option.fromNullishOr(c.filter),
      sort: Option.fromNullishOr(c.sort),
      page: c.page
    }))
  )
}
