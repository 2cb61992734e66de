/**
 * SCIM PATCH (RFC 7644 §3.5.2) as a pure function over normalized documents: `add`, `remove` and
 * `replace` with every path form (`attr`, `attr.sub`, `urn:…:attr`, `attr[filter]`,
 * `attr[filter].sub`), path-less values merged per the RFC, multi-valued add with de-duplication,
 * a single `primary`, mutability enforced, and the dialects of Entra ID and Okta accepted as named
 * quirks of the chosen compatibility profile (see {@link Profiles}).
 *
 * All or nothing: the operations apply in order to an immutable document and the result is
 * validated against the schemas; any failure returns the error and the caller keeps its document.
 */
import * as Result from "effect/Result"
import type { CompatibilityProfile, Json, JsonObject } from "../domain/Model.js"
import type { InvalidPath, InvalidSyntax, InvalidValue, Mutability, NoTarget } from "../errors/ScimError.js"
import { PatchContext, unwrap } from "../internal/patch/context.js"
import type { Operation as DecodedOperation } from "../internal/patch/decode.js"
import { decodeBody } from "../internal/patch/decode.js"
import { applyOperation } from "../internal/patch/engine.js"
import { copyObject, without } from "../internal/patch/value.js"
import type { AttributeDef } from "../schema/Attribute.js"
import { jsonEquals } from "../schema/JsonValues.js"
import { validate } from "../schema/Resource.js"
import type { ResourceTypeDef } from "../schema/Schemas.js"
import { readOnlyTopLevel, topLevelAttributes } from "../schema/Schemas.js"
import type { Quirk } from "../profile/Profiles.js"

/** Options of {@link apply}. */
export interface PatchOptions {
  readonly profile: CompatibilityProfile
}

/** The patched document and the quirks (see {@link Profiles}) that were accepted to get it. */
export interface PatchResult {
  readonly document: JsonObject
  readonly quirks: ReadonlyArray<Quirk>
}

/** Every error a PATCH ends with (RFC 7644 §3.12 `scimType`s). */
export type PatchError = InvalidSyntax | InvalidPath | InvalidValue | NoTarget | Mutability

/** One decoded operation: `op` in lower case, `value` undefined when absent. */
export type Operation = DecodedOperation

/** A decoded PatchOp body. */
export interface Decoded {
  readonly operations: ReadonlyArray<Operation>
  readonly quirks: ReadonlyArray<Quirk>
}

/**
 * Decodes a PatchOp body (RFC 7644 §3.5.2): `schemas` with the PatchOp URN and one or more
 * `Operations`, each with an `op`, an optional string `path` and, for add/replace, a `value`.
 */
export const decode = (
  rt: ResourceTypeDef,
  body: unknown,
  options: PatchOptions
): Result.Result<Decoded, InvalidSyntax | InvalidValue> => {
  const ctx = new PatchContext(rt, options.profile)
  try {
    const operations = decodeBody(ctx, body)
    return Result.succeed({ operations, quirks: ctx.fired })
  } catch (e) {
    return Result.fail(unwrap(e) as InvalidSyntax | InvalidValue)
  }
}

type MutableObject = { [key: string]: Json }

const isArray = (value: Json | undefined): value is ReadonlyArray<Json> => Array.isArray(value)

/**
 * Validates what the PATCH changed (RFC 7644 §3.5.2: the result must conform to the schemas) with
 * `Resource.validate`, and takes the canonical form it returns. The probe holds every changed
 * attribute, every required one, and, of a multi-valued attribute that had elements, only the
 * elements that are new or changed: the others are the very objects of the accepted document, so a
 * 10,000-member group is not re-validated to add one member. `primary` uniqueness over the whole
 * attribute is kept by the engine.
 */
const finish = (
  ctx: PatchContext,
  original: JsonObject,
  patched: JsonObject
): Result.Result<PatchResult, PatchError> => {
  if (patched === original) return Result.succeed({ document: original, quirks: ctx.fired })
  const rt = ctx.rt
  const { defs, extensions, required } = writableOf(rt)
  const probe: MutableObject = {}
  let fresh: Map<string, ReadonlyArray<number>> | undefined
  for (const key of ctx.touched) {
    const after = patched[key]
    const before = original[key]
    if (after === undefined || after === before) continue
    const def = defs.get(key)
    if (def === undefined) {
      if (extensions.has(key)) probe[key] = after
      continue
    }
    if (def.multiValued && isArray(after) && isArray(before)) {
      const indices: Array<number> = []
      const items: Array<Json> = []
      let j = 0
      for (let i = 0; i < after.length; i++) {
        const element = after[i]!
        if (j < before.length && element === before[j]) {
          j++
          continue
        }
        if (!ctx.created(element)) {
          let k = j
          while (k < before.length && before[k] !== element) k++
          if (k < before.length) {
            j = k + 1
            continue
          }
        }
        indices.push(i)
        items.push(element)
      }
      ;(fresh ??= new Map()).set(def.name, indices)
      if (items.length > 0) probe[def.name] = items
      continue
    }
    probe[key] = after
  }
  for (const name of required) {
    const value = patched[name]
    if (probe[name] === undefined && value !== undefined) probe[name] = value
  }
  const valid = validate(rt, probe, { profile: ctx.profile })
  if (Result.isFailure(valid)) return Result.fail(valid.failure)
  const canonical = valid.success
  let document: MutableObject | undefined
  for (const key in probe) {
    const value = canonical[key]
    const indices = fresh?.get(key)
    if (indices === undefined) {
      if (value !== undefined && jsonEquals(value, probe[key]!)) continue
      if (value === undefined) document = without(document ?? patched, key)
      else (document ??= copyObject(patched))[key] = value
      continue
    }
    if (!isArray(value) || value.length !== indices.length) return finishFully(ctx, patched)
    let elements: Array<Json> | undefined
    for (let j = 0; j < indices.length; j++) {
      if (jsonEquals(value[j]!, probe[key] === undefined ? null : (probe[key] as ReadonlyArray<Json>)[j]!)) continue
      elements ??= (patched[key] as ReadonlyArray<Json>).slice()
      elements[indices[j]!] = value[j]!
    }
    if (elements !== undefined) {
      document ??= copyObject(patched)
      document[key] = elements
    }
  }
  return Result.succeed({ document: document ?? patched, quirks: ctx.fired })
}

/**
 * RFC 7644 §3.5.2: an operation that is invalid fails the whole request, even when a later one
 * would overwrite its value (`replace platformRole "ROOT"`, then `replace platformRole "ADMIN"`).
 * So with more than one operation, what each one changed is validated on its own; the failure of
 * the first invalid one is the answer. A single operation is validated once, by `finish`.
 */
const checkStep = (
  ctx: PatchContext,
  count: number,
  before: JsonObject,
  after: JsonObject
): Result.Result<PatchResult, PatchError> | undefined => {
  if (count < 2 || after === before) return undefined
  const checked = finish(ctx, before, after)
  return Result.isFailure(checked) ? checked : undefined
}

/** The top-level keys of a resource type's documents that a PATCH may write, which `finish` validates. */
interface Writable {
  /** The writable top-level attributes (common and core schema), by canonical name. */
  readonly defs: ReadonlyMap<string, AttributeDef>
  /** The extension URNs, each holding an object of that extension's attributes. */
  readonly extensions: ReadonlySet<string>
  /** The names of the writable top-level attributes that are required. */
  readonly required: ReadonlyArray<string>
}

const writables = new WeakMap<ResourceTypeDef, Writable>()

const writableOf = (rt: ResourceTypeDef): Writable => {
  let writable = writables.get(rt)
  if (writable === undefined) {
    const all = topLevelAttributes(rt).filter((a) => a.mutability !== "readOnly")
    writable = {
      defs: new Map(all.map((a) => [a.name, a])),
      extensions: new Set(rt.extensions.map((e) => e.schema.id)),
      required: all.filter((a) => a.required).map((a) => a.name)
    }
    writables.set(rt, writable)
  }
  return writable
}

/**
 * Validation of the whole document, when the changed elements cannot be matched to their canonical
 * form. Validation drops `schemas` and the read-only attributes (`id`, `meta`, a user's `groups`),
 * which the document keeps: they are put back from the patched document.
 */
const finishFully = (ctx: PatchContext, patched: JsonObject): Result.Result<PatchResult, PatchError> => {
  const valid = validate(ctx.rt, patched, { profile: ctx.profile })
  if (Result.isFailure(valid)) return Result.fail(valid.failure)
  let document = valid.success
  for (const key of ["schemas", ...readOnlyTopLevel(ctx.rt)]) {
    const kept: Json | undefined = patched[key]
    if (kept !== undefined && document[key] === undefined) {
      const copy = copyObject(document)
      copy[key] = kept
      document = copy
    }
  }
  return Result.succeed({ document, quirks: ctx.fired })
}

/**
 * Applies already decoded operations (see {@link decode}) to a normalized document. An empty list
 * changes nothing.
 */
export const applyOperations = (
  rt: ResourceTypeDef,
  document: JsonObject,
  operations: ReadonlyArray<Operation>,
  options: PatchOptions
): Result.Result<PatchResult, PatchError> => {
  const ctx = new PatchContext(rt, options.profile)
  let doc = document
  try {
    for (const operation of operations) {
      const next = applyOperation(ctx, doc, operation)
      const checked = checkStep(ctx, operations.length, doc, next)
      if (checked !== undefined) return checked
      doc = next
    }
  } catch (e) {
    return Result.fail(unwrap(e))
  }
  return finish(ctx, document, doc)
}

/**
 * Applies a PatchOp request body to a normalized document (RFC 7644 §3.5.2). The result is the new
 * document (validated, in canonical form; the input when nothing changed) and the quirks accepted
 * under the profile, or the first error:
 * - `InvalidSyntax`: the body is not a PatchOp, an `op` is unknown;
 * - `InvalidPath`: a path is malformed or names no attribute;
 * - `NoTarget`: a `remove` without path, a value filter that matches nothing;
 * - `InvalidValue`: a value missing or of the wrong type, two primaries, a result that fails validation;
 * - `Mutability`: a change to a readOnly or immutable attribute, `id` or `meta`, or the removal of a required one.
 */
export const apply = (
  rt: ResourceTypeDef,
  document: JsonObject,
  body: unknown,
  options: PatchOptions
): Result.Result<PatchResult, PatchError> => {
  const ctx = new PatchContext(rt, options.profile)
  let doc = document
  try {
    const operations = decodeBody(ctx, body)
    for (const operation of operations) {
      const next = applyOperation(ctx, doc, operation)
      const checked = checkStep(ctx, operations.length, doc, next)
      if (checked !== undefined) return checked
      doc = next
    }
  } catch (e) {
    return Result.fail(unwrap(e))
  }
  return finish(ctx, document, doc)
}
