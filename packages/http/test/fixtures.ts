/**
 * Shared test wiring: the app served in-process on a random port over the memory store, with a
 * platform and API key created through the real services, and a small client.
 */
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import {
  ApiKeys,
  type CredentialVerifier,
  Crypto,
  Platforms,
  Projects,
  Schemas,
  ScimOptions,
  type Stores,
  Users
} from "@scimkit/core"
import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as HttpServer from "effect/http/HttpServer"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as References from "effect/References"
import * as Stream from "effect/Stream"
import { RequestLog, ScimHttpApp, ScimHttpOptions } from "../src/index.js"
// The memory store is a test-only dependency of @scimkit/http (never imported by src/).
import { StoreMemory } from "@scimkit/store-memory"

export const base = "/api/v1/scim/v2"

export const usersLayer = Users.layer
export const projectsLayer = Projects.layer
const resourceServices = Layer.merge(usersLayer, projectsLayer)

/** A platform with a key, created through the real Platforms service. */
export class Tenant extends Context.Service<Tenant, {
  readonly platform: string
  readonly key: string
  readonly otherKey: string
}>()("test/Tenant") {}

const tenant = Layer.effect(
  Tenant,
  Effect.gen(function*() {
    const platforms = yield* Platforms.Platforms
    const a = yield* platforms.create({ name: "Acme", ownerEmail: "owner@acme.test" })
    const b = yield* platforms.create({ name: "Globex", ownerEmail: "owner@globex.test" })
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
export class Logs extends Context.Service<Logs, Array<LogEntry>>()("test/Logs") {}

const logs = Layer.unwrap(Effect.sync(() => {
  const entries: Array<LogEntry> = []
  const logger = Logger.make<unknown, void>(({ cause, fiber, logLevel, message }) => {
    const text = Array.isArray(message) ? message.map(String).join(" ") : String(message)
    entries.push({
      level: logLevel.toUpperCase(),
      message: text,
      annotations: { ...fiber.getRef(References.CurrentLogAnnotations) },
      cause: cause.reasons.length === 0 ? "" : Cause.pretty(cause)
    })
  })
  // Replaces the default logger: entries are captured instead of printed.
  return Layer.merge(Layer.succeed(Logs, entries), Logger.layer([logger]))
}))

/** The resource services the app calls (replace them to inject faults). */
export type ResourceServices = Layer.Layer<
  Users.Users | Projects.Projects,
  never,
  ScimOptions.ScimOptions | Stores.Stores | Crypto.Services
>

/** How requests are authenticated (replace it to plug another verifier). */
export type Verifier = Layer.Layer<
  CredentialVerifier.CredentialVerifier,
  never,
  ApiKeys.ApiKeys | Platforms.Platforms | Stores.Stores
>

/** The domain services and the API keys' verifier over a fresh memory store, plus a Tenant. */
export const services = (
  options: Partial<ScimOptions.ScimOptionsShape> = {},
  resources: ResourceServices = resourceServices,
  verifier: Verifier = ApiKeys.layerVerifier
) =>
  Layer.merge(tenant, verifier).pipe(
    Layer.provideMerge(Layer.mergeAll(ApiKeys.layer, Platforms.layer, resources)),
    Layer.provideMerge(StoreMemory.layer),
    Layer.provideMerge(ScimOptions.layer(options)),
    Layer.provideMerge(Crypto.layerWebCrypto)
  )

/** The app served on a random local port, with an HttpClient pointed at it. */
export const server = (
  httpOptions: Partial<ScimHttpOptions.ScimHttpOptionsShape> = {},
  scimOptions: Partial<ScimOptions.ScimOptionsShape> = {},
  resources?: ResourceServices,
  verifier?: Verifier
) =>
  HttpServer.serve(RequestLog.middleware(ScimHttpApp.app)).pipe(
    Layer.provideMerge(services(scimOptions, resources, verifier)),
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
export const call = (
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "HEAD" | "OPTIONS",
  path: string,
  options: CallOptions = {}
) =>
  Effect.gen(function*() {
    const client = yield* HttpClient.HttpClient
    const { key } = yield* Tenant
    const headers: Record<string, string> = { ...options.headers }
    if (options.auth !== false) headers["authorization"] ??= options.auth ?? `Bearer ${key}`
    let request = HttpClientRequest.make(method)(path.startsWith("/") ? path : `${base}/${path}`, { headers })
    const contentType = options.contentType === undefined ? "application/scim+json" : options.contentType
    if (options.stream !== undefined) {
      const chunks = options.stream.map((s) => new TextEncoder().encode(s))
      request = HttpClientRequest.bodyStream(
        request,
        Stream.fromIterable(chunks),
        contentType === false ? {} : { contentType }
      )
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
      if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) {
        body = parsed as Record<string, unknown>
      }
    }
    return { status: response.status, headers: response.headers, text, body } satisfies Reply
  }).pipe(Effect.orDie)

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
