/**
 * The SQL compiler of filters and sorts against core's evaluator and comparator (testkit's
 * Reference), on every dialect and database: generated group queries over generated memberships
 * (host-managed ones beside them, which SCIM's filters never see),
 * and the edges of the user view (LIKE metacharacters, absent attributes under `not`, attributes
 * the view takes from columns).
 */
import { assert, describe, layer } from "@effect/vitest"
import { Filter, Model, ProjectStore, Schemas, Sort, UserStore, type Ast, type StoreQuery } from "@scimkit/core"
import * as Effect from "effect/Effect"
import * as Result from "effect/Result"
import * as Option from "effect/Option"
import { Arbitraries, Property, Reference } from "@scimkit/testkit"
import { databases, storesOver, unique } from "./helpers.js"

const parse = (text: string): Ast.Filter => Result.getOrThrowWith(Filter.parseResult(text), (e) => new Error(e.message))
const checksFor = (rt: Schemas.ResourceTypeDef) => (f: Ast.Filter): boolean => Result.isSuccess(Filter.check(rt, f))
/** The filter as a service hands it to a store: checked against the resource type. */
const checked = (rt: Schemas.ResourceTypeDef, f: Ast.Filter): Filter.Checked =>
  Result.getOrThrowWith(Filter.check(rt, f), (e) => new Error(e.message))

const at = Arbitraries.instant

const makeUser = (
  userName: string,
  extra: Model.JsonObject,
  m: number,
  fields: Partial<{ active: boolean; displayName: string }> = {}
) =>
  new Model.StoredUser({
    id: Model.UserId.make(unique("u")),
    userName,
    externalId: Option.none(),
    displayName: Option.fromNullishOr(fields.displayName),
    active: fields.active ?? true,
    platformRole: "MEMBER",
    document: { userName, ...extra },
    version: 1,
    created: at(m),
    lastModified: at(m)
  })

const allPage: StoreQuery.IndexPage = { _tag: "Index", startIndex: 1, count: 100 }

/** Every user the filter selects, in the default order. */
const usersWhere = (filter: Option.Option<Ast.Filter>): StoreQuery.StoreQuery => ({
  filter: Option.map(filter, (f) => checked(Reference.UserResourceType, f)),
  sort: Option.none(),
  page: allPage
})

for (const db of databases) {
  layer(storesOver(db), { timeout: "5 minutes" })(`filters and sorts in SQL (${db.name})`, (it) => {
    it.effect("group queries with members filters equal core's evaluator, order and paging", () =>
      Property.check(
        Arbitraries.groupQueryCase({ valid: checksFor(Schemas.GroupResourceType) }),
        (c) =>
          Effect.gen(function*() {
            const userStore = yield* UserStore.UserStore
            const projectStore = yield* ProjectStore.ProjectStore
            const p = Model.PlatformId.make(unique("p"))
            // ids are unique per platform, so the generated filters can name them as generated
            const users = Arbitraries.toStoredUsers(c.userDrafts, "")
            const projects = Arbitraries.toStoredProjects(c.groupDrafts, "")
            yield* Effect.forEach(users, (u) => userStore.insert(p, u), { discard: true })
            yield* Effect.forEach(projects, (project) => projectStore.insert(p, project), { discard: true })
            yield* Effect.forEach(
              c.groupDrafts,
              (d, i) => projectStore.addMembers(p, projects[i]!.id, Arbitraries.toMemberships(d, users), "scim"),
              { discard: true }
            )
            // the host manages other memberships of the same groups (another group's draft), which
            // SCIM's filters never see: the expected documents hold SCIM's members only
            yield* Effect.forEach(
              c.groupDrafts,
              (d, i) =>
                projectStore.addMembers(
                  p,
                  projects[projects.length - 1 - i]!.id,
                  Arbitraries.toMemberships(d, users),
                  "host"
                ),
              { discard: true }
            )
            const docs = yield* Effect.forEach(projects, (project) =>
              Effect.map(
                projectStore.listMembers(p, project.id),
                (members) => Reference.projectDocument(project, members)
              ))
            const { filter, sort } = c
            const sorted = [...docs].sort(Sort.comparator(Reference.GroupResourceType, sort))
            const page: StoreQuery.IndexPage | StoreQuery.CursorPage = c.page._tag === "Index" ? c.page : {
              _tag: "Cursor",
              backward: c.page.backward,
              count: c.page.count,
              after: Option.map(
                Option.fromNullishOr(
                  c.page.from === undefined ? undefined : sorted[c.page.from % Math.max(1, sorted.length)]
                ),
                (doc) => Sort.position(Reference.GroupResourceType, sort, doc)
              )
            }
            const actual = yield* projectStore.query(p, {
              filter: Option.map(filter, (f) => checked(Reference.GroupResourceType, f)),
              sort,
              page
            })
            const expected = Reference.expectedPage(Reference.GroupResourceType, docs, filter, sort, page)
            const label = `${Option.match(filter, { onNone: () => "no filter", onSome: Filter.print })} / ${
              JSON.stringify(sort)
            } / ${JSON.stringify(page)}`
            assert.deepStrictEqual(actual.items.map((i) => i.id), expected.ids, label)
            assert.strictEqual(actual.total, expected.total, label)
            assert.strictEqual(actual.hasMore, expected.hasMore, label)
            for (const item of actual.items) assert.deepStrictEqual(item, projects.find((x) => x.id === item.id), label)
          }),
        { numRuns: db.name === "pglite" ? 60 : 150 }
      ))

    it.effect("co, sw and ew treat %, _ and \\ as characters (escaped LIKE), on columns and in the document", () =>
      Effect.gen(function*() {
        const users = yield* UserStore.UserStore
        const p = Model.PlatformId.make(unique("p"))
        const names = ["a%b@x.com", "a_b@x.com", "a\\b@x.com", "axb@x.com", "AB%@x.com"]
        const stored = yield* Effect.forEach(
          names,
          (n, i) => users.insert(p, makeUser(n, { title: n.replace("@x.com", "") }, i))
        )
        const docs = stored.map(Reference.userDocument)
        for (
          const text of [
            "userName co \"%\"",
            "userName sw \"a_\"",
            "userName co \"\\\\\"",
            "userName ew \"%@x.com\"",
            "title co \"_\"",
            "title ew \"\\\\b\"",
            "title sw \"ab%\"",
            "not (title co \"%\")"
          ]
        ) {
          const filter = Option.some(parse(text))
          const actual = yield* users.query(p, usersWhere(filter))
          const expected = Reference.expectedPage(Reference.UserResourceType, docs, filter, Option.none(), allPage)
          assert.deepStrictEqual(actual.items.map((u) => u.id), expected.ids, text)
          assert.isAbove(expected.ids.length, 0, `${text} matches some user`)
        }
      }))

    it.effect("the view: active and platformRole from their columns, derived schemas, absent attributes under not", () =>
      Effect.gen(function*() {
        const users = yield* UserStore.UserStore
        const p = Model.PlatformId.make(unique("p"))
        const stored = yield* Effect.forEach([
          makeUser("plain@x.com", {}, 0, { active: false }),
          makeUser(
            "full@x.com",
            {
              active: true,
              displayName: "Full",
              title: "Boss",
              emails: [{ value: "f@work.test", type: "work", primary: true }, { value: "f@home.test", type: "home" }],
              name: { givenName: "Fúll", familyName: "Name" },
              [Schemas.EnterpriseUserUrn]: { department: "R&D", manager: { value: "boss-1" } }
            },
            1,
            { displayName: "Full" }
          ),
          makeUser("Empty@X.com", { title: "", emails: [] }, 2)
        ], (u) => users.insert(p, u))
        const docs = stored.map(Reference.userDocument)
        for (
          const text of [
            "active eq false",
            "active eq true",
            "urn:ietf:params:scim:schemas:activepieces:1.0:CustomUserAttributes:platformRole eq \"member\"",
            `schemas eq "${Schemas.CustomUserAttributesUrn}"`,
            `schemas eq "${Schemas.EnterpriseUserUrn}"`,
            "not (title pr)",
            "title eq null",
            "title ne null",
            "not (title eq \"Boss\")",
            "not (emails pr)",
            "emails[type eq \"work\" and value co \"@work\"]",
            "not (emails[type eq \"home\"])",
            "emails.value ew \".test\"",
            "emails co \"home\"",
            "name.givenName sw \"fú\"",
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq \"BOSS-1\"",
            "department eq \"r&d\"",
            "groups pr",
            "meta.version eq \"W/\\\"1\\\"\"",
            "meta.lastModified ge \"2024-01-01T00:01:00+00:00\"",
            "meta.created lt \"2024-01-01T01:01:00+01:00\"",
            "meta[resourceType eq \"User\" and created gt \"2024-01-01T00:00:30Z\"]",
            "not (meta.resourceType eq \"Group\")",
            "id eq \"nothing\" or userName eq \"EMPTY@x.COM\"",
            "externalId eq \"none\" or not (externalId pr)",
            "userName gt \"empty@x.com\"",
            "displayName le \"full\""
          ]
        ) {
          const filter = Option.some(parse(text))
          const actual = yield* users.query(p, usersWhere(filter))
          const expected = Reference.expectedPage(Reference.UserResourceType, docs, filter, Option.none(), allPage)
          assert.deepStrictEqual(actual.items.map((u) => u.id), expected.ids, text)
          assert.strictEqual(actual.total, expected.total, text)
        }
      }))

    it.effect("sorts by document attributes follow core's comparator, both directions", () =>
      Effect.gen(function*() {
        const users = yield* UserStore.UserStore
        const p = Model.PlatformId.make(unique("p"))
        const stored = yield* Effect.forEach([
          makeUser("b@x.com", { title: "beta", emails: [{ value: "Z@x" }, { value: "a@x", primary: true }] }, 3),
          makeUser("a@x.com", { title: "Alpha", emails: [{ value: "m@x" }] }, 1),
          makeUser("c@x.com", { active: false }, 2),
          makeUser("d@x.com", { title: "alpha" }, 2, { displayName: "Zed" })
        ], (u) => users.insert(p, u))
        const docs = stored.map(Reference.userDocument)
        for (
          const path of [
            "title",
            "emails",
            "emails.value",
            "active",
            "displayName",
            "userName",
            "meta.created",
            "meta.lastModified",
            "id"
          ]
        ) {
          for (const descending of [false, true]) {
            const sort = Result.getOrThrow(
              Sort.parse(Reference.UserResourceType, path, descending ? "descending" : "ascending")
            )
            const actual = yield* users.query(p, { filter: Option.none(), sort, page: allPage })
            const expected = Reference.expectedPage(Reference.UserResourceType, docs, Option.none(), sort, allPage)
            assert.deepStrictEqual(
              actual.items.map((u) => u.id),
              expected.ids,
              `${path} ${descending ? "descending" : "ascending"}`
            )
          }
        }
      }))
  })
}

describe("filter compilation", () => {
  // the generated filters must mean something: the property above would pass vacuously otherwise
  layer(storesOver(databases[0]!), { timeout: "2 minutes" })("groups", (it) => {
    it.effect("members filters select groups by their member rows", () =>
      Effect.gen(function*() {
        const userStore = yield* UserStore.UserStore
        const projectStore = yield* ProjectStore.ProjectStore
        const p = Model.PlatformId.make(unique("p"))
        const [a, b] = yield* Effect.forEach(["a@x.com", "b@x.com"], (n, i) => userStore.insert(p, makeUser(n, {}, i)))
        const one = new Model.StoredProject({
          id: Model.ProjectId.make(unique("g")),
          displayName: "One",
          externalId: Option.none(),
          document: { displayName: "One" },
          version: 1,
          created: at(0),
          lastModified: at(0)
        })
        const two = new Model.StoredProject({
          ...one,
          id: Model.ProjectId.make(unique("g")),
          displayName: "Two",
          document: { displayName: "Two" }
        })
        yield* projectStore.insert(p, one)
        yield* projectStore.insert(p, two)
        yield* projectStore.addMembers(p, one.id, [
          new Model.Membership({ userId: a!.id, role: "Editor" }),
          new Model.Membership({ userId: b!.id, role: "Admin" })
        ], "scim")
        const byMember = (text: string) =>
          Effect.map(
            projectStore.query(p, {
              filter: Option.some(checked(Reference.GroupResourceType, parse(text))),
              sort: Option.none(),
              page: allPage
            }),
            (page) => page.items.map((g) => g.displayName)
          )
        assert.deepStrictEqual(yield* byMember(`members[value eq "${b!.id.toUpperCase()}"]`), ["One"])
        assert.deepStrictEqual(yield* byMember(`members.display eq "A@X.COM"`), ["One"])
        assert.deepStrictEqual(yield* byMember("not (members pr)"), ["Two"])
        assert.deepStrictEqual(yield* byMember(`members eq "${a!.id}" and displayName sw "o"`), ["One"])
      }))
  })
})
