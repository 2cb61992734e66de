/**
 * The `floor` server of `pnpm bench http`: the stock Effect 4 Node server (`@effect/platform-node`
 * NodeHttpServer serving a plain `HttpServerResponse` effect, no router, no request log) answering
 * the fixed User document after the bearer check, reading the body of POST/PATCH. It is what any
 * Effect HTTP app pays before doing any work: the floor of scimkit's own cost.
 */
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as HttpServer from "effect/http/HttpServer"
import * as HttpServerRequest from "effect/http/HttpServerRequest"
import * as HttpServerResponse from "effect/http/HttpServerResponse"
import { createServer } from "node:http"
import { benchKey, benchPort, contentType, fixedUser } from "./fixed.js"

const expected = `Bearer ${benchKey()}`
const unauthorized = JSON.stringify({ schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"], status: "401" })

const app = Effect.gen(function*() {
  const request = yield* HttpServerRequest.HttpServerRequest
  if (request.headers["authorization"] !== expected) {
    return HttpServerResponse.text(unauthorized, { status: 401, contentType })
  }
  if (request.method === "GET" || request.method === "HEAD") {
    return HttpServerResponse.text(fixedUser, { status: 200, contentType })
  }
  yield* request.text
  return HttpServerResponse.text(fixedUser, { status: request.method === "POST" ? 201 : 200, contentType })
}).pipe(Effect.orElseSucceed(() => HttpServerResponse.empty({ status: 400 })))

const main = HttpServer.serve(app).pipe(
  Layer.provide(NodeHttpServer.layer(() => createServer({ keepAliveTimeout: 60_000 }), { port: benchPort() })),
  Layer.tap(() => Effect.sync(() => console.log(`floor listening on ${benchPort()}`)))
)

NodeRuntime.runMain(Layer.launch(main))
