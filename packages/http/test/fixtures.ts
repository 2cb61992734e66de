/**
 * Shared test wiring: the app served in-process on a random port over the memory store, with a
 * platform and API key created through the real services, and a small client.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpServer from "@effect/platform/HttpServer"
import { NodeHttpServer } from "@effect/platform-node"
import type { JsonObject, RequestScope, ResourceApi, ScimResult } from "@scimkit/core"
import {
  Platforms,
  Projects,
  ResourceNotFound,
  ScimOptions,
  Schemas,
  Uniqueness,
  Users,
  Version
} from "@scimkit/core"
import * as ApiKeysLive from "@scimkit/core/service/ApiKeys"
import * as PlatformsLive from "@scimkit/core/service/Platforms"
import type { ScimOptionsShape } from "@scimkit/core"
import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as HashMap from "effect/HashMap"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as Ref from "effect/Ref"
import * as Stream from "effect/Stream"
import { ScimHttpApp, ScimHttpOptions, withRequestLog } from "../src/index.js"
import type { ScimHttpOptionsShape } from "../src/index.js"
// The memory store is a test-only dependency of @scimkit/http (never imported by src/).
import * as StoreMemory from "../../store-memory/src/StoreMemory.js"

export const base = "/api/v1/scim/v2"

// TODO(replace with core's Live layer when it lands): a deliberately small ResourceApi.
const fakeResource = (resourceType: "User" | "Group", endpoint: string, unique: string) =>
  Effect.gen(function*() {
    const state = yield* Ref.make(new Map<string, { platform: string; doc: Record<string, unknown>; version: number }>())
    const project = (doc: Record<string, unknown>, projection?: { readonly attributes?: string | ReadonlyArray<string> | undefined }) => {
      const attrs = projection?.attributes
      if (attrs === undefined) return doc as JsonObject
      const names = (typeof attrs === "string" ? attrs.split(",") : attrs).map((a) => a.trim())
      const out: Record<string, unknown> = { schemas: doc["schemas"], id: doc["id"] }
      for (const n of names) if (n in doc) out[n] = doc[n]
      return out as JsonObject
    }
    const result = (doc: Record<string, unknown>, version: number, scope: RequestScope, projection?: { readonly attributes?: string | ReadonlyArray<string> | undefined }): ScimResult => ({
      resource: project({ ...doc, meta: { resourceType, version: Version.etag(version), location: `${scope.baseUrl}${endpoint}/${String(doc["id"])}` } }, projection),
      version,
      location: `${scope.baseUrl}${endpoint}/${String(doc["id"])}`
    })
    const find = (scope: RequestScope, id: string) =>
      Effect.flatMap(Ref.get(state), (m) => {
        const e = m.get(id)
        return e === undefined || e.platform !== scope.platform
          ? Effect.fail(new ResourceNotFound({ resourceType, id }))
          : Effect.succeed(e)
      })
    const checkUnique = (scope: RequestScope, body: Record<string, unknown>, except?: string) =>
      Effect.flatMap(Ref.get(state), (m) => {
        for (const [id, e] of m) {
          if (id !== except && e.platform === scope.platform && e.doc[unique] === body[unique]) {
            return Effect.fail(new Uniqueness({ attribute: unique, value: String(body[unique]), detail: `${unique} is taken` }))
          }
        }
        return Effect.void
      })
    const api: ResourceApi = {
      create: (scope, body, projection) =>
        Effect.gen(function*() {
          const b = body as Record<string, unknown>
          yield* checkUnique(scope, b)
          const id = globalThis.crypto.randomUUID()
          const doc = { ...b, id }
          yield* Ref.update(state, (m) => new Map(m).set(id, { platform: scope.platform, doc, version: 1 }))
          return result(doc, 1, scope, projection)
        }),
      get: (scope, id, projection) => Effect.map(find(scope, id), (e) => result(e.doc, e.version, scope, projection)),
      list: (scope, request) =>
        Effect.map(Ref.get(state), (m) => {
          const all = [...m.values()].filter((e) => e.platform === scope.platform)
          const start = Number(request.startIndex ?? 1)
          const count = Number(request.count ?? 100)
          const page = all.slice(start - 1, start - 1 + count)
          return {
            schemas: [Schemas.ListResponseUrn],
            totalResults: all.length,
            itemsPerPage: page.length,
            startIndex: start,
            Resources: page.map((e) => result(e.doc, e.version, scope, request).resource)
          } as JsonObject
        }),
      replace: (scope, id, body, ifMatch, projection) =>
        Effect.gen(function*() {
          const e = yield* find(scope, id)
          yield* Either.match(Version.check(ifMatch, resourceType, id, e.version), { onLeft: Effect.fail, onRight: () => Effect.void })
          yield* checkUnique(scope, body as Record<string, unknown>, id)
          const doc = { ...(body as Record<string, unknown>), id }
          yield* Ref.update(state, (m) => new Map(m).set(id, { platform: scope.platform, doc, version: e.version + 1 }))
          return result(doc, e.version + 1, scope, projection)
        }),
      patch: (scope, id, _body, ifMatch, projection) =>
        Effect.gen(function*() {
          const e = yield* find(scope, id)
          yield* Either.match(Version.check(ifMatch, resourceType, id, e.version), { onLeft: Effect.fail, onRight: () => Effect.void })
          yield* Ref.update(state, (m) => new Map(m).set(id, { ...e, version: e.version + 1 }))
          return result(e.doc, e.version + 1, scope, projection)
        }),
      remove: (scope, id, ifMatch) =>
        Effect.gen(function*() {
          const e = yield* find(scope, id)
          yield* Either.match(Version.check(ifMatch, resourceType, id, e.version), { onLeft: Effect.fail, onRight: () => Effect.void })
          yield* Ref.update(state, (m) => {
            const next = new Map(m)
            next.delete(id)
            return next
          })
        })
    }
    return api
  })

export const usersLayer = Layer.effect(Users, fakeResource("User", "/Users", "userName"))
export const projectsLayer = Layer.effect(Projects, fakeResource("Group", "/Groups", "displayName"))
const resourceServices = Layer.merge(usersLayer, projectsLayer)

/** A platform with a key, created through the real Platforms service. */
export class Tenant extends Context.Tag("test/Tenant")<Tenant, {
  readonly platform: string
  readonly key: string
  readonly otherKey: string
}>() {}

const tenant = Layer.effect(
  Tenant,
  Effect.gen(function*() {
    const platforms = yield* Platforms
    const a = yield* platforms.create("Acme", "owner@acme.test")
    const b = yield* platforms.create("Globex", "owner@globex.test")
    return { platform: a.platform.id, key: a.key.secret, otherKey: b.key.secret }
  }).pipe(Effect.orDie)
)

/** One captured log entry. */
export interface LogEntry {
  readonly level: string
  readonly message: string
  readonly annotations: Readonly<Record<string, unknown>>
  readonly cause: string
}

/** Every log entry written while the test server runs (instead of printing them). */
export class Logs extends Context.Tag("test/Logs")<Logs, Array<LogEntry>>() {}

const logs = Layer.unwrapEffect(Effect.sync(() => {
  const entries: Array<LogEntry> = []
  const logger = Logger.make<unknown, void>(({ annotations, cause, logLevel, message }) => {
    const text = Array.isArray(message) ? message.map(String).join(" ") : String(message)
    entries.push({
      level: logLevel.label,
      message: text,
      annotations: Object.fromEntries(HashMap.toEntries(annotations)),
      cause: Cause.isEmpty(cause) ? "" : Cause.pretty(cause)
    })
  })
  return Layer.merge(Layer.succeed(Logs, entries), Logger.replace(Logger.defaultLogger, logger))
}))

/** The resource services the app calls (replace them to inject faults). */
export type ResourceServices = Layer.Layer<Users | Projects, never, ScimOptions | StoreMemory.Stores>

/** The domain services over a fresh memory store, plus a Tenant. */
export const services = (options: Partial<ScimOptionsShape> = {}, resources: ResourceServices = resourceServices) =>
  tenant.pipe(
    Layer.provideMerge(Layer.mergeAll(ApiKeysLive.layer, PlatformsLive.layer, resources)),
    Layer.provideMerge(StoreMemory.layer),
    Layer.provideMerge(ScimOptions.layer(options))
  )

/** The app served on a random local port, with an HttpClient pointed at it. */
export const server = (
  httpOptions: Partial<ScimHttpOptionsShape> = {},
  scimOptions: Partial<ScimOptionsShape> = {},
  resources?: ResourceServices
) =>
  HttpServer.serve(withRequestLog(ScimHttpApp)).pipe(
    Layer.provideMerge(services(scimOptions, resources)),
    Layer.provideMerge(logs),
    Layer.provideMerge(ScimHttpOptions.layer(httpOptions)),
    Layer.provideMerge(NodeHttpServer.layerTest)
  )

export interface Reply {
  readonly status: number
  readonly headers: Readonly<Record<string, string | undefined>>
  readonly text: string
  readonly body: Record<string, unknown>
}

export interface CallOptions {
  readonly body?: unknown
  readonly raw?: string
  readonly stream?: ReadonlyArray<string>
  readonly headers?: Record<string, string>
  /** `false` sends no Authorization header; a string sends it verbatim. Default: the tenant's key. */
  readonly auth?: false | string
  readonly contentType?: string | false
}

/** Sends one request and reads the whole reply. */
export const call = (method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "HEAD" | "OPTIONS", path: string, options: CallOptions = {}) =>
  Effect.gen(function*() {
    const client = yield* HttpClient.HttpClient
    const { key } = yield* Tenant
    const headers: Record<string, string> = { ...options.headers }
    if (options.auth !== false) headers["authorization"] ??= options.auth ?? `Bearer ${key}`
    let request = HttpClientRequest.make(method)(path.startsWith("/") ? path : `${base}/${path}`, { headers })
    const contentType = options.contentType === undefined ? "application/scim+json" : options.contentType
    if (options.stream !== undefined) {
      const chunks = options.stream.map((s) => new TextEncoder().encode(s))
      request = HttpClientRequest.bodyStream(request, Stream.fromIterable(chunks), contentType === false ? {} : { contentType })
    } else if (options.raw !== undefined || options.body !== undefined) {
      const text = options.raw ?? JSON.stringify(options.body)
      request = contentType === false
        ? HttpClientRequest.bodyUint8Array(request, new TextEncoder().encode(text), "")
        : HttpClientRequest.bodyText(request, text, contentType)
    }
    const response = yield* client.execute(request)
    const text = yield* response.text
    let body: Record<string, unknown> = {}
    if (text !== "") {
      const parsed: unknown = JSON.parse(text)
      if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) body = parsed as Record<string, unknown>
    }
    return { status: response.status, headers: response.headers, text, body } satisfies Reply
  }).pipe(Effect.scoped, Effect.orDie)

export const user = (userName: string, extra: Record<string, unknown> = {}) => ({
  schemas: [Schemas.UserUrn],
  userName,
  name: { givenName: "Test", familyName: "User" },
  emails: [{ value: userName, type: "work", primary: true }],
  active: true,
  ...extra
})

export const group = (displayName: string, members: ReadonlyArray<string> = []) => ({
  schemas: [Schemas.GroupUrn],
  displayName,
  members: members.map((value) => ({ value }))
})

export const patchOp = (operations: ReadonlyArray<Record<string, unknown>>) => ({
  schemas: [Schemas.PatchOpUrn],
  Operations: operations
})
