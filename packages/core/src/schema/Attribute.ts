/**
 * Attribute characteristics of RFC 7643 §2.2 and §7 as plain data. Every other part of the core
 * (validation, filtering, PATCH, projection, `/Schemas`) reads these definitions, and finds them
 * by name here (case-insensitively, through an index built once per definition list).
 */

/** RFC 7643 §2.3 data types. */
export type AttributeType =
  | "string"
  | "boolean"
  | "decimal"
  | "integer"
  | "dateTime"
  | "reference"
  | "binary"
  | "complex"

/** RFC 7643 §7 `mutability`. */
export type Mutability = "readOnly" | "readWrite" | "immutable" | "writeOnly"

/** RFC 7643 §7 `returned`. */
export type Returned = "always" | "never" | "default" | "request"

/** RFC 7643 §7 `uniqueness`. */
export type Uniqueness = "none" | "server" | "global"

/** One attribute definition (RFC 7643 §7). Names keep their canonical case. */
export interface AttributeDef {
  readonly name: string
  readonly type: AttributeType
  readonly multiValued: boolean
  readonly description: string
  readonly required: boolean
  readonly caseExact: boolean
  readonly mutability: Mutability
  readonly returned: Returned
  readonly uniqueness: Uniqueness
  readonly canonicalValues?: ReadonlyArray<string>
  /**
   * Not an RFC 7643 characteristic (never advertised): the server accepts only the
   * `canonicalValues`, matched case-insensitively and stored in their canonical case. Elsewhere
   * canonical values are suggestions (RFC 7643 §2.3.1 lets a service provider accept others).
   */
  readonly enforceCanonicalValues?: boolean
  readonly referenceTypes?: ReadonlyArray<string>
  readonly subAttributes?: ReadonlyArray<AttributeDef>
}

/** A schema (RFC 7643 §7): an id URN and its attributes. */
export interface SchemaDef {
  readonly id: string
  readonly name: string
  readonly description: string
  readonly attributes: ReadonlyArray<AttributeDef>
}

type Options = Partial<Omit<AttributeDef, "name" | "type" | "description" | "subAttributes">>

const make = (type: AttributeType) => (name: string, description: string, options: Options = {}): AttributeDef => ({
  name,
  type,
  multiValued: false,
  description,
  required: false,
  caseExact: false,
  mutability: "readWrite",
  returned: "default",
  uniqueness: "none",
  ...options
})

export const string = make("string")
export const boolean = make("boolean")
export const decimal = make("decimal")
export const integer = make("integer")
export const dateTime = make("dateTime")
export const binary = make("binary")
export const reference = (
  name: string,
  description: string,
  referenceTypes: ReadonlyArray<string>,
  options: Options = {}
): AttributeDef => make("reference")(name, description, { caseExact: true, ...options, referenceTypes })
export const complex = (
  name: string,
  description: string,
  subAttributes: ReadonlyArray<AttributeDef>,
  options: Options = {}
): AttributeDef => ({ ...make("complex")(name, description, options), subAttributes })

/**
 * The definitions of one list by name, built once per list (see {@link indexAttributes}): every
 * lookup by name in core goes through one, so finding `emails.value` costs two map reads.
 */
export interface AttributeIndex {
  /**
   * Each definition under its lower-cased name and its canonical name (a name in canonical case is
   * found without lower-casing it). Of names that differ only in case, the first definition wins,
   * as a scan would find it.
   */
  readonly byName: ReadonlyMap<string, AttributeDef>
  /** The required definitions, in list order. */
  readonly required: ReadonlyArray<AttributeDef>
}

const indexes = new WeakMap<ReadonlyArray<AttributeDef>, AttributeIndex>()

/** The index of a definition list (built on first use, kept as long as the list). */
export const indexAttributes = (defs: ReadonlyArray<AttributeDef>): AttributeIndex => {
  let index = indexes.get(defs)
  if (index === undefined) {
    const byName = new Map<string, AttributeDef>()
    for (const d of defs) {
      const lower = d.name.toLowerCase()
      if (byName.has(lower)) continue
      byName.set(lower, d)
      byName.set(d.name, d)
    }
    index = { byName, required: defs.filter((d) => d.required) }
    indexes.set(defs, index)
  }
  return index
}

/** Finds a definition of an index by name, case-insensitively (RFC 7643 §2.1). */
export const findInIndex = (index: AttributeIndex, name: string): AttributeDef | undefined =>
  index.byName.get(name) ?? index.byName.get(name.toLowerCase())

/** Finds a definition of a list by name, case-insensitively (RFC 7643 §2.1). */
export const findByName = (defs: ReadonlyArray<AttributeDef>, name: string): AttributeDef | undefined =>
  findInIndex(indexAttributes(defs), name)

/** Finds a sub-attribute by name, case-insensitively (RFC 7643 §2.1). */
export const findSubAttribute = (parent: AttributeDef, name: string): AttributeDef | undefined =>
  parent.subAttributes === undefined ? undefined : findByName(parent.subAttributes, name)

/** Finds a top-level attribute of a schema by name, case-insensitively. */
export const findAttribute = (schema: SchemaDef, name: string): AttributeDef | undefined =>
  findByName(schema.attributes, name)
