/**
 * RFC 7644 §3.7 Bulk: POST, PUT, PATCH and DELETE operations on `/Users` and `/Groups` in one
 * request, with `bulkId` references between them (resolved in dependency order, cycles rejected),
 * `failOnErrors`, and the `maxOperations` limit of `ScimOptions` (413 above it).
 */
import { Projects, Schemas, ScimError, ScimOptions, Users, Version, type ResourceApi } from "@scimkit/core"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as BulkId from "./internal/bulkId.js"
import * as ScimResponse from "./ScimResponse.js"

/** One entry of a BulkResponse (RFC 7644 §3.7). */
export interface OperationResult {
  readonly method: string
  readonly bulkId?: string
  readonly version?: string
  readonly location?: string
  readonly status: string
  readonly response?: Record<string, unknown>
}

type OperationMethod = "POST" | "PUT" | "PATCH" | "DELETE"

interface Operation {
  readonly index: number
  readonly method: string
  readonly bulkId: string | undefined
  readonly version: string | undefined
  readonly path: string
  readonly data: unknown
  /** bulkIds this operation refers to (in its path or data). */
  readonly refs: ReadonlySet<string>
}

const failure = (
  status: number,
  detail: string,
  scimType?: string
): { status: number; body: Record<string, unknown> } => ({
  status,
  body: scimType === undefined
    ? { schemas: [Schemas.ErrorUrn], status: String(status), detail }
    : { schemas: [Schemas.ErrorUrn], status: String(status), scimType, detail }
})

const decodeOperation = (
  raw: unknown,
  index: number
): Operation | { readonly index: number; readonly invalid: string } => {
  if (!Predicate.isObject(raw)) return { index, invalid: `Operations[${index}] must be an object` }
  const { bulkId, data, method, path, version } = raw
  if (typeof method !== "string") {
    return { index, invalid: `Operations[${index}].method must be POST, PUT, PATCH or DELETE` }
  }
  if (typeof path !== "string" || path === "") {
    return { index, invalid: `Operations[${index}].path must be a path such as "/Users"` }
  }
  if (bulkId !== undefined && (typeof bulkId !== "string" || bulkId === "")) {
    return { index, invalid: `Operations[${index}].bulkId must be a non-empty string` }
  }
  if (version !== undefined && typeof version !== "string") {
    return { index, invalid: `Operations[${index}].version must be a string such as W/"3"` }
  }
  const refs = new Set<string>()
  BulkId.collect(path, refs)
  BulkId.collect(data, refs)
  return { index, method: method.toUpperCase(), bulkId, version, path, data, refs }
}

/** The endpoint and id an operation's path names: `/Users`, `/Groups`, `/Users/{id}` or `/Groups/{id}`. */
const target = (
  path: string
): { readonly type: "Users" | "Groups"; readonly id: string | undefined } | undefined => {
  const segments = path.split("/").filter((s) => s !== "")
  if (segments.length < 1 || segments.length > 2) return undefined
  const type = segments[0]!.toLowerCase()
  const resourceType = type === "users" ? "Users" : type === "groups" ? "Groups" : undefined
  if (resourceType === undefined) return undefined
  return { type: resourceType, id: segments[1] }
}

// A successful entry carries no resource, only its location and version: the services need to project only the id.
const minimal = { attributes: "id" }

const createdId = (result: ResourceApi.ScimResult): string => {
  const id = result.resource["id"]
  return typeof id === "string" ? id : ""
}

/**
 * Runs a BulkRequest body and returns the BulkResponse document. Fails as a whole only for a
 * malformed request or too many operations; each operation's own failure is reported in its entry.
 */
export const run = (
  scope: ResourceApi.RequestScope,
  body: Record<string, unknown>
): Effect.Effect<
  Record<string, unknown>,
  ScimError.CoreError,
  Users.Users | Projects.Projects | ScimOptions.ScimOptions
> =>
  Effect.gen(function*() {
    const options = yield* ScimOptions.ScimOptions
    const schemas = body["schemas"]
    if (schemas !== undefined && !(Array.isArray(schemas) && schemas.includes(Schemas.BulkRequestUrn))) {
      return yield* new ScimError.InvalidSyntax({
        detail: `A BulkRequest must have "schemas": ["${Schemas.BulkRequestUrn}"]`
      })
    }
    const rawOperations = body["Operations"]
    if (!Array.isArray(rawOperations)) {
      return yield* new ScimError.InvalidSyntax({ detail: `A BulkRequest needs an "Operations" array` })
    }
    if (rawOperations.length > options.bulkMaxOperations) {
      return yield* new ScimError.PayloadTooLarge({
        detail:
          `The bulk request has ${rawOperations.length} operations; the maximum is ${options.bulkMaxOperations} ` +
          `(ServiceProviderConfig bulk.maxOperations): split it into smaller requests`
      })
    }
    const failOnErrors = body["failOnErrors"]
    if (
      failOnErrors !== undefined &&
      !(typeof failOnErrors === "number" && Number.isInteger(failOnErrors) && failOnErrors > 0)
    ) {
      return yield* new ScimError.InvalidValue({
        attribute: "failOnErrors",
        detail: `"failOnErrors" must be a positive integer`
      })
    }
    const errorLimit = typeof failOnErrors === "number" ? failOnErrors : Infinity
    const users = yield* Users.Users
    const projects = yield* Projects.Projects

    const results = new Map<number, OperationResult>()
    const operations: Array<Operation> = []
    const definitions = new Map<string, Operation>()
    let errors = 0
    const fail = (op: { index: number; method?: string; bulkId?: string | undefined }, error: {
      status: number
      body: Record<string, unknown>
    }, location?: string) => {
      errors++
      results.set(op.index, {
        method: op.method ?? "",
        ...(op.bulkId === undefined ? {} : { bulkId: op.bulkId }),
        ...(location === undefined ? {} : { location }),
        status: String(error.status),
        response: error.body
      })
    }

    const invalid: Array<{ index: number; invalid: string }> = []
    rawOperations.forEach((raw, index) => {
      const op = decodeOperation(raw, index)
      if ("invalid" in op) invalid.push(op)
      else operations.push(op)
    })
    for (const op of operations) {
      if (op.method === "POST" && op.bulkId !== undefined && !definitions.has(op.bulkId)) definitions.set(op.bulkId, op)
    }
    const { cyclic, sorted } = BulkId.order(operations, definitions)

    // Everything that cannot run is known up front; report it in request order as the errors budget allows.
    const upfront = new Map<number, { status: number; body: Record<string, unknown> }>()
    for (const op of invalid) upfront.set(op.index, failure(400, op.invalid, "invalidSyntax"))
    for (const op of operations) {
      const unknown = [...op.refs].find((ref) => !definitions.has(ref))
      if (unknown !== undefined) {
        upfront.set(
          op.index,
          failure(400, `"${BulkId.prefix}${unknown}" does not name a POST operation of this request`, "invalidValue")
        )
      } else if (op.method === "POST" && op.bulkId !== undefined && definitions.get(op.bulkId) !== op) {
        upfront.set(
          op.index,
          failure(400, `bulkId "${op.bulkId}" is used by more than one POST operation`, "invalidValue")
        )
      }
    }
    for (const op of cyclic) {
      if (!upfront.has(op.index)) {
        upfront.set(
          op.index,
          failure(
            409,
            `Operations[${op.index}] is part of (or depends on) a circular chain of bulkId references; ` +
              `create the resources first and add the references with PATCH in a later operation`
          )
        )
      }
    }

    const ids = new Map<string, string>()
    const apiOf = (type: "Users" | "Groups"): ResourceApi.ResourceApi => type === "Users" ? users : projects
    const runOperation = (op: Operation): Effect.Effect<void> => {
      const resolvedPath = BulkId.substitutePath(op.path, ids)
      const where = target(resolvedPath)
      const location = where?.id === undefined ? undefined : `${scope.baseUrl}/${where.type}/${where.id}`
      const base = { method: op.method, ...(op.bulkId === undefined ? {} : { bulkId: op.bulkId }) }
      if (where === undefined) {
        fail(
          op,
          failure(
            400,
            `Operations[${op.index}].path "${op.path}" must be /Users, /Groups, /Users/{id} or /Groups/{id}`,
            "invalidValue"
          )
        )
        return Effect.void
      }
      const missing = [...op.refs].find((ref) => !ids.has(ref))
      if (missing !== undefined) {
        fail(
          op,
          failure(409, `Operations[${op.index}] references "${BulkId.prefix}${missing}", whose operation failed`),
          location
        )
        return Effect.void
      }
      const method = op.method as OperationMethod
      const api = apiOf(where.type)
      const needsId = method !== "POST"
      if (needsId !== (where.id !== undefined)) {
        fail(
          op,
          failure(
            400,
            needsId
              ? `${method} needs a resource path such as /${where.type}/{id}`
              : `POST goes to /${where.type}, without an id`,
            "invalidValue"
          ),
          location
        )
        return Effect.void
      }
      const data = BulkId.substitute(op.data, ids)
      const ifMatch = Option.fromNullishOr(op.version)
      const id = where.id ?? ""
      const needsData = method !== "DELETE"
      if (needsData && !Predicate.isObject(data)) {
        fail(op, failure(400, `Operations[${op.index}].data must be a JSON object`, "invalidSyntax"), location)
        return Effect.void
      }
      const call: Effect.Effect<OperationResult, ScimError.CoreError> | undefined = method === "POST"
        ? Effect.map(api.create(scope, data, minimal), (result) => {
          if (op.bulkId !== undefined) ids.set(op.bulkId, createdId(result))
          return { ...base, location: result.location, version: Version.etag(result.version), status: "201" }
        })
        : method === "PUT"
        ? Effect.map(api.replace(scope, id, data, ifMatch, minimal), (result) => ({
          ...base,
          location: result.location,
          version: Version.etag(result.version),
          status: "200"
        }))
        : method === "PATCH"
        ? Effect.map(api.patch(scope, id, data, ifMatch, minimal), (result) => ({
          ...base,
          location: result.location,
          version: Version.etag(result.version),
          status: "200"
        }))
        : method === "DELETE"
        ? Effect.as(api.remove(scope, id, ifMatch), {
          ...base,
          ...(location === undefined ? {} : { location }),
          status: "204"
        })
        : undefined
      if (call === undefined) {
        fail(
          op,
          failure(
            400,
            `Operations[${op.index}].method "${op.method}" is not one of POST, PUT, PATCH, DELETE`,
            "invalidValue"
          ),
          location
        )
        return Effect.void
      }
      return call.pipe(
        Effect.matchCauseEffect({
          onSuccess: (result) => Effect.sync(() => void results.set(op.index, result)),
          onFailure: (cause) => {
            const reason = cause.reasons.length === 1 ? cause.reasons[0] : undefined
            const error = reason !== undefined && Cause.isFailReason(reason) ? reason.error : undefined
            if (error === undefined) return Effect.failCause(cause)
            const e = ScimResponse.errorBody(error)
            fail(op, e, method === "POST" ? undefined : location)
            return e.status >= 500 ? Effect.logError("Bulk operation failed", cause) : Effect.void
          }
        }),
        Effect.orDie
      )
    }

    const schedule: Array<Operation | { index: number; invalid: string }> = [...sorted]
    for (const op of [...invalid, ...cyclic]) schedule.push(op)
    for (const op of schedule) {
      if (errors >= errorLimit) break
      const early = upfront.get(op.index)
      if (early !== undefined) {
        fail({ index: op.index, ...("invalid" in op ? {} : { method: op.method, bulkId: op.bulkId }) }, early)
        continue
      }
      if (!("invalid" in op)) yield* runOperation(op)
    }

    return {
      schemas: [Schemas.BulkResponseUrn],
      Operations: [...results.entries()].sort(([a], [b]) => a - b).map(([, result]) => result)
    }
  })
