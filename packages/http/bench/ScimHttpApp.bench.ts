/**
 * Per-request cost of the SCIM HTTP edge. Prints figures only; nothing asserts timing.
 *
 * 1. The app alone (no sockets): `ScimHttpApp.app` run on a prepared request, against a trivial app
 *    answering a fixed JSON body, so the difference is routing + auth + service + encoding.
 * 2. End to end over `@effect/platform-node` on localhost, with the load generator (node:http,
 *    keep-alive, 32 in flight) in the same process, so the figures are lower bounds.
 *
 * Run from the repository root (`-e` does not work: @effect/platform-node needs a file's `import.meta.url`):
 *   pnpm bench ScimHttpApp
 */
import { request as httpRequest, Agent, createServer } from "node:http"
import * as NodeCrypto from "@effect/platform-node/NodeCrypto"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import { ApiKeys, CredentialVerifier, Live, Platforms, Schemas, ScimOptions, Users } from "@scimkit/core"
import * as Effect from "effect/Effect"
import * as HttpServer from "effect/http/HttpServer"
import * as HttpServerRequest from "effect/http/HttpServerRequest"
import * as HttpServerResponse from "effect/http/HttpServerResponse"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as ManagedRuntime from "effect/ManagedRuntime"
import { ScimHttpApp, ScimHttpOptions } from "../src/index.js"
import { StoreMemory } from "@scimkit/store-memory"

const N = Number(process.env["N"] ?? 20_000)
const base = "/api/v1/scim/v2"

// The Node host's crypto (as in examples/node); no logger, so nothing is printed.
const nodeCrypto = Layer.mergeAll(NodeCrypto.layerDigest, NodeCrypto.layerMac, NodeCrypto.layerSecureRandom)
const noLogger = Logger.layer([])

const services = ApiKeys.layerVerifier.pipe(
  Layer.provideMerge(Live.layer),
  Layer.provideMerge(StoreMemory.layer),
  Layer.provideMerge(ScimOptions.layer()),
  Layer.provideMerge(nodeCrypto),
  Layer.merge(ScimHttpOptions.layer()),
  Layer.provideMerge(noLogger)
)

const report = (label: string, n: number, ms: number) =>
  console.log(
    `${label.padEnd(52)} ${(n / (ms / 1000)).toFixed(0).padStart(8)} req/s ${
      ((ms * 1000) / n).toFixed(1).padStart(8)
    } µs/req`
  )

const trivial = HttpServerResponse.jsonUnsafe({ schemas: [Schemas.ListResponseUrn], totalResults: 0 })

export default async function(): Promise<void> {
  const runtime = ManagedRuntime.make(services)
  const { key, userId } = await runtime.runPromise(
    Effect.gen(function*() {
      const created = yield* Platforms.Platforms.pipe(
        Effect.flatMap((p) => p.create({ name: "Bench", ownerEmail: "owner@bench.test" }))
      )
      const users = yield* Users.Users
      const scope = { platform: created.platform.id, baseUrl: `http://localhost${base}` }
      const user = yield* users.create(scope, {
        schemas: [Schemas.UserUrn],
        userName: "bjensen@bench.test",
        name: { givenName: "Barbara", familyName: "Jensen" },
        emails: [{ value: "bjensen@bench.test", type: "work", primary: true }]
      })
      return { key: created.key.secret, userId: String(user.resource["id"]) }
    }).pipe(Effect.orDie)
  )

  const headers = { authorization: `Bearer ${key}`, host: "localhost" }
  const inProcess = async (label: string, path: string, app: typeof ScimHttpApp.app) => {
    const make = () => HttpServerRequest.fromWeb(new Request(`http://localhost${path}`, { headers }))
    const once = Effect.suspend(() => Effect.provideService(app, HttpServerRequest.HttpServerRequest, make()))
    await runtime.runPromise(Effect.repeat(once, { times: 999 }))
    const start = performance.now()
    const status = await runtime.runPromise(
      Effect.map(Effect.replicateEffect(once, N, { discard: false }), (rs) => rs[0]?.status)
    )
    report(`${label} [${status}]`, N, performance.now() - start)
  }

  console.log(`app alone, ${N} sequential requests (request construction included)`)
  await inProcess("trivial app", `${base}/Users`, Effect.succeed(trivial))
  await inProcess("ScimHttpApp GET /ServiceProviderConfig", `${base}/ServiceProviderConfig`, ScimHttpApp.app)
  await inProcess("ScimHttpApp GET /Users/{id}", `${base}/Users/${userId}`, ScimHttpApp.app)
  await inProcess(
    "ScimHttpApp GET /Users?filter=userName eq",
    `${base}/Users?filter=${encodeURIComponent("userName eq \"bjensen@bench.test\"")}`,
    ScimHttpApp.app
  )
  await inProcess("ScimHttpApp GET /Nope (404 after auth)", `${base}/Nope`, ScimHttpApp.app)
  await inProcess("ScimHttpApp GET outside the base path (404)", "/elsewhere", ScimHttpApp.app)

  // The edge alone: the same app with key verification answered from a constant.
  const verified = await runtime.runPromise(
    Effect.flatMap(ApiKeys.ApiKeys, (keys) => keys.verify(key)).pipe(Effect.orDie)
  )
  const stubbed = (app: typeof ScimHttpApp.app): typeof ScimHttpApp.app =>
    Effect.provideService(app, CredentialVerifier.CredentialVerifier, {
      verify: () => Effect.succeed(verified.platform)
    })
  await inProcess("ScimHttpApp, stub key check: GET /Nope (404)", `${base}/Nope`, stubbed(ScimHttpApp.app))
  await inProcess(
    "ScimHttpApp, stub key check: GET /ServiceProviderConfig",
    `${base}/ServiceProviderConfig`,
    stubbed(ScimHttpApp.app)
  )
  await inProcess("ScimHttpApp, stub key check: GET /Users/{id}", `${base}/Users/${userId}`, stubbed(ScimHttpApp.app))

  const serve = async (label: string, path: string, app: typeof ScimHttpApp.app) => {
    const context = await runtime.runPromise(Effect.context<Layer.Success<typeof services>>())
    const layer = HttpServer.serve(app).pipe(
      Layer.provide(Layer.succeedContext(context)),
      Layer.provideMerge(NodeHttpServer.layer(createServer, { port: 0, host: "127.0.0.1" })),
      Layer.provide(noLogger)
    )
    const server = ManagedRuntime.make(layer)
    const address = await server.runPromise(Effect.map(HttpServer.HttpServer, (s) => s.address))
    const port = address._tag === "UnixPathAddress" ? 0 : address.port
    const agent = new Agent({ keepAlive: true, maxSockets: 32 })
    const one = () =>
      new Promise<number>((resolve, reject) => {
        const req = httpRequest({ host: "127.0.0.1", port, path, headers, agent }, (res) => {
          res.resume()
          res.on("end", () => resolve(res.statusCode ?? 0))
        })
        req.on("error", reject)
        req.end()
      })
    const run = async (n: number) => {
      let next = 0
      let status = 0
      await Promise.all(Array.from({ length: 32 }, async () => {
        while (next++ < n) status = await one()
      }))
      return status
    }
    await run(2000)
    const start = performance.now()
    const status = await run(N)
    report(`${label} [${status}]`, N, performance.now() - start)
    agent.destroy()
    await server.dispose()
  }

  console.log(`\nend to end over @effect/platform-node, ${N} requests, 32 in flight, client in-process`)
  await serve("trivial app", `${base}/Users`, Effect.succeed(trivial))
  await serve("ScimHttpApp GET /Users/{id}", `${base}/Users/${userId}`, ScimHttpApp.app)
  await serve(
    "ScimHttpApp GET /Users?filter=userName eq",
    `${base}/Users?filter=${encodeURIComponent("userName eq \"bjensen@bench.test\"")}`,
    ScimHttpApp.app
  )
  await runtime.dispose()
}
