/**
 * Canonical filter text: lower-case keywords and operators, JSON literals, single spaces, and
 * parentheses exactly where precedence needs them (`or` binds looser than `and`; both associate to
 * the left, as the parser builds them).
 */
import { type CompValue, type Filter, printAttrPath } from "../../filter/Ast.js"

const printValue = (value: CompValue): string => {
  if (typeof value === "number") return Object.is(value, -0) ? "-0" : String(value)
  return JSON.stringify(value)
}

class Printer {
  out = ""
  constructor(private readonly target: Filter | undefined) {}
  offset = -1

  filter(f: Filter): void {
    if (f === this.target) this.offset = this.out.length
    switch (f._tag) {
      case "Compare":
        this.out += printAttrPath(f.path) + " " + f.op + " " + printValue(f.value)
        return
      case "Present":
        this.out += printAttrPath(f.path) + " pr"
        return
      case "And":
        this.child(f.left, f.left._tag === "Or")
        this.out += " and "
        this.child(f.right, f.right._tag === "Or" || f.right._tag === "And")
        return
      case "Or":
        this.child(f.left, false)
        this.out += " or "
        this.child(f.right, f.right._tag === "Or")
        return
      case "Not":
        this.out += "not ("
        this.filter(f.filter)
        this.out += ")"
        return
      case "ValuePath":
        this.out += printAttrPath(f.path) + "["
        this.filter(f.filter)
        this.out += "]"
        return
    }
  }

  private child(f: Filter, parenthesize: boolean): void {
    if (!parenthesize) return this.filter(f)
    this.out += "("
    this.filter(f)
    this.out += ")"
  }
}

/** @internal */
export const print = (filter: Filter): string => {
  const printer = new Printer(undefined)
  printer.filter(filter)
  return printer.out
}

/** The canonical text and the offset in it where `node` (compared by reference) starts, or 0. @internal */
export const printLocating = (filter: Filter, node: Filter): { readonly text: string; readonly offset: number } => {
  const printer = new Printer(node)
  printer.filter(filter)
  return { text: printer.out, offset: Math.max(0, printer.offset) }
}
