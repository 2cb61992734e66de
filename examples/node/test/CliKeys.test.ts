/**
 * `pnpm scimkit` managing platforms and keys on the embedded store with the server stopped, checked
 * by starting the server afterwards and calling it with those keys: a revoked key gets 401, the
 * others work, and each platform sees only its own users.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { arr, at, banner, cli, client, emptyDataDir, makeKey, startServer, str } from "./support/Harness.js"

const parseJson = (text: string): unknown => JSON.parse(text)

describe("pnpm scimkit with the server stopped", () => {
  it.live(
    "creates platforms and keys, lists them without secrets, revokes; the server honours all of it",
    () =>
      Effect.gen(function*() {
        const env = { SCIMKIT_DATA_DIR: yield* emptyDataDir }

        // platform create prints the id and a first key (JSON and human forms)
        const created = yield* cli(["platform", "create", "default", "--owner", "admin@example.com", "--json"], env)
        assert.strictEqual(created.code, 0, created.stderr)
        const platform = parseJson(created.stdout)
        assert.strictEqual(at(platform, "platform.name"), "default")
        assert.strictEqual(at(platform, "platform.owner"), "admin@example.com")
        const initialSecret = str(platform, "key.secret")
        const acme = yield* cli(["platform", "create", "acme", "--owner", "it@acme.example"], env)
        assert.strictEqual(acme.code, 0, acme.stderr)
        assert.match(acme.stdout, /Created platform "acme" \(id [^)]+\) owned by it@acme\.example/)
        const acmeSecret = /\n {2}(sk-\S+)\n/.exec(acme.stdout)?.[1] ?? "missing"

        // platform list
        const platforms = yield* cli(["platform", "list"], env)
        assert.strictEqual(platforms.code, 0, platforms.stderr)
        assert.match(platforms.stdout, /^ID\s+NAME\s+OWNER\s+CREATED\s+UNIQUE EXTERNALID\n/)
        assert.match(platforms.stdout, /\bdefault\s+admin@example\.com\s+\S+\s+no\n/)
        assert.match(platforms.stdout, /\bdefault\s+admin@example\.com\b/)
        assert.match(platforms.stdout, /\bacme\s+it@acme\.example\b/)

        // keys create (default platform), keys list never shows secrets
        const entra = parseJson((yield* cli(["keys", "create", "--name", "Entra ID", "--json"], env)).stdout)
        const entraSecret = str(entra, "secret")
        const entraId = str(entra, "id")
        assert.strictEqual(at(entra, "name"), "Entra ID")
        assert.strictEqual(at(entra, "prefix"), entraSecret.slice(0, String(at(entra, "prefix")).length))
        const listed = yield* cli(["keys", "list"], env)
        assert.strictEqual(listed.code, 0, listed.stderr)
        assert.match(listed.stdout, /^ID\s+NAME\s+PREFIX\s+CREATED\s+LAST USED\s+REVOKED\n/)
        assert.include(listed.stdout, entraId)
        assert.include(listed.stdout, "initial key")
        for (const secret of [entraSecret, initialSecret]) assert.notInclude(listed.stdout, secret)

        // keys revoke
        const revoked = yield* cli(["keys", "revoke", entraId], env)
        assert.strictEqual(revoked.code, 0, revoked.stderr)
        assert.include(revoked.stdout, `Revoked API key "Entra ID" (id ${entraId})`)

        // the server finds "default" (no banner), honours the revocation and keeps tenants apart
        const bootstrap = makeKey()
        const server = yield* startServer({ ...env, SCIMKIT_BOOTSTRAP_KEY: bootstrap })
        assert.isTrue(Option.isNone(banner(server.stdout())), server.stdout())
        const denied = yield* client(server.baseUrl, entraSecret).get("/Users")
        assert.strictEqual(denied.status, 401, denied.text)
        // the library's answer is neutral; this server adds how to get a key from its CLI
        assert.strictEqual(
          at(denied.body, "detail"),
          "The API key is unknown or revoked; create one with `pnpm scimkit keys create --platform <id or name>` " +
            "and send it as `Authorization: Bearer sk-…`"
        )
        const users = yield* client(server.baseUrl, initialSecret).get("/Users")
        assert.strictEqual(users.status, 200, users.text)
        assert.deepStrictEqual(arr(users.body, "Resources").map((u) => at(u, "userName")), ["admin@example.com"])
        assert.strictEqual((yield* client(server.baseUrl, bootstrap).get("/Users")).status, 200)
        const acmeUsers = yield* client(server.baseUrl, acmeSecret).get("/Users")
        assert.strictEqual(acmeUsers.status, 200, acmeUsers.text)
        assert.deepStrictEqual(arr(acmeUsers.body, "Resources").map((u) => at(u, "userName")), ["it@acme.example"])
      }),
    120_000
  )
})
