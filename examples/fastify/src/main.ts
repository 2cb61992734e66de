/**
 * A Fastify 5 app with one route of its own (GET /health) and SCIM 2.0 under /scim/v2, on the
 * embedded SQLite store in DATA_DIR (default ./data), or on the Postgres server of DATABASE_URL.
 */
import { ScimKit } from "@scimkit/http"
import { StorePostgres } from "@scimkit/store-postgres"
import { StoreSqlite } from "@scimkit/store-sqlite"
import * as Redacted from "effect/Redacted"
import Fastify from "fastify"
import type { AddressInfo } from "node:net"
import * as Path from "node:path"

// one handle per process: every request and admin call runs on its one store
const databaseUrl = process.env.DATABASE_URL
const scim = ScimKit.make({
  store: databaseUrl
    ? StorePostgres.layerUrl(Redacted.make(databaseUrl))
    : StoreSqlite.layer({ filename: Path.join(process.env.DATA_DIR ?? "data", "scim.db") }),
  basePath: "/scim/v2"
})

const app = Fastify()
app.get("/health", async () => ({ ok: true }))

// SCIM in a plugin of its own, so that its body parser applies to its routes only
await app.register(async (scope) => {
  // Fastify still parses application/json (scimkit takes request.body); any other body,
  // application/scim+json included, is left unread for scimkit to read and check
  scope.addContentTypeParser("*", (_request, _payload, done) => done(null))
  scope.all("/scim/v2/*", async (request, reply) => {
    reply.hijack() // scimkit writes the response
    await scim.node(Object.assign(request.raw, { body: request.body }), reply.raw)
  })
})

await app.listen({ port: Number(process.env.PORT ?? 3000), host: "localhost" })
const { port } = app.server.address() as AddressInfo
// the first start creates the tenant and prints, once, what the identity provider asks for
if ((await scim.admin.listTenants()).length === 0) {
  const { key } = await scim.admin.createTenant({ name: "My app", id: "my-app" })
  console.log(`Tenant URL:   http://localhost:${port}/scim/v2\nSecret Token: ${key.secret}`)
}
console.log(`listening on http://localhost:${port}`)

// release the store (the SQLite file lock, the Postgres pool) on Ctrl-C and on `kill`
const stop = () => void app.close().then(() => scim.dispose()).then(() => process.exit(0))
process.once("SIGINT", stop)
process.once("SIGTERM", stop)
