/**
 * The Hono recipe as a newcomer runs it (`pnpm start`): SCIM under /scim/v2 answers Microsoft
 * Entra ID's provisioning sequence, and the app's own route still answers beside it.
 */
import { AppProcess, Sequences } from "@scimkit/testkit"
import { fileURLToPath } from "node:url"
import { afterAll, assert, beforeAll, describe, it } from "vitest"

/** The example's folder (the app's working directory). */
const exampleDir = fileURLToPath(new URL("../", import.meta.url))

describe("examples/hono", () => {
  let app: AppProcess.AppProcess & { readonly token: string }
  beforeAll(async () => {
    app = await AppProcess.start({
      // the command line of the `start` script
      command: [process.execPath, "--conditions=@scimkit/source", "--import", "tsx", "src/main.ts"],
      cwd: exampleDir,
      freshDir: "DATA_DIR",
      requireToken: true,
      processGroup: true
    })
  })
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
})
