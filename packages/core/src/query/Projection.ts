/**
 * Partial representations (RFC 7644 §3.4.2.5, §3.9): `attributes` and `excludedAttributes`,
 * honouring each attribute's `returned` characteristic (RFC 7643 §7): `always` attributes (`id`,
 * and `schemas`) are always returned, `never` attributes (`password`) never are, `default` ones are
 * unless excluded, and `request` ones only when listed in `attributes`.
 *
 * Names resolve like every attribute path: case-insensitively, with or without the schema URN,
 * down to sub-attributes (`name.givenName`, `emails.value`); a schema URN alone names all of that
 * schema's attributes. Unknown names are ignored, because identity providers send lists built for
 * other servers. Where the compatibility profile accepts it (quirk `filtered-projection`), a name
 * with a value filter (`emails[type eq "work"]`, `emails[type eq "work"].value`) selects the
 * attribute without the filter; otherwise it is ignored like an unknown name.
 */
import * as Result from "effect/Result"
import type { CompatibilityProfile, Json, JsonObject } from "../domain/Model.js"
import { InvalidValue } from "../errors/ScimError.js"
import * as Profiles from "../profile/Profiles.js"
import { type AttributeDef, findByName } from "../schema/Attribute.js"
import { isObject } from "../schema/Document.js"
import * as Resolve from "../schema/Resolve.js"
import { type ResourceTypeDef, topLevelAttributes } from "../schema/Schemas.js"

/**
 * `attributes` / `excludedAttributes` as a request carries them (RFC 7644 §3.9): comma-separated
 * strings, or arrays (from a SearchRequest body).
 */
export interface ProjectionRequest {
  readonly attributes?: string | ReadonlyArray<string> | undefined
  readonly excludedAttributes?: string | ReadonlyArray<string> | undefined
}

/** What is selected of one attribute: all of it, or some of its sub-attributes (canonical names). */
export interface Selection {
  readonly whole: boolean
  readonly subAttributes: ReadonlySet<string>
}

/**
 * A parsed projection. `selected` is keyed by {@link selectionKey}; `extra` holds lower-cased
 * names that match no schema attribute, matched against attributes the server keeps as given.
 */
export interface Projection {
  readonly _tag: "Default" | "Include" | "Exclude"
  readonly selected: ReadonlyMap<string, Selection>
  readonly extra: ReadonlySet<string>
}

/** The projection without `attributes` or `excludedAttributes`: the default set. */
export const none: Projection = { _tag: "Default", selected: new Map(), extra: new Set() }

/** The key of an attribute in {@link Projection.selected}: `attribute` for core and common ones, `urn:…:attribute` for extensions. */
export const selectionKey = (extension: string | undefined, attribute: string): string =>
  extension === undefined ? attribute.toLowerCase() : `${extension}:${attribute}`.toLowerCase()

const names = (value: string | ReadonlyArray<string> | undefined): ReadonlyArray<string> =>
  (value === undefined ? [] : typeof value === "string" ? [value] : value)
    .flatMap((v) => v.split(","))
    .map((v) => v.trim())
    .filter((v) => v !== "")

const extensionOf = (rt: ResourceTypeDef, resolved: Resolve.ResolvedPath): string | undefined =>
  resolved.schema !== undefined && resolved.schema.id !== rt.schema.id ? resolved.schema.id : undefined

/** `attr[filter]` as `attr`, `attr[filter].sub` as `attr.sub`; `undefined` for a name of another form. */
const withoutValueFilter = (name: string): string | undefined => {
  const open = name.indexOf("[")
  const close = name.lastIndexOf("]")
  if (open <= 0 || close < open) return undefined
  const rest = name.slice(close + 1)
  return rest === "" || rest.startsWith(".") ? name.slice(0, open).trimEnd() + rest : undefined
}

const select = (
  rt: ResourceTypeDef,
  list: ReadonlyArray<string>,
  valueFilters: boolean,
  quirks: Array<Profiles.Quirk>
): Pick<Projection, "selected" | "extra"> => {
  const selected = new Map<string, { whole: boolean; subAttributes: Set<string> }>()
  const extra = new Set<string>()
  const add = (extension: string | undefined, attribute: string, sub: string | undefined): void => {
    const key = selectionKey(extension, attribute)
    let entry = selected.get(key)
    if (entry === undefined) {
      entry = { whole: false, subAttributes: new Set() }
      selected.set(key, entry)
    }
    if (sub === undefined) entry.whole = true
    else entry.subAttributes.add(sub)
  }
  for (const given of list) {
    const unfiltered = valueFilters ? withoutValueFilter(given) : undefined
    if (unfiltered !== undefined && !quirks.includes(Profiles.FilteredProjection)) {
      quirks.push(Profiles.FilteredProjection)
    }
    const name = unfiltered ?? given
    const lower = name.toLowerCase()
    if (lower === rt.schema.id.toLowerCase()) {
      for (const a of rt.schema.attributes) add(undefined, a.name, undefined)
      continue
    }
    const ext = rt.extensions.find((e) => e.schema.id.toLowerCase() === lower)
    if (ext !== undefined) {
      for (const a of ext.schema.attributes) add(ext.schema.id, a.name, undefined)
      continue
    }
    const resolved = Result.flatMap(Resolve.parseAttrPath(rt, name), (path) => Resolve.resolve(rt, path))
    if (Result.isSuccess(resolved)) {
      add(extensionOf(rt, resolved.success), resolved.success.attribute.name, resolved.success.subAttribute?.name)
    } else if (/^[A-Za-z][\w$-]*$/.test(name)) {
      extra.add(lower)
    }
  }
  return { selected, extra }
}

/** How {@link parse} reads the names. */
export interface ParseOptions {
  /** The compatibility profile, for the `filtered-projection` quirk (default `rfc`: no quirks). */
  readonly profile?: CompatibilityProfile
}

/** A parsed projection and the quirks (see {@link Profiles}) accepted to read it. */
export interface Parsed {
  readonly projection: Projection
  readonly quirks: ReadonlyArray<Profiles.Quirk>
}

/**
 * {@link parse}, also naming the quirks accepted to read the request (`filtered-projection`).
 */
export const parseWithQuirks = (
  rt: ResourceTypeDef,
  request: ProjectionRequest,
  options?: ParseOptions
): Result.Result<Parsed, InvalidValue> => {
  const include = names(request.attributes)
  const exclude = names(request.excludedAttributes)
  if (include.length > 0 && exclude.length > 0) {
    return Result.fail(
      new InvalidValue({
        attribute: "excludedAttributes",
        detail: "attributes and excludedAttributes are mutually exclusive (RFC 7644 §3.9): send only one of them"
      })
    )
  }
  if (include.length === 0 && exclude.length === 0) return Result.succeed({ projection: none, quirks: [] })
  const valueFilters = options?.profile !== undefined && Profiles.accepts(options.profile, Profiles.FilteredProjection)
  const quirks: Array<Profiles.Quirk> = []
  const selection = select(rt, include.length > 0 ? include : exclude, valueFilters, quirks)
  return Result.succeed({ projection: { _tag: include.length > 0 ? "Include" : "Exclude", ...selection }, quirks })
}

/**
 * Parses `attributes` / `excludedAttributes` (comma-separated strings or arrays, as in a
 * SearchRequest). RFC 7644 §3.9 makes the two mutually exclusive: giving both fails with
 * `InvalidValue`.
 */
export const parse = (
  rt: ResourceTypeDef,
  request: ProjectionRequest,
  options?: ParseOptions
): Result.Result<Projection, InvalidValue> =>
  Result.map(parseWithQuirks(rt, request, options), (parsed) => parsed.projection)

/**
 * Whether a name has a value filter (`emails[type eq "work"]`), which only some profiles read: a
 * service needs the platform's profile to parse the request only then.
 */
export const hasValueFilter = (request: ProjectionRequest): boolean =>
  names(request.attributes).some((name) => name.includes("[")) ||
  names(request.excludedAttributes).some((name) => name.includes("["))

type Keep = (sub: AttributeDef | undefined) => boolean

const filterObject = (def: AttributeDef, value: JsonObject, keep: Keep): JsonObject | undefined => {
  const out: Record<string, Json> = {}
  let size = 0
  for (const [key, item] of Object.entries(value)) {
    const sub = def.subAttributes === undefined ? undefined : findByName(def.subAttributes, key)
    if (sub?.returned === "never" || !keep(sub)) continue
    out[key] = item
    size++
  }
  return size === 0 ? undefined : out
}

const filterSubs = (def: AttributeDef, value: Json, keep: Keep): Json | undefined => {
  if (def.type !== "complex" || def.subAttributes === undefined) return value
  if (Array.isArray(value)) {
    const items: Array<Json> = []
    for (const item of value as ReadonlyArray<Json>) {
      if (!isObject(item)) {
        items.push(item)
        continue
      }
      const kept = filterObject(def, item, keep)
      if (kept !== undefined) items.push(kept)
    }
    return items.length === 0 ? undefined : items
  }
  return isObject(value) ? filterObject(def, value, keep) : value
}

const defaultSub: Keep = (sub) => sub?.returned !== "request"

const project = (
  projection: Projection,
  def: AttributeDef,
  selection: Selection | undefined,
  value: Json
): Json | undefined => {
  if (def.returned === "never") return undefined
  const always = def.returned === "always"
  switch (projection._tag) {
    case "Default":
      return def.returned === "request" ? undefined : filterSubs(def, value, defaultSub)
    case "Include": {
      if (selection === undefined) return always ? filterSubs(def, value, defaultSub) : undefined
      if (selection.whole) return filterSubs(def, value, () => true)
      return filterSubs(
        def,
        value,
        (sub) => sub !== undefined && (sub.returned === "always" || selection.subAttributes.has(sub.name))
      )
    }
    case "Exclude": {
      if (!always && (def.returned === "request" || selection?.whole === true)) return undefined
      return filterSubs(
        def,
        value,
        (sub) =>
          defaultSub(sub) &&
          (sub === undefined || sub.returned === "always" || !(selection?.subAttributes.has(sub.name) ?? false))
      )
    }
  }
}

const keepUnknown = (projection: Projection, key: string): boolean =>
  projection._tag === "Default" ||
  (projection._tag === "Include" ? projection.extra.has(key.toLowerCase()) : !projection.extra.has(key.toLowerCase()))

/** Whether an attribute, its sub-attributes included, is always returned in full by default (no `never`/`request` part). */
const wholeByDefault = (def: AttributeDef): boolean =>
  def.returned !== "never" && def.returned !== "request" &&
  (def.type !== "complex" || def.subAttributes === undefined || def.subAttributes.every(wholeByDefault))

// per resource type: the top-level names (core and extension URNs, lower-cased) whose values the default projection keeps as they are
const plainNames = new WeakMap<ResourceTypeDef, ReadonlySet<string>>()
const plainNamesOf = (rt: ResourceTypeDef): ReadonlySet<string> => {
  let names = plainNames.get(rt)
  if (names === undefined) {
    const set = new Set<string>(["schemas"])
    for (const def of topLevelAttributes(rt)) if (wholeByDefault(def)) set.add(def.name.toLowerCase())
    for (const ext of rt.extensions) {
      if (ext.schema.attributes.every(wholeByDefault)) set.add(ext.schema.id.toLowerCase())
    }
    names = set
    plainNames.set(rt, names)
  }
  return names
}

const isEmptyObject = (value: Json): boolean => {
  if (!isObject(value)) return false
  for (const _ in value) return false
  return true
}

const hasEmptyPart = (value: Json): boolean => {
  if (Array.isArray(value)) {
    if (value.length === 0) return true
    for (const item of value as ReadonlyArray<Json>) if (isEmptyObject(item)) return true
    return false
  }
  return isEmptyObject(value)
}

/**
 * Whether the default projection returns `doc` unchanged: every top-level attribute is one the
 * default keeps whole, each extension object holds only known attributes and is not empty, and
 * `schemas` lists no extension that is absent. Then {@link apply} returns the document itself
 * (what `GET /Users/{id}` and most list pages ask for), instead of rebuilding it.
 */
const returnsWholeByDefault = (rt: ResourceTypeDef, doc: JsonObject): boolean => {
  const plain = plainNamesOf(rt)
  for (const key in doc) {
    const lower = key.toLowerCase()
    // complex values are rebuilt without empty objects and arrays (absent, RFC 7643 §2.5): leave those to `apply`
    if (hasEmptyPart(doc[key]!)) return false
    if (!plain.has(lower)) {
      // an unknown attribute is returned as given by default; a known one with a hidden part is not
      if (findByName(topLevelAttributes(rt), key) !== undefined) return false
      if (rt.extensions.some((e) => e.schema.id.toLowerCase() === lower)) return false
      continue
    }
    const ext = rt.extensions.find((e) => e.schema.id.toLowerCase() === lower)
    if (ext !== undefined) {
      const value = doc[key]
      if (!isObject(value)) return false
      let size = 0
      for (const name in value) {
        if (findByName(ext.schema.attributes, name) === undefined) return false
        size++
      }
      if (size === 0) return false
    }
  }
  const schemas = doc["schemas"]
  if (Array.isArray(schemas)) {
    for (const urn of schemas as ReadonlyArray<Json>) {
      if (
        typeof urn === "string" && !(urn in doc) &&
        rt.extensions.some((e) => e.schema.id.toLowerCase() === urn.toLowerCase())
      ) {
        return false
      }
    }
  }
  return true
}

/**
 * Applies a projection to a rendered resource (RFC 7644 §3.9): keeps `schemas` and `returned:
 * always` attributes, drops `returned: never` ones, selects sub-attributes and extension
 * attributes, drops extension objects left empty and lists in `schemas` only the extension
 * schemas the result still carries. Attributes the server keeps as given are returned by default.
 */
export const apply = (rt: ResourceTypeDef, doc: JsonObject, projection: Projection): JsonObject => {
  if (projection._tag === "Default" && returnsWholeByDefault(rt, doc)) return doc
  const out: Record<string, Json> = {}
  for (const [key, value] of Object.entries(doc)) {
    if (key === "schemas") {
      out[key] = value
      continue
    }
    const ext = rt.extensions.find((e) => e.schema.id.toLowerCase() === key.toLowerCase())
    if (ext !== undefined && isObject(value)) {
      const inner: Record<string, Json> = {}
      for (const [name, item] of Object.entries(value)) {
        const def = findByName(ext.schema.attributes, name)
        if (def === undefined) {
          if (keepUnknown(projection, name)) inner[name] = item
          continue
        }
        const kept = project(projection, def, projection.selected.get(selectionKey(ext.schema.id, def.name)), item)
        if (kept !== undefined) inner[name] = kept
      }
      if (Object.keys(inner).length > 0) out[key] = inner
      continue
    }
    const def = findByName(topLevelAttributes(rt), key)
    if (def === undefined) {
      if (keepUnknown(projection, key)) out[key] = value
      continue
    }
    const kept = project(projection, def, projection.selected.get(selectionKey(undefined, def.name)), value)
    if (kept !== undefined) out[key] = kept
  }
  const schemas = out["schemas"]
  if (Array.isArray(schemas)) {
    const absent = (urn: Json): boolean =>
      typeof urn === "string" && rt.extensions.some((e) => e.schema.id.toLowerCase() === urn.toLowerCase()) &&
      !(urn in out)
    if ((schemas as ReadonlyArray<Json>).some(absent)) {
      out["schemas"] = (schemas as ReadonlyArray<Json>).filter((urn) => !absent(urn))
    }
  }
  return out
}

// `includes` is asked about the same few names (`groups`, `members`) on every request: each is resolved once per resource type
const resolvedNames = new WeakMap<ResourceTypeDef, Map<string, Result.Result<Resolve.ResolvedPath, unknown>>>()
const resolvedName = (rt: ResourceTypeDef, name: string): Result.Result<Resolve.ResolvedPath, unknown> => {
  let names = resolvedNames.get(rt)
  if (names === undefined) {
    names = new Map()
    resolvedNames.set(rt, names)
  }
  let resolved = names.get(name)
  if (resolved === undefined) {
    resolved = Result.flatMap(Resolve.parseAttrPath(rt, name), (path) => Resolve.resolve(rt, path))
    if (names.size < 256) names.set(name, resolved)
  }
  return resolved
}

/**
 * Whether the projection returns any part of an attribute (a path such as `members`), so a
 * service can skip loading what will not be returned (for example a group's members when
 * `excludedAttributes=members`).
 */
export const includes = (rt: ResourceTypeDef, projection: Projection, attributeName: string): boolean => {
  const resolved = resolvedName(rt, attributeName)
  if (Result.isFailure(resolved)) return keepUnknown(projection, attributeName)
  const { attribute } = resolved.success
  if (attribute.returned === "never") return false
  if (attribute.returned === "always") return true
  const selection = projection.selected.get(selectionKey(extensionOf(rt, resolved.success), attribute.name))
  switch (projection._tag) {
    case "Default":
      return attribute.returned !== "request"
    case "Include":
      return selection !== undefined
    case "Exclude":
      return attribute.returned !== "request" && selection?.whole !== true
  }
}
