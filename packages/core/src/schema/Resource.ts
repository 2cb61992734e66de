/**
 * Decoding of create/replace bodies (RFC 7644 §3.3, §3.5.1) against the schemas-as-data into a
 * normalized document: canonical attribute names, core and common attributes at the top level,
 * extension attributes under their schema URN, values checked against their RFC 7643 §2.3 types.
 *
 * `schemas` is not part of a normalized document: responses compute it with {@link schemasOf},
 * so it always lists every schema the resource carries. Read-only input (`id`, `meta`, a user's
 * `groups`) is ignored, `writeOnly` attributes (`password`) are accepted and dropped, `null` and
 * empty arrays mean "absent" (RFC 7643 §2.5), and attributes the server does not interpret are kept
 * as given so that identity providers do not see drift.
 *
 * Identity providers are sloppier than the RFC; depending on the compatibility profile the decoder
 * accepts what Entra ID and Okta really send and reports each such deviation as a quirk.
 *
 * @since 0.1.0
 */
import * as Either from "effect/Either"
import type { CompatibilityProfile, Json, JsonObject } from "../domain/Model.js"
import { InvalidSyntax, InvalidValue } from "../errors/ScimError.js"
import { describe, findByName, isBase64, isDateTime, jsonEquals } from "../internal/resourceValue.js"
import type { AttributeDef } from "./Attribute.js"
import { isObject } from "./Document.js"
import { splitUri } from "./Resolve.js"
import type { ResourceTypeDef } from "./Schemas.js"
import { commonAttributes, enforcedCanonicalValues, LegacyGroupUrn, resourceTypes } from "./Schemas.js"

/** @since 0.1.0 */
export interface NormalizeOptions {
  readonly profile: CompatibilityProfile
}

/** A normalized document and the deviations from RFC 7643 that were accepted on the way. @since 0.1.0 */
export interface Normalized {
  readonly document: JsonObject
  readonly quirks: ReadonlyArray<string>
}

interface Context {
  readonly profile: CompatibilityProfile
  readonly quirks: Array<string>
}

interface Where {
  /** The schema URN the attribute belongs to. */
  readonly schemaId: string
  /** Canonical dotted name without indexes (`members.type`), for the enforced canonical values. */
  readonly name: string
  /** The path as shown in error details (`emails[1].value`, `urn:…:User:department`). */
  readonly display: string
}

type Result<A> = Either.Either<A, InvalidValue>
type Entry = readonly [string, unknown]

const enforced: ReadonlySet<string> = new Set(enforcedCanonicalValues.map((path) => path.toLowerCase()))
const coreDefsCache = new WeakMap<ResourceTypeDef, ReadonlyArray<AttributeDef>>()
const coreDefs = (rt: ResourceTypeDef): ReadonlyArray<AttributeDef> => {
  let defs = coreDefsCache.get(rt)
  if (defs === undefined) {
    defs = [...commonAttributes, ...rt.schema.attributes]
    coreDefsCache.set(rt, defs)
  }
  return defs
}
const acceptsStringBooleans = (profile: CompatibilityProfile): boolean => profile === "lenient" || profile === "entra"

const invalid = (where: Where, detail: string): Either.Either<never, InvalidValue> =>
  Either.left(new InvalidValue({ attribute: where.display, detail }))

const expected = (def: AttributeDef): string => {
  switch (def.type) {
    case "string":
      return "a string"
    case "boolean":
      return "true or false"
    case "integer":
      return "an integer"
    case "decimal":
      return "a number"
    case "dateTime":
      return "an xsd:dateTime string such as \"2024-01-31T12:00:00Z\""
    case "reference":
      return "a URI reference (a string)"
    case "binary":
      return "base64-encoded binary data (a string)"
    case "complex":
      return `an object with the sub-attributes ${(def.subAttributes ?? []).map((s) => s.name).join(", ")}`
  }
}

const typeError = (where: Where, def: AttributeDef, value: unknown): Either.Either<never, InvalidValue> =>
  invalid(where, `${where.display} must be ${expected(def)}; got ${describe(value)}`)

/** Converts a parsed JSON value to {@link Json}, dropping what JSON cannot carry (undefined, NaN). */
const asJson = (value: unknown): Json | undefined => {
  if (value === null || typeof value === "string" || typeof value === "boolean") return value
  if (typeof value === "number") return Number.isFinite(value) ? value : undefined
  if (Array.isArray(value)) {
    const out: Array<Json> = []
    for (const item of value) {
      const json = asJson(item)
      if (json !== undefined) out.push(json)
    }
    return out
  }
  if (isObject(value)) {
    const out: Record<string, Json> = {}
    for (const [key, item] of Object.entries(value)) {
      const json = asJson(item)
      if (json !== undefined) out[key] = json
    }
    return out
  }
  return undefined
}

const canonical = (where: Where, def: AttributeDef, value: string): Result<string> => {
  if (def.canonicalValues === undefined || !enforced.has(`${where.schemaId}:${where.name}`.toLowerCase())) {
    return Either.right(value)
  }
  const lower = value.toLowerCase()
  const match = def.canonicalValues.find((c) => c.toLowerCase() === lower)
  return match !== undefined
    ? Either.right(match)
    : invalid(where, `${where.display} must be one of ${def.canonicalValues.join(", ")}; got ${describe(value)}`)
}

const normalizeSingle = (ctx: Context, where: Where, def: AttributeDef, value: unknown): Result<Json | undefined> => {
  if (value === null || value === undefined) return Either.right(undefined)
  switch (def.type) {
    case "string": {
      if (typeof value === "string") return canonical(where, def, value)
      if (typeof value === "number" && Number.isFinite(value) && ctx.profile === "lenient") {
        ctx.quirks.push(`${where.display}: the number ${value} was sent for a string attribute and stored as "${value}"`)
        return canonical(where, def, String(value))
      }
      return typeError(where, def, value)
    }
    case "boolean": {
      if (typeof value === "boolean") return Either.right(value)
      if (typeof value === "string" && acceptsStringBooleans(ctx.profile) && /^(true|false)$/i.test(value.trim())) {
        ctx.quirks.push(`${where.display}: the string ${JSON.stringify(value)} was read as a boolean`)
        return Either.right(value.trim().toLowerCase() === "true")
      }
      return typeError(where, def, value)
    }
    case "integer":
      return typeof value === "number" && Number.isInteger(value) ? Either.right(value) : typeError(where, def, value)
    case "decimal":
      return typeof value === "number" && Number.isFinite(value) ? Either.right(value) : typeError(where, def, value)
    case "dateTime":
      return typeof value === "string" && isDateTime(value) ? Either.right(value) : typeError(where, def, value)
    case "reference":
      return typeof value === "string" ? Either.right(value) : typeError(where, def, value)
    case "binary":
      return typeof value === "string" && isBase64(value) ? Either.right(value) : typeError(where, def, value)
    case "complex": {
      if (!isObject(value)) return typeError(where, def, value)
      return Either.map(
        normalizeEntries(ctx, where, def.subAttributes ?? [], Object.entries(value), false),
        (object) => (Object.keys(object).length === 0 ? undefined : object)
      )
    }
  }
}

/** RFC 7643 §2.4: the primary value `true` appears at most once. */
const singlePrimary = (ctx: Context, where: Where, items: Array<Json>): Result<Array<Json>> => {
  const primaries = items.filter((item) => isObject(item) && item["primary"] === true).length
  if (primaries <= 1) return Either.right(items)
  if (ctx.profile === "rfc") {
    return invalid(where, `${where.display} has ${primaries} values with "primary": true; at most one value may be primary (RFC 7643 §2.4)`)
  }
  ctx.quirks.push(`${where.display}: ${primaries} values were marked primary; the first one stays primary`)
  let seen = false
  return Either.right(items.map((item) => {
    if (!isObject(item) || item["primary"] !== true) return item
    if (!seen) {
      seen = true
      return item
    }
    const { primary: _, ...rest } = item
    return rest
  }))
}

const normalizeAttribute = (ctx: Context, where: Where, def: AttributeDef, value: unknown): Result<Json | undefined> => {
  if (value === null || value === undefined) return Either.right(undefined)
  if (!def.multiValued) {
    if (!Array.isArray(value)) return normalizeSingle(ctx, where, def, value)
    if (value.length === 0) return Either.right(undefined)
    if (value.length === 1 && ctx.profile === "lenient") {
      ctx.quirks.push(`${where.display}: a one-element array was sent for a single-valued attribute; its element was used`)
      return normalizeSingle(ctx, where, def, value[0])
    }
    return invalid(where, `${where.display} is single-valued: send ${expected(def)}, not an array`)
  }
  let items: ReadonlyArray<unknown>
  if (Array.isArray(value)) {
    items = value
  } else if (ctx.profile === "lenient") {
    ctx.quirks.push(`${where.display}: a single value was sent for a multi-valued attribute; it was wrapped in an array`)
    items = [value]
  } else {
    return invalid(where, `${where.display} is multi-valued: send an array of ${expected(def).replace(/^an? /, "")} values; got ${describe(value)}`)
  }
  const out: Array<Json> = []
  for (let i = 0; i < items.length; i++) {
    const item = normalizeSingle(ctx, { ...where, display: `${where.display}[${i}]` }, def, items[i])
    if (Either.isLeft(item)) return item
    if (item.right !== undefined) out.push(item.right)
  }
  if (out.length === 0) return Either.right(undefined)
  return def.type === "complex" ? singlePrimary(ctx, where, out) : Either.right(out)
}

const isBlank = (value: Json | undefined): boolean =>
  value === undefined || value === null || (typeof value === "string" && value.trim() === "")

/**
 * Normalizes the entries of one object (a schema's top level or a complex value) against `defs`.
 * Keys match case-insensitively; two spellings of one attribute must agree. At the top level
 * (`top`) read-only attributes are ignored (RFC 7643 §2.2).
 */
const normalizeEntries = (
  ctx: Context,
  parent: Where | undefined,
  defs: ReadonlyArray<AttributeDef>,
  entries: ReadonlyArray<Entry>,
  top: boolean,
  schemaId: string = parent?.schemaId ?? "",
  qualified = false
): Result<JsonObject> => {
  const order: Array<{ readonly known: AttributeDef } | { readonly unknown: string }> = []
  const known = new Map<string, { key: string; value: unknown }>()
  const unknown = new Map<string, Json>()
  for (const [key, value] of entries) {
    const def = findByName(defs, key)
    if (def === undefined) {
      const json = asJson(value)
      if (json === undefined || json === null) continue
      if (!unknown.has(key)) order.push({ unknown: key })
      unknown.set(key, json)
      continue
    }
    if ((top && def.mutability === "readOnly") || def.mutability === "writeOnly") continue
    const previous = known.get(def.name)
    if (previous === undefined) {
      known.set(def.name, { key, value })
      order.push({ known: def })
      continue
    }
    const merged = mergeSpellings(whereOf(parent, schemaId, top && qualified, def), previous, { key, value })
    if (Either.isLeft(merged)) return Either.left(merged.left)
    known.set(def.name, { key: previous.key, value: merged.right })
  }
  const out: Record<string, Json> = {}
  for (const slot of order) {
    if ("unknown" in slot) {
      out[slot.unknown] = unknown.get(slot.unknown)!
      continue
    }
    const def = slot.known
    const value = normalizeAttribute(ctx, whereOf(parent, schemaId, top && qualified, def), def, known.get(def.name)!.value)
    if (Either.isLeft(value)) return Either.left(value.left)
    if (value.right !== undefined) out[def.name] = value.right
  }
  for (const def of defs) {
    if (def.required && isBlank(out[def.name])) {
      const where = whereOf(parent, schemaId, top && qualified, def)
      return invalid(where, `${where.display} is required: send a non-empty ${def.name} (${def.description})`)
    }
  }
  return Either.right(out)
}

function whereOf(parent: Where | undefined, schemaId: string, qualified: boolean, def: AttributeDef): Where {
  return parent === undefined
    ? { schemaId, name: def.name, display: qualified ? `${schemaId}:${def.name}` : def.name }
    : { schemaId, name: `${parent.name}.${def.name}`, display: `${parent.display}.${def.name}` }
}

/** Two spellings of one attribute (`userName` and `USERNAME`): equal values, or objects that merge without conflict. */
const mergeSpellings = (
  where: Where,
  a: { readonly key: string; readonly value: unknown },
  b: { readonly key: string; readonly value: unknown }
): Result<unknown> => {
  const left = asJson(a.value)
  const right = asJson(b.value)
  if (right === undefined || right === null || jsonEquals(left, right)) return Either.right(a.value)
  if (left === undefined || left === null) return Either.right(b.value)
  if (isObject(left) && isObject(right)) {
    const conflict = Object.entries(right).some(([key, value]) => key in left && !jsonEquals(left[key], value))
    if (!conflict) return Either.right({ ...left, ...right })
  }
  return invalid(where, `${where.display} was sent twice (as "${a.key}" and "${b.key}") with different values; send it once`)
}

const allowedUrns = (rt: ResourceTypeDef): string => [rt.schema.id, ...rt.extensions.map((e) => e.schema.id)].join(", ")

const unknownSchema = (rt: ResourceTypeDef, urn: string, attribute: string): InvalidValue => {
  const lower = urn.toLowerCase()
  const other = resourceTypes.find((r) =>
    r.id !== rt.id && [r.schema, ...r.extensions.map((e) => e.schema)].some((s) => s.id.toLowerCase() === lower)
  )
  return new InvalidValue({
    attribute,
    detail: other !== undefined
      ? `"${urn}" is a schema of ${other.name} resources, not of ${rt.name}; a ${rt.name} accepts ${allowedUrns(rt)}`
      : `"${urn}" is not a schema this server knows for ${rt.name}; a ${rt.name} accepts ${allowedUrns(rt)}`
  })
}

interface Declared {
  /** URNs listed in `schemas`, canonical; undefined when `schemas` was not sent. */
  readonly urns: ReadonlySet<string> | undefined
}

const readSchemas = (rt: ResourceTypeDef, body: { readonly [key: string]: unknown }, ctx: Context): Either.Either<Declared, InvalidSyntax | InvalidValue> => {
  const entry = Object.entries(body).find(([key]) => key.toLowerCase() === "schemas")
  let raw = entry?.[1]
  if (Array.isArray(raw) && raw.length === 0) raw = undefined
  if (raw === undefined || raw === null) {
    if (ctx.profile === "rfc") {
      return Either.left(new InvalidSyntax({
        detail: `The request body has no "schemas"; send "schemas": ["${rt.schema.id}"] (plus the URN of every extension it carries)`
      }))
    }
    ctx.quirks.push(`"schemas" is missing; read the body as ${rt.schema.id}`)
    return Either.right({ urns: undefined })
  }
  if (typeof raw === "string" && ctx.profile !== "rfc") {
    ctx.quirks.push(`"schemas" was a single string instead of an array`)
    raw = [raw]
  }
  if (!Array.isArray(raw) || raw.some((urn) => typeof urn !== "string")) {
    return Either.left(new InvalidSyntax({ detail: `"schemas" must be an array of schema URN strings, such as ["${rt.schema.id}"]` }))
  }
  const urns = new Set<string>()
  for (const urn of raw as ReadonlyArray<string>) {
    const lower = urn.trim().toLowerCase()
    if (lower === rt.schema.id.toLowerCase()) {
      urns.add(rt.schema.id)
      continue
    }
    const ext = rt.extensions.find((e) => e.schema.id.toLowerCase() === lower)
    if (ext !== undefined) {
      urns.add(ext.schema.id)
      continue
    }
    if (rt.id === "Group" && lower === LegacyGroupUrn.toLowerCase()) {
      ctx.quirks.push(`"schemas" lists the legacy group URI ${LegacyGroupUrn}; read as ${rt.schema.id}`)
      urns.add(rt.schema.id)
      continue
    }
    return Either.left(unknownSchema(rt, urn, "schemas"))
  }
  if (!urns.has(rt.schema.id)) {
    if (ctx.profile === "rfc") {
      return Either.left(new InvalidValue({ attribute: "schemas", detail: `"schemas" must include ${rt.schema.id}` }))
    }
    ctx.quirks.push(`"schemas" does not list ${rt.schema.id}; read the body as ${rt.schema.id} anyway`)
  }
  return Either.right({ urns })
}

const run = (
  rt: ResourceTypeDef,
  body: { readonly [key: string]: unknown },
  ctx: Context,
  declared: Declared
): Result<JsonObject> => {
  const core: Array<Entry> = []
  const extensions = new Map<string, Array<Entry>>(rt.extensions.map((e) => [e.schema.id, []]))
  const undeclared = (urn: string): void => {
    if (declared.urns !== undefined && !declared.urns.has(urn)) {
      ctx.quirks.push(`${urn} attributes were sent without ${urn} in "schemas"`)
    }
  }
  for (const [key, value] of Object.entries(body)) {
    const lower = key.toLowerCase()
    if (lower === "schemas") continue
    if (!lower.startsWith("urn:")) {
      core.push([key, value])
      continue
    }
    const ext = rt.extensions.find((e) => e.schema.id.toLowerCase() === lower)
    if (ext !== undefined || lower === rt.schema.id.toLowerCase()) {
      const urn = ext?.schema.id ?? rt.schema.id
      if (value === null || value === undefined) continue
      if (!isObject(value)) {
        return Either.left(new InvalidValue({
          attribute: urn,
          detail: `"${urn}" must be an object holding that schema's attributes; got ${describe(value)}`
        }))
      }
      if (ext === undefined) {
        ctx.quirks.push(`core attributes were sent nested under "${rt.schema.id}"`)
        core.push(...Object.entries(value))
      } else {
        undeclared(urn)
        extensions.get(urn)!.push(...Object.entries(value))
      }
      continue
    }
    const split = splitUri(rt, key)
    if (split.uri !== undefined && split.rest !== "" && !split.rest.startsWith("urn:")) {
      const parts = split.rest.split(".")
      if (parts.length > 2 || parts.some((p) => p === "")) {
        return Either.left(new InvalidValue({ attribute: key, detail: `"${key}" is not a schema URN followed by attribute or attribute.subAttribute` }))
      }
      const target = split.uri === rt.schema.id ? core : extensions.get(split.uri)!
      if (split.uri !== rt.schema.id) undeclared(split.uri)
      target.push(parts.length === 2 ? [parts[0]!, { [parts[1]!]: value }] : [parts[0]!, value])
      continue
    }
    return Either.left(unknownSchema(rt, key, key))
  }
  const out = normalizeEntries(ctx, undefined, coreDefs(rt), core, true, rt.schema.id)
  if (Either.isLeft(out)) return out
  const document: Record<string, Json> = { ...out.right }
  for (const ext of rt.extensions) {
    const entries = extensions.get(ext.schema.id)!
    if (entries.length === 0 && !ext.required) continue
    const object = normalizeEntries(ctx, undefined, ext.schema.attributes, entries, true, ext.schema.id, true)
    if (Either.isLeft(object)) return object
    if (Object.keys(object.right).length > 0) document[ext.schema.id] = object.right
    else if (ext.required) {
      return Either.left(new InvalidValue({ attribute: ext.schema.id, detail: `${rt.name} resources must carry the ${ext.schema.id} extension` }))
    }
  }
  return Either.right(document)
}

/**
 * Decodes a POST or PUT body (RFC 7644 §3.3, §3.5.1) into a normalized document. Fails with
 * `InvalidSyntax` when the body is not an object (or, in the `rfc` profile, has no `schemas`) and
 * with `InvalidValue` naming the attribute, what was expected and what was given otherwise.
 *
 * @since 0.1.0
 */
export const normalize = (
  rt: ResourceTypeDef,
  body: unknown,
  options: NormalizeOptions
): Either.Either<Normalized, InvalidSyntax | InvalidValue> => {
  if (!isObject(body)) {
    return Either.left(new InvalidSyntax({
      detail: `The request body must be a JSON object (a SCIM ${rt.name} resource); got ${describe(body)}`
    }))
  }
  const ctx: Context = { profile: options.profile, quirks: [] }
  const declared = readSchemas(rt, body, ctx)
  if (Either.isLeft(declared)) return Either.left(declared.left)
  return Either.map(run(rt, body, ctx, declared.right), (document) => ({ document, quirks: ctx.quirks }))
}

/**
 * Checks an already-normalized document (for example the result of a PATCH, RFC 7644 §3.5.2) and
 * returns it in canonical form: use the returned document (string booleans become booleans in the
 * lenient profiles, `platformRole` is upper-cased, read-only and write-only attributes are
 * dropped). `schemas`, if present, is ignored. The default profile is `lenient`.
 *
 * @since 0.1.0
 */
export const validate = (
  rt: ResourceTypeDef,
  document: JsonObject,
  options: NormalizeOptions = { profile: "lenient" }
): Either.Either<JsonObject, InvalidValue> =>
  run(rt, document, { profile: options.profile, quirks: [] }, { urns: undefined })

/**
 * The `schemas` of a response (RFC 7643 §3): the core schema URN plus the URN of every extension
 * the normalized document carries.
 *
 * @since 0.1.0
 */
export const schemasOf = (rt: ResourceTypeDef, document: JsonObject): ReadonlyArray<string> => [
  rt.schema.id,
  ...rt.extensions
    .map((e) => e.schema.id)
    .filter((urn) => {
      const ext = document[urn]
      return isObject(ext) && Object.keys(ext).length > 0
    })
]
