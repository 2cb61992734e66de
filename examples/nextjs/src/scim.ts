/**
 * The app's scimkit handle, on the embedded SQLite store in DATA_DIR (default ./data), or on the
 * Postgres server of DATABASE_URL. One per process: kept on `globalThis`, so that `next dev`,
 * which evaluates modules again as you edit them, never opens the store twice.
 */
import { ScimKit } from "@scimkit/http"
import { StorePostgres } from "@scimkit/store-postgres"
import { StoreSqlite } from "@scimkit/store-sqlite"
import * as Redacted from "effect/Redacted"
import * as Path from "node:path"

const makeScim = () => {
  const databaseUrl = process.env.DATABASE_URL
  return ScimKit.make({
    store: databaseUrl
      ? StorePostgres.layerUrl(Redacted.make(databaseUrl))
      : StoreSqlite.layer({ filename: Path.join(process.env.DATA_DIR ?? "data", "scim.db") }),
    basePath: "/scim/v2"
  })
}

const global = globalThis as typeof globalThis & { scimkit?: ReturnType<typeof makeScim> }
export const scim = global.scimkit ??= makeScim()

/** The first start creates the tenant and prints, once, what the identity provider asks for. */
export const firstStart = async (tenantUrl: string) => {
  if ((await scim.admin.listTenants()).length === 0) {
    const { key } = await scim.admin.createTenant({ name: "My app", id: "my-app" })
    console.log(`Tenant URL:   ${tenantUrl}\nSecret Token: ${key.secret}`)
  }
}
