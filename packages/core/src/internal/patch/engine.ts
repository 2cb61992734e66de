/**
 * The PATCH engine: RFC 7644 §3.5.2 operations applied one after the other to an immutable,
 * normalized document (canonical names, extension attributes under their URN key). The input and
 * the request values are never written: the first write copies the document (sharing untouched
 * parts), later writes of the same PATCH change that private copy, so a failure anywhere leaves the
 * input as it was and the caller simply drops the partial result (all-or-nothing). Paths are
 * parsed, resolved and their value filters compiled once per resource type and text.
 *
 * @internal
 */
import type { Json, JsonObject } from "../../domain/Model.js"
import { InvalidPath, InvalidValue, Mutability, NoTarget } from "../../errors/ScimError.js"
import type { Filter, PatchPath } from "../../filter/Ast.js"
import { compileElement } from "../../filter/Filter.js"
import type { ElementMatcher } from "../../filter/Filter.js"
import { parsePathResult } from "../../filter/Path.js"
import {
  DottedValueKey,
  FilterCreatesElement,
  ReadOnlyValueIgnored,
  RemoveWithValue,
  SchemaUrnPath,
  UrnValueKey
} from "../../profile/Profiles.js"
import type { AttributeDef, SchemaDef } from "../../schema/Attribute.js"
import { findSubAttribute } from "../../schema/Attribute.js"
import { isObject } from "../../schema/Document.js"
import { jsonEquals } from "../../schema/JsonValues.js"
import type { ResolvedPath } from "../../schema/Resolve.js"
import { parseAttrPath, resolve, schemaDefsOf } from "../../schema/Resolve.js"
import type { ResourceTypeDef } from "../../schema/Schemas.js"
import { commonAttributes } from "../../schema/Schemas.js"
import { equalValues } from "../../schema/Value.js"
import type { PatchError } from "../../patch/Patch.js"
import type { PatchContext } from "./context.js"
import { fail, PatchFailure } from "./context.js"
import type { OpName, Operation } from "./decode.js"
import {
  coerceComplex,
  coerceElements,
  coerceSimple,
  copyObject,
  equalsIgnoreCase,
  stripNulls,
  without
} from "./value.js"

type MutableObject = { [key: string]: Json }

/** Where an attribute lives in a normalized document. */
interface Slot {
  readonly attribute: AttributeDef
  /** The extension URN whose object holds the attribute; undefined for core and common attributes. */
  readonly ext: string | undefined
  /** The name used in messages (`name`, `urn:…:enterprise:2.0:User:department`). */
  readonly label: string
}

const slotOf = (ctx: PatchContext, resolved: ResolvedPath): Slot => {
  const ext = resolved.schema !== undefined && resolved.schema.id !== ctx.rt.schema.id ? resolved.schema.id : undefined
  return {
    attribute: resolved.attribute,
    ext,
    label: ext !== undefined ? `${ext}:${resolved.attribute.name}` : resolved.attribute.name
  }
}

const read = (doc: JsonObject, slot: Slot): Json | undefined => {
  const holder = slot.ext === undefined ? doc : doc[slot.ext]
  if (!isObject(holder)) return undefined
  const value = holder[slot.attribute.name]
  return value === null ? undefined : value
}

/** Sets or deletes a key: in place on an object this PATCH made, else on a copy (the input is never touched). */
const setKey = (ctx: PatchContext, object: JsonObject, key: string, value: Json | undefined): JsonObject => {
  if (value === undefined && !(key in object)) return object
  if (value === undefined) return ctx.own(without(object, key))
  const out: MutableObject = ctx.owns(object) ? (object as MutableObject) : ctx.own(copyObject(object))
  out[key] = value
  return out
}

const withSchema = (ctx: PatchContext, doc: JsonObject, urn: string, present: boolean): JsonObject => {
  const schemas = doc["schemas"]
  if (!Array.isArray(schemas)) return doc
  const list: ReadonlyArray<Json> = schemas
  if (present && list.includes(urn)) return doc
  const lower = urn.toLowerCase()
  const kept: Array<Json> = []
  for (const s of list) if (!(typeof s === "string" && s.toLowerCase() === lower)) kept.push(s)
  const has = kept.length < list.length
  if (present && !has) return setKey(ctx, doc, "schemas", [...list, urn])
  if (!present && has) return setKey(ctx, doc, "schemas", kept)
  return doc
}

const write = (ctx: PatchContext, doc: JsonObject, slot: Slot, value: Json | undefined): JsonObject => {
  ctx.touch(slot.ext ?? slot.attribute.name)
  if (slot.ext === undefined) return setKey(ctx, doc, slot.attribute.name, value)
  const holder = doc[slot.ext]
  const next = setKey(ctx, isObject(holder) ? holder : {}, slot.attribute.name, value)
  if (Object.keys(next).length === 0) return withSchema(ctx, setKey(ctx, doc, slot.ext, undefined), slot.ext, false)
  return withSchema(ctx, setKey(ctx, doc, slot.ext, next), slot.ext, true)
}

const same = (def: AttributeDef, a: Json | undefined, b: Json | undefined): boolean =>
  (a === undefined || a === null)
    ? (b === undefined || b === null)
    : (b !== undefined && b !== null && equalValues(def, a, b))

/** RFC 7644 §3.5.2: readOnly never changes; immutable only gets a value when it had none. */
const guard = (def: AttributeDef, label: string, current: Json | undefined, next: Json | undefined): void => {
  if (def.mutability === "readOnly" && !same(def, current, next)) {
    fail(
      new Mutability({
        attribute: label,
        detail: `"${label}" is read-only: the server sets it, so leave it out of the request`
      })
    )
  }
  if (def.mutability === "immutable" && current !== undefined && current !== null && !same(def, current, next)) {
    fail(
      new Mutability({
        attribute: label,
        detail: `"${label}" is immutable: it is already ${
          JSON.stringify(current)
        } and cannot change; remove the element and add a new one instead`
      })
    )
  }
}

const requiredGuard = (def: AttributeDef, label: string): void => {
  if (def.required) {
    fail(
      new Mutability({
        attribute: label,
        detail: `"${label}" is required and cannot be removed; replace it with a new value instead`
      })
    )
  }
}

/** Whether the attribute is a read-only common attribute (`id`, `meta`: RFC 7643 §3.1), which no PATCH may name. */
const isReadOnlyCommon = (attribute: AttributeDef): boolean =>
  attribute.mutability === "readOnly" && commonAttributes.includes(attribute)

/** Merges sub-attributes into a complex value; null unassigns (RFC 7643 §2.5). Checks mutability of each sub-attribute. */
const mergeComplex = (def: AttributeDef, label: string, current: Json | undefined, patch: JsonObject): JsonObject => {
  const base = isObject(current) ? current : {}
  let out: MutableObject | undefined
  for (const key in patch) {
    const sub = findSubAttribute(def, key)!
    const next = patch[key]!
    const before = base[key]
    guard(sub, `${label}.${sub.name}`, before, next)
    if (next === null) {
      if (before === undefined) continue
      if (sub.required) requiredGuard(sub, `${label}.${sub.name}`)
      out = without(out ?? base, key)
    } else if (before === undefined || !jsonEquals(before, next)) {
      out ??= copyObject(base)
      out[key] = next
    }
  }
  return out ?? base
}

const emptyObject = (value: Json): boolean => isObject(value) && Object.keys(value).length === 0

/** The identity of elements: `members` is identified by its immutable `value`; other elements by what they hold. */
const sameElement = (
  def: AttributeDef,
  valueSub: AttributeDef | undefined,
  existing: Json,
  incoming: Json
): boolean => {
  if (valueSub !== undefined && valueSub.mutability === "immutable" && isObject(existing) && isObject(incoming)) {
    const a = existing[valueSub.name]
    const b = incoming[valueSub.name]
    if (typeof a === "string" && typeof b === "string") return valueSub.caseExact ? a === b : equalsIgnoreCase(a, b)
    return a !== undefined && b !== undefined && equalValues(valueSub, a, b)
  }
  if (isObject(existing) && isObject(incoming)) {
    for (const key in incoming) {
      const sub = findSubAttribute(def, key)
      const a = existing[key]
      if (a === undefined || !equalValues(sub, a, incoming[key]!)) return false
    }
    return true
  }
  return equalValues({ ...def, multiValued: false }, existing, incoming)
}

/** RFC 7643 §2.4: at most one element is primary; a newly primary element clears the others. */
const settlePrimary = (
  ctx: PatchContext,
  def: AttributeDef,
  label: string,
  elements: ReadonlyArray<Json>,
  touched: ReadonlySet<number>
): ReadonlyArray<Json> => {
  const primary = findSubAttribute(def, "primary")
  if (primary === undefined || def.type !== "complex") return elements
  let winner = -1
  let count = 0
  for (const i of touched) {
    const element = elements[i]
    if (isObject(element) && element[primary.name] === true) {
      count++
      winner = i
    }
  }
  if (count > 1) {
    return fail(
      new InvalidValue({
        attribute: label,
        detail: `only one element of "${label}" can be primary (RFC 7643 §2.4); this request marks ${count}`
      })
    )
  }
  if (winner < 0) return elements
  let out: Array<Json> | undefined
  for (let i = 0; i < elements.length; i++) {
    const element = elements[i]!
    if (i !== winner && isObject(element) && element[primary.name] === true) {
      out ??= elements.slice()
      out[i] = ctx.made(without(element, primary.name))
    }
  }
  return out ?? elements
}

const asArray = (value: Json | undefined): ReadonlyArray<Json> =>
  value === undefined || value === null ? [] : Array.isArray(value) ? value : [value]

const writeElements = (ctx: PatchContext, doc: JsonObject, slot: Slot, elements: ReadonlyArray<Json>): JsonObject => {
  if (elements.length === 0) {
    if (read(doc, slot) === undefined) return doc
    requiredGuard(slot.attribute, slot.label)
    return write(ctx, doc, slot, undefined)
  }
  return write(ctx, doc, slot, elements)
}

/** Elements identified by their immutable `value` (members) compare by a key; many lookups then go through a set. */
const identifiedByValue = (valueSub: AttributeDef | undefined): valueSub is AttributeDef =>
  valueSub !== undefined && valueSub.mutability === "immutable"

const keyOf = (valueSub: AttributeDef, element: Json): string | undefined => {
  if (!isObject(element)) return undefined
  const v = element[valueSub.name]
  return typeof v === "string" ? (valueSub.caseExact ? v : v.toLowerCase()) : undefined
}

/**
 * Beyond this many lookups into one list, a key set beats scanning. A guess, not a measured
 * crossover: the PATCH bench (`pnpm bench patch`) adds one member to a 10,000-member group, far on
 * the key-set side, and Entra ID's and Okta's PATCHes send one to a few values, on the scanning side.
 */
const scanLimit = 4

/** Whether `list` holds an element the same as `element`, by scanning. */
const contains = (
  def: AttributeDef,
  valueSub: AttributeDef | undefined,
  list: ReadonlyArray<Json>,
  element: Json
): boolean => {
  for (let i = 0; i < list.length; i++) if (sameElement(def, valueSub, list[i]!, element)) return true
  return false
}

/** A membership test over a growing list of elements: a key set for value-identified elements with many lookups, else scanning. */
class Seen {
  private readonly keys: globalThis.Set<string> | undefined
  constructor(
    private readonly def: AttributeDef,
    private readonly valueSub: AttributeDef | undefined,
    private readonly list: Array<Json>,
    lookups: number
  ) {
    if (identifiedByValue(valueSub) && lookups > scanLimit) {
      const keys = new globalThis.Set<string>()
      for (const element of list) {
        const key = keyOf(valueSub, element)
        if (key !== undefined) keys.add(key)
      }
      this.keys = keys
    }
  }

  has(element: Json): boolean {
    if (this.keys !== undefined) {
      const key = keyOf(this.valueSub!, element)
      if (key !== undefined) return this.keys.has(key)
    }
    return contains(this.def, this.valueSub, this.list, element)
  }

  /** Adds the element unless the list holds the same one already (its key computed once); whether it was added. */
  insert(element: Json): boolean {
    if (this.keys !== undefined) {
      const key = keyOf(this.valueSub!, element)
      if (key !== undefined) {
        if (this.keys.has(key)) return false
        this.keys.add(key)
        this.list.push(element)
        return true
      }
    }
    if (contains(this.def, this.valueSub, this.list, element)) return false
    this.list.push(element)
    return true
  }
}

const addElements = (ctx: PatchContext, doc: JsonObject, slot: Slot, incoming: ReadonlyArray<Json>): JsonObject => {
  const def = slot.attribute
  const existing = asArray(read(doc, slot))
  const valueSub = def.type === "complex" ? findSubAttribute(def, "value") : undefined
  const added: Array<Json> = []
  const seen = incoming.length > scanLimit ? new Seen(def, valueSub, existing.slice(), incoming.length) : undefined
  for (const element of incoming) {
    if (emptyObject(element)) continue
    if (seen !== undefined) {
      if (!seen.insert(element)) continue
    } else if (contains(def, valueSub, existing, element) || contains(def, valueSub, added, element)) {
      continue
    }
    added.push(ctx.made(element))
  }
  if (added.length === 0) return doc
  const out = existing.concat(added)
  const touched = new Set<number>()
  for (let i = existing.length; i < out.length; i++) touched.add(i)
  return write(ctx, doc, slot, settlePrimary(ctx, def, slot.label, out, touched))
}

const replaceElements = (ctx: PatchContext, doc: JsonObject, slot: Slot, incoming: ReadonlyArray<Json>): JsonObject => {
  const def = slot.attribute
  const valueSub = def.type === "complex" ? findSubAttribute(def, "value") : undefined
  const out: Array<Json> = []
  const seen = new Seen(def, valueSub, out, incoming.length)
  for (const element of incoming) {
    if (emptyObject(element) || !seen.insert(element)) continue
    ctx.made(element)
  }
  const current = read(doc, slot)
  guard(def, slot.label, current, out.length === 0 ? undefined : out)
  if (current !== undefined && same(def, current, out)) return doc
  const settled = settlePrimary(ctx, def, slot.label, out, new Set(out.keys()))
  return writeElements(ctx, doc, slot, settled)
}

/** `remove` with a `value` listing elements (Entra ID: `path: "members", value: [{value: "<id>"}]`). */
const removeListed = (ctx: PatchContext, doc: JsonObject, slot: Slot, value: Json): JsonObject => {
  const def = slot.attribute
  if (!ctx.allow(RemoveWithValue)) {
    return fail(
      new InvalidValue({
        attribute: slot.label,
        detail:
          `a "remove" of "${slot.label}" takes no value: to remove some elements use a value filter path like "${slot.attribute.name}[value eq \\"…\\"]"${
            ctx.hint(RemoveWithValue)
          }`
      })
    )
  }
  guard(def, slot.label, read(doc, slot), undefined)
  const listed = coerceElements(ctx, def, value, slot.label)
  const valueSub = def.type === "complex" ? findSubAttribute(def, "value") : undefined
  const existing = asArray(read(doc, slot))
  const seen = new Seen(def, valueSub, listed.slice(), listed.length > scanLimit ? existing.length : 0)
  const kept: Array<Json> = []
  for (const element of existing) if (!seen.has(element)) kept.push(element)
  if (kept.length === existing.length) return doc
  return writeElements(ctx, doc, slot, kept)
}

/** An operation on a whole attribute (`path: "emails"`, `"name"`, `"urn:…:User:department"`). */
const onAttribute = (
  ctx: PatchContext,
  doc: JsonObject,
  op: OpName,
  value: Json | undefined,
  slot: Slot
): JsonObject => {
  const def = slot.attribute
  const current = read(doc, slot)
  if (op === "remove" || value === null) {
    if (op === "remove" && value !== undefined && value !== null && def.multiValued) {
      return removeListed(ctx, doc, slot, value)
    }
    if (current === undefined) return doc
    requiredGuard(def, slot.label)
    guard(def, slot.label, current, undefined)
    if (def.type === "complex" && !def.multiValued && isObject(current)) {
      for (const sub of def.subAttributes ?? []) guard(sub, `${slot.label}.${sub.name}`, current[sub.name], undefined)
    }
    return write(ctx, doc, slot, undefined)
  }
  if (value === undefined) {
    return fail(new InvalidValue({ attribute: slot.label, detail: `an "${op}" of "${slot.label}" needs a "value"` }))
  }
  if (def.multiValued) {
    const elements = coerceElements(ctx, def, value, slot.label)
    if (op === "add") {
      const next = addElements(ctx, doc, slot, elements)
      const after = read(next, slot)
      if (after !== current) guard(def, slot.label, current, after)
      return next
    }
    return replaceElements(ctx, doc, slot, elements)
  }
  if (def.type === "complex") {
    const patch = coerceComplex(ctx, def, value, slot.label, false)
    const next = mergeComplex(def, slot.label, current, patch)
    if (next === current) return doc
    guard(def, slot.label, current, next)
    return write(ctx, doc, slot, Object.keys(next).length === 0 ? undefined : next)
  }
  const next = coerceSimple(ctx, def, value, slot.label)
  guard(def, slot.label, current, next)
  if (current !== undefined && current === next) return doc
  return write(ctx, doc, slot, next)
}

/** An operation on `attr.sub` without a filter: the sub-attribute of a complex value, or of every element. */
const onSubAttribute = (
  ctx: PatchContext,
  doc: JsonObject,
  op: OpName,
  value: Json | undefined,
  slot: Slot,
  sub: AttributeDef
): JsonObject => {
  const def = slot.attribute
  const label = `${slot.label}.${sub.name}`
  const current = read(doc, slot)
  const next = op === "remove" || value === undefined ? null : coerceSimple(ctx, sub, value, label)
  if (!def.multiValued) {
    const before = isObject(current) ? current[sub.name] : undefined
    if (next === null && before === undefined) return doc
    const merged = mergeComplex(def, slot.label, current, { [sub.name]: next })
    if (merged === current) return doc
    const result = Object.keys(merged).length === 0 ? undefined : merged
    guard(def, slot.label, current, result)
    return write(ctx, doc, slot, result)
  }
  const elements = asArray(current)
  if (elements.length === 0) {
    if (next === null) return doc
    const created = [ctx.made({ [sub.name]: next })]
    guard(def, slot.label, undefined, created)
    return write(ctx, doc, slot, created)
  }
  const touched = new Set<number>()
  const change: MutableObject = {}
  change[sub.name] = next
  const out: Array<Json> = []
  let changed = false
  for (const element of elements) {
    const merged = mergeComplex(def, slot.label, element, change)
    if (merged === element) {
      out.push(element)
      continue
    }
    changed = true
    if (!emptyObject(merged)) {
      touched.add(out.length)
      out.push(ctx.made(merged))
    }
  }
  if (!changed) return doc
  guard(def, slot.label, current, out.length === 0 ? undefined : out)
  return writeElements(ctx, doc, slot, settlePrimary(ctx, def, slot.label, out, touched))
}

/** An operation through a value filter: `attr[filter]` or `attr[filter].sub`. */
const onFiltered = (
  ctx: PatchContext,
  doc: JsonObject,
  op: OpName,
  value: Json | undefined,
  slot: Slot,
  filter: Filter,
  predicate: ElementMatcher,
  sub: AttributeDef | undefined,
  text: string
): JsonObject => {
  const def = slot.attribute
  const elements = asArray(read(doc, slot))
  const matched: Array<number> = []
  for (let i = 0; i < elements.length; i++) if (predicate(elements[i]!)) matched.push(i)
  const label = sub === undefined ? slot.label : `${slot.label}.${sub.name}`

  if (op === "remove") {
    if (matched.length === 0) {
      return fail(
        new NoTarget({
          path: text,
          detail: `no element of "${slot.label}" matches "${text}", so there is nothing to remove`
        })
      )
    }
    let out: ReadonlyArray<Json>
    if (sub === undefined) {
      const kept: Array<Json> = []
      let m = 0
      for (let i = 0; i < elements.length; i++) {
        if (m < matched.length && matched[m] === i) m++
        else kept.push(elements[i]!)
      }
      out = kept
    } else {
      const change: MutableObject = {}
      change[sub.name] = null
      const kept: Array<Json> = []
      let m = 0
      for (let i = 0; i < elements.length; i++) {
        if (m < matched.length && matched[m] === i) {
          m++
          const merged = mergeComplex(def, slot.label, elements[i], change)
          if (!emptyObject(merged)) kept.push(merged === elements[i] ? merged : ctx.made(merged))
        } else {
          kept.push(elements[i]!)
        }
      }
      out = kept
    }
    guard(def, slot.label, elements, out.length === 0 ? undefined : out)
    return writeElements(ctx, doc, slot, out)
  }

  const patch: Json | undefined = value === undefined
    ? undefined
    : sub !== undefined
    ? { [sub.name]: coerceSimple(ctx, sub, value, label) }
    : def.type === "complex"
    ? coerceComplex(ctx, def, value, label, true)
    : coerceSimple(ctx, def, value, label)

  if (matched.length === 0) {
    const template = elementOfFilter(def, filter)
    if (template === undefined || patch === undefined || !ctx.allow(FilterCreatesElement)) {
      return fail(
        new NoTarget({
          path: text,
          detail:
            `no element of "${slot.label}" matches "${text}" (RFC 7644 §3.5.2.3); add the element to "${slot.label}" first` +
            (template !== undefined ? ctx.hint(FilterCreatesElement) : "")
        })
      )
    }
    const created = ctx.made(
      stripNulls(
        mergeComplex(
          def,
          slot.label,
          coerceComplex(ctx, def, template, slot.label, false),
          isObject(patch) ? patch : {}
        )
      )
    )
    guard(def, slot.label, elements.length ? elements : undefined, [...elements, created])
    const out = [...elements, created]
    return write(ctx, doc, slot, settlePrimary(ctx, def, slot.label, out, new Set([out.length - 1])))
  }
  const out = elements.slice()
  const touched = new Set<number>()
  for (const i of matched) {
    const element = elements[i]!
    const next = isObject(patch) && def.type === "complex" ? mergeComplex(def, slot.label, element, patch) : patch!
    if (next !== element) {
      out[i] = ctx.made(next)
      touched.add(i)
    }
  }
  if (touched.size === 0) return doc
  const settled = settlePrimary(ctx, def, slot.label, out, touched)
  const result: Array<Json> = []
  for (const element of settled) if (!emptyObject(element)) result.push(element)
  guard(def, slot.label, elements, result.length === 0 ? undefined : result)
  return writeElements(ctx, doc, slot, result)
}

/**
 * The value filter of a PATCH path compiled with `Filter.compileElement` (the semantics of filters);
 * a filter that does not compile fails as the `InvalidPath` it makes of the path.
 */
export const compileValueFilter = (
  rt: ResourceTypeDef,
  attribute: AttributeDef,
  filter: Filter,
  text: string
): ElementMatcher => {
  const compiled = compileElement(rt, attribute, filter)
  return compiled._tag === "Success"
    ? compiled.success
    : fail(new InvalidPath({ path: text, detail: `in its value filter: ${compiled.failure.expected}` }))
}

/**
 * The element an `eq`-only filter that compiled describes (`type eq "work" and primary eq true`
 * gives `{type: "work", primary: true}`), or undefined when the filter uses anything else. Used to
 * create the element a filter matched nothing for.
 */
const elementOfFilter = (attribute: AttributeDef, filter: Filter): JsonObject | undefined => {
  if (attribute.type !== "complex") return undefined
  const out: MutableObject = {}
  const visit = (f: Filter): boolean => {
    if (f._tag === "And") return visit(f.left) && visit(f.right)
    if (f._tag !== "Compare" || f.op !== "eq" || f.value === null) return false
    const sub = findSubAttribute(attribute, f.path.subAttribute ?? f.path.attribute)
    if (sub === undefined) return false
    out[sub.name] = f.value
    return true
  }
  return visit(filter) ? out : undefined
}

/** A path resolved against the resource type, with its value filter compiled: computed once per path text. */
interface Target {
  readonly slot: Slot
  readonly sub: AttributeDef | undefined
  readonly filter: Filter | undefined
  readonly predicate: ElementMatcher | undefined
  readonly text: string
}

/** How a key of a path-less value object is written. */
type KeyForm = "name" | "dotted" | "urn"

interface KeyTarget {
  readonly target: Target
  readonly form: KeyForm
}

type Entry = Target | KeyTarget | PatchError

/** Per resource type: targets of paths, of path-less value keys, and of keys nested under a schema URN. */
interface Caches {
  readonly paths: Map<string, Entry>
  readonly keys: Map<string, Entry>
  readonly scoped: Map<SchemaDef, Map<string, Entry>>
}

const caches = new WeakMap<ResourceTypeDef, Caches>()

const isError = (entry: Entry): entry is PatchError => "_tag" in entry

const cachesOf = (rt: ResourceTypeDef): Caches => {
  let found = caches.get(rt)
  if (found === undefined) {
    found = { paths: new Map(), keys: new Map(), scoped: new Map() }
    caches.set(rt, found)
  }
  return found
}

/** Computes an entry once; a failure is cached too, as the error to report. */
const remember = <A extends Target | KeyTarget, B>(
  cache: Map<string, Entry>,
  ctx: PatchContext,
  make: (ctx: PatchContext, a: string, b: B) => A,
  a: string,
  b: B
): A => {
  let entry = cache.get(a)
  if (entry === undefined) {
    try {
      entry = make(ctx, a, b)
    } catch (e) {
      if (e instanceof PatchFailure) entry = e.error
      else throw e
    }
    // A bound on what odd paths can make the cache hold, not a measured size: a resource type has a
    // few dozen attribute paths, so real traffic never reaches it
    if (cache.size >= 1024) cache.clear()
    cache.set(a, entry)
  }
  if (isError(entry)) return fail(entry)
  return entry as A
}

const resolveOrFail = (ctx: PatchContext, path: PatchPath["path"]): ResolvedPath => {
  const resolved = resolve(ctx.rt, path)
  return resolved._tag === "Success" ? resolved.success : fail(resolved.failure)
}

const makePathTarget = (ctx: PatchContext, text: string, _: undefined): Target => {
  const parsed = parsePathResult(text)
  if (parsed._tag === "Failure") return fail(parsed.failure)
  const path = parsed.success
  const resolved = resolveOrFail(ctx, path.path)
  const attribute = resolved.attribute
  let sub = resolved.subAttribute
  if (path.subAttribute !== undefined) {
    sub = findSubAttribute(attribute, path.subAttribute)
    if (sub === undefined) {
      return fail(
        new InvalidPath({
          path: text,
          detail: `"${attribute.name}" has no sub-attribute "${path.subAttribute}"; it has ${
            (attribute.subAttributes ?? []).map((a) => a.name).join(", ")
          }`
        })
      )
    }
  }
  const slot = slotOf(ctx, resolved)
  let predicate: ElementMatcher | undefined
  if (path.valueFilter !== undefined) {
    if (!attribute.multiValued) {
      return fail(
        new InvalidPath({
          path: text,
          detail: `"${slot.label}" is single-valued; a value filter "[…]" selects elements of a multi-valued attribute`
        })
      )
    }
    predicate = compileValueFilter(ctx.rt, attribute, path.valueFilter, text)
  }
  return { slot, sub, filter: path.valueFilter, predicate, text }
}

const targetOfPath = (ctx: PatchContext, text: string): Target =>
  remember(cachesOf(ctx.rt).paths, ctx, makePathTarget, text, undefined)

const makeKeyTarget = (ctx: PatchContext, key: string, scope: SchemaDef | undefined): KeyTarget => {
  const text = scope !== undefined && scope.id !== ctx.rt.schema.id ? `${scope.id}:${key}` : key
  if (key.includes("[")) {
    return fail(
      new InvalidPath({ path: key, detail: `"${key}" is a key of the value object; value filters belong in "path"` })
    )
  }
  const form: KeyForm = scope === undefined && key.toLowerCase().startsWith("urn:")
    ? "urn"
    : key.includes(".")
    ? "dotted"
    : "name"
  const attrPath = parseAttrPath(ctx.rt, text)
  if (attrPath._tag === "Failure") return fail(attrPath.failure)
  const resolved = resolveOrFail(ctx, attrPath.success)
  return {
    target: { slot: slotOf(ctx, resolved), sub: resolved.subAttribute, filter: undefined, predicate: undefined, text },
    form
  }
}

const targetOfKey = (ctx: PatchContext, key: string, scope: SchemaDef | undefined): KeyTarget =>
  remember(scopedCache(ctx.rt, scope), ctx, makeKeyTarget, key, scope)

const scopedCache = (rt: ResourceTypeDef, scope: SchemaDef | undefined): Map<string, Entry> => {
  const all = cachesOf(rt)
  if (scope === undefined) return all.keys
  let found = all.scoped.get(scope)
  if (found === undefined) {
    found = new Map()
    all.scoped.set(scope, found)
  }
  return found
}

const schemaLists = new WeakMap<ResourceTypeDef, ReadonlyArray<SchemaDef>>()

/** The schema a text names exactly (case-insensitively), if any. */
const schemaNamed = (ctx: PatchContext, text: string): SchemaDef | undefined => {
  let list = schemaLists.get(ctx.rt)
  if (list === undefined) {
    list = schemaDefsOf(ctx.rt)
    schemaLists.set(ctx.rt, list)
  }
  for (const schema of list) {
    if (schema.id.length === text.length && (schema.id === text || schema.id.toLowerCase() === text.toLowerCase())) {
      return schema
    }
  }
  return undefined
}

/** Applies one resolved path. `inObject` marks a key of a path-less value object. */
const onPath = (
  ctx: PatchContext,
  doc: JsonObject,
  op: OpName,
  value: Json | undefined,
  target: Target,
  inObject: boolean
): JsonObject => {
  const { slot, sub } = target
  const attribute = slot.attribute
  if (isReadOnlyCommon(attribute)) {
    const current = read(doc, slot)
    if (inObject && op !== "remove" && value !== undefined) {
      if (current !== undefined && sub === undefined && same(attribute, current, value)) return doc
      if (current === undefined && ctx.allow(ReadOnlyValueIgnored)) return doc
    }
    return fail(
      new Mutability({
        attribute: attribute.name,
        detail: `"${attribute.name}" is set by the server and cannot be changed by PATCH; leave it out of the request` +
          (inObject && current === undefined ? ctx.hint(ReadOnlyValueIgnored) : "")
      })
    )
  }
  if (attribute.mutability === "readOnly") {
    const current = read(doc, slot)
    if (
      op === "remove"
        ? current === undefined
        : current !== undefined && value !== undefined && sub === undefined && target.filter === undefined &&
          same(attribute, current, value)
    ) {
      return doc
    }
    if (inObject && current === undefined && ctx.allow(ReadOnlyValueIgnored)) return doc
    return fail(
      new Mutability({
        attribute: slot.label,
        detail: `"${slot.label}" is read-only: the server sets it, so leave it out of the request` +
          (inObject && current === undefined ? ctx.hint(ReadOnlyValueIgnored) : "")
      })
    )
  }
  if (target.filter !== undefined) {
    return onFiltered(ctx, doc, op, value, slot, target.filter, target.predicate!, sub, target.text)
  }
  if (sub !== undefined) return onSubAttribute(ctx, doc, op, value, slot, sub)
  return onAttribute(ctx, doc, op, value, slot)
}

/** A path-less `add`/`replace`: every member of the value object is applied as if it were the path. */
const onObject = (
  ctx: PatchContext,
  doc: JsonObject,
  op: OpName,
  value: Json,
  scope: SchemaDef | undefined
): JsonObject => {
  if (!isObject(value)) {
    const where = scope === undefined ? "without a path" : `on "${scope.id}"`
    return fail(
      new InvalidValue({
        detail: `an "${op}" ${where} takes an object of attributes such as {"displayName": "…"}, not ${
          Array.isArray(value) ? "an array" : JSON.stringify(value)
        }`
      })
    )
  }
  for (const key in value) {
    const v = value[key]!
    if (scope === undefined) {
      if (key.length === 7 && key.toLowerCase() === "schemas") continue
      const schema = schemaNamed(ctx, key)
      if (schema !== undefined) {
        doc = onObject(ctx, doc, op, v, schema)
        continue
      }
    }
    const { form, target } = targetOfKey(ctx, key, scope)
    if (form === "urn" && !ctx.allow(UrnValueKey)) {
      return fail(
        new InvalidPath({
          path: key,
          detail:
            `"${key}" is an attribute path, not an attribute name: nest it as {"<schema URN>": {"<attribute>": …}} or send it as "path"${
              ctx.hint(UrnValueKey)
            }`
        })
      )
    }
    if (form === "dotted" && !ctx.allow(DottedValueKey)) {
      return fail(
        new InvalidPath({
          path: key,
          detail: `"${key}" is an attribute path, not an attribute name: nest it as {"${key.split(".")[0]}": {"${
            key.split(".").slice(1).join(".")
          }": …}} or send it as "path"${ctx.hint(DottedValueKey)}`
        })
      )
    }
    doc = onPath(ctx, doc, op, v, target, true)
  }
  return doc
}

/** Applies one decoded operation. */
export const applyOperation = (ctx: PatchContext, doc: JsonObject, operation: Operation): JsonObject => {
  const { op, path, value } = operation
  if (path === undefined) {
    if (op === "remove") {
      return fail(
        new NoTarget({ path: "", detail: `a "remove" needs a "path" naming what to remove (RFC 7644 §3.5.2.2)` })
      )
    }
    return onObject(ctx, doc, op, value!, undefined)
  }
  const schema = schemaNamed(ctx, path.trim())
  if (schema !== undefined) {
    if (!ctx.allow(SchemaUrnPath)) {
      return fail(
        new InvalidPath({
          path,
          detail:
            `a schema URN alone names no attribute: write "${schema.id}:<attribute>", or leave "path" out and send {"${schema.id}": {…}}${
              ctx.hint(SchemaUrnPath)
            }`
        })
      )
    }
    if (op !== "remove") return onObject(ctx, doc, op, { [schema.id]: value! }, undefined)
    if (schema.id === ctx.rt.schema.id) {
      return fail(
        new InvalidPath({
          path,
          detail: `the core schema "${schema.id}" cannot be removed; name the attribute to remove`
        })
      )
    }
    for (const attribute of schema.attributes) {
      const slot: Slot = { attribute, ext: schema.id, label: `${schema.id}:${attribute.name}` }
      const current = read(doc, slot)
      if (current === undefined) continue
      requiredGuard(attribute, slot.label)
      guard(attribute, slot.label, current, undefined)
    }
    if (doc[schema.id] === undefined) return doc
    ctx.touch(schema.id)
    return withSchema(ctx, setKey(ctx, doc, schema.id, undefined), schema.id, false)
  }
  return onPath(ctx, doc, op, value, targetOfPath(ctx, path), false)
}
