/**
 * The health endpoints of the real server: `/healthz` and `/readyz` outside the SCIM base path and
 * without a key; readiness 503 as soon as a graceful shutdown starts (SIGTERM), while the server
 * still serves for `SCIMKIT_DRAIN_SECONDS`, and 503 while the Postgres server cannot be reached
 * (through a TCP proxy the test cuts), 200 again once it can.
 */
import { assert, describe, it } from "@effect/vitest"
import { TcpProxy } from "@scimkit/testkit"
import * as Effect from "effect/Effect"
import * as Path from "node:path"
import { freshDatabase } from "./support/Database.js"
import { eventually, getPlain, makeKey, originOf, running, startServer, tempDir } from "./support/Harness.js"

const json = (text: string): unknown => JSON.parse(text)

describe("health endpoints", () => {
  it.live(
    "answer without a key outside the base path; readiness is 503 from the start of a graceful shutdown",
    () =>
      Effect.gen(function*() {
        const { scim, server } = yield* running({ SCIMKIT_DRAIN_SECONDS: "4" })
        const origin = originOf(server)

        const live = yield* getPlain(`${origin}/healthz`)
        assert.strictEqual(live.status, 200)
        assert.deepStrictEqual(json(live.text), { status: "ok" })
        const ready = yield* getPlain(`${origin}/readyz`)
        assert.strictEqual(ready.status, 200, ready.text)
        assert.deepStrictEqual(json(ready.text), { status: "ready", checks: { shutdown: "no", store: "ok" } })
        // not below the SCIM base path, and probes are not request-logged
        assert.strictEqual((yield* scim.get("/healthz")).status, 404)
        assert.notInclude(server.stdout(), "/readyz")

        // SIGTERM: readiness turns 503 at once, while the server keeps serving for the drain period
        process.kill(server.pid, "SIGTERM")
        const draining = yield* eventually(getPlain(`${origin}/readyz`), (reply) => reply.status === 503)
        assert.deepStrictEqual(json(draining.text), {
          status: "unavailable",
          reason: "shutting down",
          checks: { shutdown: "draining" }
        })
        assert.strictEqual((yield* getPlain(`${origin}/healthz`)).status, 200)
        const served = yield* scim.get("/Users")
        assert.strictEqual(served.status, 200, served.text)
        assert.include(server.stdout(), "Draining: /readyz answers 503; still serving for 4s")

        const exited = yield* server.exited
        assert.strictEqual(exited.code, 0, server.stderr())
        assert.include(server.stdout(), "Stopped")
      }),
    { timeout: 60_000 }
  )

  it.live(
    "readiness is 503 while the Postgres server cannot be reached and 200 once it can",
    () =>
      Effect.gen(function*() {
        const database = new URL(yield* freshDatabase)
        const proxy = yield* TcpProxy.make(TcpProxy.targetOf(database.href))
        const server = yield* startServer({
          DATABASE_URL: proxy.url(database.href),
          SCIMKIT_DATA_DIR: Path.join(yield* tempDir("unused"), "data"),
          SCIMKIT_BOOTSTRAP_KEY: makeKey()
        })
        const readyz = `${originOf(server)}/readyz`
        assert.strictEqual((yield* getPlain(readyz)).status, 200)

        yield* proxy.cut
        const down = yield* eventually(getPlain(readyz), (reply) => reply.status === 503)
        const body = json(down.text)
        assert.deepInclude(body, { status: "unavailable" })
        assert.match(JSON.stringify(body), /"store":"(failed|timed out)"/)
        // the answer names the check, never the store's address
        assert.notInclude(down.text, String(proxy.port))
        assert.strictEqual((yield* getPlain(`${originOf(server)}/healthz`)).status, 200)
        assert.include(server.stdout(), "Not ready: store")

        yield* proxy.restore
        yield* eventually(getPlain(readyz), (reply) => reply.status === 200, { within: "30 seconds" })
        assert.include(server.stdout(), "Ready again")
        const stopped = yield* server.stop("SIGTERM")
        assert.strictEqual(stopped.code, 0, server.stderr())
      }),
    { timeout: 90_000 }
  )
})
