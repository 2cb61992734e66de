/**
 * The Express recipe as a newcomer runs it (`pnpm start`): SCIM under /scim/v2 (a mount Express
 * strips from `req.url`) answers Microsoft Entra ID's provisioning sequence beside a global
 * `express.json()`, and the app's own route still answers. With `SCIMKIT_TEST_DATABASE_URL` the app
 * runs a second time on that Postgres server (`DATABASE_URL`).
 */
import * as PgClient from "@effect/sql-pg/PgClient"
import { AppProcess, Databases, Sequences } from "@scimkit/testkit"
import * as Redacted from "effect/Redacted"
import { fileURLToPath } from "node:url"
import { afterAll, assert, beforeAll, describe, it } from "vitest"

/** The example's folder (the app's working directory). */
const exampleDir = fileURLToPath(new URL("../", import.meta.url))

/** The command line of the `start` script. */
const command = [process.execPath, "--conditions=@scimkit/source", "--import", "tsx", "src/main.ts"]

const recipe = (env: () => Record<string, string>) => {
  let app: AppProcess.AppProcess & { readonly token: string }
  beforeAll(async () => {
    app = await AppProcess.start({
      command,
      cwd: exampleDir,
      env: env(),
      freshDir: "DATA_DIR",
      requireToken: true,
      processGroup: true
    })
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
// Runs only where a Postgres server is configured (SCIMKIT_TEST_DATABASE_URL; CI sets it when Postgres
// answers): without one the embedded-SQLite run above is the whole check.
describe.runIf(serverUrl !== undefined && serverUrl !== "")("examples/express (DATABASE_URL)", () => {
  let database: Databases.Database
  beforeAll(async () => {
    database = await Databases.fresh(
      serverUrl!,
      (url) => PgClient.layer({ url: Redacted.make(url), maxConnections: 1 }),
      "scimkit_example"
    )
  })
  afterAll(() => database?.drop())
  recipe(() => ({ DATABASE_URL: database.url }))
})
