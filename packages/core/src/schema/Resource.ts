/**
 * Decoding of create/replace bodies (RFC 7644 §3.3, §3.5.1) against the schemas-as-data into a
 * normalized document: canonical attribute names, core and common attributes at the top level,
 * extension attributes under their schema URN, values checked against their RFC 7643 §2.3 types.
 *
 * `schemas` is not part of a normalized document: responses compute it with {@link schemaUrnsOf},
 * so it always lists every schema the resource carries. Read-only input (`id`, `meta`, a user's
 * `groups`) is ignored, `writeOnly` attributes (`password`) are accepted and dropped, `null` and
 * empty arrays mean "absent" (RFC 7643 §2.5), and attributes the server does not interpret are kept
 * as given so that identity providers do not see drift.
 *
 * Identity providers are sloppier than the RFC; depending on the compatibility profile the decoder
 * accepts what Entra ID and Okta really send and reports each such deviation by its name in the
 * quirk registry (`Profiles`), which alone decides what each profile accepts.
 */
import * as Result from "effect/Result"
import type { CompatibilityProfile, Json, JsonObject } from "../domain/Model.js"
import { InvalidSyntax, InvalidValue } from "../errors/ScimError.js"
import type { Quirk } from "../profile/Profiles.js"
import {
  ArrayForSingleValued,
  BooleanAsString,
  CoreAttributesUnderUrn,
  CoreSchemaUnlisted,
  LegacyGroupSchema,
  NumberForString,
  QuirkLog,
  SchemasAsString,
  SchemasMissing,
  SeveralPrimaries,
  SingleValueForMultiValued,
  UndeclaredExtension
} from "../profile/Profiles.js"
import type { AttributeDef, AttributeIndex } from "./Attribute.js"
import { findInIndex, indexAttributes } from "./Attribute.js"
import { isObject } from "./Document.js"
import { describe, jsonEquals } from "./JsonValues.js"
import { splitUri } from "./Resolve.js"
import type { ResourceTypeDef } from "./Schemas.js"
import { LegacyGroupUrn, resourceTypes, topLevelAttributes } from "./Schemas.js"
import { isBase64, isDateTime } from "./Value.js"

export interface NormalizeOptions {
  readonly profile: CompatibilityProfile
}

/** A normalized document and the quirks (see {@link Profiles}) accepted on the way, each named once. */
export interface Normalized {
  readonly document: JsonObject
  readonly quirks: ReadonlyArray<Quirk>
}

/** What one decoding carries: the profile, and the quirks it accepted so far. */
type Context = QuirkLog

/** Thrown inside normalization (no stack trace is captured) and turned into a `Result` by the entry points. */
class Failure {
  constructor(readonly error: InvalidValue) {}
}

/**
 * Where a value sits: an attribute (of a parent, or at the top of a schema) or an element of a
 * multi-valued attribute. The string is built only when asked for: an error.
 */
class Where {
  private display_: string | undefined
  constructor(
    /** The schema URN the attribute belongs to. */
    readonly schemaId: string,
    private readonly parent: Where | undefined,
    /** The attribute; undefined for an element, which `index` then numbers. */
    private readonly def: AttributeDef | undefined,
    private readonly index: number,
    /** Whether a top-level attribute is shown with its schema URN (extension attributes). */
    private readonly qualified: boolean
  ) {}

  /** The path as shown in error details (`emails[1].value`, `urn:…:User:department`). */
  get display(): string {
    if (this.display_ === undefined) {
      this.display_ = this.def === undefined
        ? `${this.parent!.display}[${this.index}]`
        : this.parent === undefined
        ? (this.qualified ? `${this.schemaId}:${this.def.name}` : this.def.name)
        : `${this.parent.display}.${this.def.name}`
    }
    return this.display_
  }
}

const attributeAt = (parent: Where | undefined, schemaId: string, qualified: boolean, def: AttributeDef): Where =>
  new Where(schemaId, parent, def, -1, qualified)

const elementAt = (parent: Where, index: number): Where => new Where(parent.schemaId, parent, undefined, index, false)

type Entry = readonly [string, unknown]

/** An object as sent: its values are checked as they are normalized. */
type Sent = { readonly [key: string]: unknown }

const noAttributes: ReadonlyArray<AttributeDef> = []

const invalid = (where: Where, detail: string): never => {
  throw new Failure(new InvalidValue({ attribute: where.display, detail }))
}

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

const typeError = (where: Where, def: AttributeDef, value: unknown): never =>
  invalid(where, `${where.display} must be ${expected(def)}; got ${describe(value)}`)

/** Whether an object is a plain one (what JSON.parse makes), whose `for…in` keys are its own. */
const isPlain = (value: object): boolean => {
  const proto: unknown = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

const isEmpty = (object: JsonObject): boolean => {
  for (const _ in object) return false
  return true
}

/**
 * Converts a parsed JSON value to {@link Json}, dropping what JSON cannot carry (undefined, NaN).
 * A value that is JSON already is returned as it is.
 */
const asJson = (value: unknown): Json | undefined => {
  if (value === null || typeof value === "string" || typeof value === "boolean") return value
  if (typeof value === "number") return Number.isFinite(value) ? value : undefined
  if (Array.isArray(value)) {
    const items: ReadonlyArray<unknown> = value
    let out: Array<Json> | undefined
    for (let i = 0; i < items.length; i++) {
      const json = asJson(items[i])
      if (out === undefined) {
        if (json === items[i] && json !== undefined) continue
        out = items.slice(0, i) as Array<Json>
      }
      if (json !== undefined) out.push(json)
    }
    return out ?? (items as ReadonlyArray<Json>)
  }
  if (isObject(value)) {
    if (!isPlain(value)) {
      const copy: Record<string, Json> = {}
      for (const [key, item] of Object.entries(value)) {
        const json = asJson(item)
        if (json !== undefined) copy[key] = json
      }
      return copy
    }
    let out: Record<string, Json> | undefined
    for (const key in value) {
      const item: unknown = value[key]
      const json = asJson(item)
      if (out === undefined) {
        if (json === item && json !== undefined) continue
        out = copyBefore(value, key)
      }
      if (json !== undefined) out[key] = json
    }
    return out ?? value
  }
  return undefined
}

/** A copy of the keys of `object` that come before `key` (all of them checked and unchanged so far). */
const copyBefore = (object: Sent, key: string): Record<string, Json> => {
  const out: Record<string, Json> = {}
  for (const k in object) {
    if (k === key) break
    out[k] = object[k] as Json
  }
  return out
}

const copyAll = (object: JsonObject): Record<string, Json> => {
  const out: Record<string, Json> = {}
  for (const k in object) out[k] = object[k]!
  return out
}

/** The canonical values of a definition by their lower-cased form. */
const canonicalIndexes = new WeakMap<ReadonlyArray<string>, ReadonlyMap<string, string>>()

const canonicalMatch = (values: ReadonlyArray<string>, value: string): string | undefined => {
  let index = canonicalIndexes.get(values)
  if (index === undefined) {
    const byLower = new Map<string, string>()
    for (const c of values) {
      const lower = c.toLowerCase()
      if (!byLower.has(lower)) byLower.set(lower, c)
    }
    index = byLower
    canonicalIndexes.set(values, index)
  }
  return index.get(value.toLowerCase())
}

const canonical = (where: Where, def: AttributeDef, value: string): string => {
  if (def.canonicalValues === undefined || def.enforceCanonicalValues !== true) return value
  const match = canonicalMatch(def.canonicalValues, value)
  return match !== undefined
    ? match
    : invalid(where, `${where.display} must be one of ${def.canonicalValues.join(", ")}; got ${describe(value)}`)
}

const normalizeSingle = (ctx: Context, where: Where, def: AttributeDef, value: unknown): Json | undefined => {
  if (value === null || value === undefined) return undefined
  switch (def.type) {
    case "string": {
      if (typeof value === "string") return canonical(where, def, value)
      if (typeof value === "number" && Number.isFinite(value) && ctx.allow(NumberForString)) {
        return canonical(where, def, String(value))
      }
      return typeError(where, def, value)
    }
    case "boolean": {
      if (typeof value === "boolean") return value
      if (typeof value === "string" && /^(true|false)$/i.test(value.trim()) && ctx.allow(BooleanAsString)) {
        return value.trim().toLowerCase() === "true"
      }
      return typeError(where, def, value)
    }
    case "integer":
      return typeof value === "number" && Number.isInteger(value) ? value : typeError(where, def, value)
    case "decimal":
      return typeof value === "number" && Number.isFinite(value) ? value : typeError(where, def, value)
    case "dateTime":
      return typeof value === "string" && isDateTime(value) ? value : typeError(where, def, value)
    case "reference":
      return typeof value === "string" ? value : typeError(where, def, value)
    case "binary":
      return typeof value === "string" && isBase64(value) ? value : typeError(where, def, value)
    case "complex": {
      if (!isObject(value)) return typeError(where, def, value)
      const object = normalizeObject(
        ctx,
        where,
        indexAttributes(def.subAttributes ?? noAttributes),
        value,
        false,
        where.schemaId,
        false
      )
      return isEmpty(object) ? undefined : object
    }
  }
}

/** RFC 7643 §2.4: the primary value `true` appears at most once. */
const singlePrimary = (ctx: Context, where: Where, items: Array<Json>): Array<Json> => {
  let primaries = 0
  for (const item of items) if (isObject(item) && item["primary"] === true) primaries++
  if (primaries <= 1) return items
  if (!ctx.allow(SeveralPrimaries)) {
    return invalid(
      where,
      `${where.display} has ${primaries} values with "primary": true; at most one value may be primary (RFC 7643 §2.4)`
    )
  }
  let seen = false
  return items.map((item) => {
    if (!isObject(item) || item["primary"] !== true) return item
    if (!seen) {
      seen = true
      return item
    }
    const { primary: _, ...rest } = item
    return rest
  })
}

/** The canonical value of an attribute, or undefined when absent; an array whose elements are all canonical is returned as it is. */
const normalizeAttribute = (ctx: Context, where: Where, def: AttributeDef, value: unknown): Json | undefined => {
  if (value === null || value === undefined) return undefined
  if (!def.multiValued) {
    if (!Array.isArray(value)) return normalizeSingle(ctx, where, def, value)
    if (value.length === 0) return undefined
    if (value.length === 1 && ctx.allow(ArrayForSingleValued)) return normalizeSingle(ctx, where, def, value[0])
    return invalid(where, `${where.display} is single-valued: send ${expected(def)}, not an array`)
  }
  let items: ReadonlyArray<unknown>
  if (Array.isArray(value)) {
    items = value
  } else if (ctx.allow(SingleValueForMultiValued)) {
    items = [value]
  } else {
    return invalid(
      where,
      `${where.display} is multi-valued: send an array of ${expected(def).replace(/^an? /, "")} values; got ${
        describe(value)
      }`
    )
  }
  const out: Array<Json> = []
  let same = items === value
  for (let i = 0; i < items.length; i++) {
    const item = normalizeSingle(ctx, elementAt(where, i), def, items[i])
    if (item === undefined || item !== items[i]) same = false
    if (item !== undefined) out.push(item)
  }
  if (out.length === 0) return undefined
  const result = def.type === "complex" ? singlePrimary(ctx, where, out) : out
  return same && result === out ? (items as ReadonlyArray<Json>) : result
}

const isBlank = (value: Json | undefined): boolean =>
  value === undefined || value === null || (typeof value === "string" && value.trim() === "")

const checkRequired = (
  index: AttributeIndex,
  parent: Where | undefined,
  schemaId: string,
  qualified: boolean,
  object: JsonObject
): void => {
  for (const def of index.required) {
    if (isBlank(object[def.name])) {
      const where = attributeAt(parent, schemaId, qualified, def)
      invalid(where, `${where.display} is required: send a non-empty ${def.name} (${def.description})`)
    }
  }
}

/**
 * Normalizes one object (a schema's top level or a complex value) against the definitions. When
 * every key is already a canonical name, the result is built only from the first value that
 * changes, and an object that needs no change is returned as it is; otherwise see
 * {@link normalizeEntries}.
 */
const normalizeObject = (
  ctx: Context,
  parent: Where | undefined,
  index: AttributeIndex,
  source: Sent,
  top: boolean,
  schemaId: string,
  qualified: boolean
): JsonObject => {
  if (!isPlain(source)) return normalizeEntries(ctx, parent, index, Object.entries(source), top, schemaId, qualified)
  for (const key in source) {
    const def = findInIndex(index, key)
    if (def !== undefined && def.name !== key) {
      return normalizeEntries(ctx, parent, index, Object.entries(source), top, schemaId, qualified)
    }
  }
  // every key is a canonical name or an unknown one: no attribute is spelled twice
  let out: Record<string, Json> | undefined
  for (const key in source) {
    const value = source[key]
    const next = normalizeField(ctx, parent, index, key, value, top, schemaId, qualified)
    if (out === undefined) {
      if (next === value && next !== undefined) continue
      out = copyBefore(source, key)
    }
    if (next !== undefined) out[key] = next
  }
  // without a copy, every value was checked and returned as it is: the source is JSON
  const result = out ?? (source as JsonObject)
  checkRequired(index, parent, schemaId, top && qualified, result)
  return result
}

/**
 * The canonical value of one field whose key is a canonical name or no attribute's name; undefined
 * when it is left out (null, read-only at the top level, write-only).
 */
const normalizeField = (
  ctx: Context,
  parent: Where | undefined,
  index: AttributeIndex,
  key: string,
  value: unknown,
  top: boolean,
  schemaId: string,
  qualified: boolean
): Json | undefined => {
  const def = findInIndex(index, key)
  if (def === undefined) {
    const json = asJson(value)
    return json === null ? undefined : json
  }
  if ((top && def.mutability === "readOnly") || def.mutability === "writeOnly") return undefined
  return normalizeAttribute(ctx, attributeAt(parent, schemaId, top && qualified, def), def, value)
}

/**
 * Up to this many entries, distinct canonical keys are checked pairwise rather than through maps.
 * A guess, not a measured crossover: a typical body's objects have a dozen keys or fewer, so the
 * pairwise check (at most 120 comparisons) is always the one they take.
 */
const fewEntries = 16

/** Whether the entries' keys are distinct and each a canonical name or no attribute's name (checked pairwise: few entries). */
const plainEntries = (index: AttributeIndex, entries: ReadonlyArray<Entry>): boolean => {
  if (entries.length > fewEntries) return false
  for (let i = 0; i < entries.length; i++) {
    const key = entries[i]![0]
    const def = findInIndex(index, key)
    if (def !== undefined && def.name !== key) return false
    for (let j = 0; j < i; j++) if (entries[j]![0] === key) return false
  }
  return true
}

/**
 * Normalizes the entries of one object against the definitions. Keys match case-insensitively;
 * two spellings of one attribute must agree. At the top level (`top`) read-only attributes are
 * ignored (RFC 7643 §2.2).
 */
const normalizeEntries = (
  ctx: Context,
  parent: Where | undefined,
  index: AttributeIndex,
  entries: ReadonlyArray<Entry>,
  top: boolean,
  schemaId: string,
  qualified: boolean
): Record<string, Json> => {
  if (plainEntries(index, entries)) {
    const out: Record<string, Json> = {}
    for (const [key, value] of entries) {
      const next = normalizeField(ctx, parent, index, key, value, top, schemaId, qualified)
      if (next !== undefined) out[key] = next
    }
    checkRequired(index, parent, schemaId, top && qualified, out)
    return out
  }
  const order: Array<{ readonly known: AttributeDef } | { readonly unknown: string }> = []
  const known = new Map<string, { key: string; value: unknown }>()
  const unknown = new Map<string, Json>()
  for (const [key, value] of entries) {
    const def = findInIndex(index, key)
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
    const merged = mergeSpellings(attributeAt(parent, schemaId, top && qualified, def), previous, { key, value })
    known.set(def.name, { key: previous.key, value: merged })
  }
  const out: Record<string, Json> = {}
  for (const slot of order) {
    if ("unknown" in slot) {
      out[slot.unknown] = unknown.get(slot.unknown)!
      continue
    }
    const def = slot.known
    const value = normalizeAttribute(
      ctx,
      attributeAt(parent, schemaId, top && qualified, def),
      def,
      known.get(def.name)!.value
    )
    if (value !== undefined) out[def.name] = value
  }
  checkRequired(index, parent, schemaId, top && qualified, out)
  return out
}

/** Two spellings of one attribute (`userName` and `USERNAME`): equal values, or objects that merge without conflict. */
const mergeSpellings = (
  where: Where,
  a: { readonly key: string; readonly value: unknown },
  b: { readonly key: string; readonly value: unknown }
): unknown => {
  const left = asJson(a.value)
  const right = asJson(b.value)
  if (right === undefined || right === null || jsonEquals(left, right)) return a.value
  if (left === undefined || left === null) return b.value
  if (isObject(left) && isObject(right)) {
    const conflict = Object.entries(right).some(([key, value]) => key in left && !jsonEquals(left[key], value))
    if (!conflict) return { ...left, ...right }
  }
  return invalid(
    where,
    `${where.display} was sent twice (as "${a.key}" and "${b.key}") with different values; send it once`
  )
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

const readSchemas = (
  rt: ResourceTypeDef,
  body: { readonly [key: string]: unknown },
  ctx: Context
): Result.Result<Declared, InvalidSyntax | InvalidValue> => {
  const entry = Object.entries(body).find(([key]) => key.toLowerCase() === "schemas")
  let raw = entry?.[1]
  if (Array.isArray(raw) && raw.length === 0) raw = undefined
  if (raw === undefined || raw === null) {
    if (!ctx.allow(SchemasMissing)) {
      return Result.fail(
        new InvalidSyntax({
          detail:
            `The request body has no "schemas"; send "schemas": ["${rt.schema.id}"] (plus the URN of every extension it carries)`
        })
      )
    }
    return Result.succeed({ urns: undefined })
  }
  if (typeof raw === "string" && ctx.allow(SchemasAsString)) raw = [raw]
  if (!Array.isArray(raw) || raw.some((urn) => typeof urn !== "string")) {
    return Result.fail(
      new InvalidSyntax({ detail: `"schemas" must be an array of schema URN strings, such as ["${rt.schema.id}"]` })
    )
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
      ctx.tolerate(LegacyGroupSchema)
      urns.add(rt.schema.id)
      continue
    }
    return Result.fail(unknownSchema(rt, urn, "schemas"))
  }
  if (!urns.has(rt.schema.id) && !ctx.allow(CoreSchemaUnlisted)) {
    return Result.fail(new InvalidValue({ attribute: "schemas", detail: `"schemas" must include ${rt.schema.id}` }))
  }
  return Result.succeed({ urns })
}

/** Per resource type, where a top-level key of a body goes: the top-level attributes, the core URN, the extensions. */
interface BodyKeys {
  /** The top-level attributes (common and core schema). */
  readonly core: AttributeIndex
  /** The core schema URN, lower-cased. */
  readonly coreUrn: string
  /** The position of each extension in `rt.extensions`, by URN as declared and lower-cased. */
  readonly extensions: ReadonlyMap<string, number>
}

const bodyKeysCache = new WeakMap<ResourceTypeDef, BodyKeys>()

const bodyKeysOf = (rt: ResourceTypeDef): BodyKeys => {
  let keys = bodyKeysCache.get(rt)
  if (keys === undefined) {
    keys = {
      core: indexAttributes(topLevelAttributes(rt)),
      coreUrn: rt.schema.id.toLowerCase(),
      extensions: new Map(rt.extensions.flatMap((e, i) => [[e.schema.id, i], [e.schema.id.toLowerCase(), i]]))
    }
    bodyKeysCache.set(rt, keys)
  }
  return keys
}

/** What was sent for one object (the core attributes or one extension): a whole object sent alone, or entries. */
class Part {
  sole: Sent | undefined = undefined
  private entries: Array<Entry> | undefined = undefined

  addObject(object: Sent): void {
    if (this.sole === undefined && this.entries === undefined) this.sole = object
    else for (const entry of Object.entries(object)) this.list().push(entry)
  }

  add(entry: Entry): void {
    this.list().push(entry)
  }

  normalize(ctx: Context, index: AttributeIndex, schemaId: string, qualified: boolean): JsonObject {
    return this.sole !== undefined
      ? normalizeObject(ctx, undefined, index, this.sole, true, schemaId, qualified)
      : normalizeEntries(ctx, undefined, index, this.entries ?? [], true, schemaId, qualified)
  }

  private list(): Array<Entry> {
    if (this.entries === undefined) {
      this.entries = this.sole === undefined ? [] : Object.entries(this.sole)
      this.sole = undefined
    }
    return this.entries
  }
}

/** `urn:` in any case, without lower-casing the key. */
const isUrnKey = (key: string): boolean =>
  key.length > 4 && (key.charCodeAt(0) | 32) === 117 && (key.charCodeAt(1) | 32) === 114 &&
  (key.charCodeAt(2) | 32) === 110 &&
  key.charCodeAt(3) === 58

const isSchemasKey = (key: string): boolean => key.length === 7 && key.toLowerCase() === "schemas"

/** Whether every key of the body is a core attribute's (no `schemas`, no URN): the body is then normalized as one object. */
const onlyCoreKeys = (body: { readonly [key: string]: unknown }): boolean => {
  for (const key in body) if (isUrnKey(key) || isSchemasKey(key)) return false
  return true
}

const run = (
  rt: ResourceTypeDef,
  body: { readonly [key: string]: unknown },
  ctx: Context,
  declared: Declared
): JsonObject => {
  const keys = bodyKeysOf(rt)
  const core = new Part()
  let extensions: Array<Part | undefined> | undefined
  if (isPlain(body) && onlyCoreKeys(body)) {
    core.addObject(body)
  } else {
    const extension = (i: number): Part => ((extensions ??= [])[i] ??= new Part())
    const undeclared = (urn: string): void => {
      if (declared.urns !== undefined && !declared.urns.has(urn)) ctx.tolerate(UndeclaredExtension)
    }
    for (const [key, value] of Object.entries(body)) {
      if (!isUrnKey(key)) {
        if (!isSchemasKey(key)) core.add([key, value])
        continue
      }
      const exact = keys.extensions.get(key)
      const lower = exact === undefined ? key.toLowerCase() : ""
      const i = exact ?? keys.extensions.get(lower)
      if (i !== undefined || lower === keys.coreUrn) {
        const urn = i !== undefined ? rt.extensions[i]!.schema.id : rt.schema.id
        if (value === null || value === undefined) continue
        if (!isObject(value)) {
          throw new Failure(
            new InvalidValue({
              attribute: urn,
              detail: `"${urn}" must be an object holding that schema's attributes; got ${describe(value)}`
            })
          )
        }
        if (i === undefined) {
          ctx.tolerate(CoreAttributesUnderUrn)
          core.addObject(value)
        } else {
          undeclared(urn)
          extension(i).addObject(value)
        }
        continue
      }
      const split = splitUri(rt, key)
      if (split.uri !== undefined && split.rest !== "" && !split.rest.startsWith("urn:")) {
        const parts = split.rest.split(".")
        if (parts.length > 2 || parts.some((p) => p === "")) {
          throw new Failure(
            new InvalidValue({
              attribute: key,
              detail: `"${key}" is not a schema URN followed by attribute or attribute.subAttribute`
            })
          )
        }
        const entry: Entry = parts.length === 2 ? [parts[0]!, { [parts[1]!]: value }] : [parts[0]!, value]
        if (split.uri === rt.schema.id) {
          core.add(entry)
        } else {
          undeclared(split.uri)
          extension(keys.extensions.get(split.uri.toLowerCase())!).add(entry)
        }
        continue
      }
      throw new Failure(unknownSchema(rt, key, key))
    }
  }
  const normalizedCore = core.normalize(ctx, keys.core, rt.schema.id, false)
  let document: JsonObject = normalizedCore
  let owned = normalizedCore !== core.sole
  for (let i = 0; i < rt.extensions.length; i++) {
    const ext = rt.extensions[i]!
    const part = extensions?.[i]
    if (part === undefined && !ext.required) continue
    const object = (part ?? new Part()).normalize(ctx, indexAttributes(ext.schema.attributes), ext.schema.id, true)
    if (!isEmpty(object)) {
      const out: Record<string, Json> = owned ? (document as Record<string, Json>) : copyAll(document)
      out[ext.schema.id] = object
      document = out
      owned = true
    } else if (ext.required) {
      throw new Failure(
        new InvalidValue({
          attribute: ext.schema.id,
          detail: `${rt.name} resources must carry the ${ext.schema.id} extension`
        })
      )
    }
  }
  return document
}

/** Runs a normalization, turning a thrown {@link Failure} into its `InvalidValue`. */
const attempt = <A>(normalizeIt: () => A): Result.Result<A, InvalidValue> => {
  try {
    return Result.succeed(normalizeIt())
  } catch (e) {
    if (e instanceof Failure) return Result.fail(e.error)
    throw e
  }
}

const undeclaredSchemas: Declared = { urns: undefined }

/**
 * Decodes a POST or PUT body (RFC 7644 §3.3, §3.5.1) into a normalized document. Fails with
 * `InvalidSyntax` when the body is not an object (or, in the `rfc` profile, has no `schemas`) and
 * with `InvalidValue` naming the attribute, what was expected and what was given otherwise.
 */
export const normalize = (
  rt: ResourceTypeDef,
  body: unknown,
  options: NormalizeOptions
): Result.Result<Normalized, InvalidSyntax | InvalidValue> => {
  if (!isObject(body)) {
    return Result.fail(
      new InvalidSyntax({
        detail: `The request body must be a JSON object (a SCIM ${rt.name} resource); got ${describe(body)}`
      })
    )
  }
  const ctx: Context = new QuirkLog(options.profile)
  const declared = readSchemas(rt, body, ctx)
  if (Result.isFailure(declared)) return Result.fail(declared.failure)
  return attempt(() => ({ document: run(rt, body, ctx, declared.success), quirks: ctx.fired }))
}

/**
 * Checks an already-normalized document (for example the result of a PATCH, RFC 7644 §3.5.2) and
 * returns it in canonical form: use the returned document (string booleans become booleans in the
 * lenient profiles, `platformRole` is upper-cased, read-only and write-only attributes are
 * dropped). `schemas`, if present, is ignored. The default profile is `lenient`.
 */
export const validate = (
  rt: ResourceTypeDef,
  document: JsonObject,
  options: NormalizeOptions = { profile: "lenient" }
): Result.Result<JsonObject, InvalidValue> => {
  const ctx: Context = new QuirkLog(options.profile)
  return attempt(() => run(rt, document, ctx, undeclaredSchemas))
}

/**
 * The `schemas` of a response (RFC 7643 §3): the core schema URN plus the URN of every extension
 * the normalized document carries. (The schema definitions of a resource type are
 * `Resolve.schemaDefsOf`.)
 */
export const schemaUrnsOf = (rt: ResourceTypeDef, document: JsonObject): ReadonlyArray<string> => [
  rt.schema.id,
  ...rt.extensions
    .map((e) => e.schema.id)
    .filter((urn) => {
      const ext = document[urn]
      return isObject(ext) && Object.keys(ext).length > 0
    })
]

/** @deprecated The old name of {@link schemaUrnsOf}, kept until `service/Render.ts` switches. */
export const schemasOf = schemaUrnsOf
