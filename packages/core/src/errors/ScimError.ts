/**
 * Typed errors of the SCIM core. They are named after RFC 7644 §3.12 `scimType` values (plus
 * not-found, unauthorized, forbidden, precondition and payload-size outcomes) and carry data,
 * never an HTTP status: packages/http maps them to SCIM error responses.
 */
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"

/** RFC 7644 §3.12 `invalidFilter`: the filter syntax is invalid or the filter is not supported. */
export class InvalidFilter extends Schema.TaggedError<InvalidFilter>()("InvalidFilter", {
  filter: Schema.String,
  offset: Schema.Int,
  expected: Schema.String
}) {
  override get message(): string {
    return `Invalid filter at offset ${this.offset}: ${this.expected}`
  }
}

/** RFC 7644 §3.12 `invalidPath`: a PATCH path (or attribute name) is malformed or names no attribute. */
export class InvalidPath extends Schema.TaggedError<InvalidPath>()("InvalidPath", {
  path: Schema.String,
  detail: Schema.String
}) {
  override get message(): string {
    return `Invalid path "${this.path}": ${this.detail}`
  }
}

/** RFC 7644 §3.12 `invalidValue`: a required value is missing or a value is not compatible with its attribute. */
export class InvalidValue extends Schema.TaggedError<InvalidValue>()("InvalidValue", {
  detail: Schema.String,
  attribute: Schema.optional(Schema.String)
}) {
  override get message(): string {
    return this.detail
  }
}

/** RFC 7644 §3.12 `invalidSyntax`: the request body is not parsable or violates the request schema. */
export class InvalidSyntax extends Schema.TaggedError<InvalidSyntax>()("InvalidSyntax", {
  detail: Schema.String
}) {
  override get message(): string {
    return this.detail
  }
}

/** RFC 7644 §3.12 `noTarget`: a PATCH path with a value filter matched nothing. */
export class NoTarget extends Schema.TaggedError<NoTarget>()("NoTarget", {
  path: Schema.String,
  detail: Schema.String
}) {
  override get message(): string {
    return this.detail
  }
}

/** RFC 7644 §3.12 `mutability`: the request would change a `readOnly` or `immutable` attribute. */
export class Mutability extends Schema.TaggedError<Mutability>()("Mutability", {
  attribute: Schema.String,
  detail: Schema.String
}) {
  override get message(): string {
    return this.detail
  }
}

/** RFC 7644 §3.12 `uniqueness`: a value that must be unique is already taken. */
export class Uniqueness extends Schema.TaggedError<Uniqueness>()("Uniqueness", {
  attribute: Schema.String,
  value: Schema.String,
  detail: Schema.String
}) {
  override get message(): string {
    return this.detail
  }
}

/** RFC 7644 §3.12 `tooMany`: the query would return more results than the server allows. */
export class TooMany extends Schema.TaggedError<TooMany>()("TooMany", {
  detail: Schema.String
}) {
  override get message(): string {
    return this.detail
  }
}

/** RFC 7644 §3.12 `invalidVers`: the version given does not match (used for malformed version values). */
export class InvalidVers extends Schema.TaggedError<InvalidVers>()("InvalidVers", {
  detail: Schema.String
}) {
  override get message(): string {
    return this.detail
  }
}

/** RFC 7644 §3.12 `sensitive`: the request carried confidential data in the URI. */
export class Sensitive extends Schema.TaggedError<Sensitive>()("Sensitive", {
  detail: Schema.String
}) {
  override get message(): string {
    return this.detail
  }
}

/** RFC 9865 `invalidCursor` / `expiredCursor`: the pagination cursor is malformed, tampered with, or from another query. */
export class InvalidCursor extends Schema.TaggedError<InvalidCursor>()("InvalidCursor", {
  detail: Schema.String,
  expired: Schema.Boolean.pipe(Schema.optionalKey, Schema.withConstructorDefault(Effect.succeed(false)))
}) {
  override get message(): string {
    return this.detail
  }
}

/** The resource does not exist on this platform (or belongs to another: tenants never see each other). */
export class ResourceNotFound extends Schema.TaggedError<ResourceNotFound>()("ResourceNotFound", {
  resourceType: Schema.String,
  id: Schema.String
}) {
  override get message(): string {
    return `${this.resourceType} ${JSON.stringify(this.id)} not found`
  }
}

/** The `If-Match` version does not match the current `meta.version` (RFC 7644 §3.14). */
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

/** Missing, unknown or revoked credentials. */
export class Unauthorized extends Schema.TaggedError<Unauthorized>()("Unauthorized", {
  detail: Schema.String
}) {
  override get message(): string {
    return this.detail
  }
}

/** The caller may not do this (for example: deactivating the platform owner). */
export class Forbidden extends Schema.TaggedError<Forbidden>()("Forbidden", {
  detail: Schema.String
}) {
  override get message(): string {
    return this.detail
  }
}

/** A request or bulk payload exceeds a configured limit (RFC 7644 §3.7.4). */
export class PayloadTooLarge extends Schema.TaggedError<PayloadTooLarge>()("PayloadTooLarge", {
  detail: Schema.String
}) {
  override get message(): string {
    return this.detail
  }
}

/** The operation exists in SCIM but this server does not implement it (for example `/Me`). */
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

/**
 * A host's `before` hook refused the change (see `Hooks`): the status (400, 403, 409 or 422),
 * the `scimType` if any and the `detail` are the hook's own, answered as they are; nothing of the
 * request was written.
 */
export class HookRejected extends Schema.TaggedError<HookRejected>()("HookRejected", {
  status: Schema.Literals([400, 403, 409, 422]),
  scimType: Schema.optional(Schema.String),
  detail: Schema.String
}) {
  override get message(): string {
    return this.detail
  }
}

/** The store could not be reached or failed; `retryable` marks connection loss (HTTP 503). */
export class StoreError extends Schema.TaggedError<StoreError>()("StoreError", {
  message: Schema.String,
  retryable: Schema.Boolean.pipe(Schema.optionalKey, Schema.withConstructorDefault(Effect.succeed(false))),
  cause: Schema.optional(Schema.Defect())
}) {}

/** Every expected failure of the core. */
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
  | HookRejected
  | StoreError
