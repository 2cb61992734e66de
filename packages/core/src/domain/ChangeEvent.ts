/**
 * What the change feed records: one event per committed change of a user, a project or a
 * membership, written in the same transaction as the change itself (a transactional outbox), so
 * an event exists exactly when its change does. The same rows are the per-platform audit log.
 *
 * Which events one write emits (the rule the services and their tests follow):
 * - creating a user: `user.created`; deleting one: `user.deleted` (its memberships go with it, no
 *   `member.removed`);
 * - any other change of a user's document: `user.updated`, then in the same write
 *   `user.deactivated` / `user.reactivated` when `active` flipped and `user.platformRoleChanged`
 *   when the platform role changed (a write that changes nothing emits nothing);
 * - projects likewise: `project.created`, `project.updated` (then `project.renamed` when the
 *   `displayName` changed), `project.deleted` (no `member.removed`);
 * - memberships: one `member.added` / `member.removed` per member whose SCIM-managed membership
 *   appeared or went (a host-managed membership is not seen or changed by SCIM, see `ProjectStore`);
 *   `member.roleChanged` when the host changes an existing member's role (`Memberships.setRole`, or
 *   `Memberships.add` giving a member SCIM manages another role), its `member` holding the new role.
 */
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { JsonObject, PlatformId } from "./Model.js"

/** The kinds of event, in the order a single write emits them. */
export const EventTypes = [
  "user.created",
  "user.updated",
  "user.deactivated",
  "user.reactivated",
  "user.platformRoleChanged",
  "user.deleted",
  "project.created",
  "project.updated",
  "project.renamed",
  "project.deleted",
  "member.added",
  "member.removed",
  "member.roleChanged"
] as const
export const EventType = Schema.Literals(EventTypes)
export type EventType = typeof EventType.Type

/** Who caused a change: the credential (the API key id with the default verifier) and the request id. */
export class Actor extends Schema.Class<Actor>("Actor")({
  credential: Schema.OptionFromNullOr(Schema.String),
  requestId: Schema.OptionFromNullOr(Schema.String)
}) {}

/** The actor of changes made outside any request (the library API, the CLI, tests). */
export const systemActor: Actor = new Actor({ credential: Option.none(), requestId: Option.none() })

/** The member of a `member.added` / `member.removed` event. */
export class EventMember extends Schema.Class<EventMember>("EventMember")({
  userId: Schema.String,
  role: Schema.String
}) {}

/**
 * An event as the services hand it to the store (`EventStore.append`), before it has a position.
 * - `resourceType` is `User` or `Group`; `resourceId` the user's or the project's id (for member
 *   events, the project's).
 * - `version` is the resource's `meta.version` after the change (for a delete, the version deleted;
 *   for member events, the project's version after the membership change).
 * - `changed`: the attributes whose value changed, as SCIM attribute paths (`active`, `name`,
 *   `urn:…:CustomUserAttributes:platformRole`, `members`), sorted; every attribute on create/delete.
 * - `before` / `after`: the SCIM documents (as stored, without `meta`), each present only when its
 *   JSON is at most `ChangeEvent.maxDocumentBytes` long.
 */
export class NewEvent extends Schema.Class<NewEvent>("NewEvent")({
  platform: PlatformId,
  type: EventType,
  resourceType: Schema.Literals(["User", "Group"]),
  resourceId: Schema.String,
  version: Schema.Int,
  changed: Schema.Array(Schema.String),
  before: Schema.OptionFromNullOr(JsonObject),
  after: Schema.OptionFromNullOr(JsonObject),
  member: Schema.OptionFromNullOr(EventMember),
  at: Schema.DateTimeUtc,
  actor: Actor
}) {}

/**
 * An event as committed: `position` is durable, unique and increasing in commit order across
 * every platform (a reader that has seen position `p` has seen every committed event before it),
 * so it is both the per-platform order and the resume point of a consumer.
 */
export class ChangeEvent extends Schema.Class<ChangeEvent>("ChangeEvent")({
  position: Schema.Int,
  ...NewEvent.fields
}) {}

/** Largest `before` / `after` document (bytes of JSON) an event carries: a guess that keeps rows small. */
export const maxDocumentBytes = 8192
