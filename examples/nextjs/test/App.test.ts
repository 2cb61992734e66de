/**
 * The Next.js recipe as a newcomer runs it (`pnpm dev`): the app-router route handler under
 * /scim/v2 answers Microsoft Entra ID's provisioning sequence, and the app's own route still
 * answers beside it. With `SCIMKIT_TEST_DATABASE_URL` the app runs a second time on that Postgres
 * server (`DATABASE_URL`).
 */
import * as PgClient from "@effect/sql-pg/PgClient"
import { AppProcess, Databases, Sequences } from "@scimkit/testkit"
import * as Redacted from "effect/Redacted"
import { createRequire } from "node:module"
import * as Net from "node:net"
import { fileURLToPath } from "node:url"
import { afterAll, assert, beforeAll, describe, it } from "vitest"

/** The example's folder (the app's working directory). */
const exampleDir = fileURLToPath(new URL("../", import.meta.url))

/** A port nothing listens on now (`next dev` needs a number: it prints what it was given). */
const freePort = () =>
  new Promise<number>((resolve) => {
    const server = Net.createServer().listen(0, "127.0.0.1", () => {
      const address = server.address()
      server.close(() => resolve(typeof address === "object" && address !== null ? address.port : 0))
    })
  })

const recipe = (env: () => Record<string, string>) => {
  let app: AppProcess.AppProcess & { readonly token: string }
  beforeAll(async () => {
    const next = createRequire(`${exampleDir}package.json`).resolve("next/dist/bin/next")
    app = await AppProcess.start({
      // `pnpm dev`
      command: [process.execPath, next, "dev"],
      cwd: exampleDir,
      env: { PORT: String(await freePort()), NEXT_TELEMETRY_DISABLED: "1", ...env() },
      freshDir: "DATA_DIR",
      ready: /Local:\s+(http:\/\/\S+)/,
      requireToken: true,
      timeoutMs: 120_000,
      // next dev starts workers: stopping the group stops them too
      processGroup: true
    })
  }, 150_000)
  afterAll(() => app?.stop())

  it("answers Entra ID's sequence under /scim/v2", async () => {
    await Sequences.entra({ baseUrl: `${app.url}/scim/v2`, token: app.token })
  })

  it("reads an application/json body too", async () => {
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

describe("examples/nextjs (embedded SQLite)", () => recipe(() => ({})))

const serverUrl = process.env.SCIMKIT_TEST_DATABASE_URL
// Runs only where a Postgres server is configured (SCIMKIT_TEST_DATABASE_URL; CI sets it when Postgres
// answers): without one the embedded-SQLite run above is the whole check.
describe.runIf(serverUrl !== undefined && serverUrl !== "")("examples/nextjs (DATABASE_URL)", () => {
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
