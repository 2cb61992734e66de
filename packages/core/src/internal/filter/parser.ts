/**
 * Hand-written scanner and recursive-descent parser for the filter grammar of RFC 7644 §3.4.2.2
 * (Figure 1), shared by filters and PATCH paths. It reads the input with `charCodeAt` and builds
 * no token list. Failures are thrown as {@link ParseFailure} (a plain object, so no stack trace is
 * captured) and caught by the public entry points, which turn them into typed errors.
 */
import { type AttrPath, type CompareOp, type CompValue, type Filter, printAttrPath } from "../../filter/Ast.js"

/** @internal */
export const tooDeep = "expected less nesting: the filter nests deeper than the parser's stack allows; lower maxDepth"

/** @internal */
export class ParseFailure {
  constructor(readonly offset: number, readonly expected: string) {}
}

const SPACE = 32
const TAB = 9
const LF = 10
const CR = 13
const QUOTE = 34
const DOLLAR = 36
const LPAREN = 40
const RPAREN = 41
const PLUS = 43
const MINUS = 45
const DOT = 46
const SLASH = 47
const COLON = 58
const LBRACKET = 91
const BACKSLASH = 92
const RBRACKET = 93
const UNDERSCORE = 95

const isAlpha = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122)
const isDigit = (c: number): boolean => c >= 48 && c <= 57
/** `nameChar = "-" / "_" / DIGIT / ALPHA` */
const isNameChar = (c: number): boolean => isAlpha(c) || isDigit(c) || c === MINUS || c === UNDERSCORE
/** Characters of an attribute path token, URI prefix included. */
const isPathChar = (c: number): boolean => isNameChar(c) || c === DOT || c === COLON || c === DOLLAR || c === SLASH
const isSpace = (c: number): boolean => c === SPACE || c === TAB || c === LF || c === CR

const lower = (c: number): number => (c >= 65 && c <= 90 ? c + 32 : c)

const opOf = (a: number, b: number): CompareOp | undefined => {
  switch ((lower(a) << 8) | lower(b)) {
    case 0x6571:
      return "eq"
    case 0x6e65:
      return "ne"
    case 0x636f:
      return "co"
    case 0x7377:
      return "sw"
    case 0x6577:
      return "ew"
    case 0x6774:
      return "gt"
    case 0x6c74:
      return "lt"
    case 0x6765:
      return "ge"
    case 0x6c65:
      return "le"
    default:
      return undefined
  }
}

const isName = (text: string): boolean => {
  let i = 0
  if (text.charCodeAt(0) === DOLLAR) i = 1
  if (i >= text.length || !isAlpha(text.charCodeAt(i))) return false
  for (i++; i < text.length; i++) if (!isNameChar(text.charCodeAt(i))) return false
  return true
}

const isNameAt = (text: string, from: number, to: number): boolean => {
  let i = from
  if (text.charCodeAt(i) === DOLLAR) i++
  if (i >= to || !isAlpha(text.charCodeAt(i))) return false
  for (i++; i < to; i++) if (!isNameChar(text.charCodeAt(i))) return false
  return true
}

/** A whole JSON number (RFC 8259 §6). */
const jsonNumber = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$/

const quote = (text: string): string => JSON.stringify(text.length > 24 ? text.slice(0, 24) + "…" : text)

/** @internal */
export class Parser {
  pos = 0
  private depth = 0
  private readonly length: number

  /** Whether the input has a backslash anywhere; without one, strings are plain slices. */
  private readonly escapes: boolean

  /**
   * @param bareValues whether a comparison value may also be a bare word, read as a string (see
   *   {@link Parser.parseBareValue}); without it, values follow RFC 7644 §3.4.2.2 strictly
   */
  private terms = 0

  constructor(
    readonly input: string,
    private readonly maxDepth: number,
    private readonly bareValues = false,
    private readonly maxTerms = Number.POSITIVE_INFINITY
  ) {
    this.length = input.length
    this.escapes = input.indexOf("\\") >= 0
  }

  fail(offset: number, expected: string): never {
    throw new ParseFailure(offset, expected)
  }

  /** A short description of what is at `offset`, for error messages. */
  found(offset: number): string {
    if (offset >= this.length) return "the end of the filter"
    const c = this.input.charCodeAt(offset)
    if (isPathChar(c) || c === QUOTE) {
      let end = offset + 1
      while (end < this.length && isPathChar(this.input.charCodeAt(end))) end++
      return quote(this.input.slice(offset, c === QUOTE ? Math.min(this.length, offset + 25) : end))
    }
    return quote(this.input.charAt(offset))
  }

  skipSpaces(): void {
    while (this.pos < this.length && isSpace(this.input.charCodeAt(this.pos))) this.pos++
  }

  atEnd(): boolean {
    this.skipSpaces()
    return this.pos >= this.length
  }

  /** Whether the keyword (lower case) stands at the current position, bounded by a non-name character. */
  private atKeyword(keyword: string): boolean {
    const end = this.pos + keyword.length
    if (end > this.length) return false
    for (let i = 0; i < keyword.length; i++) {
      if (lower(this.input.charCodeAt(this.pos + i)) !== keyword.charCodeAt(i)) return false
    }
    return end === this.length || !isPathChar(this.input.charCodeAt(end))
  }

  private enter(offset: number): void {
    if (++this.depth > this.maxDepth) {
      this.fail(
        offset,
        `expected at most ${this.maxDepth} nested groups (parentheses, not, value filters); simplify the filter`
      )
    }
  }

  /** `FILTER` with `or` binding looser than `and` (RFC 7644 §3.4.2.2, Table 5). */
  parseFilter(inValuePath: boolean): Filter {
    let left = this.parseAnd(inValuePath)
    for (;;) {
      this.skipSpaces()
      if (!this.atKeyword("or")) return left
      this.pos += 2
      left = { _tag: "Or", left, right: this.parseAnd(inValuePath) }
    }
  }

  private parseAnd(inValuePath: boolean): Filter {
    let left = this.parseUnary(inValuePath)
    for (;;) {
      this.skipSpaces()
      if (!this.atKeyword("and")) return left
      this.pos += 3
      left = { _tag: "And", left, right: this.parseUnary(inValuePath) }
    }
  }

  private parseUnary(inValuePath: boolean): Filter {
    this.skipSpaces()
    const start = this.pos
    const c = this.input.charCodeAt(start)
    if (c === LPAREN) {
      this.pos++
      return this.parseGroup(start, inValuePath)
    }
    if (this.atKeyword("not")) {
      this.pos += 3
      this.skipSpaces()
      if (this.input.charCodeAt(this.pos) === LPAREN) {
        this.pos++
        return { _tag: "Not", filter: this.parseGroup(start, inValuePath) }
      }
      // an attribute that happens to be called "not"
      this.pos = start
    }
    if (!(isAlpha(c) || c === DOLLAR)) {
      this.fail(start, `expected an attribute path, "not (" or "(", found ${this.found(start)}`)
    }
    return this.parseAttrExpression(inValuePath)
  }

  private parseGroup(start: number, inValuePath: boolean): Filter {
    this.enter(start)
    const inner = this.parseFilter(inValuePath)
    this.skipSpaces()
    if (this.input.charCodeAt(this.pos) !== RPAREN) {
      this.fail(
        this.pos,
        `expected "and", "or" or ")" to close the "(" at offset ${start}, found ${this.found(this.pos)}`
      )
    }
    this.pos++
    this.depth--
    return inner
  }

  /** `attrPath = [URI ":"] ATTRNAME *1subAttr`; a URI contains colons and dots, so the name follows its last colon. */
  parseAttrPath(): AttrPath {
    const input = this.input
    const start = this.pos
    let colon = -1
    let dot = -1
    let slash = false
    let i = start
    for (; i < this.length; i++) {
      const c = input.charCodeAt(i)
      if (isNameChar(c) || c === DOLLAR) continue
      if (c === DOT) {
        if (dot < 0) dot = i
      } else if (c === COLON) {
        colon = i
        dot = -1
      } else if (c === SLASH) {
        slash = true
      } else {
        break
      }
    }
    this.pos = i
    // fast path: [uri ":"] name ["." name], names checked in place
    if (i > start && colon !== start && !(slash && colon < 0)) {
      const nameStart = colon + 1 > start ? colon + 1 : start
      const nameEnd = dot < 0 ? i : dot
      if (isNameAt(input, nameStart, nameEnd) && (dot < 0 || isNameAt(input, dot + 1, i))) {
        const attribute = input.slice(nameStart, nameEnd)
        if (colon < 0) return dot < 0 ? { attribute } : { attribute, subAttribute: input.slice(dot + 1, i) }
        const uri = input.slice(start, colon)
        return dot < 0 ? { uri, attribute } : { uri, attribute, subAttribute: input.slice(dot + 1, i) }
      }
    }
    return this.invalidAttrPath(start, input.slice(start, i))
  }

  /** Reports what is wrong with a path token that failed the fast path. */
  private invalidAttrPath(start: number, token: string): never {
    if (token.length === 0) this.fail(start, `expected an attribute path, found ${this.found(start)}`)
    const colon = token.lastIndexOf(":")
    const nameStart = colon + 1
    const dot = token.indexOf(".", nameStart)
    const attribute = dot < 0 ? token.slice(nameStart) : token.slice(nameStart, dot)
    if (colon === 0) this.fail(start, `expected a schema URI before ":", found ${quote(token)}`)
    if (colon < 0 && token.indexOf("/") >= 0) {
      this.fail(
        start,
        `expected an attribute path, found ${quote(token)} (a schema URI is followed by ":" and the attribute name)`
      )
    }
    if (!isName(attribute)) {
      this.fail(
        start + nameStart,
        colon > 0 && attribute.length === 0
          ? `expected an attribute name after the schema URI "${token.slice(0, colon)}:"`
          : `expected an attribute name (a letter, then letters, digits, "-" or "_"), found ${quote(attribute)}`
      )
    }
    let subAttribute: string | undefined
    if (dot >= 0) {
      subAttribute = token.slice(dot + 1)
      if (!isName(subAttribute)) {
        this.fail(
          start + dot + 1,
          subAttribute.indexOf(".") >= 0
            ? `expected at most one sub-attribute: "${token}" goes deeper than attribute.subAttribute`
            : `expected a sub-attribute name after "${token.slice(nameStart, dot + 1)}", found ${quote(subAttribute)}`
        )
      }
    }
    return this.fail(start, `expected an attribute path, found ${quote(token)}`)
  }

  private parseAttrExpression(inValuePath: boolean): Filter {
    const start = this.pos
    const path = this.parseAttrPath()
    if (this.input.charCodeAt(this.pos) === LBRACKET) {
      if (inValuePath) this.fail(this.pos, `expected a comparison inside the value filter; value filters do not nest`)
      if (path.subAttribute !== undefined) {
        this.fail(
          start,
          `expected "[" after an attribute, not a sub-attribute: write "${path.attribute}[${path.subAttribute} …]"`
        )
      }
      const valueFilter = this.parseValueFilter()
      if (this.input.charCodeAt(this.pos) === DOT) {
        // Lenient extension: `emails[type eq "work"].value co "x"` means `emails[type eq "work" and value co "x"]`.
        this.pos++
        const subStart = this.pos
        const sub = this.parseAttrPath()
        if (sub.uri !== undefined || sub.subAttribute !== undefined) {
          this.fail(subStart, `expected a sub-attribute name after "]."`)
        }
        const condition = this.parseOperator({ attribute: sub.attribute })
        return { _tag: "ValuePath", path, filter: { _tag: "And", left: valueFilter, right: condition } }
      }
      return { _tag: "ValuePath", path, filter: valueFilter }
    }
    return this.parseOperator(path)
  }

  /** `"[" valFilter "]"`, the position on the "[". */
  parseValueFilter(): Filter {
    const open = this.pos
    this.enter(open)
    this.pos++
    const inner = this.parseFilter(true)
    this.skipSpaces()
    if (this.input.charCodeAt(this.pos) !== RBRACKET) {
      this.fail(
        this.pos,
        `expected "and", "or" or "]" to close the "[" at offset ${open}, found ${this.found(this.pos)}`
      )
    }
    this.pos++
    this.depth--
    return inner
  }

  private parseOperator(path: AttrPath): Filter {
    this.skipSpaces()
    const start = this.pos
    if (++this.terms > this.maxTerms) {
      this.fail(start, `expected at most ${this.maxTerms} comparisons in one filter; split the query`)
    }
    while (this.pos < this.length && isPathChar(this.input.charCodeAt(this.pos))) this.pos++
    const length = this.pos - start
    const op = length === 2 ? opOf(this.input.charCodeAt(start), this.input.charCodeAt(start + 1)) : undefined
    if (op === undefined) {
      if (
        length === 2 && lower(this.input.charCodeAt(start)) === 112 && lower(this.input.charCodeAt(start + 1)) === 114
      ) {
        return { _tag: "Present", path }
      }
      this.fail(
        start,
        `expected an operator (eq, ne, co, sw, ew, gt, lt, ge, le or pr) after "${printAttrPath(path)}", found ${
          this.found(start)
        }`
      )
    }
    this.skipSpaces()
    return { _tag: "Compare", path, op, value: this.parseValue(op) }
  }

  /** `compValue = false / null / true / number / string` */
  private parseValue(op: CompareOp): CompValue {
    const start = this.pos
    const c = this.input.charCodeAt(start)
    if (c === QUOTE) return this.parseString()
    if (this.bareValues) return this.parseBareValue(op)
    if (c === MINUS || isDigit(c)) return this.parseNumber()
    if (this.atKeyword("true")) {
      this.pos += 4
      return true
    }
    if (this.atKeyword("false")) {
      this.pos += 5
      return false
    }
    if (this.atKeyword("null")) {
      this.pos += 4
      return null
    }
    return this.fail(
      start,
      `expected a value after "${op}": a "quoted string", a number, true, false or null, found ${this.found(start)}`
    )
  }

  /**
   * Lenient `compValue`: the word up to whitespace, ")" or "]" (`userName sw O`,
   * `meta.created gt 2015-10-10T14:38:21.8617979-07:00`). A word that is a JSON number, true, false
   * or null keeps that meaning; any other word is a string. Quoted strings are read before this.
   */
  private parseBareValue(op: CompareOp): CompValue {
    const input = this.input
    const start = this.pos
    let end = start
    for (; end < this.length; end++) {
      const c = input.charCodeAt(end)
      if (isSpace(c) || c === RPAREN || c === RBRACKET) break
    }
    if (end === start) {
      this.fail(
        start,
        `expected a value after "${op}": a "quoted string", a number, true, false or null, found ${this.found(start)}`
      )
    }
    const word = input.slice(start, end)
    if (jsonNumber.test(word)) return this.parseNumber()
    this.pos = end
    switch (word.toLowerCase()) {
      case "true":
        return true
      case "false":
        return false
      case "null":
        return null
      default:
        return word
    }
  }

  private parseNumber(): number {
    const input = this.input
    const start = this.pos
    let i = start
    if (input.charCodeAt(i) === MINUS) i++
    if (!isDigit(input.charCodeAt(i))) this.fail(i, `expected a digit in the number, found ${this.found(i)}`)
    if (input.charCodeAt(i) === 48) i++
    else while (isDigit(input.charCodeAt(i))) i++
    if (input.charCodeAt(i) === DOT) {
      i++
      if (!isDigit(input.charCodeAt(i))) {
        this.fail(i, `expected a digit after the decimal point, found ${this.found(i)}`)
      }
      while (isDigit(input.charCodeAt(i))) i++
    }
    const e = input.charCodeAt(i)
    if (e === 101 || e === 69) {
      i++
      const sign = input.charCodeAt(i)
      if (sign === PLUS || sign === MINUS) i++
      if (!isDigit(input.charCodeAt(i))) this.fail(i, `expected a digit in the exponent, found ${this.found(i)}`)
      while (isDigit(input.charCodeAt(i))) i++
    }
    if (i < this.length && isPathChar(input.charCodeAt(i))) {
      this.fail(start, `expected a JSON number, found ${this.found(start)} (quote strings with ")`)
    }
    const value = Number(input.slice(start, i))
    if (!Number.isFinite(value)) {
      this.fail(start, `expected a number within the range of a double, found ${this.found(start)}`)
    }
    this.pos = i
    return value
  }

  /** A JSON string (RFC 8259 §7), the position on the opening quote. */
  private parseString(): string {
    const input = this.input
    const open = this.pos
    if (!this.escapes) {
      const close = input.indexOf("\"", open + 1)
      if (close > 0) {
        this.pos = close + 1
        return input.slice(open + 1, close)
      }
    }
    let i = open + 1
    let escaped = false
    for (;;) {
      if (i >= this.length) this.fail(open, `expected a closing '"' for the string that starts at offset ${open}`)
      const c = input.charCodeAt(i)
      if (c === QUOTE) break
      if (c === BACKSLASH) {
        escaped = true
        i += 2
      } else {
        i++
      }
    }
    this.pos = i + 1
    if (!escaped) return input.slice(open + 1, i)
    return this.unescape(open + 1, i)
  }

  private unescape(from: number, to: number): string {
    const input = this.input
    let out = ""
    let chunk = from
    let i = from
    while (i < to) {
      if (input.charCodeAt(i) !== BACKSLASH) {
        i++
        continue
      }
      out += input.slice(chunk, i)
      const e = input.charCodeAt(i + 1)
      switch (e) {
        case QUOTE:
          out += "\""
          break
        case BACKSLASH:
          out += "\\"
          break
        case SLASH:
          out += "/"
          break
        case 98:
          out += "\b"
          break
        case 102:
          out += "\f"
          break
        case 110:
          out += "\n"
          break
        case 114:
          out += "\r"
          break
        case 116:
          out += "\t"
          break
        case 117: {
          let code = 0
          for (let k = 2; k < 6; k++) {
            const h = input.charCodeAt(i + k)
            const digit = isDigit(h) ? h - 48 : (lower(h) >= 97 && lower(h) <= 102) ? lower(h) - 87 : -1
            if (digit < 0 || i + k >= to) this.fail(i, `expected four hex digits after "\\u"`)
            code = code * 16 + digit
          }
          out += String.fromCharCode(code)
          i += 4
          break
        }
        default:
          this.fail(
            i,
            `expected a JSON escape (\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX), found ${quote(input.slice(i, i + 2))}`
          )
      }
      i += 2
      chunk = i
    }
    return out + input.slice(chunk, to)
  }
}
