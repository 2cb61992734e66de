/**
 * The indexed columns of stored users and projects, always derived from the normalized document.
 *
 * @internal
 */
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import type { Json, JsonObject, PlatformRole as Role } from "../domain/Model.js"
import { InvalidValue } from "../errors/ScimError.js"
import * as PlatformRole from "../policy/PlatformRole.js"

export interface UserColumns {
  readonly userName: string
  readonly externalId: Option.Option<string>
  readonly displayName: Option.Option<string>
  readonly active: boolean
  readonly platformRole: Role
}

export interface ProjectColumns {
  readonly displayName: string
  readonly externalId: Option.Option<string>
}

const requiredString = (document: JsonObject, name: string, example: string): Either.Either<string, InvalidValue> => {
  const value = document[name]
  return typeof value === "string" && value.trim() !== ""
    ? Either.right(value)
    : Either.left(new InvalidValue({
      attribute: name,
      detail: value === undefined || value === null
        ? `${name} is required, e.g. "${name}": "${example}"`
        : `${name} must be a non-empty string, e.g. "${name}": "${example}" (got ${JSON.stringify(value)})`
    }))
}

const optionalString = (document: JsonObject, name: string): Either.Either<Option.Option<string>, InvalidValue> => {
  const value: Json | undefined = document[name]
  if (value === undefined || value === null) return Either.right(Option.none())
  return typeof value === "string"
    ? Either.right(Option.some(value))
    : Either.left(new InvalidValue({ attribute: name, detail: `${name} must be a string (got ${JSON.stringify(value)})` }))
}

const activeOf = (document: JsonObject): Either.Either<boolean, InvalidValue> => {
  const value = document.active
  if (value === undefined || value === null) return Either.right(true)
  if (typeof value === "boolean") return Either.right(value)
  if (typeof value === "string" && /^(true|false)$/i.test(value.trim())) return Either.right(value.trim().toLowerCase() === "true")
  return Either.left(new InvalidValue({ attribute: "active", detail: `active must be true or false (got ${JSON.stringify(value)})` }))
}

export const userColumns = (document: JsonObject): Either.Either<UserColumns, InvalidValue> =>
  Either.all({
    userName: requiredString(document, "userName", "jane@example.com"),
    externalId: optionalString(document, "externalId"),
    displayName: optionalString(document, "displayName"),
    active: activeOf(document),
    platformRole: PlatformRole.fromDocument(document)
  })

export const projectColumns = (document: JsonObject): Either.Either<ProjectColumns, InvalidValue> =>
  Either.all({
    displayName: requiredString(document, "displayName", "Marketing"),
    externalId: optionalString(document, "externalId")
  })

/**
 * The document with the derived columns written back in their stored form: `active` as a boolean
 * and `platformRole` uppercase, both always present, so filters on them see what responses show.
 */
export const canonicalUserDocument = (document: JsonObject, columns: UserColumns): JsonObject =>
  PlatformRole.withRole({ ...document, active: columns.active }, columns.platformRole)
