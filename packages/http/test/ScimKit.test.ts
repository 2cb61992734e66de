import { ChangeEvent, CredentialVerifier, Model, Schemas, ScimError } from "@scimkit/core"
import { StoreMemory } from "@scimkit/store-memory"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { once } from "node:events"
import * as Http from "node:http"
import type { AddressInfo } from "node:net"
import { afterAll, assert, beforeAll, describe, it } from "vitest"
import { ScimKit, Webhooks } from "../src/index.js"

const user = (userName: string) => ({ schemas: [Schemas.UserUrn], userName, active: true })

const scimHeaders = (secret: string) => ({
  authorization: `Bearer ${secret}`,
  "content-type": "application/scim+json"
})

const post = (kit: ScimKit.ScimKit, url: string, secret: string, body: unknown) =>
  kit.fetch(new Request(url, { method: "POST", headers: scimHeaders(secret), body: JSON.stringify(body) }))

const json = async (response: Response): Promise<Record<string, unknown>> =>
  await response.json() as Record<string, unknown>

/** A node:http server on an ephemeral port whose handler runs `middleware` then `kit.node`. */
const serve = async (
  kit: ScimKit.ScimKit,
  middleware: (req: Http.IncomingMessage & { body?: unknown; originalUrl?: string }) => Promise<void> = async () => {}
) => {
  const server = Http.createServer((req, res) => {
    void middleware(req).then(() => kit.node(req, res))
  })
  server.listen(0, "127.0.0.1")
  await once(server, "listening")
  const port = (server.address() as AddressInfo).port
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve()))
  }
}

describe("ScimKit", () => {
  const kit = ScimKit.make({ store: StoreMemory.layer, requestLog: false })
  afterAll(() => kit.dispose())

  it("admin round trip: a tenant's key works at once on fetch and node; rotate and revoke take effect at once", async () => {
    const { key, tenant } = await kit.admin.createTenant({ name: "Acme", id: "acme" })
    assert.strictEqual(tenant.id, "acme")
    assert.isTrue(tenant.ownerId._tag === "None")
    assert.match(key.secret, /^sk-/)
    assert.deepStrictEqual((await kit.admin.listTenants()).map((t) => t.id), ["acme"])

    const created = await post(kit, "https://app.example/scim/v2/Users", key.secret, user("ada@acme.example"))
    assert.strictEqual(created.status, 201)
    const body = await json(created)
    assert.strictEqual(created.headers.get("location"), `https://app.example/scim/v2/Users/${String(body["id"])}`)

    const server = await serve(kit)
    try {
      const viaNode = await fetch(`${server.url}/scim/v2/Users`, {
        method: "POST",
        headers: scimHeaders(key.secret),
        body: JSON.stringify(user("grace@acme.example"))
      })
      assert.strictEqual(viaNode.status, 201)
      assert.strictEqual(viaNode.headers.get("content-type"), "application/scim+json; charset=utf-8")
      assert.strictEqual((await json(viaNode))["userName"], "grace@acme.example")

      const rotated = await kit.admin.rotateKey(key.id)
      assert.notStrictEqual(rotated.secret, key.secret)
      const old = await post(kit, "https://app.example/scim/v2/Users", key.secret, user("old@acme.example"))
      assert.strictEqual(old.status, 401)
      const detail = String((await json(old))["detail"])
      assert.include(detail, "unknown or revoked")
      assert.notInclude(detail, "pnpm")
      const oldViaNode = await fetch(`${server.url}/scim/v2/Users`, { headers: scimHeaders(key.secret) })
      assert.strictEqual(oldViaNode.status, 401)
      assert.strictEqual(
        (await post(kit, "https://app.example/scim/v2/Users", rotated.secret, user("new@acme.example"))).status,
        201
      )
      const keys = await kit.admin.listKeys("acme")
      assert.deepStrictEqual(
        keys.map((k) => [k.id, k.revoked._tag]).sort(),
        [[key.id, "Some"], [rotated.id, "None"]].sort()
      )

      await kit.admin.revokeKey(rotated.id)
      assert.strictEqual(
        (await post(kit, "https://app.example/scim/v2/Users", rotated.secret, user("late@acme.example"))).status,
        401
      )
      assert.strictEqual(
        (await fetch(`${server.url}/scim/v2/Users`, { headers: scimHeaders(rotated.secret) })).status,
        401
      )
      const another = await kit.admin.createKey("acme", "Okta")
      const listed = await fetch(`${server.url}/scim/v2/Users?filter=userName%20eq%20%22ada@acme.example%22`, {
        headers: scimHeaders(another.secret)
      })
      assert.strictEqual((await json(listed))["totalResults"], 1)
    } finally {
      await server.close()
    }
  })

  it("admin: the host's id, transferOwnership and typed rejections that read well", async () => {
    const { key } = await kit.admin.createTenant({ name: "Globex", id: "globex", ownerEmail: "hank@globex.example" })
    const duplicate = await kit.admin.createTenant({ name: "Other", id: "globex" }).catch((e: unknown) => e)
    assert.instanceOf(duplicate, ScimError.Uniqueness)
    assert.strictEqual(
      (duplicate as ScimError.Uniqueness).message,
      "A platform with id \"globex\" already exists; choose another id"
    )
    const badKey = await kit.admin.createKey("no-such-tenant", "k").catch((e: unknown) => e)
    assert.instanceOf(badKey, ScimError.ResourceNotFound)

    const created = await json(await post(kit, "https://x/scim/v2/Users", key.secret, user("new-owner@globex.example")))
    const platform = await kit.admin.transferOwnership("globex", String(created["id"]))
    assert.strictEqual(platform.ownerId._tag === "Some" ? platform.ownerId.value : undefined, created["id"])
    const missing = await kit.admin.transferOwnership("globex", "no-such-user").catch((e: unknown) => e)
    assert.instanceOf(missing, ScimError.ResourceNotFound)
    assert.strictEqual((missing as Error).message, "User \"no-such-user\" not found")
  })

  it("fetch reads a path without the base path as relative to it (a framework stripped the mount prefix)", async () => {
    const { key } = await kit.admin.createTenant({ name: "Stripped" })
    const created = await post(kit, "https://app.example/Users", key.secret, user("strip@x.example"))
    assert.strictEqual(created.status, 201)
    const id = String((await json(created))["id"])
    assert.strictEqual(created.headers.get("location"), `https://app.example/scim/v2/Users/${id}`)
    const got = await kit.fetch(new Request(`https://app.example/Users/${id}`, { headers: scimHeaders(key.secret) }))
    assert.strictEqual(got.status, 200)
    const config = await kit.fetch(
      new Request("https://app.example/ServiceProviderConfig", { headers: scimHeaders(key.secret) })
    )
    assert.strictEqual(config.status, 200)
  })

  it("fetch takes an already-parsed body from init.body", async () => {
    const { key } = await kit.admin.createTenant({ name: "Parsed" })
    const request = new Request("https://app.example/scim/v2/Users", {
      method: "POST",
      headers: { ...scimHeaders(key.secret), "content-type": "application/json" },
      body: JSON.stringify(user("parsed@x.example"))
    })
    const parsed: unknown = await request.json() // what a framework's body parser does: the stream is consumed
    const response = await kit.fetch(request, { body: parsed })
    assert.strictEqual(response.status, 201)
    assert.strictEqual((await json(response))["userName"], "parsed@x.example")
  })

  describe("node", () => {
    let secret = ""
    beforeAll(async () => {
      secret = (await kit.admin.createTenant({ name: "Node" })).key.secret
    })

    it("uses req.originalUrl when a framework stripped the prefix from req.url, and a body a parser already read", async () => {
      const server = await serve(kit, async (req) => {
        // what app.use("/scim/v2", express.json({ type: "*/*" }), scim.node) does
        req.originalUrl = req.url!
        req.url = req.url!.replace("/scim/v2", "") || "/"
        if (req.method === "POST") {
          let text = ""
          for await (const chunk of req) text += String(chunk)
          req.body = JSON.parse(text)
        }
      })
      try {
        const response = await fetch(`${server.url}/scim/v2/Users`, {
          method: "POST",
          headers: scimHeaders(secret),
          body: JSON.stringify(user("parsed-node@x.example"))
        })
        assert.strictEqual(response.status, 201)
        const body = await json(response)
        assert.strictEqual(body["userName"], "parsed-node@x.example")
        assert.strictEqual(response.headers.get("location"), `${server.url}/scim/v2/Users/${String(body["id"])}`)
        const got = await fetch(`${server.url}/scim/v2/Users/${String(body["id"])}`, { headers: scimHeaders(secret) })
        assert.strictEqual(got.status, 200)
        const head = await fetch(`${server.url}/scim/v2/Users/${String(body["id"])}`, {
          method: "HEAD",
          headers: scimHeaders(secret)
        })
        assert.strictEqual(head.status, 200)
        assert.strictEqual(await head.text(), "")
      } finally {
        await server.close()
      }
    })

    it("streams the body when req.body was set without reading it (Express 4's {} for a type it does not parse)", async () => {
      const server = await serve(kit, async (req) => {
        req.body = {}
      })
      try {
        const response = await fetch(`${server.url}/scim/v2/Users`, {
          method: "POST",
          headers: scimHeaders(secret),
          body: JSON.stringify(user("streamed@x.example"))
        })
        assert.strictEqual(response.status, 201)
      } finally {
        await server.close()
      }
    })

    it("a prefix-stripped req.url without originalUrl, a text body, and a body over the limit (413, answered)", async () => {
      const server = await serve(kit, async (req) => {
        req.url = req.url!.replace("/scim/v2", "") || "/"
        if (req.headers["x-as-text"] === "1") {
          let text = ""
          for await (const chunk of req) text += String(chunk)
          req.body = text
        }
      })
      try {
        const text = await fetch(`${server.url}/scim/v2/Users`, {
          method: "POST",
          headers: { ...scimHeaders(secret), "x-as-text": "1" },
          body: JSON.stringify(user("text@x.example"))
        })
        assert.strictEqual(text.status, 201)
        const chunk = new TextEncoder().encode("x".repeat(64 * 1024))
        let sent = 0
        const huge = new ReadableStream<Uint8Array>({
          pull(controller) {
            if (sent++ >= 64) controller.close() // 4 MiB, over the 1 MiB default
            else controller.enqueue(chunk)
          }
        })
        const tooLarge = await fetch(`${server.url}/scim/v2/Users`, {
          method: "POST",
          headers: scimHeaders(secret),
          body: huge,
          duplex: "half"
        } as RequestInit)
        assert.strictEqual(tooLarge.status, 413)
        assert.isBelow(sent, 64)
      } finally {
        await server.close()
      }
    })

    it("answers 400 for a request that is not a URL, and unauthenticated requests 401", async () => {
      const server = await serve(kit)
      try {
        const port = new URL(server.url).port
        const status = await new Promise<number>((resolve, reject) => {
          const req = Http.request(
            { host: "127.0.0.1", port, path: "/scim/v2/Users", headers: { host: "bad host" } },
            (res) => {
              res.resume()
              resolve(res.statusCode ?? 0)
            }
          )
          req.on("error", reject)
          req.end()
        })
        assert.strictEqual(status, 400)
        assert.strictEqual((await fetch(`${server.url}/scim/v2/Users`)).status, 401)
      } finally {
        await server.close()
      }
    })
  })
})

describe("ScimKit with a custom verifier", () => {
  it("serves the tenants the verifier names; a client that disconnects interrupts the request", async () => {
    let interrupted = 0
    const verifier = Layer.succeed(
      CredentialVerifier.CredentialVerifier,
      CredentialVerifier.CredentialVerifier.of({
        verify: ({ token }) =>
          token === "let-me-in"
            ? Effect.succeed(Model.PlatformId.make("host-tenant"))
            : token === "hang"
            ? Effect.never.pipe(Effect.onInterrupt(() => Effect.sync(() => interrupted++)))
            : Effect.fail(new ScimError.Unauthorized({ detail: "not one of ours" }))
      })
    )
    const kit = ScimKit.make({ store: StoreMemory.layer, verifier, basePath: "/api/scim", requestLog: false })
    try {
      await kit.admin.createTenant({ name: "Host tenant", id: "host-tenant" })
      const created = await post(kit, "https://h.example/api/scim/Users", "let-me-in", user("v@h.example"))
      assert.strictEqual(created.status, 201)
      const refused = await post(kit, "https://h.example/api/scim/Users", "nope", user("w@h.example"))
      assert.strictEqual(refused.status, 401)
      assert.strictEqual((await json(refused))["detail"], "not one of ours")

      const server = await serve(kit)
      try {
        const port = new URL(server.url).port
        const finished = new Promise<void>((resolve) => {
          const req = Http.request({
            host: "127.0.0.1",
            port,
            path: "/api/scim/Users",
            headers: { authorization: "Bearer hang" }
          })
          req.on("error", () => resolve())
          req.end()
          setTimeout(() => req.destroy(), 100)
        })
        await finished
        for (let i = 0; i < 100 && interrupted === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10))
        assert.strictEqual(interrupted, 1)
      } finally {
        await server.close()
      }
    } finally {
      await kit.dispose()
    }
  })

  it("dispose releases the store", async () => {
    let released = false
    const store = Layer.merge(
      StoreMemory.layer,
      Layer.effectDiscard(Effect.addFinalizer(() => Effect.sync(() => (released = true))))
    )
    const kit = ScimKit.make({ store, requestLog: false })
    await kit.admin.createTenant({ name: "Disposable" })
    assert.isFalse(released)
    await kit.dispose()
    assert.isTrue(released)
    const after = await kit.fetch(new Request("http://x/scim/v2/Users", { headers: { authorization: "Bearer sk-x" } }))
    assert.strictEqual(after.status, 503)
  })
})

describe("ScimKit: hooks, the change feed, webhooks, memberships", () => {
  const patchActive = (kit: ScimKit.ScimKit, url: string, secret: string, active: boolean) =>
    kit.fetch(
      new Request(url, {
        method: "PATCH",
        headers: scimHeaders(secret),
        body: JSON.stringify({
          schemas: [Schemas.PatchOpUrn],
          Operations: [{ op: "replace", path: "active", value: active }]
        })
      })
    )

  it("hooks: a before hook's veto is the response, an after hook sees the committed change", async () => {
    const deactivated: Array<string> = []
    const kit = ScimKit.make({
      store: StoreMemory.layer,
      requestLog: false,
      hooks: {
        before: {
          userDeleting: () =>
            Effect.fail(
              new ScimError.HookRejected({ status: 403, detail: "Deactivate users instead of deleting them" })
            )
        },
        after: {
          "user.deactivated": ({ after, before }) =>
            Effect.sync(() => deactivated.push(`${after.userName} ${before.active} -> ${after.active}`))
        }
      }
    })
    try {
      const { key } = await kit.admin.createTenant({ name: "Hooked", id: "hooked" })
      const created = await post(kit, "https://app.example/scim/v2/Users", key.secret, user("ada@hooked.example"))
      const url = `https://app.example/scim/v2/Users/${String((await json(created))["id"])}`
      assert.strictEqual((await patchActive(kit, url, key.secret, false)).status, 200)
      assert.deepStrictEqual(deactivated, ["ada@hooked.example true -> false"])
      const refused = await kit.fetch(new Request(url, { method: "DELETE", headers: scimHeaders(key.secret) }))
      assert.strictEqual(refused.status, 403)
      assert.strictEqual((await json(refused))["detail"], "Deactivate users instead of deleting them")
      assert.strictEqual((await kit.fetch(new Request(url, { headers: scimHeaders(key.secret) }))).status, 200)
    } finally {
      await kit.dispose()
    }
  })

  it("audit: a tenant's changes with the key and request id that made them; events follows the feed", async () => {
    const kit = ScimKit.make({ store: StoreMemory.layer })
    try {
      const { key } = await kit.admin.createTenant({ name: "Audited", id: "audited" })
      const other = await kit.admin.createTenant({ name: "Elsewhere", id: "elsewhere" })
      const created = await post(kit, "https://app.example/scim/v2/Users", key.secret, user("ada@audited.example"))
      const id = String((await json(created))["id"])
      const requestId = created.headers.get("x-request-id")
      assert.isString(requestId)
      await patchActive(kit, `https://app.example/scim/v2/Users/${id}`, key.secret, false)
      await post(kit, "https://app.example/scim/v2/Users", other.key.secret, user("bob@elsewhere.example"))

      const audit = await kit.admin.audit("audited")
      assert.deepStrictEqual(audit.map((e) => e.type), ["user.created", "user.updated", "user.deactivated"])
      assert.isTrue(audit.every((e) => e.platform === "audited" && e.resourceId === id))
      assert.deepStrictEqual(
        audit[0]!.actor,
        new ChangeEvent.Actor({ credential: Option.some(key.id), requestId: Option.some(requestId!) })
      )
      assert.deepStrictEqual(
        (await kit.admin.audit("audited", { types: ["user.deactivated"] })).map((e) => e.type),
        ["user.deactivated"]
      )
      assert.deepStrictEqual(
        (await kit.admin.audit("audited", { after: audit[0]!.position, limit: 1 })).map((e) => e.position),
        [audit[1]!.position]
      )
      const unknown = await kit.admin.audit("nobody").then(() => undefined, (error: unknown) => error)
      assert.instanceOf(unknown, ScimError.ResourceNotFound)

      const seen: Array<string> = []
      for await (const event of kit.events()) {
        seen.push(`${event.platform} ${event.type}`)
        if (seen.length === 4) break
      }
      assert.deepStrictEqual(seen, [
        "audited user.created",
        "audited user.updated",
        "audited user.deactivated",
        "elsewhere user.created"
      ])
      const audited: Array<number> = []
      for await (const event of kit.events({ platform: "audited", after: audit[0]!.position })) {
        audited.push(event.position)
        if (audited.length === 2) break
      }
      assert.deepStrictEqual(audited, [audit[1]!.position, audit[2]!.position])
    } finally {
      await kit.dispose()
    }
  })

  it("webhooks: the worker posts signed events to the receiver; deliveries lists the attempts", async () => {
    const bodies: Array<{ readonly body: string; readonly signature: string | undefined }> = []
    const receiver = Http.createServer((req, res) => {
      const chunks: Array<Buffer> = []
      req.on("data", (chunk: Buffer) => chunks.push(chunk))
      req.on("end", () => {
        const signature = req.headers["scimkit-signature"]
        bodies.push({
          body: Buffer.concat(chunks).toString("utf8"),
          signature: typeof signature === "string" ? signature : undefined
        })
        res.writeHead(200).end("ok")
      })
    })
    receiver.listen(0, "127.0.0.1")
    await once(receiver, "listening")
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/scim-events`
    const secret = Redacted.make("whsec_kit")
    const kit = ScimKit.make({
      store: StoreMemory.layer,
      requestLog: false,
      webhooks: { url, secret, pollInterval: "10 millis" }
    })
    try {
      const { key } = await kit.admin.createTenant({ name: "Hooked", id: "webhooked" })
      const created = await kit.fetch(
        new Request("https://app.example/scim/v2/Users", {
          method: "POST",
          headers: { ...scimHeaders(key.secret), "x-request-id": "req-42" },
          body: JSON.stringify(user("ada@webhooked.example"))
        })
      )
      assert.strictEqual(created.status, 201)
      const events = () =>
        bodies.flatMap(({ body }) => (JSON.parse(body) as { events: ReadonlyArray<Webhooks.EventJson> }).events)
      for (let i = 0; i < 1000 && events().length === 0; i++) {
        await new Promise((resolve) => setTimeout(resolve, 10))
      }
      const [event] = events()
      assert.strictEqual(event?.type, "user.created")
      assert.strictEqual(event?.platform, "webhooked")
      assert.deepStrictEqual(event?.actor, { credential: key.id, requestId: "req-42" })
      for (const { body, signature } of bodies) {
        assert.isTrue(await Effect.runPromise(Webhooks.verify(secret, signature, body)))
      }
      let deliveries = await kit.admin.deliveries()
      for (let i = 0; i < 1000 && !deliveries.some((d) => d.ok); i++) {
        await new Promise((resolve) => setTimeout(resolve, 10))
        deliveries = await kit.admin.deliveries()
      }
      assert.strictEqual(deliveries[0]?.endpoint, url)
      assert.deepStrictEqual(deliveries[0]?.status, Option.some(200))
      assert.isTrue(deliveries[0]?.ok)
    } finally {
      await kit.dispose()
      receiver.closeAllConnections()
      receiver.close()
    }
  })

  it("memberships: a host-managed member survives the IdP replacing the group's members", async () => {
    const kit = ScimKit.make({ store: StoreMemory.layer, requestLog: false })
    try {
      const { key } = await kit.admin.createTenant({ name: "Mixed", id: "mixed" })
      const idOf = async (response: Response) => String((await json(response))["id"])
      const ada = await idOf(
        await post(kit, "https://app.example/scim/v2/Users", key.secret, user("ada@mixed.example"))
      )
      const bob = await idOf(
        await post(kit, "https://app.example/scim/v2/Users", key.secret, user("bob@mixed.example"))
      )
      const projectId = await idOf(
        await post(kit, "https://app.example/scim/v2/Groups", key.secret, {
          schemas: [Schemas.GroupUrn],
          displayName: "Mixed team",
          members: [{ value: ada }]
        })
      )
      const added = await kit.admin.memberships.add("mixed", projectId, [{ userId: bob, role: "Admin" }])
      assert.deepStrictEqual(added.map((m) => [m.userId, m.role]), [[bob, "Admin"]])

      // Okta's push: replace members with []
      const replaced = await kit.fetch(
        new Request(`https://app.example/scim/v2/Groups/${projectId}`, {
          method: "PATCH",
          headers: scimHeaders(key.secret),
          body: JSON.stringify({
            schemas: [Schemas.PatchOpUrn],
            Operations: [{ op: "replace", path: "members", value: [] }]
          })
        })
      )
      assert.strictEqual(replaced.status, 204)
      const members = await kit.admin.memberships.list("mixed", projectId)
      assert.deepStrictEqual(members.map((m) => [m.userId, m.role, m.scim, m.host]), [[bob, "Admin", false, true]])
      assert.strictEqual((await kit.admin.memberships.setRole("mixed", projectId, bob, "Viewer")).role, "Viewer")
      assert.deepStrictEqual((await kit.admin.memberships.remove("mixed", projectId, [bob])).map((m) => m.userId), [
        bob
      ])
      assert.deepStrictEqual(await kit.admin.memberships.list("mixed", projectId), [])
      const refused = await kit.admin.memberships.add("mixed", projectId, [{ userId: bob, role: "Owner" }]).then(
        () => undefined,
        (error: unknown) => error
      )
      assert.instanceOf(refused, ScimError.InvalidValue)
    } finally {
      await kit.dispose()
    }
  })

  it("retention: the runtime prunes events older than eventRetention every pruneInterval", async () => {
    const kit = ScimKit.make({
      store: StoreMemory.layer,
      requestLog: false,
      scim: { eventRetention: Duration.millis(1) },
      pruneInterval: "20 millis"
    })
    try {
      const { key } = await kit.admin.createTenant({ name: "Forgetful", id: "forgetful" })
      await post(kit, "https://app.example/scim/v2/Users", key.secret, user("ada@forgetful.example"))
      let audit = await kit.admin.audit("forgetful")
      for (let i = 0; i < 500 && audit.length > 0; i++) {
        await new Promise((resolve) => setTimeout(resolve, 10))
        audit = await kit.admin.audit("forgetful")
      }
      assert.deepStrictEqual(audit, [])
    } finally {
      await kit.dispose()
    }
  })
})
