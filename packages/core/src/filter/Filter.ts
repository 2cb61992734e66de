/**
 * The SCIM filter language (RFC 7644 §3.4.2.2): parse filter text into the {@link Ast.Filter}
 * AST, print an AST back as canonical text, and evaluate it against normalized documents following
 * the schemas.
 *
 * @since 0.1.0
 */
import * as Either from "effect/Either"
import type * as Effect from "effect/Effect"
import { InvalidFilter } from "../errors/ScimError.js"
import { ParseFailure, Parser } from "../internal/filterParser.js"
import * as Printer from "../internal/filterPrinter.js"
import type * as Ast from "./Ast.js"

/** The AST (and its Schema), re-exported from {@link Ast}. @since 0.1.0 */
export { Filter } from "./Ast.js"

/**
 * Limits on what {@link parse} accepts (both reported as `InvalidFilter`). The defaults match
 * `ScimOptions.defaults` (`maxFilterLength` 4096, `maxFilterDepth` 32).
 *
 * @since 0.1.0
 */
export interface ParseOptions {
  /** Longest filter text accepted, in UTF-16 code units. */
  readonly maxLength?: number
  /** Deepest nesting of parentheses, `not (…)` and value filters `[…]`. */
  readonly maxDepth?: number
}

/** @since 0.1.0 */
export const defaultMaxLength = 4096
/** @since 0.1.0 */
export const defaultMaxDepth = 32

/**
 * Parses filter text (RFC 7644 §3.4.2.2, Figure 1) synchronously. Never throws: malformed input,
 * too long or too deeply nested input is an `InvalidFilter` naming the offset and what was expected.
 *
 * @since 0.1.0
 */
export const parseEither = (input: string, options?: ParseOptions): Either.Either<Ast.Filter, InvalidFilter> => {
  const maxLength = options?.maxLength ?? defaultMaxLength
  if (input.length > maxLength) {
    return Either.left(new InvalidFilter({
      filter: input.slice(0, 200),
      offset: maxLength,
      expected: `expected a filter of at most ${maxLength} characters, got ${input.length}; split the query`
    }))
  }
  const parser = new Parser(input, options?.maxDepth ?? defaultMaxDepth)
  try {
    if (parser.atEnd()) return Either.left(new InvalidFilter({ filter: input, offset: 0, expected: "expected a filter, found an empty string" }))
    const filter = parser.parseFilter(false)
    if (!parser.atEnd()) {
      parser.fail(parser.pos, `expected "and", "or" or the end of the filter, found ${parser.found(parser.pos)}`)
    }
    return Either.right(filter)
  } catch (e) {
    if (e instanceof ParseFailure) return Either.left(new InvalidFilter({ filter: input, offset: e.offset, expected: e.expected }))
    /* c8 ignore next */
    throw e
  }
}

/**
 * Parses filter text into the AST (RFC 7644 §3.4.2.2). `and` binds tighter than `or`, both
 * associate to the left; operators and keywords are case-insensitive; attribute names keep the case
 * written. A URI prefix (`urn:…:enterprise:2.0:User:manager.value`) is everything before the last
 * colon of the path. As an extension, `emails[type eq "work"].value co "x"` is read as
 * `emails[type eq "work" and value co "x"]`.
 *
 * @since 0.1.0
 */
export const parse = (input: string, options?: ParseOptions): Effect.Effect<Ast.Filter, InvalidFilter> =>
  parseEither(input, options)

/**
 * Canonical filter text: lower-case operators and keywords, JSON literals, parentheses only where
 * precedence needs them. `parse(print(ast))` gives back `ast`.
 *
 * @since 0.1.0
 */
export const print: (filter: Ast.Filter) => string = Printer.print
