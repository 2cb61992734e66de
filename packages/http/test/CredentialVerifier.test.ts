/**
 * The app authenticates through the `CredentialVerifier` port only: served here over a context with
 * no `ApiKeys` service and no API key in the store, with a host's own verifiers (a fixed token table,
 * and signed JWT-like tokens as an OAuth issuer would mint them).
 */
import {
  ApiKeys,
  CredentialVerifier,
  Crypto,
  EventStore,
  Model,
  PlatformStore,
  Projects,
  Schemas,
  ScimError,
  ScimOptions,
  Users
} from "@scimkit/core"
import { StoreMemory } from "@scimkit/store-memory"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Base64Url from "effect/encoding/Base64Url"
import * as HttpEffect from "effect/http/HttpEffect"
import type * as HttpServerRequest from "effect/http/HttpServerRequest"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Option from "effect/Option"
import * as Result from "effect/Result"
import { afterAll, assert, describe, it } from "vitest"
import { ScimHttpApp, ScimHttpOptions } from "../src/index.js"

const tenants = ["t-red", "t-blue"] as const

/** The platforms a host created from its own tenant table (no owner, no API key). */
const seeded = Layer.effectDiscard(
  Effect.gen(function*() {
    const store = yield* PlatformStore.PlatformStore
    const created = yield* DateTime.now
    for (const id of tenants) {
      yield* store.insert(
        new Model.Platform({
          id: Model.PlatformId.make(id),
          name: id,
          ownerId: Option.none(),
          compatibility: "lenient",
          created
        })
      )
    }
  }).pipe(Effect.orDie)
)

const serve = (verifier: Layer.Layer<CredentialVerifier.CredentialVerifier>) => {
  const layer = Layer.mergeAll(Users.layer, Projects.layer, verifier, seeded).pipe(
    Layer.provideMerge(StoreMemory.layer),
    Layer.provideMerge(ScimOptions.layer()),
    Layer.provide(Crypto.layerWebCrypto),
    Layer.merge(ScimHttpOptions.layer({ basePath: "/scim" }))
  )
  const runtime = ManagedRuntime.make(layer)
  let handler: ((request: Request) => Promise<Response>) | undefined
  return {
    context: () => runtime.context(),
    fetch: async (path: string, token: string, init: RequestInit = {}) => {
      handler ??= HttpEffect.toWebHandlerWith<
        Layer.Success<typeof layer>,
        ScimHttpApp.Requirements | HttpServerRequest.HttpServerRequest
      >(await runtime.context())(ScimHttpApp.app)
      return handler(
        new Request(`https://host.example/scim${path}`, {
          ...init,
          headers: { authorization: `Bearer ${token}`, "content-type": "application/scim+json" }
        })
      )
    },
    dispose: () => runtime.dispose()
  }
}

/** Who the change feed says made the tenant's changes (the credential's name, if any). */
const credentialsOf = async (app: ReturnType<typeof serve>, tenant: string) => {
  const store = Context.get(await app.context(), EventStore.EventStore)
  const events = await Effect.runPromise(store.read({ after: 0, limit: 100, platform: Model.PlatformId.make(tenant) }))
  return events.map((event) => Option.getOrNull(event.actor.credential))
}

const newUser = (userName: string) => ({
  method: "POST",
  body: JSON.stringify({ schemas: [Schemas.UserUrn], userName })
})

describe("a host's own CredentialVerifier", () => {
  describe("a fixed token table", () => {
    const table: Record<string, string> = { "host-key-red": "t-red", "host-key-blue": "t-blue" }
    const app = serve(Layer.succeed(
      CredentialVerifier.CredentialVerifier,
      CredentialVerifier.CredentialVerifier.of({
        verify: ({ token }) => {
          const platform = table[token]
          return platform === undefined
            ? Effect.fail(new ScimError.Unauthorized({ detail: "Unknown host key" }))
            : Effect.succeed(Model.PlatformId.make(platform))
        }
      })
    ))
    afterAll(() => app.dispose())

    it("resolves each token to its tenant, with no ApiKeys service anywhere", async () => {
      assert.isTrue(Option.isNone(Context.getOption(await app.context(), ApiKeys.ApiKeys)))
      assert.strictEqual((await app.fetch("/Users", "host-key-red", newUser("ann@red.example"))).status, 201)
      assert.strictEqual((await app.fetch("/Users", "host-key-blue", newUser("bob@blue.example"))).status, 201)
      const red = await (await app.fetch("/Users", "host-key-red")).json() as Record<string, unknown>
      assert.strictEqual(red["totalResults"], 1)
      const refused = await app.fetch("/Users", "sk-anything")
      assert.strictEqual(refused.status, 401)
      assert.strictEqual((await refused.json() as Record<string, unknown>)["detail"], "Unknown host key")
    })

    it("a verifier answering a bare platform records no credential in the change feed", async () => {
      assert.deepStrictEqual(await credentialsOf(app, "t-red"), [null])
    })
  })

  describe("signed tokens (JWT-like: header.payload.HMAC, with the tenant id and an expiry)", () => {
    const secret = new TextEncoder().encode("the issuer's signing secret, 32+ bytes long")
    const key = globalThis.crypto.subtle.importKey("raw", secret, { name: "HMAC", hash: "SHA-256" }, false, [
      "sign",
      "verify"
    ])
    const encodeJson = (value: unknown) => Base64Url.encode(new TextEncoder().encode(JSON.stringify(value)))
    const mint = async (claims: { readonly tid: string; readonly exp: number; readonly sub?: string }) => {
      const unsigned = `${encodeJson({ alg: "HS256", typ: "JWT" })}.${encodeJson(claims)}`
      const signature = await globalThis.crypto.subtle.sign("HMAC", await key, new TextEncoder().encode(unsigned))
      return `${unsigned}.${Base64Url.encode(new Uint8Array(signature))}`
    }
    const invalid = (detail: string) => new ScimError.Unauthorized({ detail })

    const verify = (token: string): Effect.Effect<CredentialVerifier.Verified, ScimError.Unauthorized> =>
      Effect.gen(function*() {
        const [header = "", payload = "", signature = ""] = token.split(".")
        const bytes = Base64Url.decode(signature)
        if (Result.isFailure(bytes)) return yield* invalid("Malformed token")
        const valid = yield* Effect.promise(async () =>
          globalThis.crypto.subtle.verify(
            "HMAC",
            await key,
            bytes.success,
            new TextEncoder().encode(`${header}.${payload}`)
          )
        )
        if (!valid) return yield* invalid("Bad token signature")
        const claims = Result.getOrUndefined(Base64Url.decodeString(payload))
        const { exp, sub, tid } = JSON.parse(claims ?? "{}") as {
          readonly tid?: string
          readonly exp?: number
          readonly sub?: string
        }
        if (typeof exp !== "number" || exp * 1000 <= (yield* Clock.currentTimeMillis)) {
          return yield* invalid("Token expired")
        }
        if (typeof tid !== "string") return yield* invalid("Token without a tenant")
        return { platform: Model.PlatformId.make(tid), credential: `oauth:${sub ?? "anonymous"}` }
      })

    const app = serve(Layer.succeed(
      CredentialVerifier.CredentialVerifier,
      CredentialVerifier.CredentialVerifier.of({ verify: ({ token }) => verify(token) })
    ))
    afterAll(() => app.dispose())

    it("a valid token acts for its tenant; forged, expired and malformed ones are 401 with the verifier's detail", async () => {
      const inAnHour = Math.floor(Date.now() / 1000) + 3600
      const red = await mint({ tid: "t-red", exp: inAnHour, sub: "entra-app-42" })
      assert.strictEqual((await app.fetch("/Users", red, newUser("jwt@red.example"))).status, 201)
      assert.deepStrictEqual(await credentialsOf(app, "t-red"), ["oauth:entra-app-42"])
      const blue = await mint({ tid: "t-blue", exp: inAnHour })
      const listed = await (await app.fetch("/Users", blue)).json() as Record<string, unknown>
      assert.strictEqual(listed["totalResults"], 0)

      const [header, , signature] = red.split(".")
      const forged = `${header}.${encodeJson({ tid: "t-blue", exp: inAnHour })}.${signature}`
      const expired = await mint({ tid: "t-red", exp: Math.floor(Date.now() / 1000) - 1 })
      for (
        const [token, detail] of [[forged, "Bad token signature"], [expired, "Token expired"], [
          "a.b.!!",
          "Malformed token"
        ]]
      ) {
        const response = await app.fetch("/Users", token!)
        assert.strictEqual(response.status, 401)
        assert.strictEqual((await response.json() as Record<string, unknown>)["detail"], detail)
      }
    })
  })
})
