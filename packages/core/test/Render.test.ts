import { assert, describe, it } from "@effect/vitest"
import * as DateTime from "effect/DateTime"
import { StoreMemory } from "@scimkit/store-memory"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import * as Result from "effect/Result"
import * as DomainModel from "../src/domain/DomainModel.js"
import type { JsonObject } from "../src/domain/Model.js"
import {
  MemberView,
  PlatformId,
  ProjectId,
  ProjectRef,
  StoredProject,
  StoredUser,
  UserId
} from "../src/domain/Model.js"
import { ProjectStore } from "../src/ports/ProjectStore.js"
import * as Projection from "../src/query/Projection.js"
import {
  CustomUserAttributesUrn,
  EnterpriseUserUrn,
  GroupResourceType,
  GroupUrn,
  UserResourceType,
  UserUrn
} from "../src/schema/Schemas.js"
import * as Render from "../src/service/Render.js"

const baseUrl = "https://scim.example/api/v1/scim/v2"
const created = DateTime.makeUnsafe("2026-01-02T03:04:05.000Z")
const modified = DateTime.makeUnsafe("2026-02-03T04:05:06.000Z")
const scope = { platform: PlatformId.make("p1"), baseUrl }

const user = (document: StoredUser["document"], fields: Partial<Pick<StoredUser, "platformRole" | "active">> = {}) =>
  new StoredUser({
    id: UserId.make("u1"),
    userName: "ada@example.com",
    externalId: Option.some("ext-1"),
    displayName: Option.none(),
    active: fields.active ?? true,
    platformRole: fields.platformRole ?? "MEMBER",
    document,
    version: 3,
    created,
    lastModified: modified
  })

const project = new StoredProject({
  id: ProjectId.make("g1"),
  displayName: "Marketing",
  externalId: Option.none(),
  document: { displayName: "Marketing" },
  version: 2,
  created,
  lastModified: modified
})

const members = [
  new MemberView({
    userId: UserId.make("u1"),
    role: "Editor",
    userName: "ada@example.com",
    displayName: Option.some("Ada")
  }),
  new MemberView({ userId: UserId.make("u2"), role: "Viewer", userName: "bob@example.com", displayName: Option.none() })
]

/** The memory ProjectStore with the two relation reads replaced by counting fakes. */
const spyStore = (calls: Ref.Ref<ReadonlyArray<string>>) =>
  Layer.effect(
    ProjectStore,
    Effect.map(ProjectStore, (store) => ({
      ...store,
      listMembers: () => Effect.as(Ref.update(calls, (c) => [...c, "listMembers"]), members),
      listUserProjects: () =>
        Effect.as(Ref.update(calls, (c) => [...c, "listUserProjects"]), [
          new ProjectRef({ id: ProjectId.make("g1"), displayName: "Marketing" })
        ])
    }))
  ).pipe(Layer.provide(StoreMemory.layer))

const projection = (request: { attributes?: string; excludedAttributes?: string }) =>
  Result.getOrThrow(Projection.parse(UserResourceType, request))
const groupProjection = (request: { attributes?: string; excludedAttributes?: string }) =>
  Result.getOrThrow(Projection.parse(GroupResourceType, request))

describe("Render", () => {
  it("renders a user: schemas, id, externalId, attributes, platformRole, meta with ISO dates, location and weak ETag", () => {
    const doc = Render.userResource(user({ userName: "ada@example.com", active: true }), baseUrl, Option.none())
    assert.deepStrictEqual(doc, {
      schemas: [UserUrn, CustomUserAttributesUrn],
      id: "u1",
      externalId: "ext-1",
      userName: "ada@example.com",
      active: true,
      [CustomUserAttributesUrn]: { platformRole: "MEMBER" },
      meta: {
        resourceType: "User",
        created: "2026-01-02T03:04:05.000Z",
        lastModified: "2026-02-03T04:05:06.000Z",
        location: `${baseUrl}/Users/u1`,
        version: "W/\"3\""
      }
    })
  })

  it("always renders platformRole from the stored column and lists every extension present", () => {
    const doc = Render.userResource(
      user({ userName: "ada@example.com", [EnterpriseUserUrn]: { department: "R&D" } }, { platformRole: "ADMIN" }),
      baseUrl,
      Option.none()
    )
    assert.deepStrictEqual(doc.schemas, [UserUrn, EnterpriseUserUrn, CustomUserAttributesUrn])
    assert.deepStrictEqual(doc[CustomUserAttributesUrn], { platformRole: "ADMIN" })
    assert.strictEqual(doc.active, true)
  })

  it("never renders server-owned keys from the document (id, meta, password, schemas)", () => {
    const doc = Render.userResource(
      user({ userName: "ada@example.com", id: "forged", meta: { version: "x" }, password: "secret", schemas: ["x"] }),
      baseUrl,
      Option.none()
    )
    assert.strictEqual(doc.id, "u1")
    assert.isUndefined(doc.password)
    assert.deepStrictEqual(doc.schemas, [UserUrn, CustomUserAttributesUrn])
  })

  it("the view filters run on is the rendered document less schemas, groups and meta.location, built once per stored value", () => {
    const stored = user(
      { userName: "ada@example.com", password: "secret", [EnterpriseUserUrn]: { department: "R&D" } },
      { platformRole: "ADMIN" }
    )
    const { groups: _groups, meta, schemas: _schemas, ...rendered } = Render.userResource(
      stored,
      baseUrl,
      Option.some([new ProjectRef({ id: ProjectId.make("g1"), displayName: "Marketing" })])
    )
    const { location: _location, ...viewMeta } = meta as JsonObject
    assert.deepStrictEqual(Render.userView(stored), { ...rendered, meta: viewMeta })
    assert.strictEqual(Render.userView(stored), Render.userView(stored))
    const { meta: groupMeta, schemas: _groupSchemas, ...group } = Render.projectResource(
      project,
      baseUrl,
      Option.some(members)
    )
    const { location: _groupLocation, ...groupViewMeta } = groupMeta as JsonObject
    const renderedMembers = (group.members as ReadonlyArray<JsonObject>).map(({ $ref: _ref, ...m }) => m)
    assert.deepStrictEqual(Render.projectView(project, members), {
      ...group,
      members: renderedMembers,
      meta: groupViewMeta
    })
    assert.isUndefined(Render.projectView(project)["members"])
  })

  it("renders groups as direct references to the projects", () => {
    const doc = Render.userResource(
      user({ userName: "ada@example.com" }),
      baseUrl,
      Option.some([new ProjectRef({ id: ProjectId.make("g1"), displayName: "Marketing" })])
    )
    assert.deepStrictEqual(doc.groups, [{
      value: "g1",
      $ref: `${baseUrl}/Groups/g1`,
      display: "Marketing",
      type: "direct"
    }])
  })

  it("renders a group with members: display is the display name, else the userName; $ref is absolute", () => {
    const doc = Render.projectResource(project, baseUrl, Option.some(members))
    assert.deepStrictEqual(doc, {
      schemas: [GroupUrn],
      id: "g1",
      displayName: "Marketing",
      members: [
        { value: "u1", $ref: `${baseUrl}/Users/u1`, display: "Ada", type: "User" },
        { value: "u2", $ref: `${baseUrl}/Users/u2`, display: "bob@example.com", type: "User" }
      ],
      meta: {
        resourceType: "Group",
        created: "2026-01-02T03:04:05.000Z",
        lastModified: "2026-02-03T04:05:06.000Z",
        location: `${baseUrl}/Groups/g1`,
        version: "W/\"2\""
      }
    })
  })

  it.effect("reads a user's groups only when the projection includes them", () =>
    Effect.gen(function*() {
      const calls = yield* Ref.make<ReadonlyArray<string>>([])
      const run = (request: { attributes?: string; excludedAttributes?: string }) =>
        Render.user(scope, user({ userName: "ada@example.com" }), projection(request)).pipe(
          Effect.provide(spyStore(calls))
        )
      const full = yield* run({})
      assert.strictEqual((full.resource.groups as ReadonlyArray<unknown>).length, 1)
      assert.deepStrictEqual(yield* Ref.getAndSet(calls, []), ["listUserProjects"])
      const without = yield* run({ excludedAttributes: "groups" })
      assert.isUndefined(without.resource.groups)
      const only = yield* run({ attributes: "userName" })
      assert.deepStrictEqual(Object.keys(only.resource).sort(), ["id", "schemas", "userName"])
      assert.deepStrictEqual(yield* Ref.get(calls), [])
      assert.strictEqual(only.version, 3)
      assert.strictEqual(only.location, `${baseUrl}/Users/u1`)
    }))

  it.effect("excludedAttributes=members never reads members; attributes=displayName neither", () =>
    Effect.gen(function*() {
      const calls = yield* Ref.make<ReadonlyArray<string>>([])
      const run = (request: { attributes?: string; excludedAttributes?: string }, withMembers?: boolean) =>
        Render.project(scope, project, groupProjection(request), withMembers).pipe(Effect.provide(spyStore(calls)))
      const excluded = yield* run({ excludedAttributes: "members" })
      assert.isUndefined(excluded.resource.members)
      assert.strictEqual(excluded.resource.displayName, "Marketing")
      yield* run({ attributes: "displayName" })
      yield* run({}, false)
      assert.deepStrictEqual(yield* Ref.get(calls), [])
      const full = yield* run({})
      assert.strictEqual((full.resource.members as ReadonlyArray<unknown>).length, 2)
      assert.deepStrictEqual(yield* Ref.get(calls), ["listMembers"])
    }))
})

describe("Render with a host's domain model", () => {
  const urn = "urn:acme:scim:1.0:User"
  const rt = DomainModel.make({
    userExtension: {
      urn,
      role: { attribute: "tier", values: ["FREE", "PRO"], default: "FREE" },
      attributes: [{ name: "seats", type: "integer" }]
    }
  }).userResourceType

  it("renders the role column under the model's extension and lists it in schemas", () => {
    const stored = user({ userName: "ada@example.com", [urn]: { seats: 3 } }, { platformRole: "PRO" })
    const resource = Render.userResource(stored, baseUrl, Option.none(), rt)
    assert.deepStrictEqual(resource.schemas, [UserUrn, urn])
    assert.deepStrictEqual(resource[urn], { seats: 3, tier: "PRO" })
    assert.isUndefined(resource[CustomUserAttributesUrn])
    // a document without the extension still shows the stored role
    const bare = Render.userResource(
      user({ userName: "ada@example.com" }, { platformRole: "FREE" }),
      baseUrl,
      Option.none(),
      rt
    )
    assert.deepStrictEqual(bare[urn], { tier: "FREE" })
  })

  it("the view carries the role under the model's extension, built once per stored value and resource type", () => {
    const stored = user({ userName: "ada@example.com" }, { platformRole: "PRO" })
    const view = Render.userView(stored, rt)
    assert.deepStrictEqual(view[urn], { tier: "PRO" })
    assert.isUndefined(view[CustomUserAttributesUrn])
    assert.strictEqual(Render.userView(stored, rt), view)
    // today's view of the same stored value is another one
    assert.deepStrictEqual(Render.userView(stored)[CustomUserAttributesUrn], { platformRole: "PRO" })
  })

  it("projects with the model's resource type", () => {
    const stored = user({ userName: "ada@example.com", [urn]: { seats: 3 } }, { platformRole: "PRO" })
    const projection = Result.getOrThrow(Projection.parse(rt, { attributes: `${urn}:seats` }))
    const result = Render.userResult(scope, stored, Option.none(), projection, rt)
    assert.deepStrictEqual(result.resource[urn], { seats: 3 })
  })
})
