/**
 * The change feed's events against a reference model: random sequences of user, group, member and
 * host-membership operations (no-op writes and failing writes among them) run through the services,
 * and after each one the events the store committed must be exactly those the model predicts: none
 * for a write that failed or changed nothing. Runs over every store layer in `storeLayers`.
 */
import { assert, describe, it } from "@effect/vitest"
import type { Stores } from "@scimkit/core"
import { Property } from "@scimkit/testkit"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as fc from "fast-check"
import * as Crypto from "../src/Crypto.js"
import { Actor, type ChangeEvent, type EventType } from "../src/domain/ChangeEvent.js"
import type { JsonObject, StoredUser } from "../src/domain/Model.js"
import { EventStore } from "../src/ports/EventStore.js"
import { CustomUserAttributesUrn, GroupUrn, PatchOpUrn, PlatformRoles, UserUrn } from "../src/schema/Schemas.js"
import * as ScimOptions from "../src/ScimOptions.js"
import * as Live from "../src/service/Live.js"
import * as Memberships from "../src/service/Memberships.js"
import * as Platforms from "../src/service/Platforms.js"
import * as Projects from "../src/service/Projects.js"
import type { RequestScope } from "../src/service/ResourceApi.js"
import * as Users from "../src/service/Users.js"
import { storeLayers } from "./stores.js"

const defaultRole = "Viewer"
const roleUrn = `${CustomUserAttributesUrn}:platformRole`
const actor = new Actor({ credential: Option.some("property-key"), requestId: Option.none() })

// ---------------------------------------------------------------------------------------------
// operations

type Role = (typeof PlatformRoles)[number]
const userNames = ["ann", "bob", "cy", "dee", "eve", "Ann"] as const
const groupNames = ["Red", "Blue", "red", "Green", "Gold"] as const
const displayNames = ["Ann", "Bee", "Sea"] as const

type Op =
  | {
    readonly _tag: "CreateUser"
    readonly name: number
    readonly displayName: number | undefined
    readonly active: boolean
    readonly role: Role | undefined
  }
  | { readonly _tag: "PatchDisplayName"; readonly user: number; readonly displayName: number }
  | { readonly _tag: "PatchActive"; readonly user: number; readonly active: boolean }
  | { readonly _tag: "PatchRole"; readonly user: number; readonly role: Role }
  | { readonly _tag: "PatchUserName"; readonly user: number; readonly name: number }
  | {
    readonly _tag: "ReplaceUser"
    readonly user: number
    readonly displayName: number | undefined
    readonly active: boolean
    readonly role: Role | undefined
  }
  | { readonly _tag: "DeleteUser"; readonly user: number }
  | { readonly _tag: "CreateGroup"; readonly name: number; readonly members: ReadonlyArray<number> }
  | { readonly _tag: "RenameGroup"; readonly group: number; readonly name: number }
  | {
    readonly _tag: "ReplaceGroup"
    readonly group: number
    readonly name: number
    readonly members: ReadonlyArray<number>
  }
  | { readonly _tag: "AddMembers"; readonly group: number; readonly members: ReadonlyArray<number> }
  | { readonly _tag: "RemoveMember"; readonly group: number; readonly member: number }
  | {
    readonly _tag: "ReplaceMembers"
    readonly group: number
    readonly members: ReadonlyArray<number>
    readonly then: ReadonlyArray<number>
  }
  | { readonly _tag: "DeleteGroup"; readonly group: number }
  | { readonly _tag: "HostAdd"; readonly group: number; readonly member: number; readonly role: string }
  | { readonly _tag: "HostRemove"; readonly group: number; readonly member: number }

const maxSlot = 9
const slot = fc.nat({ max: maxSlot })
const slots = fc.array(slot, { maxLength: 3 })
const role = fc.constantFrom(...PlatformRoles)
// creations weigh more, so that most operations find users and groups to work on
const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      _tag: fc.constant("CreateUser"),
      name: fc.nat({ max: userNames.length - 1 }),
      displayName: fc.option(fc.nat({ max: displayNames.length - 1 }), { nil: undefined }),
      active: fc.boolean(),
      role: fc.option(role, { nil: undefined })
    })
  },
  fc.record({ _tag: fc.constant("PatchDisplayName"), user: slot, displayName: fc.nat({ max: 2 }) }),
  fc.record({ _tag: fc.constant("PatchActive"), user: slot, active: fc.boolean() }),
  fc.record({ _tag: fc.constant("PatchRole"), user: slot, role }),
  fc.record({ _tag: fc.constant("PatchUserName"), user: slot, name: fc.nat({ max: userNames.length - 1 }) }),
  fc.record({
    _tag: fc.constant("ReplaceUser"),
    user: slot,
    displayName: fc.option(fc.nat({ max: 2 }), { nil: undefined }),
    active: fc.boolean(),
    role: fc.option(role, { nil: undefined })
  }),
  fc.record({ _tag: fc.constant("DeleteUser"), user: slot }),
  {
    weight: 4,
    arbitrary: fc.record({
      _tag: fc.constant("CreateGroup"),
      name: fc.nat({ max: groupNames.length - 1 }),
      members: slots
    })
  },
  fc.record({ _tag: fc.constant("RenameGroup"), group: slot, name: fc.nat({ max: groupNames.length - 1 }) }),
  fc.record({
    _tag: fc.constant("ReplaceGroup"),
    group: slot,
    name: fc.nat({ max: groupNames.length - 1 }),
    members: slots
  }),
  fc.record({ _tag: fc.constant("AddMembers"), group: slot, members: slots }),
  fc.record({ _tag: fc.constant("RemoveMember"), group: slot, member: slot }),
  fc.record({ _tag: fc.constant("ReplaceMembers"), group: slot, members: slots, then: slots }),
  fc.record({ _tag: fc.constant("DeleteGroup"), group: slot }),
  fc.record({ _tag: fc.constant("HostAdd"), group: slot, member: slot, role: fc.constantFrom("Admin", "Editor") }),
  fc.record({ _tag: fc.constant("HostRemove"), group: slot, member: slot })
)

// ---------------------------------------------------------------------------------------------
// the reference model

interface MUser {
  readonly id: string
  userName: string
  displayName: string | undefined
  active: boolean
  role: string
  version: number
}

interface MMember {
  role: string
  scim: boolean
  host: boolean
}

interface MGroup {
  readonly id: string
  displayName: string
  version: number
  readonly members: Map<string, MMember>
}

/** An event as compared: what the model can predict of it. */
interface Expected {
  readonly type: EventType
  readonly resourceId: string
  readonly version: number
  readonly changed: ReadonlyArray<string>
  readonly member: readonly [string, string] | undefined
  readonly documents: readonly [boolean, boolean]
  readonly credential: string | undefined
}

const compared = (event: ChangeEvent): Expected => ({
  type: event.type,
  resourceId: event.resourceId,
  version: event.version,
  changed: event.changed,
  member: Option.match(event.member, { onNone: () => undefined, onSome: (m) => [m.userId, m.role] as const }),
  documents: [Option.isSome(event.before), Option.isSome(event.after)],
  credential: Option.getOrUndefined(event.actor.credential)
})

/** The user attributes the operations touch, as attribute paths with their values. */
const userPaths = (user: MUser): Map<string, unknown> => {
  const out = new Map<string, unknown>([["userName", user.userName], ["active", user.active], [roleUrn, user.role]])
  if (user.displayName !== undefined) out.set("displayName", user.displayName)
  return out
}

const diff = (a: Map<string, unknown>, b: Map<string, unknown>): Array<string> =>
  [...new Set([...a.keys(), ...b.keys()])].filter((k) => a.get(k) !== b.get(k)).sort()

const failed = { ok: false, events: [] } as const

class Model {
  readonly users: Array<MUser> = []
  readonly groups: Array<MGroup> = []
  /** the ids of deleted users and groups, after one that never existed: operations on them fail */
  readonly goneUsers: Array<string> = ["no-such-user"]
  readonly goneGroups: Array<string> = ["no-such-group"]

  constructor(readonly ownerId: string, owner: MUser) {
    this.users.push(owner)
  }

  /** A live user, except for the last slot (or when there is none): one that is gone. */
  userAt(slot: number): string {
    return slot === maxSlot || this.users.length === 0
      ? this.goneUsers[slot % this.goneUsers.length]!
      : this.users[slot % this.users.length]!.id
  }
  groupAt(slot: number): string {
    return slot === maxSlot || this.groups.length === 0
      ? this.goneGroups[slot % this.goneGroups.length]!
      : this.groups[slot % this.groups.length]!.id
  }
  user(id: string): MUser | undefined {
    return this.users.find((u) => u.id === id)
  }
  group(id: string): MGroup | undefined {
    return this.groups.find((g) => g.id === id)
  }
  userNameTaken(name: string, self?: string): boolean {
    return this.users.some((u) => u.id !== self && u.userName.toLowerCase() === name.toLowerCase())
  }
  groupNameTaken(name: string, self?: string): boolean {
    return this.groups.some((g) => g.id !== self && g.displayName.toLowerCase() === name.toLowerCase())
  }

  private userEvent(
    type: EventType,
    user: MUser,
    changed: ReadonlyArray<string>,
    documents: readonly [boolean, boolean]
  ) {
    return {
      type,
      resourceId: user.id,
      version: user.version,
      changed,
      member: undefined,
      documents,
      credential: "property-key"
    }
  }

  /** A user update: the events of going from `before` to the user as changed by `change`. */
  private updateUser(
    id: string,
    change: (user: MUser) => void
  ): { readonly ok: boolean; readonly events: ReadonlyArray<Expected> } {
    const user = this.user(id)
    if (user === undefined) return failed
    const next: MUser = { ...user }
    change(next)
    const changed = diff(userPaths(user), userPaths(next))
    if (changed.length === 0) return { ok: true, events: [] }
    if (this.userNameTaken(next.userName, id)) return failed
    if (id === this.ownerId && (!next.active || next.role !== "ADMIN")) return failed
    next.version = user.version + 1
    const events: Array<Expected> = [this.userEvent("user.updated", next, changed, [true, true])]
    if (user.active && !next.active) events.push(this.userEvent("user.deactivated", next, changed, [true, true]))
    if (!user.active && next.active) events.push(this.userEvent("user.reactivated", next, changed, [true, true]))
    if (user.role !== next.role) events.push(this.userEvent("user.platformRoleChanged", next, changed, [true, true]))
    Object.assign(user, next)
    return { ok: true, events }
  }

  private scimSet(group: MGroup): Map<string, string> {
    return new Map([...group.members].filter(([, m]) => m.scim).map(([id, m]) => [id, m.role]))
  }

  private scimAdd(group: MGroup, ids: ReadonlyArray<string>): void {
    for (const id of ids) {
      const m = group.members.get(id)
      if (m === undefined) group.members.set(id, { role: defaultRole, scim: true, host: false })
      else m.scim = true
    }
  }

  private scimRemove(group: MGroup, ids: ReadonlyArray<string>): void {
    for (const id of ids) {
      const m = group.members.get(id)
      if (m === undefined || !m.scim) continue
      m.scim = false
      if (!m.host) group.members.delete(id)
    }
  }

  /**
   * Runs membership steps on a group and returns the member events of the net change (a member
   * removed and added again keeps its role and is no change); bumps the version when the group's
   * document or its SCIM members changed.
   */
  private memberWrite(group: MGroup, documentChanged: boolean, steps: (group: MGroup) => void): Array<Expected> {
    const before = this.scimSet(group)
    steps(group)
    const after = this.scimSet(group)
    for (const [id, role] of before) {
      const m = group.members.get(id)
      if (after.has(id) && m !== undefined) m.role = role
    }
    const added = [...after.keys()].filter((id) => !before.has(id)).sort()
    const removed = [...before.keys()].filter((id) => !after.has(id)).sort()
    if (!documentChanged && added.length === 0 && removed.length === 0) return []
    group.version++
    return [
      ...added.map((id) => this.memberEvent("member.added", group, id, group.members.get(id)!.role, "property-key")),
      ...removed.map((id) => this.memberEvent("member.removed", group, id, before.get(id)!, "property-key"))
    ]
  }

  private memberEvent(
    type: EventType,
    group: MGroup,
    userId: string,
    role: string,
    credential: string | undefined
  ): Expected {
    return {
      type,
      resourceId: group.id,
      version: group.version,
      changed: ["members"],
      member: [userId, role],
      documents: [false, false],
      credential
    }
  }

  private groupEvent(
    type: EventType,
    group: MGroup,
    changed: ReadonlyArray<string>,
    documents: readonly [boolean, boolean]
  ): Expected {
    return {
      type,
      resourceId: group.id,
      version: group.version,
      changed,
      member: undefined,
      documents,
      credential: "property-key"
    }
  }

  private allUsers(ids: ReadonlyArray<string>): boolean {
    return ids.every((id) => this.user(id) !== undefined)
  }

  /** The outcome of `op` (resolved to ids) and the events it emits; the model changes only when it succeeds. */
  apply(op: Resolved, createdId: string): { readonly ok: boolean; readonly events: ReadonlyArray<Expected> } {
    switch (op._tag) {
      case "CreateUser": {
        if (this.userNameTaken(op.userName)) return failed
        const user: MUser = {
          id: createdId,
          userName: op.userName,
          displayName: op.displayName,
          active: op.active,
          role: op.role ?? "MEMBER",
          version: 1
        }
        this.users.push(user)
        return {
          ok: true,
          events: [this.userEvent("user.created", user, [...userPaths(user).keys()].sort(), [false, true])]
        }
      }
      case "PatchDisplayName":
        return this.updateUser(op.user, (u) => {
          u.displayName = op.displayName
        })
      case "PatchActive":
        return this.updateUser(op.user, (u) => {
          u.active = op.active
        })
      case "PatchRole":
        return this.updateUser(op.user, (u) => {
          u.role = op.role
        })
      case "PatchUserName":
        return this.updateUser(op.user, (u) => {
          u.userName = op.userName
        })
      case "ReplaceUser":
        return this.updateUser(op.user, (u) => {
          u.displayName = op.displayName
          u.active = op.active
          // a PUT without the extension keeps the role
          if (op.role !== undefined) u.role = op.role
        })
      case "DeleteUser": {
        const user = this.user(op.user)
        if (user === undefined || user.id === this.ownerId) return failed
        this.users.splice(this.users.indexOf(user), 1)
        this.goneUsers.push(user.id)
        for (const group of this.groups) group.members.delete(user.id)
        return {
          ok: true,
          events: [this.userEvent("user.deleted", user, [...userPaths(user).keys()].sort(), [true, false])]
        }
      }
      case "CreateGroup": {
        if (this.groupNameTaken(op.name) || !this.allUsers(op.members)) return failed
        const group: MGroup = { id: createdId, displayName: op.name, version: 1, members: new Map() }
        this.groups.push(group)
        const created = this.groupEvent("project.created", group, ["displayName"], [false, true])
        this.scimAdd(group, op.members)
        const added = [...new Set(op.members)].sort().map((id) =>
          this.memberEvent("member.added", group, id, defaultRole, "property-key")
        )
        return { ok: true, events: [created, ...added] }
      }
      case "RenameGroup": {
        const group = this.group(op.group)
        if (group === undefined) return failed
        if (group.displayName === op.name) return { ok: true, events: [] }
        if (this.groupNameTaken(op.name, group.id)) return failed
        group.displayName = op.name
        group.version++
        return {
          ok: true,
          events: [
            this.groupEvent("project.updated", group, ["displayName"], [true, true]),
            this.groupEvent("project.renamed", group, ["displayName"], [true, true])
          ]
        }
      }
      case "ReplaceGroup": {
        const group = this.group(op.group)
        if (group === undefined || !this.allUsers(op.members)) return failed
        const renamed = group.displayName !== op.name
        if (renamed && this.groupNameTaken(op.name, group.id)) return failed
        group.displayName = op.name
        const members = this.memberWrite(group, renamed, (g) => {
          const desired = new Set(op.members)
          this.scimRemove(g, [...this.scimSet(g).keys()].filter((id) => !desired.has(id)))
          this.scimAdd(g, op.members)
        })
        const document = renamed
          ? [
            this.groupEvent("project.updated", group, ["displayName"], [true, true]),
            this.groupEvent("project.renamed", group, ["displayName"], [true, true])
          ]
          : []
        return { ok: true, events: [...document, ...members] }
      }
      case "AddMembers": {
        const group = this.group(op.group)
        if (group === undefined || !this.allUsers(op.members)) return failed
        return { ok: true, events: this.memberWrite(group, false, (g) => this.scimAdd(g, op.members)) }
      }
      case "RemoveMember": {
        const group = this.group(op.group)
        if (group === undefined) return failed
        return { ok: true, events: this.memberWrite(group, false, (g) => this.scimRemove(g, [op.member])) }
      }
      case "ReplaceMembers": {
        const group = this.group(op.group)
        if (group === undefined || !this.allUsers([...op.members, ...op.then])) return failed
        return {
          ok: true,
          events: this.memberWrite(group, false, (g) => {
            const desired = new Set(op.members)
            this.scimRemove(g, [...this.scimSet(g).keys()].filter((id) => !desired.has(id)))
            this.scimAdd(g, op.members)
            this.scimAdd(g, op.then)
          })
        }
      }
      case "DeleteGroup": {
        const group = this.group(op.group)
        if (group === undefined) return failed
        this.groups.splice(this.groups.indexOf(group), 1)
        this.goneGroups.push(group.id)
        return { ok: true, events: [this.groupEvent("project.deleted", group, ["displayName"], [true, false])] }
      }
      case "HostAdd": {
        const group = this.group(op.group)
        if (group === undefined || this.user(op.member) === undefined) return failed
        const m = group.members.get(op.member)
        const roleChanged = m !== undefined && m.role !== op.role
          ? [this.memberEvent("member.roleChanged", group, op.member, op.role, undefined)]
          : []
        if (m === undefined) group.members.set(op.member, { role: op.role, scim: false, host: true })
        else m.role = op.role
        if (m?.host === true) return { ok: true, events: roleChanged }
        if (m !== undefined) m.host = true
        return {
          ok: true,
          events: [this.memberEvent("member.added", group, op.member, op.role, undefined), ...roleChanged]
        }
      }
      case "HostRemove": {
        const group = this.group(op.group)
        if (group === undefined) return failed
        const m = group.members.get(op.member)
        if (m === undefined || !m.host) return { ok: true, events: [] }
        m.host = false
        if (!m.scim) group.members.delete(op.member)
        return { ok: true, events: [this.memberEvent("member.removed", group, op.member, m.role, undefined)] }
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// running an operation

/** An operation with its slots resolved to ids and its indexes to names. */
type Resolved =
  | {
    readonly _tag: "CreateUser"
    readonly userName: string
    readonly displayName: string | undefined
    readonly active: boolean
    readonly role: Role | undefined
  }
  | { readonly _tag: "PatchDisplayName"; readonly user: string; readonly displayName: string }
  | { readonly _tag: "PatchActive"; readonly user: string; readonly active: boolean }
  | { readonly _tag: "PatchRole"; readonly user: string; readonly role: Role }
  | { readonly _tag: "PatchUserName"; readonly user: string; readonly userName: string }
  | {
    readonly _tag: "ReplaceUser"
    readonly user: string
    readonly displayName: string | undefined
    readonly active: boolean
    readonly role: Role | undefined
  }
  | { readonly _tag: "DeleteUser"; readonly user: string }
  | { readonly _tag: "CreateGroup"; readonly name: string; readonly members: ReadonlyArray<string> }
  | { readonly _tag: "RenameGroup"; readonly group: string; readonly name: string }
  | {
    readonly _tag: "ReplaceGroup"
    readonly group: string
    readonly name: string
    readonly members: ReadonlyArray<string>
  }
  | { readonly _tag: "AddMembers"; readonly group: string; readonly members: ReadonlyArray<string> }
  | { readonly _tag: "RemoveMember"; readonly group: string; readonly member: string }
  | {
    readonly _tag: "ReplaceMembers"
    readonly group: string
    readonly members: ReadonlyArray<string>
    readonly then: ReadonlyArray<string>
  }
  | { readonly _tag: "DeleteGroup"; readonly group: string }
  | { readonly _tag: "HostAdd"; readonly group: string; readonly member: string; readonly role: string }
  | { readonly _tag: "HostRemove"; readonly group: string; readonly member: string }

const resolve = (model: Model, op: Op): Resolved => {
  const user = (s: number) => model.userAt(s)
  const users = (ss: ReadonlyArray<number>) => ss.map(user)
  const group = (s: number) => model.groupAt(s)
  switch (op._tag) {
    case "CreateUser":
      return {
        ...op,
        userName: `${userNames[op.name]}@example.com`,
        displayName: op.displayName === undefined ? undefined : displayNames[op.displayName]
      }
    case "PatchDisplayName":
      return { ...op, user: user(op.user), displayName: displayNames[op.displayName]! }
    case "PatchActive":
    case "PatchRole":
    case "DeleteUser":
      return { ...op, user: user(op.user) }
    case "PatchUserName":
      return { _tag: op._tag, user: user(op.user), userName: `${userNames[op.name]}@example.com` }
    case "ReplaceUser":
      return {
        ...op,
        user: user(op.user),
        displayName: op.displayName === undefined ? undefined : displayNames[op.displayName]
      }
    case "CreateGroup":
      return { _tag: op._tag, name: groupNames[op.name]!, members: users(op.members) }
    case "RenameGroup":
      return { _tag: op._tag, group: group(op.group), name: groupNames[op.name]! }
    case "ReplaceGroup":
      return { _tag: op._tag, group: group(op.group), name: groupNames[op.name]!, members: users(op.members) }
    case "AddMembers":
      return { _tag: op._tag, group: group(op.group), members: users(op.members) }
    case "RemoveMember":
    case "HostRemove":
      return { _tag: op._tag, group: group(op.group), member: user(op.member) }
    case "ReplaceMembers":
      return { _tag: op._tag, group: group(op.group), members: users(op.members), then: users(op.then) }
    case "DeleteGroup":
      return { _tag: op._tag, group: group(op.group) }
    case "HostAdd":
      return { _tag: op._tag, group: group(op.group), member: user(op.member), role: op.role }
  }
}

const patchBody = (...Operations: ReadonlyArray<JsonObject>): JsonObject => ({ schemas: [PatchOpUrn], Operations })
const none = Option.none<string>()
const values = (ids: ReadonlyArray<string>) => ids.map((value) => ({ value }))

const userBody = (
  userName: string,
  fields: { readonly displayName: string | undefined; readonly active: boolean; readonly role: Role | undefined }
): JsonObject => ({
  schemas: [UserUrn],
  userName,
  active: fields.active,
  ...(fields.displayName === undefined ? {} : { displayName: fields.displayName }),
  ...(fields.role === undefined ? {} : { [CustomUserAttributesUrn]: { platformRole: fields.role } })
})

/** Runs the operation through the services; the id of what it created, if anything. */
const perform = (scope: RequestScope, op: Resolved) =>
  Effect.gen(function*() {
    const users = yield* Users.Users
    const projects = yield* Projects.Projects
    const memberships = yield* Memberships.Memberships
    const idOf = (result: { readonly resource: JsonObject }) => String(result.resource.id)
    switch (op._tag) {
      case "CreateUser":
        return idOf(yield* users.create(scope, userBody(op.userName, op)))
      case "PatchDisplayName":
        yield* users.patch(
          scope,
          op.user,
          patchBody({ op: "replace", path: "displayName", value: op.displayName }),
          none
        )
        return undefined
      case "PatchActive":
        yield* users.patch(scope, op.user, patchBody({ op: "replace", path: "active", value: op.active }), none)
        return undefined
      case "PatchRole":
        yield* users.patch(scope, op.user, patchBody({ op: "replace", path: roleUrn, value: op.role }), none)
        return undefined
      case "PatchUserName":
        yield* users.patch(scope, op.user, patchBody({ op: "replace", path: "userName", value: op.userName }), none)
        return undefined
      case "ReplaceUser": {
        // the attributes the model does not follow (the owner's emails) are sent back as they are
        const { displayName: _, groups: __, id: ___, meta: ____, [CustomUserAttributesUrn]: _____, ...rest } =
          (yield* users.get(scope, op.user)).resource
        yield* users.replace(scope, op.user, { ...rest, ...userBody(String(rest.userName), op) }, none)
        return undefined
      }
      case "DeleteUser":
        yield* users.remove(scope, op.user, none)
        return undefined
      case "CreateGroup":
        return idOf(
          yield* projects.create(scope, { schemas: [GroupUrn], displayName: op.name, members: values(op.members) })
        )
      case "RenameGroup":
        yield* projects.patch(scope, op.group, patchBody({ op: "replace", path: "displayName", value: op.name }), none)
        return undefined
      case "ReplaceGroup":
        yield* projects.replace(scope, op.group, {
          schemas: [GroupUrn],
          displayName: op.name,
          members: values(op.members)
        }, none)
        return undefined
      case "AddMembers":
        yield* projects.patch(
          scope,
          op.group,
          patchBody({ op: "add", path: "members", value: values(op.members) }),
          none
        )
        return undefined
      case "RemoveMember":
        yield* projects.patch(
          scope,
          op.group,
          patchBody({ op: "remove", path: `members[value eq "${op.member}"]` }),
          none
        )
        return undefined
      case "ReplaceMembers":
        yield* projects.patch(
          scope,
          op.group,
          patchBody(
            { op: "replace", path: "members", value: values(op.members) },
            { op: "add", path: "members", value: values(op.then) }
          ),
          none
        )
        return undefined
      case "DeleteGroup":
        yield* projects.remove(scope, op.group, none)
        return undefined
      case "HostAdd":
        yield* memberships.add(scope.platform, op.group, [{ userId: op.member, role: op.role }])
        return undefined
      case "HostRemove":
        yield* memberships.remove(scope.platform, op.group, [op.member])
        return undefined
    }
  })

/** A user's attributes the model follows, from a stored user. */
const modelUser = (user: StoredUser): MUser => ({
  id: user.id,
  userName: user.userName,
  displayName: Option.getOrUndefined(user.displayName),
  active: user.active,
  role: user.platformRole,
  version: user.version
})

let runs = 0

/** Runs `ops` on a fresh platform and checks every operation's events against the model, then the final state. */
const check = (ops: ReadonlyArray<Op>) =>
  Effect.gen(function*() {
    const events = yield* EventStore
    const n = ++runs
    const created = yield* (yield* Platforms.Platforms).create({
      name: `events-${n}`,
      ownerEmail: `owner@events${n}.example`
    })
    const owner = Option.getOrThrow(created.owner)
    const scope: RequestScope = { platform: created.platform.id, baseUrl: "https://scim.example/scim/v2", actor }
    const model = new Model(owner.id, modelUser(owner))
    let cursor = yield* events.latest
    for (const [i, raw] of ops.entries()) {
      const op = resolve(model, raw)
      const exit = yield* Effect.exit(perform(scope, op))
      const createdId = Exit.isSuccess(exit) ? exit.value ?? "" : ""
      const expected = model.apply(op, createdId)
      const committed = yield* events.read({ after: cursor, limit: 1000, platform: scope.platform })
      if (committed.length > 0) cursor = committed[committed.length - 1]!.position
      const where = `operation ${i}: ${JSON.stringify(op)}`
      assert.strictEqual(
        Exit.isSuccess(exit),
        expected.ok,
        `${where} ${Exit.isFailure(exit) ? Cause.pretty(exit.cause) : "succeeded"}`
      )
      assert.deepStrictEqual(committed.map(compared), expected.events, where)
    }
    // the final state agrees with the model too
    const users = yield* Users.Users
    for (const user of model.users) {
      const got = yield* users.get(scope, user.id)
      assert.strictEqual(got.version, user.version, `version of user ${user.id}`)
    }
    const projects = yield* Projects.Projects
    const memberships = yield* Memberships.Memberships
    for (const group of model.groups) {
      const got = yield* projects.get(scope, group.id)
      assert.strictEqual(got.version, group.version, `version of group ${group.id}`)
      const scim = ((got.resource.members ?? []) as ReadonlyArray<JsonObject>).map((m) => String(m.value)).sort()
      assert.deepStrictEqual(scim, [...group.members].filter(([, m]) => m.scim).map(([id]) => id).sort())
      const all = (yield* memberships.list(scope.platform, group.id)).map((m) => [m.userId, m.role, m.scim, m.host])
      assert.deepStrictEqual(
        all,
        [...group.members].map(([id, m]) => [id, m.role, m.scim, m.host]).sort((a, b) => (a[0]! < b[0]! ? -1 : 1))
      )
    }
  })

const services = (stores: Layer.Layer<Stores.Stores, unknown>) =>
  Live.layer.pipe(
    Layer.provide(Crypto.layerWebCrypto),
    Layer.provideMerge(stores),
    Layer.provideMerge(ScimOptions.layer({ defaultProjectRole: defaultRole }))
  )

for (const [name, stores] of storeLayers) {
  describe(`Events (${name})`, () => {
    it.layer(services(stores), { timeout: "120 seconds" })((it) => {
      it.effect(
        "every operation emits exactly the events the reference model predicts, and a failed one none",
        () => Property.check(fc.array(op, { minLength: 8, maxLength: 40 }), check, { numRuns: 150 }),
        { timeout: 120_000 }
      )
    })
  })
}
