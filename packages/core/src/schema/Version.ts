/**
 * Resource versions as entity tags (RFC 7644 §3.14, RFC 9110 §8.8.3, §13.1): every write bumps
 * `meta.version`, shown as the weak tag `W/"<n>"`; `If-Match` gives optimistic concurrency and
 * `If-None-Match` conditional reads.
 */
import * as Result from "effect/Result"
import * as Option from "effect/Option"
import { InvalidVers, VersionMismatch } from "../errors/ScimError.js"

/** A parsed `If-Match` / `If-None-Match` header: `*` or a list of versions. */
export type Condition =
  | { readonly _tag: "Any" }
  | { readonly _tag: "Versions"; readonly versions: ReadonlyArray<number> }

/** The entity tag of a version: `W/"3"`. */
export const etag = (version: number): string => `W/"${version}"`

const tagPattern = /^\s*(?:[Ww]\/)?(?:"([^"]*)"|([^\s",]+))\s*(?:,|$)/

/**
 * Parses `If-Match` (or `If-None-Match`): `*`, or a comma-separated list of entity tags, weak
 * (`W/"3"`) or strong (`"3"`); a bare `3` is accepted too. Weak comparison applies: `W/"3"` and
 * `"3"` both name version 3. A tag that is not a version this server issued fails with
 * `InvalidVers`.
 */
export const parseIfMatch = (header: string): Result.Result<Condition, InvalidVers> => {
  let rest = header.trim()
  if (rest === "*") return Result.succeed({ _tag: "Any" })
  const versions: Array<number> = []
  while (rest !== "") {
    const m = tagPattern.exec(rest)
    if (m === null) {
      return Result.fail(
        new InvalidVers({
          detail: `The header value ${
            JSON.stringify(header)
          } is not an entity tag list; send the ETag this server returned, such as W/"3", or *`
        })
      )
    }
    const tag = (m[1] ?? m[2])!
    if (!/^\d{1,15}$/.test(tag)) {
      return Result.fail(
        new InvalidVers({
          detail: `The entity tag ${
            JSON.stringify(tag)
          } is not a version of this server; versions are integers, as in the ETag it returned (W/"3")`
        })
      )
    }
    versions.push(Number(tag))
    rest = rest.slice(m[0].length).trim()
  }
  if (versions.length === 0) {
    return Result.fail(
      new InvalidVers({ detail: `The header is empty; send the ETag this server returned, such as W/"3", or *` })
    )
  }
  return Result.succeed({ _tag: "Versions", versions })
}

/**
 * Checks an optional `If-Match` header against the current version: absent or `*` passes, a list
 * passes when it names the current version, otherwise `VersionMismatch` (HTTP 412).
 */
export const check = (
  ifMatch: Option.Option<string>,
  resourceType: string,
  id: string,
  current: number
): Result.Result<void, VersionMismatch | InvalidVers> => {
  if (Option.isNone(ifMatch)) return Result.void
  return Result.flatMap(parseIfMatch(ifMatch.value), (condition): Result.Result<void, VersionMismatch> => {
    if (condition._tag === "Any" || condition.versions.includes(current)) return Result.void
    return Result.fail(
      new VersionMismatch({
        resourceType,
        id,
        expected: condition.versions.join(", "),
        actual: String(current)
      })
    )
  })
}

/**
 * Whether an `If-None-Match` header matches the current version (RFC 9110 §13.1.2): `*` or a
 * listed version matches, so a GET answers 304 Not Modified. A malformed header never matches.
 */
export const matchesNoneMatch = (header: string, current: number): boolean =>
  Result.match(parseIfMatch(header), {
    onFailure: () => false,
    onSuccess: (condition) => condition._tag === "Any" || condition.versions.includes(current)
  })
