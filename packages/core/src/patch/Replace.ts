/**
 * SCIM PUT (RFC 7644 §3.5.1) as a pure function: the body replaces the resource. It is normalized
 * against the schemas (`Resource.normalize`, with the profile's quirks); attributes it does not
 * send are cleared; read-only values are the server's (taken from the current document, whatever
 * the body says: `id`, `meta`, a user's `groups`, a manager's `displayName`); an immutable
 * attribute that already has a value must be sent unchanged (or left out, which keeps it).
 */
import * as Result from "effect/Result"
import type { CompatibilityProfile, Json, JsonObject } from "../domain/Model.js"
import type { InvalidSyntax, InvalidValue } from "../errors/ScimError.js"
import { Mutability } from "../errors/ScimError.js"
import { copyObject, without } from "../internal/patch/value.js"
import type { Quirk } from "../profile/Profiles.js"
import type { AttributeDef } from "../schema/Attribute.js"
import { isObject } from "../schema/Document.js"
import { normalize } from "../schema/Resource.js"
import type { ResourceTypeDef } from "../schema/Schemas.js"
import { topLevelAttributes } from "../schema/Schemas.js"
import { equalValues } from "../schema/Value.js"

export interface ReplaceOptions {
  readonly profile: CompatibilityProfile
}

/** The new document and the quirks (see {@link Profiles}) accepted while reading the body. */
export interface ReplaceResult {
  readonly document: JsonObject
  readonly quirks: ReadonlyArray<Quirk>
}

export type ReplaceError = InvalidSyntax | InvalidValue | Mutability

type MutableObject = { [key: string]: Json }

class Conflict {
  constructor(readonly error: Mutability) {}
}

const immutableChanged = (label: string, current: Json): never => {
  throw new Conflict(
    new Mutability({
      attribute: label,
      detail: `"${label}" is immutable and already ${
        JSON.stringify(current)
      }: send that value (or leave it out) instead of a new one`
    })
  )
}

/** One attribute of the result from its current and its sent value. */
const settle = (
  def: AttributeDef,
  label: string,
  current: Json | undefined,
  sent: Json | undefined
): Json | undefined => {
  if (def.mutability === "readOnly") return current
  if (def.mutability === "immutable" && current !== undefined && current !== null) {
    if (sent === undefined) return current
    if (!equalValues(def, current, sent)) return immutableChanged(label, current)
    return sent
  }
  if (sent === undefined || def.type !== "complex") return sent
  if (def.multiValued) {
    if (!Array.isArray(sent)) return sent
    const elements: ReadonlyArray<Json> = sent
    return elements.map((element) => dropReadOnly(def, element))
  }
  if (!isObject(sent)) return sent
  const base = isObject(current) ? current : {}
  let out: MutableObject | undefined
  for (const sub of def.subAttributes ?? []) {
    if (sub.mutability !== "readOnly" && sub.mutability !== "immutable") continue
    const next = settle(sub, `${label}.${sub.name}`, base[sub.name], sent[sub.name])
    if (next !== sent[sub.name]) {
      if (next === undefined) out = without(out ?? sent, sub.name)
      else (out ??= copyObject(sent))[sub.name] = next
    }
  }
  return out ?? sent
}

const dropReadOnly = (def: AttributeDef, element: Json): Json => {
  if (!isObject(element)) return element
  let out: MutableObject | undefined
  for (const sub of def.subAttributes ?? []) {
    if (sub.mutability === "readOnly" && element[sub.name] !== undefined) {
      out = without(out ?? element, sub.name)
    }
  }
  return out ?? element
}

const merge = (
  defs: ReadonlyArray<AttributeDef>,
  prefix: string,
  current: JsonObject,
  sent: JsonObject
): JsonObject => {
  let out: MutableObject = copyObject(sent)
  for (const def of defs) {
    const value = settle(def, prefix + def.name, current[def.name], sent[def.name])
    if (value === undefined) {
      if (def.name in out) out = without(out, def.name)
    } else {
      out[def.name] = value
    }
  }
  return out
}

/**
 * Replaces `current` with a PUT body (RFC 7644 §3.5.1). Fails with `InvalidSyntax`/`InvalidValue`
 * when the body does not decode against the schemas and with `Mutability` when it changes an
 * immutable value that is already set.
 */
export const apply = (
  rt: ResourceTypeDef,
  current: JsonObject,
  body: unknown,
  options: ReplaceOptions
): Result.Result<ReplaceResult, ReplaceError> => {
  const normalized = normalize(rt, body, { profile: options.profile })
  if (Result.isFailure(normalized)) return Result.fail(normalized.failure)
  const sent = normalized.success.document
  try {
    let document = merge(topLevelAttributes(rt), "", current, sent)
    for (const ext of rt.extensions) {
      const id = ext.schema.id
      const had = isObject(current[id]) ? current[id] : {}
      const got = isObject(sent[id]) ? sent[id] : {}
      const merged = merge(ext.schema.attributes, `${id}:`, had, got)
      if (Object.keys(merged).length > 0) {
        const next = copyObject(document)
        next[id] = merged
        document = next
      } else if (id in document) {
        document = without(document, id)
      }
    }
    return Result.succeed({ document, quirks: normalized.success.quirks })
  } catch (e) {
    if (e instanceof Conflict) return Result.fail(e.error)
    throw e
  }
}
