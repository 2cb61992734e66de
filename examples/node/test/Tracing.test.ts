/**
 * OpenTelemetry traces of the real server, on through the standard `OTEL_*` variables, received by
 * an OTLP/HTTP collector the test runs on loopback: the request's server span (named after the
 * route template), the service call and the store statements all carry the request id, in one
 * trace, under the configured service name; with OTLP's default protocol (protobuf) as well.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import * as Http from "node:http"
import { eventually, running, str } from "./support/Harness.js"

interface Received {
  readonly path: string
  readonly contentType: string
  readonly body: Buffer
}

/** An OTLP/HTTP receiver on loopback that keeps every POST, open for the scope. */
const collector: Effect.Effect<
  { readonly endpoint: string; readonly received: ReadonlyArray<Received> },
  never,
  Scope.Scope
> = Effect.gen(function*() {
  const received: Array<Received> = []
  const server = Http.createServer((request, response) => {
    const chunks: Array<Buffer> = []
    request.on("data", (chunk: Buffer) => chunks.push(chunk))
    request.on("end", () => {
      received.push({
        path: request.url ?? "",
        contentType: request.headers["content-type"] ?? "",
        body: Buffer.concat(chunks)
      })
      response.writeHead(200, { "content-type": "application/json" }).end("{}")
    })
  })
  const port = yield* Effect.acquireRelease(
    Effect.callback<number>((resume) => {
      server.listen(0, "127.0.0.1", () => {
        const address = server.address()
        resume(Effect.succeed(typeof address === "object" && address !== null ? address.port : 0))
      })
    }),
    () => Effect.callback<void>((resume) => void server.close(() => resume(Effect.void)))
  )
  return { endpoint: `http://127.0.0.1:${port}`, received }
})

interface Span {
  readonly traceId: string
  readonly name: string
  readonly kind: number
  readonly attributes: Readonly<Record<string, unknown>>
  readonly service: string
}

type OtlpValue = { readonly stringValue?: string; readonly intValue?: string | number; readonly boolValue?: boolean }
type OtlpAttribute = { readonly key: string; readonly value: OtlpValue }
interface OtlpJson {
  readonly resourceSpans: ReadonlyArray<{
    readonly resource: { readonly attributes: ReadonlyArray<OtlpAttribute> }
    readonly scopeSpans: ReadonlyArray<{
      readonly spans: ReadonlyArray<{
        readonly traceId: string
        readonly name: string
        readonly kind: number
        readonly attributes: ReadonlyArray<OtlpAttribute>
      }>
    }>
  }>
}

const attributes = (list: ReadonlyArray<OtlpAttribute>): Record<string, unknown> =>
  Object.fromEntries(list.map(({ key, value }) => [key, value.stringValue ?? value.intValue ?? value.boolValue]))

/** The spans of every OTLP/JSON export received. */
const spansOf = (received: ReadonlyArray<Received>): ReadonlyArray<Span> =>
  received.filter((r) => r.path === "/v1/traces").flatMap((r) => {
    const export_ = JSON.parse(r.body.toString("utf8")) as OtlpJson
    return export_.resourceSpans.flatMap((resource) => {
      const service = String(attributes(resource.resource.attributes)["service.name"])
      return resource.scopeSpans.flatMap((scope) =>
        scope.spans.map((span) => ({
          traceId: span.traceId,
          name: span.name,
          kind: span.kind,
          attributes: attributes(span.attributes),
          service
        }))
      )
    })
  })

const UserSchema = "urn:ietf:params:scim:schemas:core:2.0:User"
// OTLP's span kinds
const SERVER = 2

describe("traces", () => {
  it.live(
    "a request's server span, service span and store spans carry its request id, in one trace",
    () =>
      Effect.gen(function*() {
        const otlp = yield* collector
        const { scim, server } = yield* running({
          OTEL_EXPORTER_OTLP_ENDPOINT: otlp.endpoint,
          OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
          OTEL_SERVICE_NAME: "scimkit-e2e",
          OTEL_BSP_SCHEDULE_DELAY: "100"
        })
        assert.include(server.stdout(), `Tracing: OTLP http/json to ${otlp.endpoint}/v1/traces (service scimkit-e2e)`)
        const created = yield* scim.post("/Users", { schemas: [UserSchema], userName: "traced@example.com" })
        assert.strictEqual(created.status, 201, created.text)
        const reply = yield* scim.get(`/Users/${str(created.body, "id")}`, {
          headers: { "x-request-id": "trace-e2e-1" }
        })
        assert.strictEqual(reply.status, 200)

        const ofRequest = (spans: ReadonlyArray<Span>) =>
          spans.filter((span) => span.attributes["scimkit.request_id"] === "trace-e2e-1")
        const spans = ofRequest(
          yield* eventually(
            Effect.sync(() => spansOf(otlp.received)),
            (all) => ofRequest(all).some((span) => span.kind === SERVER)
          )
        )
        const request = spans.find((span) => span.kind === SERVER)!
        assert.strictEqual(request.name, "GET /Users/{id}")
        assert.strictEqual(request.attributes["http.response.status_code"], 200)
        assert.strictEqual(request.service, "scimkit-e2e")
        assert.isDefined(spans.find((span) => span.name === "Users.get"), JSON.stringify(spans.map((s) => s.name)))
        const statements = spans.filter((span) => span.attributes["db.system.name"] === "sqlite")
        assert.isAbove(statements.length, 0)
        // statements carry their SQL text, never its parameters
        for (const statement of statements) {
          assert.notInclude(JSON.stringify(statement.attributes), "traced@example.com")
        }
        assert.deepStrictEqual(
          new Set(spans.map((span) => span.traceId)).size,
          1
        )
      }),
    { timeout: 60_000 }
  )

  it.live(
    "exports with OTLP's default protocol, protobuf, and off without OTEL_* variables",
    () =>
      Effect.gen(function*() {
        const otlp = yield* collector
        const { scim, server } = yield* running({
          OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${otlp.endpoint}/custom/traces`,
          OTEL_BSP_SCHEDULE_DELAY: "100"
        })
        assert.include(server.stdout(), "Tracing: OTLP http/protobuf")
        assert.strictEqual((yield* scim.get("/Users", { headers: { "x-request-id": "trace-e2e-proto" } })).status, 200)
        const exported = yield* eventually(
          Effect.sync(() => otlp.received.filter((r) => r.path === "/custom/traces")),
          (found) => found.some((r) => r.body.includes("trace-e2e-proto"))
        )
        assert.strictEqual(exported[0]!.contentType, "application/x-protobuf")
        // protobuf keeps strings as they are: the span name and the request id are in the bytes
        assert.isTrue(exported.some((r) => r.body.includes("GET /Users") && r.body.includes("Users.list")))

        const quiet = yield* running()
        assert.notInclude(quiet.server.stdout(), "Tracing:")
      }),
    { timeout: 60_000 }
  )
})
