/**
 * The platform role of a user, carried by the `platformRole` attribute of the
 * `urn:ietf:params:scim:schemas:activepieces:1.0:CustomUserAttributes` extension. Absent means
 * `MEMBER`; values are accepted case-insensitively and stored uppercase.
 */
import * as Result from "effect/Result"
import type { JsonObject, PlatformRole } from "../domain/Model.js"
import { InvalidValue } from "../errors/ScimError.js"
import { isObject } from "../schema/Document.js"
import { CustomUserAttributesUrn, PlatformRoles } from "../schema/Schemas.js"

/** The role of a user whose document carries none. */
export const defaultRole: PlatformRole = "MEMBER"

/** The fully qualified attribute name, for error details and filters. */
export const attributeName = `${CustomUserAttributesUrn}:platformRole`

const invalid = (value: unknown): InvalidValue =>
  new InvalidValue({
    attribute: attributeName,
    detail: `${attributeName} must be one of ${PlatformRoles.join(", ")} (case-insensitive), got ${
      JSON.stringify(value)
    }`
  })

/** Parses a role value case-insensitively; `undefined`/`null` mean {@link defaultRole}. */
export const parse = (value: unknown): Result.Result<PlatformRole, InvalidValue> => {
  if (value === undefined || value === null) return Result.succeed(defaultRole)
  if (typeof value !== "string") return Result.fail(invalid(value))
  const upper = value.trim().toUpperCase()
  const role = PlatformRoles.find((r) => r === upper)
  return role === undefined ? Result.fail(invalid(value)) : Result.succeed(role)
}

/** Whether a normalized document carries the extension object at all (a PUT without it keeps the role). */
export const hasExtension = (document: JsonObject): boolean => isObject(document[CustomUserAttributesUrn])

/** The role a normalized document asks for (absent → MEMBER), or `InvalidValue` listing the allowed values. */
export const fromDocument = (document: JsonObject): Result.Result<PlatformRole, InvalidValue> => {
  const extension = document[CustomUserAttributesUrn]
  if (extension === undefined || extension === null) return Result.succeed(defaultRole)
  if (!isObject(extension)) {
    return Result.fail(
      new InvalidValue({
        attribute: CustomUserAttributesUrn,
        detail: `${CustomUserAttributesUrn} must be an object such as {"platformRole": "ADMIN"}`
      })
    )
  }
  return parse(extension.platformRole)
}

/** The document with `platformRole` set to `role` (the stored, uppercase form). */
export const withRole = (document: JsonObject, role: PlatformRole): JsonObject => {
  const extension = document[CustomUserAttributesUrn]
  return { ...document, [CustomUserAttributesUrn]: { ...(isObject(extension) ? extension : {}), platformRole: role } }
}
