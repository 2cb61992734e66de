/**
 * What the real server writes to its logs, captured while requests carry API keys, bodies and
 * personal data: the per-request line keeps the request id; with `SCIMKIT_LOG_MASK_PII=true` no
 * userName, email, name or displayName appears in any line (request lines, the quirk debug lines,
 * the first-start banner's owner); API keys and bodies never appear, masked or not.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { type Client, client, emptyDataDir, makeKey, startServer, str } from "./support/Harness.js"

const UserSchema = "urn:ietf:params:scim:schemas:core:2.0:User"
const PatchSchema = "urn:ietf:params:scim:api:messages:2.0:PatchOp"

const person = {
  userName: "patricia.examplesson@acme.example",
  givenName: "Patricia",
  familyName: "Examplesson",
  displayName: "Patty Examplesson",
  email: "patty.private@home.example"
}
/** A value only a request body holds: if it is in a log line, a body was logged. */
const bodyMarker = "BodyOnlyMarker7f3a"

/** Requests carrying keys, bodies and personal data, successful and failing, each with its request id. */
const drive = (scim: Client, wrongKey: string) =>
  Effect.gen(function*() {
    const created = yield* scim.post("/Users", {
      schemas: [UserSchema],
      userName: person.userName,
      name: { givenName: person.givenName, familyName: person.familyName },
      displayName: person.displayName,
      nickName: bodyMarker,
      emails: [{ value: person.email, primary: true }]
    }, { headers: { "x-request-id": "log-create" } })
    assert.strictEqual(created.status, 201, created.text)
    const id = str(created.body, "id")
    const filter = encodeURIComponent(`userName eq "${person.userName}"`)
    assert.strictEqual(
      (yield* scim.get(`/Users?filter=${filter}`, { headers: { "x-request-id": "log-filter" } })).status,
      200
    )
    // a path that holds personal data: the request line shows the path
    assert.strictEqual(
      (yield* scim.get(`/Users/${encodeURIComponent(person.email)}`, { headers: { "x-request-id": "log-path" } }))
        .status,
      404
    )
    // Entra-style PATCH: two quirks, logged at debug level
    const patched = yield* scim.patch(`/Users/${id}`, {
      schemas: [PatchSchema],
      Operations: [{ op: "Replace", path: "displayName", value: `${person.displayName} ${bodyMarker}` }]
    }, { headers: { "x-request-id": "log-quirk" } })
    assert.strictEqual(patched.status, 200, patched.text)
    // a refused key and a refused body
    assert.strictEqual(
      (yield* scim.get("/Users", { token: wrongKey, headers: { "x-request-id": "log-401" } })).status,
      401
    )
    const invalid = yield* scim.post("/Users", {
      schemas: [UserSchema],
      userName: person.userName,
      name: bodyMarker,
      active: "perhaps"
    }, { headers: { "x-request-id": "log-400" } })
    assert.strictEqual(invalid.status, 400, invalid.text)
  })

describe("logs", () => {
  it.live(
    "with SCIMKIT_LOG_MASK_PII=true no personal data, key or body reaches any line",
    () =>
      Effect.gen(function*() {
        const key = makeKey()
        const wrongKey = makeKey()
        const server = yield* startServer({
          SCIMKIT_DATA_DIR: yield* emptyDataDir,
          SCIMKIT_BOOTSTRAP_KEY: key,
          SCIMKIT_LOG_MASK_PII: "true",
          SCIMKIT_LOG_LEVEL: "debug",
          SCIMKIT_OWNER_EMAIL: "owner.person@acme.example"
        })
        yield* drive(client(server.baseUrl, key), wrongKey)
        const stopped = yield* server.stop("SIGTERM")
        assert.strictEqual(stopped.code, 0, server.stderr())
        const output = `${server.stdout()}\n${server.stderr()}`

        for (const value of [...Object.values(person), "owner.person"]) assert.notInclude(output, value)
        for (const secret of [key, wrongKey, key.slice(3), wrongKey.slice(3)]) assert.notInclude(output, secret)
        assert.notInclude(output, bodyMarker)
        // the request lines are there, each with its request id, the email in the path masked
        for (const id of ["log-create", "log-filter", "log-quirk", "log-401", "log-400"]) {
          assert.match(output, new RegExp(`(GET|POST|PATCH) /api/v1/scim/v2/Users\\S* \\d{3} [\\d.]+ms ${id}`))
        }
        assert.match(output, /GET \/api\/v1\/scim\/v2\/Users\/\*\*\*%40home\.example 404 [\d.]+ms log-path/)
        // the quirk line (debug) is written, without the person
        assert.match(output, /accepted non-RFC request forms.*requestId=log-quirk/)
        assert.include(output, "the platform owner is ***@acme.example")
      }),
    { timeout: 60_000 }
  )

  it.live(
    "unmasked, personal data in a path is shown, but keys and bodies still never are",
    () =>
      Effect.gen(function*() {
        const key = makeKey()
        const wrongKey = makeKey()
        const server = yield* startServer({
          SCIMKIT_DATA_DIR: yield* emptyDataDir,
          SCIMKIT_BOOTSTRAP_KEY: key,
          SCIMKIT_LOG_LEVEL: "debug"
        })
        yield* drive(client(server.baseUrl, key), wrongKey)
        yield* server.stop("SIGTERM")
        const output = `${server.stdout()}\n${server.stderr()}`
        assert.include(output, `/Users/${encodeURIComponent(person.email)} 404`)
        for (const secret of [key, wrongKey, key.slice(3), wrongKey.slice(3)]) assert.notInclude(output, secret)
        assert.notInclude(output, bodyMarker)
        // filters carry personal data: the query string is never logged
        assert.notInclude(output, person.userName)
      }),
    { timeout: 60_000 }
  )
})
