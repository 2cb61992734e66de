/**
 * `pnpm scimkit` against the embedded store while the server holds it: refused politely (exit 1,
 * one sentence, nothing on stdout) and the server goes on serving; plus `--help` and wrong usage.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { cli, client, emptyDataDir, makeKey, startServer } from "./support/Harness.js"

describe("pnpm scimkit", () => {
  it.live("refuses while the server holds the embedded store, changing nothing", () =>
    Effect.gen(function*() {
      const dataDir = yield* emptyDataDir
      const bootstrap = makeKey()
      const server = yield* startServer({ SCIMKIT_DATA_DIR: dataDir, SCIMKIT_BOOTSTRAP_KEY: bootstrap })
      const refused = yield* cli(["keys", "create", "--name", "while running"], { SCIMKIT_DATA_DIR: dataDir })
      assert.strictEqual(refused.code, 1, refused.stderr)
      assert.include(refused.stderr, "in use")
      assert.include(refused.stderr, dataDir)
      assert.include(refused.stderr, "stop the server")
      assert.notMatch(refused.stderr, /\n\s+at /)
      assert.strictEqual(refused.stdout, "")
      const stillServing = yield* client(server.baseUrl, bootstrap).get("/Users")
      assert.strictEqual(stillServing.status, 200, stillServing.text)
      const created = yield* client(server.baseUrl, bootstrap).post("/Users", {
        schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
        userName: "after-refusal@example.com"
      })
      assert.strictEqual(created.status, 201, created.text)
      assert.strictEqual((yield* server.stop("SIGTERM")).code, 0, server.stderr())

      // stopped: the CLI opens the store; a mistake gets exit 1 and a sentence saying what to do
      const noPlatform = yield* cli(["keys", "list", "--platform", "initech"], { SCIMKIT_DATA_DIR: dataDir })
      assert.strictEqual(noPlatform.code, 1, noPlatform.stdout)
      assert.include(noPlatform.stderr, "No platform \"initech\"")
      assert.include(noPlatform.stderr, "platform list")
      assert.strictEqual(noPlatform.stdout, "")
    }), 120_000)

  it.live(
    "platform set --unique-external-id: refused while users share an externalId, then on; --no-… turns it off",
    () =>
      Effect.gen(function*() {
        const dataDir = yield* emptyDataDir
        const key = makeKey()
        const env = { SCIMKIT_DATA_DIR: dataDir }
        const user = (userName: string, externalId: string) => ({
          schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
          userName,
          externalId
        })
        let server = yield* startServer({ ...env, SCIMKIT_BOOTSTRAP_KEY: key })
        let scim = client(server.baseUrl, key)
        // RFC 7643 §3.1: by default externalId may repeat (Entra maps it from mailNickname)
        assert.strictEqual((yield* scim.post("/Users", user("a@example.com", "nick"))).status, 201)
        const b = yield* scim.post("/Users", user("b@example.com", "nick"))
        assert.strictEqual(b.status, 201, b.text)
        assert.strictEqual((yield* server.stop("SIGTERM")).code, 0)

        const refused = yield* cli(["platform", "set", "default", "--unique-external-id"], env)
        assert.strictEqual(refused.code, 1, refused.stdout)
        assert.include(refused.stderr, "share an externalId")
        const listed = yield* cli(["platform", "list", "--json"], env)
        assert.deepStrictEqual(
          JSON.parse(listed.stdout).map((p: { uniqueExternalId: boolean }) => p.uniqueExternalId),
          [false]
        )

        server = yield* startServer({ ...env, SCIMKIT_BOOTSTRAP_KEY: key })
        scim = client(server.baseUrl, key)
        const id = String((b.body as { id: string }).id)
        const patched = yield* scim.patch(`/Users/${id}`, {
          schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
          Operations: [{ op: "replace", path: "externalId", value: "other" }]
        })
        assert.strictEqual(patched.status, 200, patched.text)
        assert.strictEqual((yield* server.stop("SIGTERM")).code, 0)

        const on = yield* cli(["platform", "set", "default", "--unique-external-id", "--json"], env)
        assert.strictEqual(on.code, 0, on.stderr)
        assert.isTrue(JSON.parse(on.stdout).uniqueExternalId)
        server = yield* startServer({ ...env, SCIMKIT_BOOTSTRAP_KEY: key })
        scim = client(server.baseUrl, key)
        const clash = yield* scim.post("/Users", user("c@example.com", "nick"))
        assert.strictEqual(clash.status, 409, clash.text)
        assert.strictEqual((clash.body as { scimType: string }).scimType, "uniqueness")
        assert.strictEqual((yield* server.stop("SIGTERM")).code, 0)

        const off = yield* cli(["platform", "set", "default", "--no-unique-external-id"], env)
        assert.strictEqual(off.code, 0, off.stderr)
        assert.include(off.stdout, "not unique")
        const neither = yield* cli(["platform", "set", "default"], env)
        assert.strictEqual(neither.code, 2)
      }),
    180_000
  )

  it.live("--help prints the commands and exits 0; unknown commands and missing arguments exit 2", () =>
    Effect.gen(function*() {
      const help = yield* cli(["--help"], {})
      assert.strictEqual(help.code, 0)
      for (
        const command of [
          "platform create <name> --owner <email>",
          "platform list",
          "keys create [--platform <id or name>] [--name <label>]",
          "keys list [--platform <id or name>]",
          "keys revoke <key id>",
          "migrate --from <store> [--to <store>]",
          "--json"
        ]
      ) {
        assert.include(help.stdout, command)
      }
      const unknown = yield* cli(["frobnicate"], {})
      assert.strictEqual(unknown.code, 2)
      assert.include(unknown.stderr, "Unknown command")
      assert.include(unknown.stderr, "--help")
      const missing = yield* cli(["platform", "create", "initech"], {})
      assert.strictEqual(missing.code, 2)
      assert.include(missing.stderr, "--owner")
      assert.strictEqual(missing.stdout, "")
    }))
})
