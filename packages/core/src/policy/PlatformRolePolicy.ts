/**
 * The role of a user, carried by the domain model's role attribute: today `platformRole` of the
 * `urn:ietf:params:scim:schemas:activepieces:1.0:CustomUserAttributes` extension, a host's own
 * through `DomainModel`. Absent means the model's default (`MEMBER`); values are accepted
 * case-insensitively and stored in the model's spelling (uppercase today).
 *
 * Every function takes the model last and defaults to today's (`DomainModel.defaults`).
 */
import * as Result from "effect/Result"
import * as DomainModel from "../domain/DomainModel.js"
import type { JsonObject, PlatformRole } from "../domain/Model.js"
import { InvalidValue } from "../errors/ScimError.js"
import { isObject } from "../schema/Document.js"

/** The role of a user whose document carries none, in today's model. */
export const defaultRole: PlatformRole = DomainModel.defaults.platformRoles.default

/** The fully qualified name of the model's role attribute (`urn:…:platformRole`), for error details and filters. */
export const attributeNameOf = (model: DomainModel.DomainModel): string =>
  `${model.platformRoles.schema}:${model.platformRoles.attribute}`

/** The fully qualified attribute name in today's model. */
export const attributeName = attributeNameOf(DomainModel.defaults)

const invalid = (value: unknown, model: DomainModel.DomainModel): InvalidValue => {
  const name = attributeNameOf(model)
  return new InvalidValue({
    attribute: name,
    detail: `${name} must be one of ${model.platformRoles.values.join(", ")} (case-insensitive), got ${
      JSON.stringify(value)
    }`
  })
}

/** Parses a role value case-insensitively; `undefined`/`null` mean the model's default role. */
export const parse = (
  value: unknown,
  model: DomainModel.DomainModel = DomainModel.defaults
): Result.Result<PlatformRole, InvalidValue> => {
  if (value === undefined || value === null) return Result.succeed(model.platformRoles.default)
  if (typeof value !== "string") return Result.fail(invalid(value, model))
  const lower = value.trim().toLowerCase()
  const role = model.platformRoles.values.find((r) => r.toLowerCase() === lower)
  return role === undefined ? Result.fail(invalid(value, model)) : Result.succeed(role)
}

/** Whether a normalized document carries the model's extension object at all (a PUT without it keeps the role). */
export const hasExtension = (
  document: JsonObject,
  model: DomainModel.DomainModel = DomainModel.defaults
): boolean => isObject(document[model.platformRoles.schema])

/** The role a normalized document asks for (absent → the default), or `InvalidValue` listing the allowed values. */
export const fromDocument = (
  document: JsonObject,
  model: DomainModel.DomainModel = DomainModel.defaults
): Result.Result<PlatformRole, InvalidValue> => {
  const { attribute, schema, values } = model.platformRoles
  const extension = document[schema]
  if (extension === undefined || extension === null) return Result.succeed(model.platformRoles.default)
  if (!isObject(extension)) {
    return Result.fail(
      new InvalidValue({
        attribute: schema,
        detail: `${schema} must be an object such as {"${attribute}": "${values[values.length - 1] ?? ""}"}`
      })
    )
  }
  return parse(extension[attribute], model)
}

/** The document with the role attribute set to `role` (the stored spelling). */
export const withRole = (
  document: JsonObject,
  role: PlatformRole,
  model: DomainModel.DomainModel = DomainModel.defaults
): JsonObject => {
  const { attribute, schema } = model.platformRoles
  const extension = document[schema]
  return { ...document, [schema]: { ...(isObject(extension) ? extension : {}), [attribute]: role } }
}
