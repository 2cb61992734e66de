/**
 * Typed errors of the SCIM core. They are named after RFC 7644 §3.12 `scimType` values (plus
 * not-found, unauthorized, forbidden, precondition and payload-size outcomes) and carry data,
 * never an HTTP status: packages/http maps them to SCIM error responses.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"

/** RFC 7644 §3.12 `invalidFilter`: the filter syntax is invalid or the filter is not supported. @since 0.1.0 */
export class InvalidFilter extends Schema.TaggedError<InvalidFilter>()("InvalidFilter", {
  filter: Schema.String,
  offset: Schema.Int,
  expected: Schema.String
}) {
  override get message(): string {
    return `Invalid filter at offset ${this.offset}: ${this.expected}`
  }
}

/** RFC 7644 §3.12 `invalidPath`: a PATCH path (or attribute name) is malformed or names no attribute. @since 0.1.0 */
export class InvalidPath extends Schema.TaggedError<InvalidPath>()("InvalidPath", {
  path: Schema.String,
  detail: Schema.String
}) {
  override get message(): string {
    return `Invalid path "${this.path}": ${this.detail}`
  }
}

/** RFC 7644 §3.12 `invalidValue`: a required value is missing or a value is not compatible with its attribute. @since 0.1.0 */
export class InvalidValue extends Schema.TaggedError<InvalidValue>()("InvalidValue", {
  detail: Schema.String,
  attribute: Schema.optional(Schema.String)
}) {
  override get message(): string {
    return this.detail
  }
}

/** RFC 7644 §3.12 `invalidSyntax`: the request body is not parsable or violates the request schema. @since 0.1.0 */
export class InvalidSyntax extends Schema.TaggedError<InvalidSyntax>()("InvalidSyntax", {
  detail: Schema.String
}) {
  override get message(): string {
    return this.detail
  }
}

/** RFC 7644 §3.12 `noTarget`: a PATCH path with a value filter matched nothing. @since 0.1.0 */
export class NoTarget extends Schema.TaggedError<NoTarget>()("NoTarget", {
  path: Schema.String,
  detail: Schema.String
}) {
  override get message(): string {
    return this.detail
  }
}

/** RFC 7644 §3.12 `mutability`: the request would change a `readOnly` or `immutable` attribute. @since 0.1.0 */
export class Mutability extends Schema.TaggedError<Mutability>()("Mutability", {
  attribute: Schema.String,
  detail: Schema.String
}) {
  override get message(): string {
    return this.detail
  }
}

/** RFC 7644 §3.12 `uniqueness`: a value that must be unique is already taken. @since 0.1.0 */
export class Uniqueness extends Schema.TaggedError<Uniqueness>()("Uniqueness", {
  attribute: Schema.String,
  value: Schema.String,
  detail: Schema.String
}) {
  override get message(): string {
    return this.detail
  }
}

/** RFC 7644 §3.12 `tooMany`: the query would return more results than the server allows. @since 0.1.0 */
export class TooMany extends Schema.TaggedError<TooMany>()("TooMany", {
  detail: Schema.String
}) {
  override get message(): string {
    return this.detail
  }
}

/** RFC 7644 §3.12 `invalidVers`: the version given does not match (used for malformed version values). @since 0.1.0 */
export class InvalidVers extends Schema.TaggedError<InvalidVers>()("InvalidVers", {
  detail: Schema.String
}) {
  override get message(): string {
    return this.detail
  }
}

/** RFC 7644 §3.12 `sensitive`: the request carried confidential data in the URI. @since 0.1.0 */
export class Sensitive extends Schema.TaggedError<Sensitive>()("Sensitive", {
  detail: Schema.String
}) {
  override get message(): string {
    return this.detail
  }
}

/** RFC 9865 `invalidCursor` / `expiredCursor`: the pagination cursor is malformed, tampered with, or from another query. @since 0.1.0 */
export class InvalidCursor extends Schema.TaggedError<InvalidCursor>()("InvalidCursor", {
  detail: Schema.String,
  expired: Schema.Boolean.pipe(Schema.optionalKey, Schema.withConstructorDefault(Effect.succeed(false)))
}) {
  override get message(): string {
    return this.detail
  }
}

/** The resource does not exist on this platform (or belongs to another: tenants never see each other). @since 0.1.0 */
export class ResourceNotFound extends Schema.TaggedError<ResourceNotFound>()("ResourceNotFound", {
  resourceType: Schema.String,
  id: Schema.String
}) {
  override get message(): string {
    return `${this.resourceType} ${JSON.stringify(this.id)} not found`
  }
}

/** The `If-Match` version does not match the current `meta.version` (RFC 7644 §3.14). @since 0.1.0 */
export class VersionMismatch extends Schema.TaggedError<VersionMismatch>()("VersionMismatch", {
  resourceType: Schema.String,
  id: Schema.String,
  expected: Schema.String,
  actual: Schema.String
}) {
  override get message(): string {
    return `${this.resourceType} ${this.id} is at version ${this.actual}, not ${this.expected}; fetch it again and retry`
  }
}

/** Missing, unknown or revoked credentials. @since 0.1.0 */
export class Unauthorized extends Schema.TaggedError<Unauthorized>()("Unauthorized", {
  detail: Schema.String
}) {
  override get message(): string {
    return this.detail
  }
}

/** The caller may not do this (for example: deactivating the platform owner). @since 0.1.0 */
export class Forbidden extends Schema.TaggedError<Forbidden>()("Forbidden", {
  detail: Schema.String
}) {
  override get message(): string {
    return this.detail
  }
}

/** A request or bulk payload exceeds a configured limit (RFC 7644 §3.7.4). @since 0.1.0 */
export class PayloadTooLarge extends Schema.TaggedError<PayloadTooLarge>()("PayloadTooLarge", {
  detail: Schema.String
}) {
  override get message(): string {
    return this.detail
  }
}

/** The operation exists in SCIM but this server does not implement it (for example `/Me`). @since 0.1.0 */
export class NotImplemented extends Schema.TaggedError<NotImplemented>()("NotImplemented", {
  detail: Schema.String
}) {
  override get message(): string {
    return this.detail
  }
}

/**
 * A stored resource breaks the limits every write is now held to (written by an older version, or
 * edited by hand), so it cannot be served; `scimkit doctor --fix` repairs it. Lists leave it out.
 *
 * @since 0.2.0
 */
export class Unreadable extends Schema.TaggedError<Unreadable>()("Unreadable", {
  resourceType: Schema.String,
  id: Schema.String,
  detail: Schema.String
}) {
  override get message(): string {
    return this.detail
  }
}

/** The store could not be reached or failed; `retryable` marks connection loss (HTTP 503). @since 0.1.0 */
export class StoreError extends Schema.TaggedError<StoreError>()("StoreError", {
  message: Schema.String,
  retryable: Schema.Boolean.pipe(Schema.optionalKey, Schema.withConstructorDefault(Effect.succeed(false))),
  cause: Schema.optional(Schema.Defect())
}) {}

/** Every expected failure of the core. @since 0.1.0 */
export type CoreError =
  | InvalidFilter
  | InvalidPath
  | InvalidValue
  | InvalidSyntax
  | NoTarget
  | Mutability
  | Uniqueness
  | TooMany
  | InvalidVers
  | Sensitive
  | InvalidCursor
  | ResourceNotFound
  | VersionMismatch
  | Unauthorized
  | Forbidden
  | PayloadTooLarge
  | NotImplemented
  | Unreadable
  | StoreError
