/**
 * The platform's entities as the stores keep them: platforms (tenants), users, projects (SCIM
 * groups), project memberships and API keys.
 *
 * A stored resource keeps the SCIM document the client sent (canonical attribute names,
 * extensions under their URN, attributes the server does not interpret kept as given) plus the
 * columns the server indexes, which the core always derives from that document.
 */
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"

export const PlatformId = Schema.String.pipe(Schema.brand("PlatformId"))
export type PlatformId = typeof PlatformId.Type
export const UserId = Schema.String.pipe(Schema.brand("UserId"))
export type UserId = typeof UserId.Type
export const ProjectId = Schema.String.pipe(Schema.brand("ProjectId"))
export type ProjectId = typeof ProjectId.Type
export const ApiKeyId = Schema.String.pipe(Schema.brand("ApiKeyId"))
export type ApiKeyId = typeof ApiKeyId.Type

/** A JSON value. */
export type Json = string | number | boolean | null | ReadonlyArray<Json> | { readonly [key: string]: Json }
/** A JSON object: a SCIM document. */
export type JsonObject = { readonly [key: string]: Json }
export const Json: Schema.Codec<Json> = Schema.Union([
  Schema.String,
  Schema.Number,
  Schema.Boolean,
  Schema.Null,
  Schema.Array(Schema.suspend((): Schema.Codec<Json> => Json)),
  Schema.Record(Schema.String, Schema.suspend((): Schema.Codec<Json> => Json))
])
export const JsonObject: Schema.Codec<JsonObject> = Schema.Record(Schema.String, Json)

/**
 * A SCIM document as a store reads it back: any JSON object, checked shallowly. Every document was
 * checked in full before it was written (`Input.check`, `Resource.normalize`), so reading it walks
 * nothing: a read costs no time in the document's size and no stack in its depth.
 */
export const StoredDocument: Schema.Codec<JsonObject> = Schema.declare(
  (u: unknown): u is JsonObject => typeof u === "object" && u !== null && !Array.isArray(u),
  { identifier: "StoredDocument", description: "a JSON object" }
)

/**
 * The role of a user: a value of the domain model's role attribute (`DomainModel`; today
 * MEMBER, OPERATOR or ADMIN, absent in SCIM meaning MEMBER), in its canonical spelling. The host
 * declares the values, so the type is a string; the services only ever store declared values.
 */
export const PlatformRole = Schema.String
export type PlatformRole = typeof PlatformRole.Type

/** The role a project member has: one of the domain model's project roles (today Admin, Editor, Viewer). */
export const ProjectRole = Schema.String
export type ProjectRole = typeof ProjectRole.Type

/** Names of the PATCH/decoding compatibility profiles (see the patch module). */
export const CompatibilityProfile = Schema.Literals(["lenient", "rfc", "entra", "okta"])
export type CompatibilityProfile = typeof CompatibilityProfile.Type

/** A platform: one tenant. */
export class Platform extends Schema.Class<Platform>("Platform")({
  id: PlatformId,
  name: Schema.String,
  ownerId: Schema.OptionFromNullOr(UserId),
  compatibility: CompatibilityProfile,
  created: Schema.DateTimeUtc,
  /**
   * Whether `externalId` is unique among the platform's users and among its groups. RFC 7643 §3.1
   * gives it no uniqueness, and Entra ID maps it from `mailNickname`, which can repeat across a
   * tenant's domains, so it is off unless the platform asks for it.
   */
  uniqueExternalId: Schema.Boolean.pipe(Schema.withConstructorDefault(Effect.succeed(false))),
  /**
   * The secret that signs this platform's pagination cursors (RFC 9865), random per platform and
   * kept by the store, so every server node accepts the cursors of every other. None for platforms
   * a host created without one: their cursors are signed with `ScimOptions.cursorSecret`.
   */
  cursorSecret: Schema.Option(Schema.Redacted(Schema.String)).pipe(
    Schema.withConstructorDefault(Effect.succeed(Option.none()))
  )
}) {}

/** A user as stored. `document` holds every client attribute (not id, meta, groups or password). */
export class StoredUser extends Schema.Class<StoredUser>("StoredUser")({
  id: UserId,
  userName: Schema.String,
  externalId: Schema.OptionFromNullOr(Schema.String),
  displayName: Schema.OptionFromNullOr(Schema.String),
  active: Schema.Boolean,
  platformRole: PlatformRole,
  document: StoredDocument,
  version: Schema.Int,
  created: Schema.DateTimeUtc,
  lastModified: Schema.DateTimeUtc
}) {}

/** A project (SCIM group) as stored; its members live in their own relation, never in `document`. */
export class StoredProject extends Schema.Class<StoredProject>("StoredProject")({
  id: ProjectId,
  displayName: Schema.String,
  externalId: Schema.OptionFromNullOr(Schema.String),
  document: StoredDocument,
  version: Schema.Int,
  created: Schema.DateTimeUtc,
  lastModified: Schema.DateTimeUtc
}) {}

/** A membership as written: the user and the project role. */
export class Membership extends Schema.Class<Membership>("Membership")({
  userId: UserId,
  role: ProjectRole
}) {}

/** A member as read, with what a SCIM `members` element needs. */
export class MemberView extends Schema.Class<MemberView>("MemberView")({
  userId: UserId,
  role: ProjectRole,
  userName: Schema.String,
  displayName: Schema.OptionFromNullOr(Schema.String)
}) {}

/**
 * Who manages a membership: `scim` (made through SCIM: the IdP sees and changes it) or `host` (made
 * by the host through the library API: SCIM neither sees nor removes it). A membership can be both;
 * it exists while either holds it.
 */
export const MemberSource = Schema.Literals(["scim", "host"])
export type MemberSource = typeof MemberSource.Type

/** A member as the host sees it: every membership, with who manages it. */
export class ManagedMember extends Schema.Class<ManagedMember>("ManagedMember")({
  userId: UserId,
  role: ProjectRole,
  userName: Schema.String,
  displayName: Schema.OptionFromNullOr(Schema.String),
  scim: Schema.Boolean,
  host: Schema.Boolean
}) {}

/** A project a user belongs to, for the user's read-only `groups` attribute. */
export class ProjectRef extends Schema.Class<ProjectRef>("ProjectRef")({
  id: ProjectId,
  displayName: Schema.String
}) {}

/** An API key as stored: never the secret, only its SHA-256 hash (hex). */
export class StoredApiKey extends Schema.Class<StoredApiKey>("StoredApiKey")({
  id: ApiKeyId,
  platform: PlatformId,
  name: Schema.String,
  hash: Schema.String,
  prefix: Schema.String,
  created: Schema.DateTimeUtc,
  lastUsed: Schema.OptionFromNullOr(Schema.DateTimeUtc),
  revoked: Schema.OptionFromNullOr(Schema.DateTimeUtc)
}) {}
