/**
 * An Express 5 app with a global JSON body parser, one route of its own (GET /health) and SCIM 2.0
 * under /scim/v2, on the embedded SQLite store in DATA_DIR (default ./data), or on the Postgres
 * server of DATABASE_URL.
 */
import { ScimKit } from "@scimkit/http"
import { StorePostgres } from "@scimkit/store-postgres"
import { StoreSqlite } from "@scimkit/store-sqlite"
import * as Redacted from "effect/Redacted"
import express from "express"
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

const app = express()
app.use(express.json())
app.get("/health", (_req, res) => {
  res.json({ ok: true })
})
// Express strips "/scim/v2" from req.url; scimkit reads req.originalUrl, and req.body when a parser ran
app.use("/scim/v2", (req, res) => scim.node(req, res))

const server = app.listen(Number(process.env.PORT ?? 3000), async () => {
  const { port } = server.address() as AddressInfo
  // the first start creates the tenant and prints, once, what the identity provider asks for
  if ((await scim.admin.listTenants()).length === 0) {
    const { key } = await scim.admin.createTenant({ name: "My app", id: "my-app" })
    console.log(`Tenant URL:   http://localhost:${port}/scim/v2\nSecret Token: ${key.secret}`)
  }
  console.log(`listening on http://localhost:${port}`)
})

// release the store (the SQLite file lock, the Postgres pool) on Ctrl-C and on `kill`
const stop = () => server.close(() => void scim.dispose().then(() => process.exit(0)))
process.once("SIGINT", stop)
process.once("SIGTERM", stop)
