import { assert, describe, it } from "@effect/vitest"
import { ScimKit } from "@scimkit/http"
import { StoreMemory } from "@scimkit/store-memory"
import { AssertionError } from "node:assert"
import { afterAll } from "vitest"
import { Sequences } from "../src/index.js"

/** scimkit mounted at /scim/v2 on an in-memory store, with one tenant and its key. */
const scim = ScimKit.make({ store: StoreMemory.layer, requestLog: false })
const tenant = scim.admin.createTenant({ name: "Sequences" })
const handler = (request: Request) => scim.fetch(request)

afterAll(() => scim.dispose())

const rejection = async (run: Promise<void>): Promise<AssertionError> => {
  try {
    await run
  } catch (error) {
    assert.instanceOf(error, AssertionError)
    return error as AssertionError
  }
  throw new Error("the sequence passed")
}

describe("Sequences.entra", () => {
  it("passes against scimkit, and again on the same tenant", async () => {
    const { key } = await tenant
    await Sequences.entra({ baseUrl: "http://app.test/scim/v2", token: key.secret, fetch: handler })
    await Sequences.entra({ baseUrl: "http://app.test/scim/v2/", token: key.secret, fetch: handler })
  })

  it("rejects on the first wrong answer, naming the request and what came back", async () => {
    const error = await rejection(
      Sequences.entra({ baseUrl: "http://app.test/scim/v2", token: "sk-not-a-key", fetch: handler })
    )
    assert.include(error.message, "POST /Users answered 401")
  })

  it("rejects a server whose meta.location is not under the Tenant URL (a mount prefix lost)", async () => {
    const { key } = await tenant
    // the app sees /scim/v2/... but the IdP was given /api/scim/v2: locations would point nowhere
    const stripped = (request: Request) =>
      handler(new Request(request.url.replace("/api/scim/v2", "/scim/v2"), request))
    const error = await rejection(
      Sequences.entra({ baseUrl: "http://app.test/api/scim/v2", token: key.secret, fetch: stripped })
    )
    assert.include(error.message, "meta.location")
  })

  it("rejects a server that ignores Entra's string boolean", async () => {
    const { key } = await tenant
    // a PATCH that changes nothing: the answer still says active true
    const ignoresPatch = async (request: Request) =>
      request.method === "PATCH" ? handler(new Request(request.url, { headers: request.headers })) : handler(request)
    const error = await rejection(
      Sequences.entra({ baseUrl: "http://app.test/scim/v2", token: key.secret, fetch: ignoresPatch })
    )
    assert.include(error.message, "expected active = false")
  })
})
