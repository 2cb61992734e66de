/**
 * `pnpm scimkit audit`: the platform's audit log, read while the server runs on the embedded
 * store: who changed what, when, through which key and request; filtered by type, paged with
 * `--after`/`--limit`; usage errors; and `SCIMKIT_EVENT_RETENTION`, after which the server's
 * periodic prune removes events.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { arr, at, cli, eventually, running, str } from "./support/Harness.js"

const UserSchema = "urn:ietf:params:scim:schemas:core:2.0:User"
const GroupSchema = "urn:ietf:params:scim:schemas:core:2.0:Group"
const PatchSchema = "urn:ietf:params:scim:api:messages:2.0:PatchOp"

describe("pnpm scimkit audit", () => {
  it.live(
    "prints who changed what, when, through which key and request, while the server runs",
    () =>
      Effect.gen(function*() {
        const { dataDir, scim } = yield* running()
        const env = { SCIMKIT_DATA_DIR: dataDir }
        const created = yield* scim.post("/Users", { schemas: [UserSchema], userName: "audited@example.com" }, {
          headers: { "x-request-id": "audit-create" }
        })
        assert.strictEqual(created.status, 201, created.text)
        const id = str(created.body, "id")
        const deactivated = yield* scim.patch(`/Users/${id}`, {
          schemas: [PatchSchema],
          Operations: [{ op: "replace", path: "active", value: false }]
        }, { headers: { "x-request-id": "audit-deactivate" } })
        assert.strictEqual(deactivated.status, 200, deactivated.text)
        const group = yield* scim.post("/Groups", {
          schemas: [GroupSchema],
          displayName: "Audited",
          members: [{ value: id }]
        })
        assert.strictEqual(group.status, 201, group.text)

        const all = yield* cli(["audit", "--json"], env)
        assert.strictEqual(all.code, 0, all.stderr)
        const events = arr(JSON.parse(all.stdout), "")
        const types = events.map((event) => at(event, "type"))
        assert.includeMembers(types, [
          "user.created",
          "user.updated",
          "user.deactivated",
          "project.created",
          "member.added"
        ])
        const creation = events.find((event) => at(event, "type") === "user.created" && at(event, "resourceId") === id)
        assert.strictEqual(at(creation, "actor.requestId"), "audit-create")
        assert.isString(at(creation, "actor.credential"))
        assert.strictEqual(at(creation, "after.userName"), "audited@example.com")
        const positions = events.map((event) => Number(at(event, "position")))
        assert.deepStrictEqual(positions, [...positions].sort((a, b) => a - b))

        // the table: one line per event, with the request id; no documents
        const table = yield* cli(["audit", "--platform", "default"], env)
        assert.strictEqual(table.code, 0, table.stderr)
        assert.match(table.stdout, /^POSITION\s+TIME\s+TYPE\s+RESOURCE\s+CHANGED\s+KEY\s+REQUEST ID/)
        assert.match(table.stdout, new RegExp(`user\\.deactivated\\s+User ${id}\\s+active\\s+\\S+\\s+audit-deactivate`))
        assert.match(table.stdout, new RegExp(`member\\.added\\s+Group \\S+\\s+member ${id} \\(Editor\\)`))
        assert.notInclude(table.stdout, "audited@example.com")

        // by type, and a page at a time
        const onlyDeactivations = yield* cli(["audit", "--type", "user.deactivated,user.reactivated", "--json"], env)
        assert.deepStrictEqual(arr(JSON.parse(onlyDeactivations.stdout), "").map((e) => at(e, "type")), [
          "user.deactivated"
        ])
        const first = yield* cli(["audit", "--limit", "1", "--json"], env)
        const firstPosition = Number(at(arr(JSON.parse(first.stdout), "")[0], "position"))
        const next = yield* cli(["audit", "--after", String(firstPosition), "--limit", "1"], env)
        assert.strictEqual(next.code, 0, next.stderr)
        assert.include(next.stdout, "More may follow: pnpm scimkit audit --platform \"default\" --after ")
        assert.notMatch(next.stdout, new RegExp(`^${firstPosition}\\s`, "m"))

        // wrong usage: exit 2 with what to type; an unknown platform: exit 1
        const badType = yield* cli(["audit", "--type", "user.exploded"], env)
        assert.strictEqual(badType.code, 2)
        assert.include(badType.stderr, "unknown event type \"user.exploded\"; the types are user.created")
        const badLimit = yield* cli(["audit", "--limit", "0"], env)
        assert.strictEqual(badLimit.code, 2)
        assert.include(badLimit.stderr, "--limit must be a whole number from 1 to 1000")
        const unknown = yield* cli(["audit", "--platform", "nope"], env)
        assert.strictEqual(unknown.code, 1)
        assert.include(unknown.stderr, "No platform \"nope\"")
        const help = yield* cli(["audit", "--help"], env)
        assert.include(help.stdout, "SCIMKIT_EVENT_RETENTION")
      }),
    { timeout: 90_000 }
  )

  it.live("events older than SCIMKIT_EVENT_RETENTION are pruned by the running server", () =>
    Effect.gen(function*() {
      const { dataDir, scim, server } = yield* running({ SCIMKIT_EVENT_RETENTION: "2s" })
      const env = { SCIMKIT_DATA_DIR: dataDir }
      const created = yield* scim.post("/Users", { schemas: [UserSchema], userName: "fleeting@example.com" })
      assert.strictEqual(created.status, 201, created.text)
      const audit = Effect.map(cli(["audit", "--json"], env), (result) => arr(JSON.parse(result.stdout), ""))
      yield* eventually(audit, (events) => events.length === 0, { within: "30 seconds", interval: "500 millis" })
      assert.notInclude(server.stderr(), "prune failed")
    }), { timeout: 60_000 })
})
