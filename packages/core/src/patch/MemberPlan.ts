/**
 * Group membership changes planned out of a PatchOp body. A project keeps its members in their own
 * relation, so a PATCH on a group is split in two: the member operations become {@link MemberStep}s
 * the service runs against the membership store (adding one member to a 100,000-member group never
 * loads the others), and the rest of the body is a PatchOp for `Patch.apply` on the member-less
 * group document.
 *
 * Every member form Entra ID, Okta and the RFC use maps to steps, in request order (Okta sends a
 * `replace` with `[]` and then an `add`):
 * - `add` `members` `[{value, display}]` (and a bare id string, a quirk) → `Add`
 * - `replace` `members` `[…]` (also inside a path-less value) → `Set`
 * - `remove` `members` → `RemoveAll`; with a `value` list (Entra ID, a quirk) → `Remove`
 * - `remove` `members[value eq "a"]`, `members[value eq "a" or value eq "b"]` → `Remove`
 * - `remove` `members[<any other filter>]` → `RemoveWhere`: the service loads and evaluates it
 *
 * Removing ids that are not members is left to the service (RFC 7644 §3.5.2 says `noTarget` for a
 * filter that matches nothing; identity providers expect a repeated removal to succeed).
 */
import * as Result from "effect/Result"
import type { CompatibilityProfile, Json } from "../domain/Model.js"
import { InvalidPath, InvalidValue, Mutability } from "../errors/ScimError.js"
import type { Filter } from "../filter/Ast.js"
import { parsePathResult } from "../filter/Path.js"
import { fail, PatchContext, unwrap } from "../internal/patch/context.js"
import type { Operation } from "../internal/patch/decode.js"
import { decodeBody } from "../internal/patch/decode.js"
import { compileValueFilter } from "../internal/patch/engine.js"
import { coerceElements, equalsIgnoreCase } from "../internal/patch/value.js"
import { findAttribute } from "../schema/Attribute.js"
import type { AttributeDef } from "../schema/Attribute.js"
import { isObject } from "../schema/Document.js"
import { resolve } from "../schema/Resolve.js"
import { GroupResourceType, GroupUrn, PatchOpUrn } from "../schema/Schemas.js"
import type { PatchError } from "./Patch.js"
import type { Quirk } from "../profile/Profiles.js"
import { RemoveWithValue, SchemaUrnPath, UrnValueKey } from "../profile/Profiles.js"

/** A member as a PATCH names it: the user id, and the display name the client sent (read-only, informative). */
export interface Member {
  readonly value: string
  readonly display?: string
}

/** Add these members (those already there stay as they are). */
export interface AddStep {
  readonly _tag: "Add"
  readonly members: ReadonlyArray<Member>
}
/** Remove the members with these ids. */
export interface RemoveStep {
  readonly _tag: "Remove"
  readonly ids: ReadonlyArray<string>
}
/** Remove every member. */
export interface RemoveAllStep {
  readonly _tag: "RemoveAll"
}
/** Make the member list exactly this (RFC 7644 §3.5.2.3 replace of `members`). */
export interface SetStep {
  readonly _tag: "Set"
  readonly members: ReadonlyArray<Member>
}
/** Remove the members an element filter of `members` matches (relative paths: `display co "x"`). */
export interface RemoveWhereStep {
  readonly _tag: "RemoveWhere"
  readonly filter: Filter
}

/** One membership change. */
export type MemberStep = AddStep | RemoveStep | RemoveAllStep | SetStep | RemoveWhereStep

/** The PatchOp left for `Patch.apply` on the group document: lower-case ops, no member operations. */
export interface RestBody {
  readonly schemas: ReadonlyArray<string>
  readonly Operations: ReadonlyArray<Operation>
}

/** The plan of a group PATCH. When `rest.Operations` is empty there is nothing to apply to the document. */
export interface Plan {
  readonly steps: ReadonlyArray<MemberStep>
  readonly rest: RestBody
  readonly quirks: ReadonlyArray<Quirk>
}

export interface PlanOptions {
  readonly profile: CompatibilityProfile
}

const membersDef: AttributeDef = findAttribute(GroupResourceType.schema, "members")!
const label = "members"

const toMembers = (ctx: PatchContext, value: Json): ReadonlyArray<Member> => {
  const out: Array<Member> = []
  for (const element of coerceElements(ctx, membersDef, value, label, false)) {
    const object = isObject(element) ? element : {}
    const id = object["value"]
    if (typeof id !== "string" || id.trim() === "") {
      return fail(
        new InvalidValue({
          attribute: "members.value",
          detail: `every member needs a "value": the id of the user, like {"value": "2819c223-…"}`
        })
      )
    }
    const type = object["type"]
    if (typeof type === "string" && !["user", "group"].includes(type.toLowerCase())) {
      return fail(
        new InvalidValue({
          attribute: "members.type",
          detail: `members.type must be "User" or "Group", not ${JSON.stringify(type)}`
        })
      )
    }
    if (out.some((m) => equalsIgnoreCase(m.value, id))) continue
    const display = object["display"]
    out.push(typeof display === "string" ? { value: id, display } : { value: id })
  }
  return out
}

/** The ids of `value eq "a"` or an `or` chain of them; undefined for any other filter. */
const plainIds = (filter: Filter): ReadonlyArray<string> | undefined => {
  if (filter._tag === "Or") {
    const left = plainIds(filter.left)
    const right = plainIds(filter.right)
    return left !== undefined && right !== undefined ? [...left, ...right] : undefined
  }
  if (
    filter._tag === "Compare" && filter.op === "eq" && typeof filter.value === "string" &&
    filter.path.uri === undefined && filter.path.subAttribute === undefined &&
    filter.path.attribute.toLowerCase() === "value"
  ) {
    return [filter.value]
  }
  return undefined
}

const unchangeable = (path: string, sub: string | undefined): never =>
  fail(
    new Mutability({
      attribute: sub !== undefined ? `members.${sub}` : "members",
      detail:
        `"${path}" would change a member in place, but a member's value, type and $ref are immutable and its display is the server's: remove the member and add the other one instead`
    })
  )

/** Steps of one operation on `members` (path already resolved to the attribute). */
const stepsOf = (
  ctx: PatchContext,
  op: Operation,
  path: string,
  filter: Filter | undefined,
  sub: string | undefined
): ReadonlyArray<MemberStep> => {
  if (filter === undefined) {
    if (sub !== undefined) return unchangeable(path, sub)
    if (op.op === "remove") {
      if (op.value === undefined || op.value === null) return [{ _tag: "RemoveAll" }]
      if (!ctx.allow(RemoveWithValue)) {
        return fail(
          new InvalidValue({
            attribute: label,
            detail:
              `a "remove" of "members" takes no value: to remove some members use the path members[value eq "<id>"]${
                ctx.hint(RemoveWithValue)
              }`
          })
        )
      }
      const ids = toMembers(ctx, op.value).map((m) => m.value)
      return ids.length === 0 ? [] : [{ _tag: "Remove", ids }]
    }
    const members = toMembers(ctx, op.value ?? null)
    if (op.op === "replace") return [{ _tag: "Set", members }]
    return members.length === 0 ? [] : [{ _tag: "Add", members }]
  }
  compileValueFilter(GroupResourceType, membersDef, filter, path)
  const ids = plainIds(filter)
  if (op.op === "remove") {
    if (sub !== undefined) return unchangeable(path, sub)
    return ids !== undefined ? [{ _tag: "Remove", ids }] : [{ _tag: "RemoveWhere", filter }]
  }
  const value = op.value ?? null
  const same = (v: Json | undefined): boolean =>
    v === undefined || v === null ||
    (typeof v === "string" && ids !== undefined && ids.length === 1 && equalsIgnoreCase(v, ids[0]!))
  if (sub !== undefined) {
    if (sub.toLowerCase() === "value" && same(value)) return []
    return unchangeable(path, sub)
  }
  if (
    isObject(value) &&
    Object.keys(value).every((k) => k.toLowerCase() === "display" || (k.toLowerCase() === "value" && same(value[k]))) &&
    ids?.length === 1
  ) return []
  return unchangeable(path, undefined)
}

const isMembersKey = (ctx: PatchContext, key: string): boolean => {
  const lower = key.toLowerCase()
  if (lower === "members") return true
  if (lower === `${GroupUrn}:members`.toLowerCase()) {
    if (!ctx.allow(UrnValueKey)) {
      return fail(
        new InvalidPath({
          path: key,
          detail: `"${key}" is an attribute path, not an attribute name: write "members"${ctx.hint(UrnValueKey)}`
        })
      )
    }
    return true
  }
  return false
}

/** Splits the `members` entries out of a path-less value object. */
const splitObject = (ctx: PatchContext, op: Operation, steps: Array<MemberStep>, rest: Array<Operation>): void => {
  const value = op.value
  if (!isObject(value)) {
    rest.push(op)
    return
  }
  const kept: { [key: string]: Json } = {}
  let changed = false
  for (const key in value) {
    const v = value[key]!
    if (isMembersKey(ctx, key)) {
      for (const item of stepsOf(ctx, { op: op.op, path: "members", value: v }, "members", undefined, undefined)) {
        steps.push(item)
      }
      changed = true
    } else if (
      key.toLowerCase() === GroupUrn.toLowerCase() && isObject(v) &&
      Object.keys(v).some((k) => k.toLowerCase() === "members")
    ) {
      const inner: { [key: string]: Json } = {}
      for (const k in v) {
        if (k.toLowerCase() === "members") {
          for (
            const item of stepsOf(ctx, { op: op.op, path: "members", value: v[k]! }, "members", undefined, undefined)
          ) steps.push(item)
        } else inner[k] = v[k]!
      }
      if (Object.keys(inner).length > 0) kept[key] = inner
      changed = true
    } else {
      kept[key] = v
    }
  }
  if (!changed) rest.push(op)
  else if (Object.keys(kept).length > 0) rest.push({ op: op.op, path: undefined, value: kept })
}

const plan = (ctx: PatchContext, operations: ReadonlyArray<Operation>): Plan => {
  const steps: Array<MemberStep> = []
  const rest: Array<Operation> = []
  for (const op of operations) {
    if (op.path === undefined) {
      if (op.op === "remove") rest.push(op)
      else splitObject(ctx, op, steps, rest)
      continue
    }
    if (op.path.trim().toLowerCase() === GroupUrn.toLowerCase() && op.op !== "remove" && ctx.allow(SchemaUrnPath)) {
      splitObject(ctx, { op: op.op, path: undefined, value: op.value ?? null }, steps, rest)
      continue
    }
    const parsed = parsePathResult(op.path)
    if (Result.isFailure(parsed)) {
      rest.push(op)
      continue
    }
    const resolved = resolve(GroupResourceType, parsed.success.path)
    if (Result.isFailure(resolved) || resolved.success.attribute !== membersDef) {
      rest.push(op)
      continue
    }
    const sub = resolved.success.subAttribute?.name ?? parsed.success.subAttribute
    for (const item of stepsOf(ctx, op, op.path, parsed.success.valueFilter, sub)) steps.push(item)
  }
  return { steps, rest: { schemas: [PatchOpUrn], Operations: rest }, quirks: ctx.fired }
}

/**
 * Splits a group PatchOp body into membership steps and the rest of the body (see the module
 * notes). Fails like `Patch.apply` on the body itself and on member operations; errors in the
 * other operations are left for `Patch.apply` on `rest`, which the service runs before the steps.
 */
export const split = (body: unknown, options: PlanOptions): Result.Result<Plan, PatchError> => {
  const ctx = new PatchContext(GroupResourceType, options.profile)
  try {
    return Result.succeed(plan(ctx, decodeBody(ctx, body)))
  } catch (e) {
    return Result.fail(unwrap(e))
  }
}

/** Whether a plan leaves operations for the group document. */
export const hasRest = (plan: Plan): boolean => plan.rest.Operations.length > 0
