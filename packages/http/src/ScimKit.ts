/**
 * The one handle a host builds to embed scimkit: from a store layer and options, ONE runtime (one
 * store, one key cache, one platform cache) shared by a web-standard `fetch` handler (Hono, Next.js
 * route handlers, Bun.serve, Deno.serve), a Node `(req, res)` handler (Express, Fastify, node:http)
 * and the admin API (tenants, keys, host-managed memberships, the audit log, webhook deliveries), so
 * a key created through `admin` works at once on both handlers. Optionally, lifecycle hooks
 * (`hooks`) and signed webhooks (`webhooks`, a delivery worker on the same runtime); `events`
 * follows the change feed. `dispose` releases the store and stops the worker.
 *
 * ```ts
 * import { ScimKit } from "@scimkit/http"
 * import { StoreSqlite } from "@scimkit/store-sqlite"
 *
 * const scim = ScimKit.make({ store: StoreSqlite.layer({ filename: "./data/scim.db" }) })
 * const { tenant, key } = await scim.admin.createTenant({ name: "Acme", id: "acme" })
 * app.use("/scim/v2", scim.node)          // Express; Hono: app.all("/scim/v2/*", (c) => scim.fetch(c.req.raw))
 * ```
 */
import type { ChangeEvent, CredentialVerifier } from "@scimkit/core"
import {
  ApiKeys,
  ChangeFeed,
  Crypto,
  DeliveryLog,
  Hooks,
  Live,
  Memberships,
  Model,
  Platforms,
  Schemas,
  type ScimError,
  ScimOptions,
  type Stores
} from "@scimkit/core"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as FetchHttpClient from "effect/http/FetchHttpClient"
import * as HttpEffect from "effect/http/HttpEffect"
import * as HttpServerRequest from "effect/http/HttpServerRequest"
import type * as HttpServerResponse from "effect/http/HttpServerResponse"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Predicate from "effect/Predicate"
import * as Stream from "effect/Stream"
import * as Url from "./internal/url.js"
import * as RequestLog from "./RequestLog.js"
import * as ScimHttpApp from "./ScimHttpApp.js"
import * as ScimHttpOptions from "./ScimHttpOptions.js"
import * as Webhooks from "./Webhooks.js"

/**
 * How often the handle prunes the change feed by default: a guess, often enough that a day's
 * retention is kept within the hour, rare enough that the delete is nothing next to the writes.
 */
export const defaultPruneInterval: Duration.Duration = Duration.hours(1)

/** Largest page of the audit and delivery logs through the admin API. */
const maxPage = 1000

/** Where SCIM is mounted in the host's URL space unless `basePath` says otherwise. */
export const defaultBasePath = "/scim/v2"

/** What a custom verifier may use: the core services, the options, the stores and the crypto. */
export type VerifierRequirements = Live.Services | ScimOptions.ScimOptions | Stores.Stores | Crypto.Services

/** What the handle is built from. */
export interface Options<E = never, VE = never> {
  /** The store: any layer of the storage ports (`StoreSqlite.layer(…)`, `StorePostgres.layerUrl(…)`, `StoreMemory.layer`). */
  readonly store: Layer.Layer<Stores.Stores, E>
  /**
   * Where SCIM is mounted in the host's URL space (default `/scim/v2`): the IdP's Tenant URL is
   * `https://<host><basePath>`. Wins over `http.basePath`.
   */
  readonly basePath?: string | undefined
  /** The core's settings (page sizes, limits, compatibility profile, cache ttl); defaults otherwise. */
  readonly scim?: Partial<ScimOptions.ScimOptionsShape> | undefined
  /** The HTTP edge's settings (body limit, proxy headers, public URL, rate limit); defaults otherwise. */
  readonly http?: Partial<ScimHttpOptions.ScimHttpOptionsShape> | undefined
  /**
   * How a request's bearer token becomes a platform. Default: the platform API keys
   * (`ApiKeys.layerVerifier`); plug your own key table or an OAuth token check instead.
   */
  readonly verifier?: Layer.Layer<CredentialVerifier.CredentialVerifier, VE, VerifierRequirements> | undefined
  /** Hashes, HMACs and random bytes. Default: the runtime's Web Crypto (`Crypto.layerWebCrypto`). */
  readonly crypto?: Layer.Layer<Crypto.Services> | undefined
  /** One log line per request (`RequestLog.middleware`). Default: on. */
  readonly requestLog?: boolean | undefined
  /**
   * Lifecycle hooks (`Hooks.HooksShape`): `before` hooks run in the write's transaction and may
   * veto or adjust it, `after` hooks run after the commit. Default: none.
   */
  readonly hooks?: Hooks.HooksShape | undefined
  /**
   * Signed webhooks: a worker on the handle's runtime POSTs the change feed's events to `url`
   * (see `Webhooks.Options`). It starts with the runtime (the first request or admin call, or
   * `await scim.runtime.context()`) and stops on `dispose`. Default: off.
   */
  readonly webhooks?: Webhooks.Options | undefined
  /**
   * How often the runtime deletes change-feed events and delivery attempts older than
   * `scim.eventRetention` (`ChangeFeed.pruneEvery`), or `false` when you prune yourself. Default:
   * every hour.
   */
  readonly pruneInterval?: Duration.Input | false | undefined
}

/**
 * What the handle's runtime provides: the core services, the change feed, the delivery log, the
 * verifier and both option sets.
 */
export type Services =
  | Live.Services
  | ChangeFeed.ChangeFeed
  | DeliveryLog.DeliveryLog
  | CredentialVerifier.CredentialVerifier
  | ScimOptions.ScimOptions
  | ScimHttpOptions.ScimHttpOptions

/** `fetch`'s second argument. */
export interface FetchInit {
  /**
   * The body, already parsed as JSON by the host's framework, used instead of the request's own
   * (which a body parser has consumed). Serialised again as JSON.
   */
  readonly body?: unknown
}

/**
 * A Node `IncomingMessage` as the Node handler reads it (structurally: Express's and Fastify's raw
 * requests are ones too).
 */
export interface NodeRequest {
  readonly method?: string | undefined
  /** The path and query; frameworks that strip a mount prefix keep the full one in `originalUrl`. */
  readonly url?: string | undefined
  readonly originalUrl?: string | undefined
  readonly headers: { readonly [name: string]: string | ReadonlyArray<string> | undefined }
  /** Set by a body parser that already read the request (a string, bytes, or a parsed JSON value). */
  readonly body?: unknown
  readonly readableEnded?: boolean | undefined
  readonly readableDidRead?: boolean | undefined
  /** A `tls.TLSSocket` (`encrypted: true`) makes the request's URL `https:`. */
  readonly socket?: unknown
  on?(event: "data" | "end" | "error" | "close", listener: (chunk?: unknown) => void): unknown
  removeListener?(event: "data", listener: (chunk?: unknown) => void): unknown
  pause?(): unknown
  resume?(): unknown
}

/** A Node `ServerResponse` as the Node handler writes it. */
export interface NodeResponse {
  writeHead(status: number, headers: Record<string, string | Array<string>>): unknown
  end(chunk?: Uint8Array): unknown
  once(event: "close", listener: () => void): unknown
  readonly headersSent?: boolean | undefined
  readonly writableFinished?: boolean | undefined
  readonly destroyed?: boolean | undefined
}

/** A key as the admin API returns it: the secret is shown here once and never again. */
export interface CreatedKey {
  readonly id: string
  readonly secret: string
}

/**
 * Tenants (platforms) and their API keys. Every call runs on the handle's runtime; a failure
 * rejects with the typed SCIM error (`ScimError.Uniqueness`, `ScimError.InvalidValue`,
 * `ScimError.ResourceNotFound`, `ScimError.StoreError`…), whose `message` says what to do.
 */
export interface Admin {
  /**
   * A tenant with a first key; `id`: your own tenant id (else a random UUID); `ownerEmail`: also
   * create its owner, an ADMIN user the IdP can never deactivate (else no user is created).
   */
  readonly createTenant: (
    input: Platforms.CreateInput
  ) => Promise<{ readonly tenant: Model.Platform; readonly key: CreatedKey }>
  readonly listTenants: () => Promise<ReadonlyArray<Model.Platform>>
  readonly createKey: (tenantId: string, name: string) => Promise<CreatedKey>
  /** Every key of the tenant, revoked ones included; never a secret. */
  readonly listKeys: (tenantId: string) => Promise<ReadonlyArray<Model.StoredApiKey>>
  /** The key stops working at once. */
  readonly revokeKey: (keyId: string) => Promise<void>
  /** A new secret under the same name; the old key stops working at once. */
  readonly rotateKey: (keyId: string) => Promise<CreatedKey>
  /** Makes an active user of the tenant its owner (and ADMIN). */
  readonly transferOwnership: (tenantId: string, userId: string) => Promise<Model.Platform>
  /**
   * The tenant's audit log: its change-feed events oldest first, after position `after` (default
   * 0), at most `limit` (default 100, at most 1000), of the given `types` or `resourceId` only.
   */
  readonly audit: (tenantId: string, query?: ChangeFeed.AuditQuery) => Promise<ReadonlyArray<ChangeEvent.ChangeEvent>>
  /**
   * The webhook delivery log: attempts newest first, those with an id below `before` when given,
   * at most `limit` (default 100, at most 1000), of one `endpoint` when given.
   */
  readonly deliveries: (options?: DeliveriesQuery) => Promise<ReadonlyArray<DeliveryLog.DeliveryAttempt>>
  /** Project memberships your own code manages (SCIM neither sees nor removes them). */
  readonly memberships: HostMemberships
}

/**
 * Host-managed memberships of a tenant's projects (SCIM groups), with any of the model's project
 * roles. A push from the IdP (Okta's `replace members`, a PUT) leaves them in place; see
 * `Memberships` in `@scimkit/core`.
 */
export interface HostMemberships {
  /** Adds (or takes over) these memberships; the ones the host did not manage before. */
  readonly add: (
    tenantId: string,
    projectId: string,
    members: ReadonlyArray<Memberships.MemberRequest>
  ) => Promise<ReadonlyArray<Model.Membership>>
  /** Stops managing these users' memberships (one SCIM also manages stays); the ones removed. */
  readonly remove: (
    tenantId: string,
    projectId: string,
    userIds: ReadonlyArray<string>
  ) => Promise<ReadonlyArray<Model.Membership>>
  /** Sets the role of an existing membership, whoever manages it. */
  readonly setRole: (tenantId: string, projectId: string, userId: string, role: string) => Promise<Model.Membership>
  /** Every member of the project, with who manages each membership (`scim`, `host` or both). */
  readonly list: (tenantId: string, projectId: string) => Promise<ReadonlyArray<Model.ManagedMember>>
}

/** Which events `events` follows (`ChangeFeed.FollowOptions`, with the tenant as a plain id). */
export interface EventsOptions extends Omit<ChangeFeed.FollowOptions, "platform"> {
  /** Only this tenant's events. */
  readonly platform?: string | undefined
}

/** A page of the webhook delivery log. */
export interface DeliveriesQuery {
  readonly limit?: number | undefined
  readonly before?: number | undefined
  readonly endpoint?: string | undefined
}

/** The embedding handle. */
export interface ScimKit<E = never> {
  /**
   * Web-standard handler. A path that does not start with `basePath` is read as relative to it
   * (a framework that strips the mount prefix); `init.body` replaces a body the framework parsed.
   */
  readonly fetch: (request: Request, init?: FetchInit) => Promise<Response>
  /**
   * Node `(req, res)` handler: reads `req.originalUrl ?? req.url`, streams the body unless a body
   * parser already set `req.body`, and stops the work when the client disconnects. Rejects only
   * when the runtime cannot be built (the store did not open), after answering 500.
   */
  readonly node: (req: NodeRequest, res: NodeResponse) => Promise<void>
  readonly admin: Admin
  /**
   * The change feed as an async iterator: every committed event after `options.after` (default 0;
   * `"latest"`: from now), oldest first, waiting for new ones; stop with `break`. At least once:
   * keep the last `position` you handled and pass it as `after` when you start again.
   */
  readonly events: (options?: EventsOptions) => AsyncIterable<ChangeEvent.ChangeEvent>
  /**
   * The runtime every handler and admin call runs on: run your own effects over the same store
   * (`ChangeFeed.ChangeFeed` included).
   */
  readonly runtime: ManagedRuntime.ManagedRuntime<Services, E>
  /** Releases the store (connections, the embedded database's lock); later requests get 503. */
  readonly dispose: () => Promise<void>
}

/** The layer of the handle's runtime. */
export const layer = <E = never, VE = never>(options: Options<E, VE>): Layer.Layer<Services, E | VE> => {
  const base = Layer.mergeAll(
    options.store,
    ScimOptions.layer(options.scim),
    options.crypto ?? Crypto.layerWebCrypto,
    Hooks.layer(options.hooks ?? Hooks.none)
  )
  const services = Live.layer.pipe(Layer.provideMerge(base))
  const verifier = (options.verifier ?? ApiKeys.layerVerifier).pipe(Layer.provideMerge(services))
  const http = ScimHttpOptions.layer({
    ...options.http,
    basePath: options.basePath ?? options.http?.basePath ?? defaultBasePath
  })
  const prune = options.pruneInterval === false
    ? Layer.empty
    : Layer.effectDiscard(Effect.forkScoped(ChangeFeed.pruneEvery(options.pruneInterval ?? defaultPruneInterval))).pipe(
      Layer.provide(services)
    )
  const webhooks = options.webhooks === undefined ? Layer.empty : Webhooks.layer(options.webhooks).pipe(
    Layer.provide(FetchHttpClient.layer),
    Layer.provide(services)
  )
  return Layer.mergeAll(verifier, http, prune, webhooks)
}

/**
 * The app behind `fetch` and `node`: a path outside the base path is taken as relative to it (a
 * framework stripped the mount prefix), then the request log (unless turned off) and the SCIM app.
 */
const mountedApp = (
  basePath: string,
  requestLog: boolean
): Effect.Effect<HttpServerResponse.HttpServerResponse, never, Services | HttpServerRequest.HttpServerRequest> => {
  const app = requestLog ? RequestLog.middleware(ScimHttpApp.app) : ScimHttpApp.app
  if (basePath === "") return app
  return Effect.withFiber((fiber) => {
    const context = fiber.context as Context.Context<HttpServerRequest.HttpServerRequest>
    const request = Context.get(context, HttpServerRequest.HttpServerRequest)
    if (Url.startsWithBase(Url.pathnameOf(request.url), basePath)) return app
    return Effect.provideService(
      app,
      HttpServerRequest.HttpServerRequest,
      request.modify({ url: basePath + request.url })
    )
  })
}

/** A SCIM error body for what fails before the app runs (a request that cannot be read at all). */
const errorResponse = (status: number, detail: string): Response =>
  new Response(JSON.stringify({ schemas: [Schemas.ErrorUrn], status: String(status), detail }), {
    status,
    headers: { "content-type": "application/scim+json; charset=utf-8" }
  })

const hasBody = (method: string): boolean => method !== "GET" && method !== "HEAD"

/** Headers that describe the bytes on the wire, wrong once a parsed body is serialised again. */
const wireHeaders = ["content-length", "transfer-encoding", "content-encoding"] as const

/** `request` with `body` (a parsed JSON value) as its body. */
const withParsedBody = (request: Request, body: unknown): Request => {
  if (!hasBody(request.method)) return request
  const headers = new Headers(request.headers)
  for (const name of wireHeaders) headers.delete(name)
  if (!headers.has("content-type")) headers.set("content-type", "application/json")
  return new Request(request.url, {
    method: request.method,
    headers,
    body: JSON.stringify(body),
    signal: request.signal
  })
}

const encoder = new TextEncoder()

/** A Node request whose body can still be read. */
type Readable = Required<Pick<NodeRequest, "on" | "removeListener" | "pause" | "resume">>

const isReadable = (req: NodeRequest): req is NodeRequest & Readable =>
  typeof req.on === "function" && typeof req.removeListener === "function" && typeof req.pause === "function" &&
  typeof req.resume === "function"

/**
 * The Node request's body as a web stream, read as it is consumed (one chunk ahead), so the body
 * limit is enforced while reading. When the app stops reading (past the limit) the rest is drained
 * and dropped, so the client finishes sending and receives the answer instead of a reset.
 */
const streamOf = (req: Readable): ReadableStream<Uint8Array> => {
  let settled = false
  const onData = (chunk: unknown) => {
    if (settled) return
    const bytes = typeof chunk === "string" ? encoder.encode(chunk) : chunk instanceof Uint8Array ? chunk : undefined
    if (bytes === undefined) return fail(new TypeError("The request stream yielded something other than bytes or text"))
    current?.enqueue(bytes)
    if ((current?.desiredSize ?? 0) <= 0) req.pause()
  }
  let current: ReadableStreamDefaultController<Uint8Array> | undefined
  const fail = (error: unknown) => {
    if (settled) return
    settled = true
    current?.error(error)
  }
  return new ReadableStream<Uint8Array>({
    start(controller) {
      current = controller
      req.pause()
      req.on("data", onData)
      req.on("end", () => {
        if (settled) return
        settled = true
        controller.close()
      })
      req.on("error", fail)
      req.on("close", () => fail(new Error("The client closed the connection before sending the whole body")))
    },
    pull() {
      req.resume()
    },
    cancel() {
      settled = true
      req.removeListener("data", onData)
      req.resume()
    }
  })
}

/**
 * The body a parser already read (`req.body`), as bytes or text; `undefined` when the request's
 * stream is still to be read. Express 4's `express.json()` sets `req.body = {}` even for a type it
 * does not parse (`application/scim+json`) and leaves the stream unread: the stream wins then.
 */
const parsedBodyOf = (req: NodeRequest): string | Uint8Array | undefined => {
  const body = req.body
  if (body === undefined) return undefined
  const consumed = req.readableEnded === true || req.readableDidRead === true || !isReadable(req)
  if (!consumed) return undefined
  if (typeof body === "string" || body instanceof Uint8Array) return body
  return JSON.stringify(body)
}

const firstHeader = (value: string | ReadonlyArray<string> | undefined): string | undefined =>
  typeof value === "string" ? value : value?.[0]

/** The Node request as a web `Request` (its body streamed or taken from `req.body`). */
const toWebRequest = (req: NodeRequest, signal: AbortSignal): Request => {
  const method = req.method ?? "GET"
  const target = req.originalUrl ?? req.url ?? "/"
  const host = firstHeader(req.headers["host"]) ?? "localhost"
  const encrypted = Predicate.hasProperty(req.socket, "encrypted") && req.socket.encrypted === true
  const url = `${encrypted ? "https" : "http"}://${host}${target.startsWith("/") ? target : `/${target}`}`
  const parsed = hasBody(method) ? parsedBodyOf(req) : undefined
  const headers = new Headers()
  for (const name in req.headers) {
    if (parsed !== undefined && (wireHeaders as ReadonlyArray<string>).includes(name)) continue
    const value = req.headers[name]
    if (typeof value === "string") headers.set(name, value)
    else if (value !== undefined) { for (const one of value) headers.append(name, one) }
  }
  // a body read by something that left nothing in `req.body` is gone: the request has none
  const body = !hasBody(method)
    ? undefined
    : parsed !== undefined
    ? parsed
    : isReadable(req) && req.readableEnded !== true
    ? streamOf(req)
    : undefined
  // `duplex` (a streamed request body) is not in TypeScript's DOM types yet.
  return new Request(url, { method, headers, body: body ?? null, signal, duplex: "half" } as RequestInit)
}

/** Writes a web `Response` to a Node response, unless the client has gone. */
const writeResponse = async (response: Response, res: NodeResponse, gone: AbortSignal): Promise<void> => {
  const headers: Record<string, string | Array<string>> = {}
  response.headers.forEach((value, name) => {
    headers[name] = value
  })
  const cookies = response.headers.getSetCookie()
  if (cookies.length > 0) headers["set-cookie"] = cookies
  const body = response.body === null ? undefined : new Uint8Array(await response.arrayBuffer())
  if (gone.aborted || res.destroyed === true) return
  res.writeHead(response.status, headers)
  res.end(body)
}

/**
 * The handle: one runtime from `options`, the two handlers and the admin API on it. The store is
 * opened on first use (the first request or admin call), not here.
 */
export const make = <E = never, VE = never>(options: Options<E, VE>): ScimKit<E | VE> => {
  const runtime = ManagedRuntime.make(layer(options))
  const basePath = ScimHttpOptions.make({
    ...options.http,
    basePath: options.basePath ?? options.http?.basePath ?? defaultBasePath
  }).basePath
  const app = mountedApp(basePath, options.requestLog !== false)

  let handler: ((request: Request) => Promise<Response>) | undefined
  let building: Promise<(request: Request) => Promise<Response>> | undefined
  const webHandler = (): Promise<(request: Request) => Promise<Response>> =>
    building ??= runtime.context().then((context) => {
      const built = HttpEffect.toWebHandlerWith<Services, Services | HttpServerRequest.HttpServerRequest>(context)(app)
      handler = (request) => built(request)
      return handler
    })

  let disposed = false
  const fetch = (request: Request, init?: FetchInit): Promise<Response> => {
    if (disposed) {
      return Promise.resolve(errorResponse(503, "The SCIM service has been shut down (ScimKit.dispose)"))
    }
    let effective = request
    if (init?.body !== undefined) {
      try {
        effective = withParsedBody(request, init.body)
      } catch (cause) {
        return Promise.resolve(errorResponse(400, `The request body cannot be read as JSON (${String(cause)})`))
      }
    }
    return handler !== undefined ? handler(effective) : webHandler().then((h) => h(effective))
  }

  const node = async (req: NodeRequest, res: NodeResponse): Promise<void> => {
    const gone = new AbortController()
    res.once("close", () => {
      if (res.writableFinished !== true) gone.abort()
    })
    let request: Request
    try {
      request = toWebRequest(req, gone.signal)
    } catch (cause) {
      return writeResponse(
        errorResponse(400, `The request cannot be read (${cause instanceof Error ? cause.message : String(cause)})`),
        res,
        gone.signal
      )
    }
    let response: Response
    try {
      response = await fetch(request)
    } catch (cause) {
      // the runtime could not be built (the store did not open): answer, then let the host see why
      await writeResponse(
        errorResponse(500, "The SCIM service could not start; see the server's log"),
        res,
        gone.signal
      )
      throw cause
    }
    return writeResponse(response, res, gone.signal)
  }

  const run = <A>(effect: Effect.Effect<A, ScimError.CoreError, Services>): Promise<A> => runtime.runPromise(effect)
  const page = (limit: number | undefined) => Math.min(Math.max(1, Math.trunc(limit ?? 100)), maxPage)
  const createdKey = (created: ApiKeys.CreatedApiKey): CreatedKey => ({ id: created.key.id, secret: created.secret })
  const platformId = (id: string) => Model.PlatformId.make(id)

  const admin: Admin = {
    createTenant: (input) =>
      run(Effect.map(
        Platforms.Platforms.use((platforms) => platforms.create(input)),
        (created) => ({ tenant: created.platform, key: createdKey(created.key) })
      )),
    listTenants: () => run(Platforms.Platforms.use((platforms) => platforms.list())),
    createKey: (tenantId, name) =>
      run(Effect.map(ApiKeys.ApiKeys.use((keys) => keys.create(platformId(tenantId), name)), createdKey)),
    listKeys: (tenantId) => run(ApiKeys.ApiKeys.use((keys) => keys.list(platformId(tenantId)))),
    revokeKey: (keyId) => run(Effect.asVoid(ApiKeys.ApiKeys.use((keys) => keys.revoke(keyId)))),
    rotateKey: (keyId) => run(Effect.map(ApiKeys.ApiKeys.use((keys) => keys.rotate(keyId)), createdKey)),
    transferOwnership: (tenantId, userId) =>
      run(Platforms.Platforms.use((platforms) => platforms.transferOwnership(platformId(tenantId), userId))),
    audit: (tenantId, query) =>
      run(Effect.gen(function*() {
        const platform = yield* Platforms.Platforms.use((platforms) => platforms.get(platformId(tenantId)))
        return yield* ChangeFeed.ChangeFeed.use((feed) => feed.audit(platform.id, query))
      })),
    deliveries: (query) =>
      run(
        DeliveryLog.DeliveryLog.use((log) =>
          log.list({ limit: page(query?.limit), before: query?.before, endpoint: query?.endpoint })
        )
      ),
    memberships: {
      add: (tenantId, projectId, members) =>
        run(Memberships.Memberships.use((m) => m.add(platformId(tenantId), projectId, members))),
      remove: (tenantId, projectId, userIds) =>
        run(Memberships.Memberships.use((m) => m.remove(platformId(tenantId), projectId, userIds))),
      setRole: (tenantId, projectId, userId, role) =>
        run(Memberships.Memberships.use((m) => m.setRole(platformId(tenantId), projectId, userId, role))),
      list: (tenantId, projectId) => run(Memberships.Memberships.use((m) => m.list(platformId(tenantId), projectId)))
    }
  }

  const events = (options?: EventsOptions): AsyncIterable<ChangeEvent.ChangeEvent> => ({
    [Symbol.asyncIterator]: () => {
      const follow: ChangeFeed.FollowOptions = {
        ...options,
        platform: options?.platform === undefined ? undefined : platformId(options.platform)
      }
      const stream = Stream.unwrap(ChangeFeed.ChangeFeed.use((feed) => Effect.succeed(feed.stream(follow))))
      const iterator = runtime.context().then((context) =>
        Stream.toAsyncIterableWith(stream, context)[Symbol.asyncIterator]()
      )
      return {
        next: () => iterator.then((it) => it.next()),
        return: (value?: unknown) =>
          iterator.then((it) => it.return !== undefined ? it.return(value) : { done: true as const, value: undefined })
      }
    }
  })

  const dispose = (): Promise<void> => {
    disposed = true
    return runtime.dispose()
  }

  return { fetch, node, admin, events, runtime, dispose }
}
