/**
 * What the services' writes tell the change feed and the hooks: the events one write emits (the
 * rule in `ChangeEvent`'s module comment), the write's transaction with its events appended as the
 * last store call, the `before` hooks' adjustments and the `after` hooks run once the write has
 * committed.
 *
 * Member events: `changed` is `["members"]`, `member` the membership, and neither `before` nor
 * `after` is set (the group's document did not change; its id is the event's `resourceId`).
 *
 * @internal
 */
import * as Cause from "effect/Cause"
import type * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import {
  type Actor,
  type ChangeEvent,
  EventMember,
  type EventType,
  maxDocumentBytes,
  NewEvent,
  systemActor
} from "../../domain/ChangeEvent.js"
import type { Json, JsonObject, Membership, PlatformId, StoredProject, StoredUser, UserId } from "../../domain/Model.js"
import type { StoreError } from "../../errors/ScimError.js"
import type { EventStore } from "../../ports/EventStore.js"
import type { Transactions } from "../../ports/Transactions.js"
import { isObject } from "../../schema/Document.js"
import { jsonEquals } from "../../schema/JsonValues.js"
import type { AfterHooks, BeforeHooks, Committed, HookContext, HooksShape } from "../../service/Hooks.js"
import type { RequestScope } from "../../service/ResourceApi.js"

/** What an `after` hook receives for each event type, less the committed event itself. */
type Payloads = { readonly [T in EventType]: Omit<Committed[T], "event"> }

/** One event a write emits, with what its `after` hook will receive. */
export type Emitted = {
  readonly [T in EventType]: { readonly type: T; readonly event: NewEvent; readonly payload: Payloads[T] }
}[EventType]

/** One event as committed, with what its `after` hook receives. */
export interface Notice {
  readonly emitted: Emitted
  readonly event: ChangeEvent
}

/** When and by whom: what every event of one write shares. */
export interface WriteContext {
  readonly platform: PlatformId
  readonly at: DateTime.Utc
  readonly actor: Actor
}

/** The context of a write made for `scope` at `at`. */
export const writeContext = (scope: Pick<RequestScope, "platform" | "actor">, at: DateTime.Utc): WriteContext => ({
  platform: scope.platform,
  at,
  actor: scope.actor ?? systemActor
})

/** What the `before` hooks are told. */
export const hookContext = (context: WriteContext): HookContext => ({
  platform: context.platform,
  actor: context.actor
})

const isExtensionKey = (key: string): boolean => key.slice(0, 4).toLowerCase() === "urn:"

/** The attribute paths of a document: top-level names, and `urn:…:attr` for each extension attribute. */
const paths = (document: JsonObject | undefined): Map<string, Json> => {
  const out = new Map<string, Json>()
  if (document === undefined) return out
  for (const key in document) {
    const value = document[key]!
    if (isExtensionKey(key) && isObject(value)) {
      for (const attribute in value) out.set(`${key}:${attribute}`, value[attribute]!)
    } else {
      out.set(key, value)
    }
  }
  return out
}

/** The attribute paths whose values differ between two documents (every attribute of the one given when the other is absent), sorted. */
export const changedAttributes = (before: JsonObject | undefined, after: JsonObject | undefined): Array<string> => {
  const a = paths(before)
  const b = paths(after)
  const out: Array<string> = []
  for (const [path, value] of a) {
    const next = b.get(path)
    if (next === undefined || !jsonEquals(value, next)) out.push(path)
  }
  for (const path of b.keys()) if (!a.has(path)) out.push(path)
  return out.sort()
}

/** UTF-8 length of a string, without an encoder (core has no platform APIs). */
const utf8Length = (text: string): number => {
  let bytes = 0
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (code < 0x80) bytes += 1
    else if (code < 0x800) bytes += 2
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      bytes += 4
      i++
    } else bytes += 3
  }
  return bytes
}

/** The document an event carries: present only when small enough. */
export const carried = (document: JsonObject | undefined): Option.Option<JsonObject> => {
  if (document === undefined) return Option.none()
  const json = JSON.stringify(document)
  return json.length <= maxDocumentBytes && utf8Length(json) <= maxDocumentBytes
    ? Option.some(document)
    : Option.none()
}

const newEvent = (
  context: WriteContext,
  fields: Pick<NewEvent, "type" | "resourceType" | "resourceId" | "version" | "changed" | "member"> & {
    readonly before: JsonObject | undefined
    readonly after: JsonObject | undefined
  }
): NewEvent =>
  new NewEvent({
    ...fields,
    platform: context.platform,
    before: carried(fields.before),
    after: carried(fields.after),
    at: context.at,
    actor: context.actor
  }, { disableChecks: true })

/**
 * The events of a change of one user: created (no `before`), deleted (no `after`), or
 * updated, then deactivated/reactivated and platformRoleChanged; none when nothing changed.
 */
export const userEvents = (
  context: WriteContext,
  before: StoredUser | undefined,
  after: StoredUser | undefined
): ReadonlyArray<Emitted> => {
  const id = (after ?? before)!.id
  const base = { resourceType: "User" as const, resourceId: id, member: Option.none() }
  const changed = changedAttributes(before?.document, after?.document)
  if (before === undefined && after !== undefined) {
    const event = newEvent(context, {
      ...base,
      type: "user.created",
      version: after.version,
      changed,
      before: undefined,
      after: after.document
    })
    return [{ type: "user.created", event, payload: { user: after } }]
  }
  if (after === undefined && before !== undefined) {
    const event = newEvent(context, {
      ...base,
      type: "user.deleted",
      version: before.version,
      changed,
      before: before.document,
      after: undefined
    })
    return [{ type: "user.deleted", event, payload: { user: before } }]
  }
  if (before === undefined || after === undefined || changed.length === 0) return []
  const updated = (type: "user.updated" | "user.deactivated" | "user.reactivated" | "user.platformRoleChanged") =>
    newEvent(context, {
      ...base,
      type,
      version: after.version,
      changed,
      before: before.document,
      after: after.document
    })
  const payload = { before, after }
  const out: Array<Emitted> = [{ type: "user.updated", event: updated("user.updated"), payload }]
  if (before.active && !after.active) {
    out.push({ type: "user.deactivated", event: updated("user.deactivated"), payload })
  }
  if (!before.active && after.active) {
    out.push({ type: "user.reactivated", event: updated("user.reactivated"), payload })
  }
  if (before.platformRole !== after.platformRole) {
    out.push({ type: "user.platformRoleChanged", event: updated("user.platformRoleChanged"), payload })
  }
  return out
}

/** The events of a change of one project's document: created, deleted, or updated then renamed. */
export const projectEvents = (
  context: WriteContext,
  before: StoredProject | undefined,
  after: StoredProject | undefined
): ReadonlyArray<Emitted> => {
  const id = (after ?? before)!.id
  const base = { resourceType: "Group" as const, resourceId: id, member: Option.none() }
  const changed = changedAttributes(before?.document, after?.document)
  if (before === undefined && after !== undefined) {
    const event = newEvent(context, {
      ...base,
      type: "project.created",
      version: after.version,
      changed,
      before: undefined,
      after: after.document
    })
    return [{ type: "project.created", event, payload: { project: after } }]
  }
  if (after === undefined && before !== undefined) {
    const event = newEvent(context, {
      ...base,
      type: "project.deleted",
      version: before.version,
      changed,
      before: before.document,
      after: undefined
    })
    return [{ type: "project.deleted", event, payload: { project: before } }]
  }
  if (before === undefined || after === undefined || changed.length === 0) return []
  const updated = (type: "project.updated" | "project.renamed") =>
    newEvent(context, {
      ...base,
      type,
      version: after.version,
      changed,
      before: before.document,
      after: after.document
    })
  const out: Array<Emitted> = [{
    type: "project.updated",
    event: updated("project.updated"),
    payload: { before, after }
  }]
  if (before.displayName !== after.displayName) {
    out.push({ type: "project.renamed", event: updated("project.renamed"), payload: { before, after } })
  }
  return out
}

const byUser = (a: Membership, b: Membership): number => (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0)

/** One `member.added` per added membership, then one `member.removed` per removed one, each by user id. */
export const memberEvents = (
  context: WriteContext,
  project: StoredProject,
  added: ReadonlyArray<Membership>,
  removed: ReadonlyArray<Membership>
): ReadonlyArray<Emitted> => {
  const event = (type: "member.added" | "member.removed", membership: Membership) =>
    newEvent(context, {
      type,
      resourceType: "Group",
      resourceId: project.id,
      version: project.version,
      changed: ["members"],
      member: Option.some(
        new EventMember({ userId: membership.userId, role: membership.role }, { disableChecks: true })
      ),
      before: undefined,
      after: undefined
    })
  return [
    ...[...added].sort(byUser).map((membership): Emitted => ({
      type: "member.added",
      event: event("member.added", membership),
      payload: { project, membership }
    })),
    ...[...removed].sort(byUser).map((membership): Emitted => ({
      type: "member.removed",
      event: event("member.removed", membership),
      payload: { project, membership }
    }))
  ]
}

/** One `member.roleChanged` per membership whose role the host changed, by user id. */
export const roleEvents = (
  context: WriteContext,
  project: StoredProject,
  changes: ReadonlyArray<{ readonly before: Membership; readonly after: Membership }>
): ReadonlyArray<Emitted> =>
  [...changes].sort((a, b) => byUser(a.after, b.after)).map((change): Emitted => ({
    type: "member.roleChanged",
    event: newEvent(context, {
      type: "member.roleChanged",
      resourceType: "Group",
      resourceId: project.id,
      version: project.version,
      changed: ["members"],
      member: Option.some(
        new EventMember({ userId: change.after.userId, role: change.after.role }, { disableChecks: true })
      ),
      before: undefined,
      after: undefined
    }),
    payload: { project, before: change.before, after: change.after }
  }))

/**
 * The net change of one source's memberships over the steps of one write: a membership removed
 * and added again (Okta's `replace members []` then `add`) neither appeared nor went.
 */
export class MemberChanges {
  private readonly entries = new Map<UserId, { was: Membership | undefined; now: Membership | undefined }>()

  /** Records memberships the source started managing. */
  added(memberships: ReadonlyArray<Membership>): void {
    for (const m of memberships) {
      const entry = this.entries.get(m.userId)
      if (entry === undefined) this.entries.set(m.userId, { was: undefined, now: m })
      else entry.now = m
    }
  }

  /** Records memberships the source stopped managing. */
  removed(memberships: ReadonlyArray<Membership>): void {
    for (const m of memberships) {
      const entry = this.entries.get(m.userId)
      if (entry === undefined) this.entries.set(m.userId, { was: m, now: undefined })
      else entry.now = undefined
    }
  }

  /** Memberships that appeared, that went, and that went and came back with another role. */
  get net(): {
    readonly added: ReadonlyArray<Membership>
    readonly removed: ReadonlyArray<Membership>
    readonly readded: ReadonlyArray<{ readonly was: Membership; readonly now: Membership }>
  } {
    const added: Array<Membership> = []
    const removed: Array<Membership> = []
    const readded: Array<{ readonly was: Membership; readonly now: Membership }> = []
    for (const { now, was } of this.entries.values()) {
      if (was === undefined && now !== undefined) added.push(now)
      else if (was !== undefined && now === undefined) removed.push(was)
      else if (was !== undefined && now !== undefined && was.role !== now.role) readded.push({ was, now })
    }
    return { added, removed, readded }
  }
}

/** A write's result and the events it emits. */
export interface Written<A> {
  readonly result: A
  readonly emitted: ReadonlyArray<Emitted>
}

/**
 * Runs `write` in one transaction whose last store call appends the events it emits (none: no
 * append), so the events exist exactly when the change does.
 */
export const transact = <A, E, R>(
  transactions: Transactions["Service"],
  events: EventStore["Service"],
  write: Effect.Effect<Written<A>, E, R>
): Effect.Effect<{ readonly result: A; readonly notices: ReadonlyArray<Notice> }, E | StoreError, R> =>
  transactions.run(Effect.flatMap(write, ({ emitted, result }) =>
    emitted.length === 0
      ? Effect.succeed({ result, notices: [] })
      : Effect.map(events.append(emitted.map((e) => e.event)), (appended) => ({
        result,
        notices: emitted.map((e, i): Notice => ({ emitted: e, event: appended[i]! }))
      }))))

// The hook of an event's type is called with that type's payload: the one cast TypeScript cannot
// follow through the correlated union of `Emitted`.
const call = <T extends EventType>(
  after: AfterHooks,
  type: T,
  committed: Committed[T]
): Effect.Effect<void, unknown> => {
  const hook = after[type] as ((committed: Committed[T]) => Effect.Effect<void, unknown>) | undefined
  return hook === undefined ? Effect.void : Effect.suspend(() => hook(committed))
}

/**
 * Runs the `after` hook of each committed event, in order. A hook's failure or defect is logged
 * and dropped: the change is committed, so the request succeeds whatever a hook does.
 */
export const notify = (hooks: Option.Option<HooksShape>, notices: ReadonlyArray<Notice>): Effect.Effect<void> => {
  const after = Option.isSome(hooks) ? hooks.value.after : undefined
  if (after === undefined || notices.length === 0) return Effect.void
  return Effect.forEach(
    notices,
    ({ emitted, event }) =>
      call(after, emitted.type, { ...emitted.payload, event } as Committed[typeof emitted.type]).pipe(
        Effect.catchCause((cause) =>
          Cause.hasInterruptsOnly(cause)
            ? Effect.void
            : Effect.logWarning(`the after hook of ${event.type} failed; the change is committed`, cause).pipe(
              Effect.annotateLogs({ event: event.type, position: event.position, resourceId: event.resourceId })
            )
        )
      ),
    { discard: true }
  )
}

/** The configured `before` hooks (none without a `Hooks` service). */
export const beforeHooks = (hooks: Option.Option<HooksShape>): BeforeHooks =>
  Option.isSome(hooks) ? hooks.value.before ?? {} : {}
