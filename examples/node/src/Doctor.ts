/**
 * `scimkit doctor [--platform <id or name>] [--fix]`: finds the users and groups whose stored
 * document breaks the limits every write is now held to (written by an earlier version, or edited
 * by hand: NUL characters, lone surrogates, values nested deeper than `maxValueDepth`…) and, with
 * `--fix`, repairs each by dropping the offending attributes (or extension sub-attributes), keeping
 * the rest and bumping the version, so an operator recovers a tenant without SQL.
 */
import { Input, Model, Platforms, ProjectStore, ScimOptions, UserStore, type ScimError } from "@scimkit/core"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Result from "effect/Result"

/** One resource the doctor found. */
export interface Finding {
  readonly platform: string
  readonly resourceType: "User" | "Group"
  readonly id: string
  readonly problem: string
  /** The attributes dropped by `--fix` (empty without it). */
  readonly dropped: ReadonlyArray<string>
  readonly fixed: boolean
}

const pageSize = 500

/** Every stored item of a platform, a page at a time (index paging over the store port). */
const all = <A, E>(
  query: (startIndex: number) => Effect.Effect<{ readonly items: ReadonlyArray<A>; readonly total: number }, E>
): Effect.Effect<ReadonlyArray<A>, E> =>
  Effect.gen(function*() {
    const out: Array<A> = []
    for (let start = 1;; start += pageSize) {
      const page = yield* query(start)
      for (const item of page.items) out.push(item)
      if (page.items.length < pageSize) return out
    }
  })

/**
 * The document without what breaks the limits: top-level attributes that fail, and, inside an
 * object-valued attribute (an extension, a complex attribute), only the sub-attributes that fail.
 */
export const repair = (
  document: Model.JsonObject,
  maxDepth: number,
  required: string
): { readonly document: Model.JsonObject; readonly dropped: ReadonlyArray<string> } | undefined => {
  const fails = (value: Model.Json, depth: number) =>
    Result.isFailure(Input.check(value, { maxDepth: maxDepth - depth }))
  const out: Record<string, Model.Json> = {}
  const dropped: Array<string> = []
  for (const [key, value] of Object.entries(document)) {
    if (!Input.isStorable(key) || key === "__proto__") {
      dropped.push(key)
      continue
    }
    if (!fails(value, 1)) {
      out[key] = value
      continue
    }
    if (value !== null && typeof value === "object" && !Array.isArray(value)) {
      const kept: Record<string, Model.Json> = {}
      for (const [sub, subValue] of Object.entries(value as Model.JsonObject)) {
        if (Input.isStorable(sub) && sub !== "__proto__" && !fails(subValue, 2)) kept[sub] = subValue
        else dropped.push(`${key}.${sub}`)
      }
      out[key] = kept
      continue
    }
    dropped.push(key)
  }
  // a required attribute that had to go cannot be repaired by dropping: it needs a hand edit
  if (dropped.includes(required)) return undefined
  return { document: out, dropped }
}

const problemOf = (document: Model.JsonObject, maxDepth: number): string | undefined => {
  const checked = Input.check(document, { maxDepth })
  return Result.isFailure(checked) ? checked.failure.message : undefined
}

/**
 * Scans (and with `fix`, repairs) the platform's users and groups, or every platform's.
 */
export const run = (
  platformIdOrName: Option.Option<string>,
  fix: boolean
): Effect.Effect<
  ReadonlyArray<Finding>,
  ScimError.CoreError | ScimError.StoreError,
  Platforms.Platforms | UserStore.UserStore | ProjectStore.ProjectStore | ScimOptions.ScimOptions
> =>
  Effect.gen(function*() {
    const platforms = yield* Platforms.Platforms
    const users = yield* UserStore.UserStore
    const projects = yield* ProjectStore.ProjectStore
    const options = yield* ScimOptions.ScimOptions
    const maxDepth = options.maxValueDepth
    const targets: ReadonlyArray<Model.Platform> = Option.isSome(platformIdOrName)
      ? [yield* platforms.find(platformIdOrName.value)]
      : yield* platforms.list()
    const findings: Array<Finding> = []
    const page = (start: number) => ({
      filter: Option.none(),
      sort: Option.none(),
      page: { _tag: "Index" as const, startIndex: start, count: pageSize }
    })
    for (const platform of targets) {
      const id: Model.PlatformId = platform.id
      const now = yield* DateTime.now
      for (const user of yield* all((start) => users.query(id, page(start)))) {
        const problem = problemOf(user.document, maxDepth)
        if (problem === undefined) continue
        const repaired = fix ? repair(user.document, maxDepth, "userName") : undefined
        if (repaired !== undefined) {
          yield* users.update(
            id,
            new Model.StoredUser({
              ...user,
              document: repaired.document,
              version: user.version + 1,
              lastModified: now
            }),
            user.version
          )
        }
        findings.push({
          platform: platform.name,
          resourceType: "User",
          id: user.id,
          problem,
          dropped: repaired?.dropped ?? [],
          fixed: repaired !== undefined
        })
      }
      for (const project of yield* all((start) => projects.query(id, page(start)))) {
        const problem = problemOf(project.document, maxDepth)
        if (problem === undefined) continue
        const repaired = fix ? repair(project.document, maxDepth, "displayName") : undefined
        if (repaired !== undefined) {
          yield* projects.update(
            id,
            new Model.StoredProject({
              ...project,
              document: repaired.document,
              version: project.version + 1,
              lastModified: now
            }),
            project.version
          )
        }
        findings.push({
          platform: platform.name,
          resourceType: "Group",
          id: project.id,
          problem,
          dropped: repaired?.dropped ?? [],
          fixed: repaired !== undefined
        })
      }
    }
    return findings
  })
