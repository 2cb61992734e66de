/**
 * PATCH paths (RFC 7644 §3.5.2): `attrPath`, `attrPath[valFilter]` and
 * `attrPath[valFilter].subAttr`, with or without a schema URI prefix, parsed with the filter grammar.
 */
import * as Result from "effect/Result"
import * as Effect from "effect/Effect"
import { InvalidPath } from "../errors/ScimError.js"
import { ParseFailure, Parser, tooDeep } from "../internal/filter/parser.js"
import { defaultMaxDepth, defaultMaxLength } from "./Filter.js"
import type { ParseOptions } from "./Filter.js"
import type { PatchPath } from "./Ast.js"

/**
 * Parses a PATCH path synchronously. Never throws. The URI prefix is everything before the last
 * colon of the attribute path (`urn:…:enterprise:2.0:User:manager.value`), so a bare schema URN
 * (`urn:…:enterprise:2.0:User`) reads as attribute `User` of URI `urn:…:2.0`: callers that accept
 * a whole extension as a path should compare the text with their schema URNs first.
 */
export const parsePathResult = (input: string, options?: ParseOptions): Result.Result<PatchPath, InvalidPath> => {
  const maxLength = options?.maxLength ?? defaultMaxLength
  if (input.length > maxLength) {
    return Result.fail(
      new InvalidPath({
        path: input.slice(0, 200),
        detail: `a path may have at most ${maxLength} characters, this one has ${input.length}`
      })
    )
  }
  const parser = new Parser(input, options?.maxDepth ?? defaultMaxDepth)
  try {
    if (parser.atEnd()) parser.fail(0, "expected an attribute path, found an empty string")
    const start = parser.pos
    const path = parser.parseAttrPath()
    let result: PatchPath = { path }
    if (input.charCodeAt(parser.pos) === 91) {
      if (path.subAttribute !== undefined) {
        parser.fail(
          start,
          `expected "[" after an attribute, not a sub-attribute: write "${path.attribute}[…].${path.subAttribute}"`
        )
      }
      const valueFilter = parser.parseValueFilter()
      result = { path, valueFilter }
      if (input.charCodeAt(parser.pos) === 46) {
        parser.pos++
        const subStart = parser.pos
        const sub = parser.parseAttrPath()
        if (sub.uri !== undefined || sub.subAttribute !== undefined) {
          parser.fail(
            subStart,
            `expected one sub-attribute name after "].", found "${input.slice(subStart, parser.pos)}"`
          )
        }
        result = { path, valueFilter, subAttribute: sub.attribute }
      }
    }
    if (!parser.atEnd()) {
      parser.fail(
        parser.pos,
        `expected the end of the path${result.valueFilter === undefined ? " or \"[\" and a value filter" : ""}, found ${
          parser.found(parser.pos)
        }`
      )
    }
    return Result.succeed(result)
  } catch (e) {
    if (e instanceof ParseFailure) {
      return Result.fail(new InvalidPath({ path: input, detail: `at offset ${e.offset}: ${e.expected}` }))
    }
    if (e instanceof RangeError) {
      return Result.fail(new InvalidPath({ path: input, detail: `at offset ${parser.pos}: ${tooDeep}` }))
    }
    throw e
  }
}

/**
 * Parses a PATCH path (RFC 7644 §3.5.2, Figure 1 `PATH = attrPath / valuePath [subAttr]`) into a
 * {@link PatchPath}; a malformed path is an `InvalidPath` naming the offset and what was expected.
 */
export const parsePath = (input: string, options?: ParseOptions): Effect.Effect<PatchPath, InvalidPath> =>
  Effect.fromResult(parsePathResult(input, options))
