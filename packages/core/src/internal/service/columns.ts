/**
 * The indexed columns of stored users and projects, always derived from the normalized document.
 *
 * @internal
 */
import * as Result from "effect/Result"
import * as Option from "effect/Option"
import * as DomainModel from "../../domain/DomainModel.js"
import type { Json, JsonObject, PlatformRole } from "../../domain/Model.js"
import { InvalidValue } from "../../errors/ScimError.js"
import * as PlatformRolePolicy from "../../policy/PlatformRolePolicy.js"

export interface UserColumns {
  readonly userName: string
  readonly externalId: Option.Option<string>
  readonly displayName: Option.Option<string>
  readonly active: boolean
  readonly platformRole: PlatformRole
}

export interface ProjectColumns {
  readonly displayName: string
  readonly externalId: Option.Option<string>
}

const requiredString = (document: JsonObject, name: string, example: string): Result.Result<string, InvalidValue> => {
  const value = document[name]
  return typeof value === "string" && value.trim() !== ""
    ? Result.succeed(value)
    : Result.fail(
      new InvalidValue({
        attribute: name,
        detail: value === undefined || value === null
          ? `${name} is required, e.g. "${name}": "${example}"`
          : `${name} must be a non-empty string, e.g. "${name}": "${example}" (got ${JSON.stringify(value)})`
      })
    )
}

const optionalString = (document: JsonObject, name: string): Result.Result<Option.Option<string>, InvalidValue> => {
  const value: Json | undefined = document[name]
  if (value === undefined || value === null) return Result.succeed(Option.none())
  return typeof value === "string"
    ? Result.succeed(Option.some(value))
    : Result.fail(
      new InvalidValue({ attribute: name, detail: `${name} must be a string (got ${JSON.stringify(value)})` })
    )
}

const activeOf = (document: JsonObject): Result.Result<boolean, InvalidValue> => {
  const value = document.active
  if (value === undefined || value === null) return Result.succeed(true)
  if (typeof value === "boolean") return Result.succeed(value)
  if (typeof value === "string" && /^(true|false)$/i.test(value.trim())) {
    return Result.succeed(value.trim().toLowerCase() === "true")
  }
  return Result.fail(
    new InvalidValue({ attribute: "active", detail: `active must be true or false (got ${JSON.stringify(value)})` })
  )
}

/** The user's columns; `platformRole` holds the value of the model's role attribute. */
export const userColumns = (
  document: JsonObject,
  model: DomainModel.DomainModel = DomainModel.defaults
): Result.Result<UserColumns, InvalidValue> =>
  Result.all({
    userName: requiredString(document, "userName", "jane@example.com"),
    externalId: optionalString(document, "externalId"),
    displayName: optionalString(document, "displayName"),
    active: activeOf(document),
    platformRole: PlatformRolePolicy.fromDocument(document, model)
  })

export const projectColumns = (document: JsonObject): Result.Result<ProjectColumns, InvalidValue> =>
  Result.all({
    displayName: requiredString(document, "displayName", "Marketing"),
    externalId: optionalString(document, "externalId")
  })

/**
 * The document with the derived columns written back in their stored form: `active` as a boolean
 * and the model's role attribute in its canonical spelling, both always present, so filters on
 * them see what responses show.
 */
export const canonicalUserDocument = (
  document: JsonObject,
  columns: UserColumns,
  model: DomainModel.DomainModel = DomainModel.defaults
): JsonObject => PlatformRolePolicy.withRole({ ...document, active: columns.active }, columns.platformRole, model)
