/**
 * The built server (`pnpm build`, then `pnpm serve` or `node examples/node/dist/main.js`): the
 * example's build script compiles the server and the CLI to plain JavaScript that imports only npm
 * packages (the workspace packages compiled in), and Node runs that output without a TypeScript
 * loader on each store: SQLite (`node:sqlite`), a Postgres server (`pg` through `@effect/sql-pg`)
 * and, through `migrate --from pglite:…`, PGlite, the optional dependency loaded by name.
 *
 * The build goes to a directory of its own under `node_modules/.cache` (where the example's npm
 * dependencies resolve as they do from `dist/`), so a developer's `dist/` is left alone.
 */
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { ApiKeys, Live, Platforms, ScimOptions } from "@scimkit/core"
import { StorePostgres } from "@scimkit/store-postgres"
import { AppProcess } from "@scimkit/testkit"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ChildProcess from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { freshDatabase } from "./support/Database.js"
import { arr, at, client, makeKey, str } from "./support/Harness.js"

const exampleDir = Path.resolve(import.meta.dirname, "..")
const root = Path.resolve(exampleDir, "..", "..")
const outDir = Path.join(
  exampleDir,
  "node_modules",
  ".cache",
  `scimkit-build-${process.pid}-${Math.random().toString(36).slice(2, 8)}`
)
const mainJs = Path.join(outDir, "main.js")
const cliJs = Path.join(outDir, "cli.js")

interface Run {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/** Runs a command to its end in examples/node, with `env` over this process's (as `AppProcess` starts apps). */
const run = (command: string, args: ReadonlyArray<string>, env: Record<string, string> = {}): Promise<Run> =>
  new Promise((resolve, reject) => {
    const child = ChildProcess.spawn(command, args, {
      cwd: exampleDir,
      env: AppProcess.childEnv({ NO_COLOR: "1", ...env }),
      stdio: ["ignore", "pipe", "pipe"]
    })
    let stdout = ""
    let stderr = ""
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk))
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk))
    child.on("error", reject)
    child.on("close", (code) => resolve({ code, stdout, stderr }))
  })

/** The built CLI, as `node dist/cli.js <args>`. */
const builtCli = (args: ReadonlyArray<string>, env: Record<string, string>) =>
  run(process.execPath, [cliJs, ...args], env)

/** The built server, started as `node <out>/main.js` (no loader, no `@scimkit/source` condition). */
const serve = (env: Record<string, string>, requireToken = false) =>
  AppProcess.start({
    command: [process.execPath, mainJs],
    cwd: exampleDir,
    env: { SCIMKIT_RATE_LIMIT: "off", ...env },
    ready: /scimkit listening on (http:\/\/\S+)/,
    requireToken
  })

const tempDir = (prefix: string): string => Fs.mkdtempSync(Path.join(Os.tmpdir(), `scimkit-build-${prefix}-`))
const cleanup: Array<string> = [outDir]

beforeAll(async () => {
  // what the example's `build` script runs (`tsup`, with examples/node/tsup.config.ts), into this run's own directory
  const built = await run(Path.join(root, "node_modules", ".bin", "tsup"), ["--out-dir", outDir])
  if (built.code !== 0) throw new Error(`tsup failed:\n${built.stdout}\n${built.stderr}`)
}, 180_000)

afterAll(() => {
  for (const dir of cleanup) Fs.rmSync(dir, { recursive: true, force: true })
})

const user = (userName: string) => ({ schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], userName })

describe("the built server (pnpm build, pnpm serve)", () => {
  it("is plain JavaScript: main.js and cli.js, importing npm packages only, never a workspace package or TypeScript", () => {
    const files = Fs.readdirSync(outDir)
    assert.includeMembers(files, ["main.js", "cli.js"])
    for (const file of files) assert.match(file, /\.js(\.map)?$/, file)
    for (const file of files.filter((name) => name.endsWith(".js"))) {
      const text = Fs.readFileSync(Path.join(outDir, file), "utf8")
      assert.notMatch(text, /\bfrom\s*"@scimkit\//, `${file} imports a workspace package`)
      assert.notMatch(text, /\bimport\(\s*"@scimkit\//, `${file} imports a workspace package`)
      assert.notMatch(text, /\b(from\s*|import\(\s*)"[^"]+\.ts"/, `${file} imports TypeScript`)
    }
  })

  it("serves SCIM on SQLite; the built CLI lists keys while it runs and creates one while it is stopped", async () => {
    const dataDir = tempDir("sqlite")
    cleanup.push(dataDir)
    const env = { SCIMKIT_DATA_DIR: dataDir }
    const first = await serve(env, true)
    try {
      if (first.token === undefined) throw new Error("the first start printed no Secret Token")
      const scim = client(first.url, first.token)
      const created = await Effect.runPromise(scim.post("/Users", user("built@example.com")))
      assert.strictEqual(created.status, 201, created.text)
      const listed = await builtCli(["keys", "list", "--json"], env)
      assert.strictEqual(listed.code, 0, listed.stderr)
      assert.deepStrictEqual(arr(JSON.parse(listed.stdout), "").map((key) => at(key, "name")), ["initial key"])
    } finally {
      assert.strictEqual(await first.stop(), 0, first.output())
    }
    const key = await builtCli(["keys", "create", "--name", "built", "--json"], env)
    assert.strictEqual(key.code, 0, key.stderr)
    const second = await serve(env)
    try {
      assert.isUndefined(second.token, "a second start prints no key")
      const found = await Effect.runPromise(
        client(second.url, str(JSON.parse(key.stdout), "secret")).get(
          `/Users?filter=${encodeURIComponent("userName eq \"built@example.com\"")}`
        )
      )
      assert.strictEqual(found.status, 200, found.text)
      assert.strictEqual(at(found.body, "totalResults"), 1)
    } finally {
      assert.strictEqual(await second.stop(), 0, second.output())
    }
  }, 120_000)

  it(
    `serves SCIM on DATABASE_URL (${
      process.env.SCIMKIT_TEST_DATABASE_URL ? "the Postgres server" : "PGlite over the wire"
    }); the built CLI creates a key while it runs`,
    async () => {
      await Effect.runPromise(Effect.scoped(Effect.gen(function*() {
        const url = yield* freshDatabase
        const key = makeKey()
        const env = { DATABASE_URL: url, SCIMKIT_BOOTSTRAP_KEY: key, SCIMKIT_CREDENTIAL_CACHE_TTL: "0" }
        const server = yield* Effect.acquireRelease(
          Effect.promise(() => serve(env, true)),
          (server) => Effect.promise(() => server.stop())
        )
        assert.include(server.output(), "store: Postgres at 127.0.0.1")
        const created = yield* client(server.url, key).post("/Users", user("pg@example.com"))
        assert.strictEqual(created.status, 201, created.text)
        const made = yield* Effect.promise(() => builtCli(["keys", "create", "--name", "ops", "--json"], env))
        assert.strictEqual(made.code, 0, made.stderr)
        const listed = yield* client(server.url, str(JSON.parse(made.stdout), "secret")).get("/Users")
        assert.strictEqual(listed.status, 200, listed.text)
        assert.includeMembers(arr(listed.body, "Resources").map((u) => at(u, "userName")), ["pg@example.com"])
      })))
    },
    120_000
  )

  it(
    "the built CLI loads PGlite (the optional dependency) to migrate its data to SQLite, which the built server serves",
    async () => {
      const pglite = Path.join(tempDir("pglite"), "data")
      const sqlite = Path.join(tempDir("target"), "data")
      cleanup.push(Path.dirname(pglite), Path.dirname(sqlite))
      const secret = await Effect.runPromise(
        Effect.gen(function*() {
          const created = yield* (yield* Platforms.Platforms).create({
            name: "default",
            ownerEmail: "admin@example.com"
          })
          yield* (yield* ApiKeys.ApiKeys).create(created.platform.id, "spare")
          return created.key.secret
        }).pipe(
          Effect.provide(
            Live.layerWebCrypto.pipe(
              Layer.provideMerge(ScimOptions.layer({ ...ScimOptions.defaults })),
              Layer.provideMerge(StorePostgres.layerEmbedded({ dataDir: pglite }))
            )
          )
        )
      )
      const migrated = await builtCli(
        ["migrate", "--from", `pglite:${pglite}`, "--to", `sqlite:${sqlite}`, "--json"],
        {}
      )
      assert.strictEqual(migrated.code, 0, `${migrated.stdout}\n${migrated.stderr}`)
      const server = await serve({ SCIMKIT_DATA_DIR: sqlite })
      try {
        const owner = await Effect.runPromise(client(server.url, secret).get("/Users"))
        assert.strictEqual(owner.status, 200, owner.text)
        assert.deepStrictEqual(arr(owner.body, "Resources").map((u) => at(u, "userName")), ["admin@example.com"])
      } finally {
        assert.strictEqual(await server.stop(), 0, server.output())
      }
    },
    120_000
  )
})
