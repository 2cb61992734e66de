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
