/**
 * The filter AST of RFC 7644 §3.4.2.2, shared by the parser, the printer, the evaluator, the PATCH
 * engine and the stores (the AST crosses the storage port; Postgres compiles it to SQL).
 *
 * Attribute names keep the case the client wrote; resolution against the schemas is
 * case-insensitive. Inside a `ValuePath`, the inner filter's paths are relative to the complex
 * attribute (`emails[type eq "work"]`: `type` is `emails.type`).
 */
import * as Schema from "effect/Schema"

/** `[URI ":"] ATTRNAME *1subAttr` (RFC 7644 Figure 1). */
export const AttrPath = Schema.Struct({
  uri: Schema.optionalKey(Schema.String),
  attribute: Schema.String,
  subAttribute: Schema.optionalKey(Schema.String)
})
export type AttrPath = typeof AttrPath.Type

/** The comparison operators of RFC 7644 Table 3 (all but `pr`). */
export const CompareOp = Schema.Literals(["eq", "ne", "co", "sw", "ew", "gt", "lt", "ge", "le"])
export type CompareOp = typeof CompareOp.Type

/** `compValue = false / null / true / number / string` (dateTime literals are strings). */
export const CompValue = Schema.Union([Schema.String, Schema.Finite, Schema.Boolean, Schema.Null])
export type CompValue = typeof CompValue.Type

export interface Compare {
  readonly _tag: "Compare"
  readonly path: AttrPath
  readonly op: CompareOp
  readonly value: CompValue
}
export interface Present {
  readonly _tag: "Present"
  readonly path: AttrPath
}
export interface And {
  readonly _tag: "And"
  readonly left: Filter
  readonly right: Filter
}
export interface Or {
  readonly _tag: "Or"
  readonly left: Filter
  readonly right: Filter
}
export interface Not {
  readonly _tag: "Not"
  readonly filter: Filter
}
/** `attrPath "[" valFilter "]"`; `path` has no sub-attribute. */
export interface ValuePath {
  readonly _tag: "ValuePath"
  readonly path: AttrPath
  readonly filter: Filter
}
export type Filter = Compare | Present | And | Or | Not | ValuePath

export const Compare: Schema.Codec<Compare> = Schema.TaggedStruct("Compare", {
  path: AttrPath,
  op: CompareOp,
  value: CompValue
})
export const Present: Schema.Codec<Present> = Schema.TaggedStruct("Present", { path: AttrPath })
export const And: Schema.Codec<And> = Schema.TaggedStruct("And", {
  left: Schema.suspend((): Schema.Codec<Filter> => Filter),
  right: Schema.suspend((): Schema.Codec<Filter> => Filter)
})
export const Or: Schema.Codec<Or> = Schema.TaggedStruct("Or", {
  left: Schema.suspend((): Schema.Codec<Filter> => Filter),
  right: Schema.suspend((): Schema.Codec<Filter> => Filter)
})
export const Not: Schema.Codec<Not> = Schema.TaggedStruct("Not", {
  filter: Schema.suspend((): Schema.Codec<Filter> => Filter)
})
export const ValuePath: Schema.Codec<ValuePath> = Schema.TaggedStruct("ValuePath", {
  path: AttrPath,
  filter: Schema.suspend((): Schema.Codec<Filter> => Filter)
})
export const Filter: Schema.Codec<Filter> = Schema.Union([Compare, Present, And, Or, Not, ValuePath])

/**
 * A PATCH path (RFC 7644 §3.5.2): `attrPath`, or `attrPath "[" valFilter "]" ["." subAttr]`.
 */
export interface PatchPath {
  readonly path: AttrPath
  readonly valueFilter?: Filter
  readonly subAttribute?: string
}
export const PatchPath: Schema.Codec<PatchPath> = Schema.Struct({
  path: AttrPath,
  valueFilter: Schema.optionalKey(Filter),
  subAttribute: Schema.optionalKey(Schema.String)
})

/** The text of an attribute path as a client writes it: `urn:…:User:name.givenName`, `emails.value`, `userName`. */
export const printAttrPath = (path: AttrPath): string =>
  (path.uri !== undefined ? path.uri + ":" : "") + path.attribute +
  (path.subAttribute !== undefined ? "." + path.subAttribute : "")
