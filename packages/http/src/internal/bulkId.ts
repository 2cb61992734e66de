/**
 * RFC 7644 §3.7.2 `bulkId` references: finding them in an operation's path and data, replacing
 * them with the ids the server assigned, and ordering operations so that each runs after the POSTs
 * it refers to.
 *
 * @internal
 */
import * as Predicate from "effect/Predicate"

/** What a reference starts with: `"bulkId:qwerty"` names the POST whose `bulkId` is `qwerty`. */
export const prefix = "bulkId:"

/** Adds to `into` every bulkId that `value` (a path, or data at any depth) refers to. */
export const collect = (value: unknown, into: Set<string>): void => {
  if (typeof value === "string") {
    if (value.startsWith(prefix)) into.add(value.slice(prefix.length))
  } else if (Array.isArray(value)) {
    for (const item of value) collect(item, into)
  } else if (Predicate.isObject(value)) {
    for (const key in value) collect(value[key], into)
  }
}

/** `value` with every reference whose id is known replaced by that id, at any depth. */
export const substitute = (value: unknown, ids: ReadonlyMap<string, string>): unknown => {
  if (typeof value === "string") {
    return value.startsWith(prefix) ? ids.get(value.slice(prefix.length)) ?? value : value
  }
  if (Array.isArray(value)) return value.map((item) => substitute(item, ids))
  if (Predicate.isObject(value)) {
    const out: Record<string, unknown> = {}
    for (const key in value) out[key] = substitute(value[key], ids)
    return out
  }
  return value
}

/** A path with every segment that is a known reference replaced by its id. */
export const substitutePath = (path: string, ids: ReadonlyMap<string, string>): string =>
  path.split("/").map((segment) =>
    segment.startsWith(prefix) ? ids.get(segment.slice(prefix.length)) ?? segment : segment
  ).join("/")

/** An operation as far as ordering is concerned: its position in the request and the bulkIds it refers to. */
export interface Node {
  readonly index: number
  readonly refs: ReadonlySet<string>
}

/**
 * Orders operations so that each runs after the POSTs whose `bulkId`s it references, keeping the
 * request order otherwise (Kahn's algorithm, smallest index first). Operations left over are in a
 * cycle or depend on one.
 */
export const order = <Op extends Node>(
  operations: ReadonlyArray<Op>,
  definitions: ReadonlyMap<string, Op>
): { readonly sorted: Array<Op>; readonly cyclic: Array<Op> } => {
  const pending = new Map<number, number>()
  const dependents = new Map<number, Array<Op>>()
  for (const op of operations) {
    let count = 0
    for (const ref of op.refs) {
      const definer = definitions.get(ref)
      if (definer === undefined || definer === op) continue
      count++
      const list = dependents.get(definer.index)
      if (list === undefined) dependents.set(definer.index, [op])
      else list.push(op)
    }
    pending.set(op.index, count)
  }
  const ready = operations.filter((op) => pending.get(op.index) === 0)
  const sorted: Array<Op> = []
  while (ready.length > 0) {
    ready.sort((a, b) => a.index - b.index)
    const op = ready.shift()!
    sorted.push(op)
    for (const dependent of dependents.get(op.index) ?? []) {
      const left = pending.get(dependent.index)! - 1
      pending.set(dependent.index, left)
      if (left === 0) ready.push(dependent)
    }
  }
  const cyclic = operations.filter((op) => pending.get(op.index)! > 0)
  return { sorted, cyclic }
}
