/**
 * examples/bun started as `pnpm start` does, on the embedded SQLite store and (when
 * SCIMKIT_TEST_DATABASE_URL names a server) on Postgres: its own route, Entra's sequence, and the
 * data kept across a restart.
 */
import { Sequences } from "@scimkit/testkit"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { afterEach, describe, expect, it } from "vitest"
import { type Server, start, withDatabase } from "./support/Server.js"

const running = new Set<Server>()
afterEach(async () => {
  await Promise.all([...running].map((server) => server.stop()))
  running.clear()
})

const run = async (env: Record<string, string>): Promise<Server> => {
  const server = await start(env)
  running.add(server)
  return server
}

const stop = async (server: Server): Promise<void> => {
  running.delete(server)
  expect(await server.stop(), server.output()).toBe(0)
}

const scimHeaders = (token: string) => ({ authorization: `Bearer ${token}`, "content-type": "application/scim+json" })

/**
 * First start (creates the tenant, prints its token), GET /health, Entra's sequence, one user that
 * stays; then a restart on the same store: no new tenant, the same token, the user still there.
 * `exclusive`: a second server on the same store is refused while the first runs (the SQLite lock).
 */
const firstAndSecondStart = async (env: Record<string, string>, exclusive: boolean): Promise<void> => {
  const first = await run(env)
  const token = first.token
  expect(token, first.output()).toBeDefined()
  if (token === undefined) return
  if (exclusive) await expect(run(env)).rejects.toThrow(/in use by process/)

  const health = await fetch(`${first.origin}/health`)
  expect(health.status).toBe(200)
  expect(await health.json()).toEqual({ ok: true })
  expect((await fetch(`${first.origin}/elsewhere`)).status).toBe(404)

  await Sequences.entra({ baseUrl: `${first.origin}/scim/v2`, token })

  const userName = `kept-${Date.now()}@example.com`
  const created = await fetch(`${first.origin}/scim/v2/Users`, {
    method: "POST",
    headers: scimHeaders(token),
    body: JSON.stringify({ schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], userName })
  })
  expect(created.status).toBe(201)
  const { id } = (await created.json()) as { readonly id: string }
  await stop(first)

  const second = await run(env)
  expect(second.token, "a restart creates no second tenant").toBeUndefined()
  const read = await fetch(`${second.origin}/scim/v2/Users/${id}`, { headers: scimHeaders(token) })
  expect(read.status).toBe(200)
  expect(((await read.json()) as { readonly userName: string }).userName).toBe(userName)
  await stop(second)
}

describe("examples/bun", () => {
  it("serves SCIM on the embedded SQLite store and keeps its data across a restart", async () => {
    const dataDir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "scimkit-bun-"))
    try {
      await firstAndSecondStart({ DATA_DIR: dataDir }, true)
      // a clean stop releases the store's lock
      expect(Fs.readdirSync(dataDir)).not.toContain("scim.db.lock")
    } finally {
      Fs.rmSync(dataDir, { recursive: true, force: true })
    }
  })

  const serverUrl = process.env["SCIMKIT_TEST_DATABASE_URL"]
  // Skipped only on a machine without a Postgres server (SCIMKIT_TEST_DATABASE_URL unset): the
  // embedded-store test above covers the runtime there; CI sets the variable when Postgres answers.
  it.skipIf(serverUrl === undefined)("serves SCIM on Postgres (DATABASE_URL)", async () => {
    await withDatabase(serverUrl!, (url) => firstAndSecondStart({ DATABASE_URL: url }, false))
  })
})
