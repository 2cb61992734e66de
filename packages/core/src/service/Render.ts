/**
 * Stored users and projects as SCIM resources (RFC 7643 §4.1, §4.2, §3.1 `meta`): the document
 * with `schemas`, `id`, `externalId`, the read-only `groups` of a user or the `members` of a group,
 * and `meta`; then the projection (RFC 7644 §3.9). Relations are read from the store only when the
 * projection returns them, so `excludedAttributes=members` never reads a member.
 *
 * Two renderings, two names: a *resource* (`userResource`, `projectResource`) is the full SCIM
 * resource a client receives; a *view* (`userView`, `projectView`) is what filters and sorts apply
 * to (the resource less what they never read), the one the stores' in-memory evaluation and the
 * contract suite's reference run on.
 *
 * A user is rendered for a User resource type (`rt`, the domain model's: `DomainModel.userResourceType`;
 * default today's `Schemas.UserResourceType`): its extensions give `schemas`, and its
 * `roleAttribute` is where the stored role column shows.
 */
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type { Json, JsonObject, MemberView, ProjectRef, StoredProject, StoredUser } from "../domain/Model.js"
import type { StoreError } from "../errors/ScimError.js"
import { ProjectStore } from "../ports/ProjectStore.js"
import * as Projection from "../query/Projection.js"
import { isObject } from "../schema/Document.js"
import { schemasOf } from "../schema/Resource.js"
import { GroupResourceType, type ResourceTypeDef, UserResourceType } from "../schema/Schemas.js"
import { etag } from "../schema/Version.js"
import type { RequestScope, ScimResult } from "./ResourceApi.js"

/** The absolute location of a user. */
export const userLocation = (baseUrl: string, id: string): string => `${baseUrl}/Users/${id}`
/** The absolute location of a group (project). */
export const groupLocation = (baseUrl: string, id: string): string => `${baseUrl}/Groups/${id}`

/**
 * The top-level attributes a stored document's own values never show through: the server renders
 * them itself (`schemas`, `id`, `externalId`, `meta`, `groups`, `members`) or never returns them
 * (`password`). Values a stored document holds under these names are ignored when it is rendered,
 * and a store that filters on the view reads them from their columns or as absent, never from the
 * document.
 */
export const serverRendered: ReadonlySet<string> = new Set([
  "schemas",
  "id",
  "externalId",
  "meta",
  "groups",
  "members",
  "password"
])

/** The client's attributes of a stored document: what the server renders itself is left out. */
const clientAttributes = (document: JsonObject): Record<string, Json> => {
  const out: Record<string, Json> = {}
  for (const key in document) {
    if (!serverRendered.has(key)) out[key] = document[key]!
  }
  return out
}

/**
 * A user's attributes with the role attribute from the stored column (absent in the document
 * means the model's default) and `active` from the column when the document has none.
 */
const userAttributes = (user: StoredUser, rt: ResourceTypeDef): Record<string, Json> => {
  const attributes = clientAttributes(user.document)
  const role = rt.roleAttribute
  if (role !== undefined) {
    const extension = attributes[role.schema]
    attributes[role.schema] = { ...(isObject(extension) ? extension : {}), [role.name]: user.platformRole }
  }
  if (attributes.active === undefined) attributes.active = user.active
  return attributes
}

const meta = (
  resourceType: "User" | "Group",
  location: string | undefined,
  resource: { readonly created: DateTime.Utc; readonly lastModified: DateTime.Utc; readonly version: number }
): JsonObject => {
  const out: Record<string, Json> = {
    resourceType,
    created: DateTime.formatIso(resource.created),
    lastModified: DateTime.formatIso(resource.lastModified)
  }
  if (location !== undefined) out.location = location
  out.version = etag(resource.version)
  return out
}

/** The `display` of a member: the user's displayName, else the userName. */
const memberDisplay = (view: MemberView): string => Option.getOrElse(view.displayName, () => view.userName)

// Views depend only on the (immutable) stored value, so each is built once per stored version (and
// resource type: a host's model renders the role under its own extension).
const userViews = new WeakMap<StoredUser, JsonObject>()
const modelUserViews = new WeakMap<ResourceTypeDef, WeakMap<StoredUser, JsonObject>>()

const userViewCache = (rt: ResourceTypeDef): WeakMap<StoredUser, JsonObject> => {
  if (rt === UserResourceType) return userViews
  let views = modelUserViews.get(rt)
  if (views === undefined) {
    views = new WeakMap()
    modelUserViews.set(rt, views)
  }
  return views
}

const projectViews = new WeakMap<StoredProject, JsonObject>()

/**
 * The SCIM view of a stored user that filters and sorts apply to (RFC 7644 §3.4.2.2), as
 * {@link userResource} renders it less `schemas` (filters derive it), `groups` and `meta.location`:
 * the client's attributes, the role attribute of `rt` from the column (absent means the default),
 * `active` from the column when the document has none, `id`, `externalId` and `meta`
 * (`resourceType`, `created`/`lastModified` in ISO 8601, `version` `W/"n"`). Built once per stored
 * value; stores that evaluate filters in memory (with `StoreQuery.resourceType`) and the store
 * contract suite's reference run on it.
 */
export const userView = (user: StoredUser, rt: ResourceTypeDef = UserResourceType): JsonObject => {
  const views = userViewCache(rt)
  let view = views.get(user)
  if (view === undefined) {
    const out = userAttributes(user, rt)
    out.id = user.id
    if (Option.isSome(user.externalId)) out.externalId = user.externalId.value
    out.meta = meta("User", undefined, user)
    view = out
    views.set(user, view)
  }
  return view
}

/**
 * The SCIM view of a stored project that filters and sorts apply to, as {@link projectResource}
 * renders it less `schemas` and `meta.location`: the client's attributes, `id`, `externalId`, `meta`
 * and, when given, `members` as `[{ value: userId, display, type: "User" }]` (`display` is the user's
 * displayName, else the userName).
 */
export const projectView = (project: StoredProject, members?: ReadonlyArray<MemberView>): JsonObject => {
  let view = projectViews.get(project)
  if (view === undefined) {
    const out = clientAttributes(project.document)
    out.id = project.id
    if (Option.isSome(project.externalId)) out.externalId = project.externalId.value
    out.meta = meta("Group", undefined, project)
    view = out
    projectViews.set(project, view)
  }
  return members === undefined
    ? view
    : { ...view, members: members.map((m) => ({ value: m.userId, display: memberDisplay(m), type: "User" })) }
}

/**
 * The full SCIM User (before projection). The role attribute is always rendered from the stored
 * column (absent in the document means the default), so the model's extension is always listed in
 * `schemas`. `groups` is rendered when given.
 */
export const userResource = (
  user: StoredUser,
  baseUrl: string,
  groups: Option.Option<ReadonlyArray<ProjectRef>>,
  rt: ResourceTypeDef = UserResourceType
): JsonObject => {
  const attributes = userAttributes(user, rt)
  const out: Record<string, Json> = { schemas: schemasOf(rt, attributes), id: user.id }
  if (Option.isSome(user.externalId)) out.externalId = user.externalId.value
  Object.assign(out, attributes)
  if (Option.isSome(groups)) {
    out.groups = groups.value.map((project) => ({
      value: project.id,
      $ref: groupLocation(baseUrl, project.id),
      display: project.displayName,
      type: "direct"
    }))
  }
  out.meta = meta("User", userLocation(baseUrl, user.id), user)
  return out
}

/** One `members` element of a group. */
export const member = (baseUrl: string, view: MemberView): JsonObject => ({
  value: view.userId,
  $ref: userLocation(baseUrl, view.userId),
  display: memberDisplay(view),
  type: "User"
})

/** The full SCIM Group of a project (before projection); `members` is rendered when given. */
export const projectResource = (
  project: StoredProject,
  baseUrl: string,
  members: Option.Option<ReadonlyArray<MemberView>>
): JsonObject => {
  const attributes = clientAttributes(project.document)
  const out: Record<string, Json> = { schemas: schemasOf(GroupResourceType, attributes), id: project.id }
  if (Option.isSome(project.externalId)) out.externalId = project.externalId.value
  Object.assign(out, attributes)
  if (Option.isSome(members)) out.members = members.value.map((view) => member(baseUrl, view))
  out.meta = meta("Group", groupLocation(baseUrl, project.id), project)
  return out
}

/** Whether the projection returns the user's `groups` (so they must be read). */
export const userNeedsGroups = (
  projection: Projection.Projection,
  rt: ResourceTypeDef = UserResourceType
): boolean => Projection.includes(rt, projection, "groups")

/** Whether the projection returns the group's `members` (so they must be read). */
export const groupNeedsMembers = (projection: Projection.Projection): boolean =>
  Projection.includes(GroupResourceType, projection, "members")

/**
 * A user as returned, from the user and (when the projection includes them) their groups already
 * read: rendered, then projected. Pure: the caller reads relations in as few round trips as it can.
 */
export const userResult = (
  scope: RequestScope,
  stored: StoredUser,
  groups: Option.Option<ReadonlyArray<ProjectRef>>,
  projection: Projection.Projection,
  rt: ResourceTypeDef = UserResourceType
): ScimResult => ({
  resource: Projection.apply(rt, userResource(stored, scope.baseUrl, groups, rt), projection),
  version: stored.version,
  location: userLocation(scope.baseUrl, stored.id)
})

/**
 * A user as returned: rendered, with `groups` read from the store only when the projection
 * includes them, then projected.
 */
export const user = (
  scope: RequestScope,
  stored: StoredUser,
  projection: Projection.Projection,
  rt: ResourceTypeDef = UserResourceType
): Effect.Effect<ScimResult, StoreError, ProjectStore> =>
  userNeedsGroups(projection, rt)
    ? Effect.map(
      Effect.flatMap(ProjectStore, (store) => store.listUserProjects(scope.platform, stored.id)),
      (groups) => userResult(scope, stored, Option.some(groups), projection, rt)
    )
    : Effect.succeed(userResult(scope, stored, Option.none(), projection, rt))

/**
 * A project as returned: rendered, with `members` read from the store only when `withMembers`
 * allows it and the projection includes them, then projected.
 */
export const project = (
  scope: RequestScope,
  stored: StoredProject,
  projection: Projection.Projection,
  withMembers: boolean = true
): Effect.Effect<ScimResult, StoreError, ProjectStore> =>
  Effect.gen(function*() {
    const members = withMembers && groupNeedsMembers(projection)
      ? Option.some(yield* Effect.flatMap(ProjectStore, (store) => store.listMembers(scope.platform, stored.id)))
      : Option.none()
    return {
      resource: Projection.apply(GroupResourceType, projectResource(stored, scope.baseUrl, members), projection),
      version: stored.version,
      location: groupLocation(scope.baseUrl, stored.id)
    }
  })
