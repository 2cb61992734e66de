/**
 * The filter AST of RFC 7644 §3.4.2.2, shared by the parser, the printer, the evaluator, the PATCH
 * engine and the stores (the AST crosses the storage port; Postgres compiles it to SQL).
 *
 * Attribute names keep the case the client wrote; resolution against the schemas is
 * case-insensitive. Inside a `ValuePath`, the inner filter's paths are relative to the complex
 * attribute (`emails[type eq "work"]`: `type` is `emails.type`).
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"

/** `[URI ":"] ATTRNAME *1subAttr` (RFC 7644 Figure 1). @since 0.1.0 */
export const AttrPath = Schema.Struct({
  uri: Schema.optionalWith(Schema.String, { exact: true }),
  attribute: Schema.String,
  subAttribute: Schema.optionalWith(Schema.String, { exact: true })
})
/** @since 0.1.0 */
export type AttrPath = typeof AttrPath.Type

/** The comparison operators of RFC 7644 Table 3 (all but `pr`). @since 0.1.0 */
export const CompareOp = Schema.Literal("eq", "ne", "co", "sw", "ew", "gt", "lt", "ge", "le")
/** @since 0.1.0 */
export type CompareOp = typeof CompareOp.Type

/** `compValue = false / null / true / number / string` (dateTime literals are strings). @since 0.1.0 */
export const CompValue = Schema.Union(Schema.String, Schema.Finite, Schema.Boolean, Schema.Null)
/** @since 0.1.0 */
export type CompValue = typeof CompValue.Type

/** @since 0.1.0 */
export interface Compare {
  readonly _tag: "Compare"
  readonly path: AttrPath
  readonly op: CompareOp
  readonly value: CompValue
}
/** @since 0.1.0 */
export interface Present {
  readonly _tag: "Present"
  readonly path: AttrPath
}
/** @since 0.1.0 */
export interface And {
  readonly _tag: "And"
  readonly left: Filter
  readonly right: Filter
}
/** @since 0.1.0 */
export interface Or {
  readonly _tag: "Or"
  readonly left: Filter
  readonly right: Filter
}
/** @since 0.1.0 */
export interface Not {
  readonly _tag: "Not"
  readonly filter: Filter
}
/** `attrPath "[" valFilter "]"`; `path` has no sub-attribute. @since 0.1.0 */
export interface ValuePath {
  readonly _tag: "ValuePath"
  readonly path: AttrPath
  readonly filter: Filter
}
/** @since 0.1.0 */
export type Filter = Compare | Present | And | Or | Not | ValuePath

/** @since 0.1.0 */
export const Compare: Schema.Schema<Compare> = Schema.TaggedStruct("Compare", { path: AttrPath, op: CompareOp, value: CompValue })
/** @since 0.1.0 */
export const Present: Schema.Schema<Present> = Schema.TaggedStruct("Present", { path: AttrPath })
/** @since 0.1.0 */
export const And: Schema.Schema<And> = Schema.TaggedStruct("And", {
  left: Schema.suspend((): Schema.Schema<Filter> => Filter),
  right: Schema.suspend((): Schema.Schema<Filter> => Filter)
})
/** @since 0.1.0 */
export const Or: Schema.Schema<Or> = Schema.TaggedStruct("Or", {
  left: Schema.suspend((): Schema.Schema<Filter> => Filter),
  right: Schema.suspend((): Schema.Schema<Filter> => Filter)
})
/** @since 0.1.0 */
export const Not: Schema.Schema<Not> = Schema.TaggedStruct("Not", {
  filter: Schema.suspend((): Schema.Schema<Filter> => Filter)
})
/** @since 0.1.0 */
export const ValuePath: Schema.Schema<ValuePath> = Schema.TaggedStruct("ValuePath", {
  path: AttrPath,
  filter: Schema.suspend((): Schema.Schema<Filter> => Filter)
})
/** @since 0.1.0 */
export const Filter: Schema.Schema<Filter> = Schema.Union(Compare, Present, And, Or, Not, ValuePath)

/**
 * A PATCH path (RFC 7644 §3.5.2): `attrPath`, or `attrPath "[" valFilter "]" ["." subAttr]`.
 *
 * @since 0.1.0
 */
export interface PatchPath {
  readonly path: AttrPath
  readonly valueFilter?: Filter
  readonly subAttribute?: string
}
/** @since 0.1.0 */
export const PatchPath: Schema.Schema<PatchPath> = Schema.Struct({
  path: AttrPath,
  valueFilter: Schema.optionalWith(Filter, { exact: true }),
  subAttribute: Schema.optionalWith(Schema.String, { exact: true })
})
