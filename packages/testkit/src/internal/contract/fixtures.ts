/**
 * The data the contract tests write through the ports, as a service would: users, projects,
 * memberships and platforms with ids, names and key hashes unique to this run, so tests never see
 * each other's data, even on a database that outlives the run.
 */
import { Model, PlatformStore, Schemas } from "@scimkit/core"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"

const runId = Math.random().toString(36).slice(2, 8)
let sequence = 0

/** `label` made unique to this run and this call: `<label>-<run>-<n>`. */
export const unique = (label: string): string => `${label}-${runId}-${++sequence}`

/** A platform id nobody has used yet; stores need no platform row to hold users and projects. */
export const freshPlatform = (): Model.PlatformId => Model.PlatformId.make(unique("platform"))

const t0 = Date.UTC(2025, 0, 1)

/** The instant `minutes` after 2025-01-01T00:00:00Z. */
export const at = (minutes: number): DateTime.Utc => DateTime.makeUnsafe(t0 + minutes * 60_000)

/** A stored platform that asks for unique externalIds (off by default, RFC 7643 §3.1). */
export const uniqueExternalIdPlatform = Effect.gen(function*() {
  const id = freshPlatform()
  yield* (yield* PlatformStore.PlatformStore).insert(
    new Model.Platform({
      id,
      name: unique("Unique externalIds"),
      ownerId: Option.none(),
      compatibility: "lenient",
      created: at(0),
      uniqueExternalId: true
    })
  )
  return id
})

interface UserFields {
  readonly userName: string
  readonly externalId?: string
  readonly displayName?: string
  readonly minute?: number
  readonly id?: Model.UserId
  readonly extra?: Model.JsonObject
}

/** A version 1 user with a fresh id (unless given), active, created and modified at `minute`. */
export const newUser = (f: UserFields): Model.StoredUser => {
  const document: Record<string, Model.Json> = {
    schemas: [Schemas.UserUrn],
    userName: f.userName,
    active: true,
    ...f.extra
  }
  if (f.externalId !== undefined) document["externalId"] = f.externalId
  if (f.displayName !== undefined) document["displayName"] = f.displayName
  return new Model.StoredUser({
    id: f.id ?? Model.UserId.make(unique("user")),
    userName: f.userName,
    externalId: Option.fromNullishOr(f.externalId),
    displayName: Option.fromNullishOr(f.displayName),
    active: true,
    platformRole: "MEMBER",
    document,
    version: 1,
    created: at(f.minute ?? 0),
    lastModified: at(f.minute ?? 0)
  })
}

/** A version 1 project with a fresh id, created and modified at `minute`. */
export const newProject = (
  displayName: string,
  f: { readonly externalId?: string; readonly minute?: number } = {}
): Model.StoredProject => {
  const document: Record<string, Model.Json> = { schemas: [Schemas.GroupUrn], displayName }
  if (f.externalId !== undefined) document["externalId"] = f.externalId
  return new Model.StoredProject({
    id: Model.ProjectId.make(unique("project")),
    displayName,
    externalId: Option.fromNullishOr(f.externalId),
    document,
    version: 1,
    created: at(f.minute ?? 0),
    lastModified: at(f.minute ?? 0)
  })
}

/** The next version of a resource, as a service would write it. */
const bump = <A extends Model.StoredUser | Model.StoredProject>(a: A, changes: Partial<A>): A =>
  ({ ...a, ...changes, version: a.version + 1 }) as A

/** The user's next version with `changes`. */
export const nextUser = (u: Model.StoredUser, changes: Partial<Model.StoredUser>): Model.StoredUser =>
  new Model.StoredUser(bump(u, changes))

/** The project's next version with `changes`. */
export const nextProject = (p: Model.StoredProject, changes: Partial<Model.StoredProject>): Model.StoredProject =>
  new Model.StoredProject(bump(p, changes))

/** The user's membership in a project, as an Editor unless told otherwise. */
export const member = (userId: Model.UserId, role: Model.ProjectRole = "Editor"): Model.Membership =>
  new Model.Membership({ userId, role })
