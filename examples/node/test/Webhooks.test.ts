/**
 * Signed webhooks of the real server, configured from the environment (`SCIMKIT_WEBHOOK_URL`,
 * `SCIMKIT_WEBHOOK_SECRET`, `SCIMKIT_WEBHOOK_BATCH_SIZE`): a receiver on loopback gets the change
 * feed's events, signed so that `Webhooks.verify` accepts them with the secret (and refuses them
 * with another). The receiver fails the first delivery; the batch comes again with the same
 * idempotency key. A URL without a secret stops start-up naming the variable.
 */
import { assert, describe, it } from "@effect/vitest"
import { Webhooks } from "@scimkit/http"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import * as Http from "node:http"
import { arr, at, emptyDataDir, eventually, running, runServerToExit } from "./support/Harness.js"

interface Delivery {
  readonly status: number
  readonly headers: Http.IncomingHttpHeaders
  readonly body: string
}

/** A webhook receiver on loopback answering 500 to the first POST and 204 after; open for the scope. */
const receiver: Effect.Effect<
  { readonly url: string; readonly deliveries: ReadonlyArray<Delivery> },
  never,
  Scope.Scope
> = Effect.gen(function*() {
  const deliveries: Array<Delivery> = []
  const server = Http.createServer((request, response) => {
    let body = ""
    request.setEncoding("utf8").on("data", (chunk: string) => {
      body += chunk
    })
    request.on("end", () => {
      const status = deliveries.length === 0 ? 500 : 204
      deliveries.push({ status, headers: request.headers, body })
      response.writeHead(status).end()
    })
  })
  const port = yield* Effect.acquireRelease(
    Effect.callback<number>((resume) => {
      server.listen(0, "127.0.0.1", () => {
        const address = server.address()
        resume(Effect.succeed(typeof address === "object" && address !== null ? address.port : 0))
      })
    }),
    () =>
      Effect.callback<void>((resume) => {
        server.closeAllConnections()
        server.close(() => resume(Effect.void))
      })
  )
  return { url: `http://127.0.0.1:${port}/scim-events`, deliveries }
})

const secret = "whsec-0123456789abcdef0123456789abcdef"
const UserSchema = "urn:ietf:params:scim:schemas:core:2.0:User"

describe("webhooks from the environment", () => {
  it.live(
    "post the change feed's events to SCIMKIT_WEBHOOK_URL, signed with SCIMKIT_WEBHOOK_SECRET",
    () =>
      Effect.gen(function*() {
        const hook = yield* receiver
        const { scim, server } = yield* running({
          SCIMKIT_WEBHOOK_URL: hook.url,
          SCIMKIT_WEBHOOK_SECRET: secret,
          SCIMKIT_WEBHOOK_BATCH_SIZE: "10"
        })
        assert.include(server.stdout(), "Webhooks: posting change-feed events to http://127.0.0.1:")
        const created = yield* scim.post("/Users", { schemas: [UserSchema], userName: "hooked@example.com" }, {
          headers: { "x-request-id": "hook-create" }
        })
        assert.strictEqual(created.status, 201, created.text)

        const isCreation = (delivery: Delivery) =>
          arr(JSON.parse(delivery.body), "events").some((event) =>
            at(event, "type") === "user.created" && at(event, "actor.requestId") === "hook-create"
          )
        const deliveries = yield* eventually(
          Effect.sync(() => hook.deliveries),
          (all) => all.some((delivery) => delivery.status === 204 && isCreation(delivery)),
          { within: "30 seconds" }
        )
        const [failed, ...rest] = deliveries
        const accepted = rest.find((delivery) => delivery.status === 204)!
        // the batch refused first came again, with the same idempotency key
        assert.strictEqual(failed!.status, 500)
        assert.strictEqual(
          accepted.headers[Webhooks.idempotencyKeyHeader],
          failed!.headers[Webhooks.idempotencyKeyHeader]
        )
        assert.isTrue(arr(JSON.parse(accepted.body), "events").length <= 10)
        const signature = accepted.headers[Webhooks.signatureHeader]
        assert.isString(signature)
        assert.isTrue(yield* Webhooks.verify(secret, String(signature), accepted.body))
        assert.isFalse(yield* Webhooks.verify("whsec-another-secret-0123456789", String(signature), accepted.body))
        // the secret is never printed
        assert.notInclude(server.stdout() + server.stderr(), secret)
      }),
    { timeout: 60_000 }
  )

  it.live("a webhook URL without a secret stops start-up naming the variable", () =>
    Effect.gen(function*() {
      const result = yield* runServerToExit({
        SCIMKIT_DATA_DIR: yield* emptyDataDir,
        SCIMKIT_WEBHOOK_URL: "https://hooks.example.com/scim"
      })
      assert.strictEqual(result.code, 1)
      assert.include(result.stderr, "SCIMKIT_WEBHOOK_SECRET must be set with SCIMKIT_WEBHOOK_URL")
    }), { timeout: 60_000 })
})
