/**
 * The SCIM filter language (RFC 7644 §3.4.2.2): parse filter text into the {@link Ast.Filter}
 * AST, print an AST back as canonical text, and evaluate it against normalized documents following
 * the schemas.
 */
import * as Input from "../schema/Input.js"
import * as Result from "effect/Result"
import * as Effect from "effect/Effect"
import { InvalidFilter } from "../errors/ScimError.js"
import type { Json, JsonObject } from "../domain/Model.js"
import { CompileFailure, compileElementRoot, compileRoot, schemasDef } from "../internal/filter/compile.js"
import { ParseFailure, Parser, tooDeep } from "../internal/filter/parser.js"
import * as Printer from "../internal/filter/printer.js"
import type { AttributeDef } from "../schema/Attribute.js"
import type { ResourceTypeDef } from "../schema/Schemas.js"
import type * as Ast from "./Ast.js"

/** The AST (and its Schema), re-exported from {@link Ast}. */
export { Filter } from "./Ast.js"

/**
 * Limits on what {@link parse} accepts (both reported as `InvalidFilter`). The defaults match
 * `ScimOptions.defaults` (`maxFilterLength` 4096, `maxFilterDepth` 32).
 */
export interface ParseOptions {
  /** Longest filter text accepted, in UTF-16 code units. */
  readonly maxLength?: number
  /** Deepest nesting of parentheses, `not (…)` and value filters `[…]`. */
  readonly maxDepth?: number
  /** Most comparisons (`eq`, `pr`, …) one filter may hold. */
  readonly maxTerms?: number
  /**
   * Also accept an unquoted comparison value (default `false`, RFC 7644 §3.4.2.2 only): after the
   * operator, a word up to whitespace, `)` or `]` that is not a JSON string, number, `true`,
   * `false` or `null` is read as a string (`userName sw O`, `meta.created gt
   * 2015-10-10T14:38:21.8617979-07:00`), as clients of Microsoft's SCIM reference server send.
   * Every filter the RFC grammar accepts parses to the same AST with or without it.
   */
  readonly bareValues?: boolean
}

export const defaultMaxLength = 4096
export const defaultMaxDepth = 32
export const defaultMaxTerms = 256

/**
 * Parses filter text (RFC 7644 §3.4.2.2, Figure 1) synchronously. Never throws: malformed input,
 * too long or too deeply nested input is an `InvalidFilter` naming the offset and what was expected.
 */
export const parseResult = (input: string, options?: ParseOptions): Result.Result<Ast.Filter, InvalidFilter> => {
  const maxLength = options?.maxLength ?? defaultMaxLength
  if (input.length > maxLength) {
    return Result.fail(
      new InvalidFilter({
        filter: input.slice(0, 200),
        offset: maxLength,
        expected: `expected a filter of at most ${maxLength} characters, got ${input.length}; split the query`
      })
    )
  }
  const unstorable = Input.firstProblem(input)
  if (unstorable !== undefined) {
    return Result.fail(
      new InvalidFilter({
        filter: input.slice(0, 200),
        offset: unstorable.offset,
        expected: `expected filter text, but it ${unstorable.problem}; no stored value can match it, so remove it`
      })
    )
  }
  const parser = new Parser(
    input,
    options?.maxDepth ?? defaultMaxDepth,
    options?.bareValues === true,
    options?.maxTerms ?? defaultMaxTerms
  )
  try {
    if (parser.atEnd()) {
      return Result.fail(
        new InvalidFilter({ filter: input, offset: 0, expected: "expected a filter, found an empty string" })
      )
    }
    const filter = parser.parseFilter(false)
    if (!parser.atEnd()) {
      parser.fail(parser.pos, `expected "and", "or" or the end of the filter, found ${parser.found(parser.pos)}`)
    }
    return Result.succeed(filter)
  } catch (e) {
    if (e instanceof ParseFailure) {
      return Result.fail(new InvalidFilter({ filter: input, offset: e.offset, expected: e.expected }))
    }
    // only reachable when maxDepth is set beyond what the call stack holds
    if (e instanceof RangeError) {
      return Result.fail(new InvalidFilter({ filter: input, offset: parser.pos, expected: tooDeep }))
    }
    throw e
  }
}

/**
 * Parses filter text into the AST (RFC 7644 §3.4.2.2). `and` binds tighter than `or`, both
 * associate to the left; operators and keywords are case-insensitive; attribute names keep the case
 * written. A URI prefix (`urn:…:enterprise:2.0:User:manager.value`) is everything before the last
 * colon of the path. As an extension, `emails[type eq "work"].value co "x"` is read as
 * `emails[type eq "work" and value co "x"]`.
 */
export const parse = (input: string, options?: ParseOptions): Effect.Effect<Ast.Filter, InvalidFilter> =>
  Effect.fromResult(parseResult(input, options))

/**
 * Canonical filter text: lower-case operators and keywords, JSON literals, parentheses only where
 * precedence needs them. `parse(print(ast))` gives back `ast`.
 */
export const print: (filter: Ast.Filter) => string = Printer.print

/**
 * The definition a filter reads `schemas` with (RFC 7643 §3): a multi-valued, case-insensitive URI
 * reference. It is no attribute of the schemas, so stores that push filters down take it from here.
 */
export const schemasAttribute: AttributeDef = schemasDef

/**
 * A compiled filter: tells whether a normalized document (see `Document`) matches.
 */
export type Matcher = (doc: JsonObject) => boolean

const compiled = new WeakMap<Ast.Filter, Map<ResourceTypeDef, Result.Result<Matcher, InvalidFilter>>>()

/**
 * Resolves the filter's paths against the resource type's schemas and checks its comparisons once,
 * giving a fast predicate over normalized documents (the memory store runs it over every
 * candidate). Results are cached per AST and resource type.
 *
 * Semantics (RFC 7644 §3.4.2.2), which stores that push filters down must reproduce:
 * - Attribute names resolve case-insensitively, with or without schema URI; an unknown attribute
 *   is an `InvalidFilter` naming it.
 * - Strings compare case-insensitively unless the attribute is `caseExact`; `dateTime` compares as
 *   instants, `integer`/`decimal` numerically; `co`/`sw`/`ew` apply to strings only, `gt`/`ge`/`lt`/`le`
 *   not to booleans. A comparand of the wrong type is an `InvalidFilter` (`active gt "x"`, `userName gt 5`).
 * - A comparison holds when at least one value of the attribute satisfies it (all values of a
 *   multi-valued attribute, all elements' sub-attribute for `emails.value`). An absent or null
 *   attribute satisfies none, `ne` included.
 * - A complex attribute compared without a sub-attribute compares its `value` sub-attribute
 *   (`emails co "x"` is `emails.value co "x"`).
 * - `pr`: not null, not "", not [], and a complex value with some present sub-attribute.
 *   `eq null` means `not (… pr)`, `ne null` means `pr`.
 * - `attr[filter]` holds when one element of `attr` satisfies `filter`, evaluated on that element.
 */
export const compile = (rt: ResourceTypeDef, filter: Ast.Filter): Result.Result<Matcher, InvalidFilter> => {
  let byType = compiled.get(filter)
  if (byType === undefined) {
    byType = new Map()
    compiled.set(filter, byType)
  }
  let result = byType.get(rt)
  if (result === undefined) {
    const attempt = compiling(filter, () => compileRoot(rt, filter))
    // a filter too deep for the call stack is not cached: it may compile with more stack
    if (attempt === tooDeepForStack) return Result.fail(new InvalidFilter({ filter: "", offset: 0, expected: tooDeep }))
    result = attempt
    byType.set(rt, result)
  }
  return result
}

const tooDeepForStack = Symbol("tooDeepForStack")

/** Runs a compilation, turning a {@link CompileFailure} into an `InvalidFilter` that locates the node. */
const compiling = <A>(
  filter: Ast.Filter,
  compileIt: () => A
): Result.Result<A, InvalidFilter> | typeof tooDeepForStack => {
  try {
    return Result.succeed(compileIt())
  } catch (e) {
    if (e instanceof RangeError) return tooDeepForStack
    if (!(e instanceof CompileFailure)) throw e
    const located = Printer.printLocating(filter, e.node)
    return Result.fail(new InvalidFilter({ filter: located.text, offset: located.offset, expected: e.message }))
  }
}

/**
 * A compiled value filter: tells whether one element of a multi-valued attribute matches.
 */
export type ElementMatcher = (element: Json) => boolean

/**
 * Compiles the filter of a value path (`emails[type eq "work"]`, `members[value eq "…"]`, RFC 7644
 * §3.4.2.2 and §3.5.2) against one multi-valued attribute of the resource type, into a predicate
 * over its elements: the semantics of {@link compile} with attribute paths relative to the element.
 * Paths name sub-attributes (`type`), also qualified by the attribute as PATCH paths are written
 * (`emails.type`, `urn:…:User:emails.type`); of a simple multi-valued attribute, `value` is the
 * element itself. Value filters do not nest. An unknown sub-attribute or a comparison of the wrong
 * type is an `InvalidFilter` naming it.
 */
export const compileElement = (
  rt: ResourceTypeDef,
  attribute: AttributeDef,
  filter: Ast.Filter
): Result.Result<ElementMatcher, InvalidFilter> => {
  const attempt = compiling(filter, () => compileElementRoot(rt, attribute, filter))
  return attempt === tooDeepForStack
    ? Result.fail(new InvalidFilter({ filter: "", offset: 0, expected: tooDeep }))
    : attempt
}

/**
 * Whether a normalized document matches the filter, following the resource type's schemas (see
 * {@link compile} for the semantics). Compiles on first use and reuses the compiled filter.
 */
export const evaluate = (
  rt: ResourceTypeDef,
  filter: Ast.Filter,
  doc: JsonObject
): Result.Result<boolean, InvalidFilter> => {
  const matcher = compile(rt, filter)
  return Result.isSuccess(matcher) ? Result.succeed(matcher.success(doc)) : Result.fail(matcher.failure)
}

/**
 * A filter checked against one resource type and compiled once: what the services hand the stores
 * (`StoreQuery.filter`). A store that pushes filters down translates `ast`, whose paths are known
 * to resolve and whose comparisons are known to be well typed; one that evaluates in memory calls
 * `matches` on each resource's filter view (`Render.userView`, `Render.projectView`).
 */
export interface Checked {
  readonly _tag: "Checked"
  /** The resource type the filter was checked against. */
  readonly resourceType: ResourceTypeDef["id"]
  readonly ast: Ast.Filter
  readonly matches: Matcher
}

/** Checks and compiles the filter against the resource type (see {@link compile} for the rules). */
export const check = (rt: ResourceTypeDef, ast: Ast.Filter): Result.Result<Checked, InvalidFilter> =>
  Result.map(compile(rt, ast), (matches): Checked => ({ _tag: "Checked", resourceType: rt.id, ast, matches }))
