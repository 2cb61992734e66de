/**
 * `pnpm scimkit` against the embedded store, as an operator uses it: refused politely while the
 * server holds the store, then platform and key management with the server stopped, checked by
 * starting the server again and calling it with those keys.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fs from "node:fs"
import * as Path from "node:path"
import { arr, at, cli, client, makeKey, startServer, str, tempDir } from "./support/Harness.js"

const parseJson = (text: string): unknown => JSON.parse(text)

describe("pnpm scimkit on the embedded store", () => {
  it.scopedLive("manages platforms and keys; refuses while the server runs; a revoked key gets 401", () =>
    Effect.gen(function*() {
      const dataDir = yield* tempDir("data")
      const env = { SCIMKIT_DATA_DIR: dataDir }
      const bootstrap = makeKey()

      // the server holds the embedded store: the CLI says so and changes nothing
      const server = yield* startServer({ ...env, SCIMKIT_BOOTSTRAP_KEY: bootstrap })
      const refused = yield* cli(["keys", "list"], env)
      assert.strictEqual(refused.code, 1, refused.stderr)
      assert.include(refused.stderr, "in use")
      assert.include(refused.stderr, dataDir)
      assert.include(refused.stderr, "stop the server")
      assert.notMatch(refused.stderr, /\n\s+at /)
      assert.strictEqual(refused.stdout, "")
      const stillServing = yield* client(server.baseUrl, bootstrap).get("/Users")
      assert.strictEqual(stillServing.status, 200, stillServing.text)
      assert.strictEqual((yield* server.stop("SIGTERM")).code, 0)
      assert.isTrue(Fs.existsSync(Path.join(dataDir, "PG_VERSION")))

      // platform create prints the id and a first key
      const created = yield* cli(["platform", "create", "acme", "--owner", "it@acme.example", "--json"], env)
      assert.strictEqual(created.code, 0, created.stderr)
      const acme = parseJson(created.stdout)
      const acmeId = str(acme, "platform.id")
      const acmeSecret = str(acme, "key.secret")
      assert.strictEqual(at(acme, "platform.name"), "acme")
      assert.strictEqual(at(acme, "platform.owner"), "it@acme.example")
      const human = yield* cli(["platform", "create", "globex", "--owner", "it@globex.example"], env)
      assert.strictEqual(human.code, 0, human.stderr)
      assert.match(human.stdout, /Created platform "globex" \(id [^)]+\) owned by it@globex\.example/)
      assert.match(human.stdout, /\n {2}sk-\S+\n/)

      // a taken name is refused
      const taken = yield* cli(["platform", "create", "ACME", "--owner", "x@acme.example"], env)
      assert.strictEqual(taken.code, 1, taken.stdout)
      assert.isNotEmpty(taken.stderr)

      // platform list
      const platforms = parseJson((yield* cli(["platform", "list", "--json"], env)).stdout)
      assert.includeMembers(arr(platforms, "").map((p) => at(p, "name")), ["default", "acme", "globex"])
      const table = yield* cli(["platform", "list"], env)
      assert.match(table.stdout, /^ID\s+NAME\s+OWNER\s+CREATED/)
      assert.include(table.stdout, acmeId)

      // keys create on the default platform, keys list never shows secrets
      const newKey = yield* cli(["keys", "create", "--name", "Entra ID", "--json"], env)
      assert.strictEqual(newKey.code, 0, newKey.stderr)
      const entraKey = parseJson(newKey.stdout)
      const entraSecret = str(entraKey, "secret")
      const entraKeyId = str(entraKey, "id")
      const keepKey = parseJson((yield* cli(["keys", "create", "--platform", "default", "--json"], env)).stdout)
      const keepSecret = str(keepKey, "secret")

      const listed = yield* cli(["keys", "list", "--json"], env)
      assert.strictEqual(listed.code, 0, listed.stderr)
      const keys = arr(parseJson(listed.stdout), "")
      assert.includeMembers(keys.map((k) => at(k, "name")), ["initial key", "SCIMKIT_BOOTSTRAP_KEY", "Entra ID", "cli"])
      for (const key of keys) {
        assert.hasAllKeys(key, ["id", "name", "prefix", "platform", "created", "lastUsed", "revoked"])
        assert.isNull(at(key, "revoked"))
      }
      for (const secret of [entraSecret, keepSecret, bootstrap]) assert.notInclude(listed.stdout, secret)
      const listedTable = yield* cli(["keys", "list"], env)
      assert.match(listedTable.stdout, /^ID\s+NAME\s+PREFIX\s+CREATED\s+LAST USED\s+REVOKED/)
      assert.include(listedTable.stdout, entraKeyId)
      for (const secret of [entraSecret, keepSecret, bootstrap]) assert.notInclude(listedTable.stdout, secret)
      const acmeKeys = arr(parseJson((yield* cli(["keys", "list", "--platform", acmeId, "--json"], env)).stdout), "")
      assert.deepStrictEqual(acmeKeys.map((k) => at(k, "name")), ["initial key"])

      // keys revoke
      const revoked = yield* cli(["keys", "revoke", entraKeyId], env)
      assert.strictEqual(revoked.code, 0, revoked.stderr)
      assert.include(revoked.stdout, entraKeyId)
      const afterRevoke = arr(parseJson((yield* cli(["keys", "list", "--json"], env)).stdout), "")
      assert.isString(at(afterRevoke.find((k) => at(k, "id") === entraKeyId), "revoked"))

      // mistakes: exit code and a sentence, nothing on stdout
      const noPlatform = yield* cli(["keys", "list", "--platform", "initech"], env)
      assert.strictEqual(noPlatform.code, 1)
      assert.include(noPlatform.stderr, "No platform \"initech\"")
      const noKey = yield* cli(["keys", "revoke", "00000000-0000-0000-0000-000000000000"], env)
      assert.strictEqual(noKey.code, 1)
      assert.include(noKey.stderr, "00000000-0000-0000-0000-000000000000")
      const wrongUsage = yield* cli(["platform", "create", "initech"], env)
      assert.strictEqual(wrongUsage.code, 2)
      assert.include(wrongUsage.stderr, "--owner")
      assert.strictEqual(wrongUsage.stdout, "")

      // the server sees all of it: the revoked key gets 401, the others work, tenants stay apart
      const restarted = yield* startServer({ ...env, SCIMKIT_BOOTSTRAP_KEY: bootstrap })
      const denied = yield* client(restarted.baseUrl, entraSecret).get("/Users")
      assert.strictEqual(denied.status, 401, denied.text)
      assert.strictEqual((yield* client(restarted.baseUrl, keepSecret).get("/Users")).status, 200)
      const acmeUsers = yield* client(restarted.baseUrl, acmeSecret).get("/Users")
      assert.strictEqual(acmeUsers.status, 200, acmeUsers.text)
      assert.deepStrictEqual(arr(acmeUsers.body, "Resources").map((u) => at(u, "userName")), ["it@acme.example"])
      const defaultUsers = yield* client(restarted.baseUrl, keepSecret).get("/Users")
      assert.notInclude(arr(defaultUsers.body, "Resources").map((u) => at(u, "userName")), "it@acme.example")
    }))

  it.live("--help prints the commands and exits 0; an unknown command exits 2", () =>
    Effect.gen(function*() {
      const help = yield* cli(["--help"], {})
      assert.strictEqual(help.code, 0)
      for (const command of ["platform create <name> --owner <email>", "platform list", "keys create", "keys list", "keys revoke <key id>", "--json"]) {
        assert.include(help.stdout, command)
      }
      const unknown = yield* cli(["frobnicate"], {})
      assert.strictEqual(unknown.code, 2)
      assert.include(unknown.stderr, "Unknown command")
    }))
})
