import { assert, describe, it } from "@effect/vitest"
import * as DateTime from "effect/DateTime"
import * as Option from "effect/Option"
import * as Result from "effect/Result"
import { MemberView, ProjectId, StoredProject, StoredUser, UserId } from "../src/domain/Model.js"
import * as Filter from "../src/filter/Filter.js"
import type { StoreQuery } from "../src/ports/StoreQuery.js"
import * as InMemory from "../src/query/InMemory.js"
import { CustomUserAttributesUrn, UserResourceType, UserUrn } from "../src/schema/Schemas.js"
import * as Render from "../src/service/Render.js"

let n = 0

const user = (userName: string, fields: { readonly minute?: number; readonly role?: "ADMIN" } = {}): StoredUser =>
  new StoredUser({
    id: UserId.make(`u${++n}`),
    userName,
    externalId: Option.none(),
    displayName: Option.none(),
    active: true,
    platformRole: fields.role ?? "MEMBER",
    document: { userName },
    version: 1,
    created: DateTime.makeUnsafe((fields.minute ?? 0) * 60_000),
    lastModified: DateTime.makeUnsafe(0)
  })

const project = (displayName: string): StoredProject =>
  new StoredProject({
    id: ProjectId.make(`g${++n}`),
    displayName,
    externalId: Option.none(),
    document: { displayName },
    version: 1,
    created: DateTime.makeUnsafe(0),
    lastModified: DateTime.makeUnsafe(0)
  })

const parse = (text: string) => Result.getOrThrow(Filter.parseResult(text))
const checked = (text: string) => Result.getOrThrow(Filter.check(UserResourceType, parse(text)))

const all: StoreQuery = {
  filter: Option.none(),
  sort: Option.none(),
  page: { _tag: "Index", startIndex: 1, count: 100 }
}

describe("InMemory", () => {
  const items = [
    user("c@example.com", { minute: 2 }),
    user("a@example.com", { minute: 1 }),
    user("B@example.com", { minute: 1 })
  ]

  it("filters, sorts and pages any items through their filter view", () => {
    const page = InMemory.query(UserResourceType, items, Render.userView, {
      filter: Option.some(checked("userName ew \"@EXAMPLE.com\"")),
      sort: Option.some({ path: { attribute: "userName" }, descending: true }),
      page: { _tag: "Index", startIndex: 2, count: 1 }
    })
    assert.deepStrictEqual({ names: page.items.map((u) => u.userName), total: page.total, hasMore: page.hasMore }, {
      names: ["B@example.com"],
      total: 3,
      hasMore: true
    })
  })

  it("defaults to created, then id, and accepts a cursor on created as ISO text or epoch milliseconds", () => {
    const order = InMemory.query(UserResourceType, items, Render.userView, all)
    const expected = [items[1]!, items[2]!].sort((a, b) => (a.id < b.id ? -1 : 1)).concat([items[0]!])
    assert.deepStrictEqual(order.items.map((u) => u.id), expected.map((u) => u.id))
    const first = expected[0]!
    for (const sortValue of [DateTime.formatIso(first.created), DateTime.toEpochMillis(first.created)]) {
      const next = InMemory.query(UserResourceType, items, Render.userView, {
        ...all,
        page: { _tag: "Cursor", after: Option.some({ sortValue, id: first.id }), backward: false, count: 5 }
      })
      assert.deepStrictEqual(next.items.map((u) => u.id), expected.slice(1).map((u) => u.id))
    }
  })

  it("a kept order answers later queries, filtered or not, as a fresh evaluation does", () => {
    const cache = new InMemory.OrderCache<StoredUser>()
    const byUserName: StoreQuery = { ...all, sort: Option.some({ path: { attribute: "userName" }, descending: false }) }
    const kept = InMemory.queryCollection(cache, items, UserResourceType, () => items, Render.userView, byUserName)
    assert.isDefined(cache.get(items, byUserName.sort))
    assert.deepStrictEqual(kept, InMemory.query(UserResourceType, items, Render.userView, byUserName))
    const filtered: StoreQuery = { ...byUserName, filter: Option.some(checked("userName ne \"a@example.com\"")) }
    assert.deepStrictEqual(
      InMemory.queryCollection(cache, items, UserResourceType, () => items, Render.userView, filtered),
      InMemory.query(UserResourceType, items, Render.userView, filtered)
    )
  })

  it("finds index candidates for equalities, alone, in an and, or in an or of two", () => {
    const lookup = (attribute: string, value: string) => attribute === "username" ? [value] : undefined
    assert.deepStrictEqual(InMemory.candidates(parse("userName eq \"x\""), lookup, UserUrn), ["x"])
    assert.deepStrictEqual(
      InMemory.candidates(parse(`${UserUrn}:userName eq "x" and active eq true`), lookup, UserUrn),
      ["x"]
    )
    assert.deepStrictEqual(InMemory.candidates(parse("userName eq \"x\" or userName eq \"y\""), lookup, UserUrn), [
      "x",
      "y"
    ])
    assert.isUndefined(InMemory.candidates(parse("userName eq \"x\" or active eq true"), lookup, UserUrn))
    assert.isUndefined(InMemory.candidates(parse("userName co \"x\""), lookup, UserUrn))
  })

  it("tells whether a filter reads an attribute anywhere", () => {
    assert.isTrue(InMemory.mentions(parse("displayName eq \"x\" or not (members[value eq \"u1\"])"), "members"))
    assert.isFalse(InMemory.mentions(parse("displayName eq \"x\""), "members"))
  })

  it("a filter that does not compile never becomes a checked filter, so no store sees it", () => {
    for (const text of ["nosuch eq \"x\"", "active gt true"]) {
      const result = Filter.check(UserResourceType, parse(text))
      assert.isTrue(Result.isFailure(result) && result.failure._tag === "InvalidFilter", text)
    }
  })

  it("the user view carries platformRole and active from the columns, the group view its members", () => {
    const admin = new StoredUser({
      ...user("v@example.com", { role: "ADMIN" }),
      document: { userName: "v@example.com", password: "x" },
      active: false
    })
    const doc = Render.userView(admin)
    assert.deepStrictEqual(doc[CustomUserAttributesUrn], { platformRole: "ADMIN" })
    assert.strictEqual(doc["active"], false)
    assert.strictEqual(doc["password"], undefined)
    assert.deepStrictEqual(doc["meta"], {
      resourceType: "User",
      created: "1970-01-01T00:00:00.000Z",
      lastModified: "1970-01-01T00:00:00.000Z",
      version: "W/\"1\""
    })
    const g = project("Team")
    const view = Render.projectView(g, [
      new MemberView({ userId: admin.id, role: "Editor", userName: "v@example.com", displayName: Option.none() })
    ])
    assert.deepStrictEqual(view["members"], [{ value: admin.id, display: "v@example.com", type: "User" }])
    assert.strictEqual(Render.projectView(g)["members"], undefined)
  })
})
