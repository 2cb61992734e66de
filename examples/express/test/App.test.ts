/**
 * The Express recipe as a newcomer runs it (`pnpm start`): SCIM under /scim/v2 (a mount Express
 * strips from `req.url`) answers Microsoft Entra ID's provisioning sequence beside a global
 * `express.json()`, and the app's own route still answers. With `SCIMKIT_TEST_DATABASE_URL` the app
 * runs a second time on that Postgres server (`DATABASE_URL`).
 */
import { Sequences } from "@scimkit/testkit"
import { afterAll, assert, beforeAll, describe, it } from "vitest"
import { type App, start } from "./support/App.js"
import { freshSchema, type Schema } from "./support/Postgres.js"

/** The command line of the `start` script. */
const command = [process.execPath, "--conditions=@scimkit/source", "--import", "tsx", "src/main.ts"]

const recipe = (env: () => Record<string, string>) => {
  let app: App
  beforeAll(async () => {
    app = await start({ command, env: env() })
  })
  afterAll(() => app?.stop())

  it("answers Entra ID's sequence under /scim/v2", async () => {
    await Sequences.entra({ baseUrl: `${app.url}/scim/v2`, token: app.token })
  })

  it("reads an application/json body its JSON parser already read", async () => {
    const created = await fetch(`${app.url}/scim/v2/Users`, {
      method: "POST",
      headers: { authorization: `Bearer ${app.token}`, "content-type": "application/json" },
      body: JSON.stringify({ userName: "json@example.com" })
    })
    assert.strictEqual(created.status, 201, await created.clone().text())
    const { id } = await created.json() as { id: string }
    const deleted = await fetch(`${app.url}/scim/v2/Users/${id}`, {
      method: "DELETE",
      headers: { authorization: `Bearer ${app.token}` }
    })
    assert.strictEqual(deleted.status, 204)
  })

  it("keeps its own route", async () => {
    const response = await fetch(`${app.url}/health`)
    assert.strictEqual(response.status, 200)
    assert.deepStrictEqual(await response.json(), { ok: true })
  })
}

describe("examples/express (embedded SQLite)", () => recipe(() => ({})))

const serverUrl = process.env.SCIMKIT_TEST_DATABASE_URL
describe.runIf(serverUrl !== undefined && serverUrl !== "")("examples/express (DATABASE_URL)", () => {
  let schema: Schema
  beforeAll(async () => {
    schema = await freshSchema(serverUrl!)
  })
  afterAll(() => schema?.drop())
  recipe(() => ({ DATABASE_URL: schema.url }))
})
