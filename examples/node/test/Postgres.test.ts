/**
 * The server and the CLI on a Postgres server (`DATABASE_URL`): the CLI works while the server runs,
 * a key it creates works at once and a key it revokes fails within `SCIMKIT_CREDENTIAL_CACHE_TTL`
 * (the server reuses a verified key that long without reading the store).
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Fs from "node:fs"
import * as Path from "node:path"
import { freshDatabase } from "./support/Database.js"
import { arr, at, banner, cli, client, makeKey, startServer, str, tempDir } from "./support/Harness.js"

describe("the example server on DATABASE_URL", () => {
  it.live("the CLI manages keys while the server runs; revocation applies within the credential cache ttl", () =>
    Effect.gen(function*() {
      const url = yield* freshDatabase
      const unused = Path.join(yield* tempDir("unused"), "data")
      const env = { DATABASE_URL: url, SCIMKIT_DATA_DIR: unused, SCIMKIT_CREDENTIAL_CACHE_TTL: "1" }
      const bootstrap = makeKey()

      const server = yield* startServer({ ...env, SCIMKIT_BOOTSTRAP_KEY: bootstrap })
      assert.include(server.stdout(), "store: Postgres at 127.0.0.1")
      assert.notInclude(server.stdout(), url)
      const first = Option.getOrThrow(banner(server.stdout()))
      assert.strictEqual((yield* client(server.baseUrl, first.secret).get("/Users")).status, 200)

      // create a key while the server runs: it works at once
      const created = yield* cli(["keys", "create", "--name", "Okta", "--json"], env)
      assert.strictEqual(created.code, 0, created.stderr)
      const key = JSON.parse(created.stdout)
      const okta = client(server.baseUrl, str(key, "secret"))
      assert.strictEqual((yield* okta.get("/Users")).status, 200)

      // a new platform while the server runs: its key works and sees only its own users
      const platform = yield* cli(["platform", "create", "acme", "--owner", "it@acme.example", "--json"], env)
      assert.strictEqual(platform.code, 0, platform.stderr)
      const acme = client(server.baseUrl, str(JSON.parse(platform.stdout), "key.secret"))
      const acmeUsers = yield* acme.get("/Users")
      assert.deepStrictEqual(arr(acmeUsers.body, "Resources").map((u) => at(u, "userName")), ["it@acme.example"])

      // keys list: every field but the secret
      const listed = yield* cli(["keys", "list", "--json"], env)
      assert.strictEqual(listed.code, 0, listed.stderr)
      const keys = arr(JSON.parse(listed.stdout), "")
      assert.includeMembers(keys.map((k) => at(k, "name")), ["initial key", "SCIMKIT_BOOTSTRAP_KEY", "Okta"])
      for (const k of keys) assert.hasAllKeys(k, ["id", "name", "prefix", "platform", "created", "lastUsed", "revoked"])
      for (const secret of [first.secret, bootstrap, str(key, "secret")]) assert.notInclude(listed.stdout, secret)

      // revoke it while the server runs: refused once the server's cached verification expires (1 s here)
      const revoked = yield* cli(["keys", "revoke", str(key, "id"), "--json"], env)
      assert.strictEqual(revoked.code, 0, revoked.stderr)
      assert.isString(at(JSON.parse(revoked.stdout), "revoked"))
      yield* Effect.sleep("1100 millis")
      const denied = yield* okta.get("/Users")
      assert.strictEqual(denied.status, 401, denied.text)
      assert.strictEqual((yield* client(server.baseUrl, bootstrap).get("/Users")).status, 200)

      // the embedded store was never touched
      assert.isFalse(Fs.existsSync(unused))
    }))
})
