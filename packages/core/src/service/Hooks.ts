/**
 * Lifecycle hooks: what a host runs when users, projects and memberships change.
 *
 * - A `before` hook runs inside the write's transaction, after every SCIM check and before anything
 *   is written. It may veto the change with a {@link HookRejected} (its status, `scimType` and
 *   `detail` are answered as they are, and nothing of the request is written), or adjust it: a
 *   create/update hook returns the document to write instead (checked again like any client
 *   document), a member hook returns the memberships to add (roles changed).
 * - An `after` hook runs only after the commit, with the committed event and the full stored
 *   resources before and after (whatever projection the request asked for). It cannot fail the
 *   request: its failures and defects are logged and dropped. It runs before the response is sent,
 *   so long work belongs in a forked fiber or, durably, in the change feed (`ChangeFeed`).
 *
 * Hooks are configured once, as a layer (`Hooks.layer({...})`) given to the services; without it no
 * hook runs. Deactivation is where a host revokes sessions and API tokens:
 *
 * ```ts
 * Hooks.layer({
 *   after: {
 *     "user.deactivated": ({ after }) => Effect.promise(() => sessions.revokeAll(after.userName))
 *   }
 * })
 * ```
 */
import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type { Actor, ChangeEvent, EventType } from "../domain/ChangeEvent.js"
import type { JsonObject, Membership, PlatformId, StoredProject, StoredUser } from "../domain/Model.js"
import type { HookRejected } from "../errors/ScimError.js"

/** What every hook is told: the platform and who made the change. */
export interface HookContext {
  readonly platform: PlatformId
  readonly actor: Actor
}

/** A `before` hook's answer: `undefined` (go on as is) or the document to write instead. */
export type Adjusted = JsonObject | undefined | void

/**
 * The `before` hooks. `userUpdating` / `projectUpdating` see the stored resource before and the
 * one about to be written (only when something changes: a write that changes nothing calls no hook).
 */
export interface BeforeHooks {
  readonly userCreating?: (context: HookContext, next: StoredUser) => Effect.Effect<Adjusted, HookRejected>
  readonly userUpdating?: (
    context: HookContext,
    change: { readonly before: StoredUser; readonly after: StoredUser }
  ) => Effect.Effect<Adjusted, HookRejected>
  readonly userDeleting?: (context: HookContext, user: StoredUser) => Effect.Effect<void, HookRejected>
  readonly projectCreating?: (context: HookContext, next: StoredProject) => Effect.Effect<Adjusted, HookRejected>
  readonly projectUpdating?: (
    context: HookContext,
    change: { readonly before: StoredProject; readonly after: StoredProject }
  ) => Effect.Effect<Adjusted, HookRejected>
  readonly projectDeleting?: (context: HookContext, project: StoredProject) => Effect.Effect<void, HookRejected>
  /**
   * Members about to be added through SCIM (each with the default project role): return the
   * memberships to add instead to change their roles (users not returned are added as given).
   */
  readonly membersAdding?: (
    context: HookContext,
    change: { readonly project: StoredProject; readonly members: ReadonlyArray<Membership> }
  ) => Effect.Effect<ReadonlyArray<Membership> | undefined | void, HookRejected>
  readonly membersRemoving?: (
    context: HookContext,
    change: { readonly project: StoredProject; readonly members: ReadonlyArray<Membership> }
  ) => Effect.Effect<void, HookRejected>
}

/** What an `after` hook receives for each event type. */
export interface Committed {
  readonly "user.created": { readonly event: ChangeEvent; readonly user: StoredUser }
  readonly "user.updated": { readonly event: ChangeEvent; readonly before: StoredUser; readonly after: StoredUser }
  readonly "user.deactivated": { readonly event: ChangeEvent; readonly before: StoredUser; readonly after: StoredUser }
  readonly "user.reactivated": { readonly event: ChangeEvent; readonly before: StoredUser; readonly after: StoredUser }
  readonly "user.platformRoleChanged": {
    readonly event: ChangeEvent
    readonly before: StoredUser
    readonly after: StoredUser
  }
  readonly "user.deleted": { readonly event: ChangeEvent; readonly user: StoredUser }
  readonly "project.created": { readonly event: ChangeEvent; readonly project: StoredProject }
  readonly "project.updated": {
    readonly event: ChangeEvent
    readonly before: StoredProject
    readonly after: StoredProject
  }
  readonly "project.renamed": {
    readonly event: ChangeEvent
    readonly before: StoredProject
    readonly after: StoredProject
  }
  readonly "project.deleted": { readonly event: ChangeEvent; readonly project: StoredProject }
  readonly "member.added": {
    readonly event: ChangeEvent
    readonly project: StoredProject
    readonly membership: Membership
  }
  readonly "member.removed": {
    readonly event: ChangeEvent
    readonly project: StoredProject
    readonly membership: Membership
  }
  readonly "member.roleChanged": {
    readonly event: ChangeEvent
    readonly project: StoredProject
    readonly before: Membership
    readonly after: Membership
  }
}

/** The `after` hooks, one per event type. */
export type AfterHooks = {
  readonly [T in EventType]?: (committed: Committed[T]) => Effect.Effect<void, unknown>
}

/** The hooks a host configures. */
export interface HooksShape {
  readonly before?: BeforeHooks | undefined
  readonly after?: AfterHooks | undefined
}

/** The key of the hooks. The services run the hooks they find; without this service none runs. */
export class Hooks extends Context.Service<Hooks, HooksShape>()("@scimkit/core/Hooks") {}

/** The given hooks. */
export const layer = (hooks: HooksShape): Layer.Layer<Hooks> => Layer.succeed(Hooks, hooks)

/** No hooks. */
export const none: HooksShape = {}
