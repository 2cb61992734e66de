/**
 * The app's scimkit handle: built once per process, on the embedded SQLite store in `DATA_DIR`
 * (default `./data`; `node:sqlite`, which Bun implements), or on the Postgres server of
 * `DATABASE_URL` when it is set (`pg`, which runs on Bun).
 */
import { ScimKit } from "@scimkit/http"
import { StorePostgres } from "@scimkit/store-postgres"
import { StoreSqlite } from "@scimkit/store-sqlite"
import * as Redacted from "effect/Redacted"
import * as Path from "node:path"

const databaseUrl = process.env.DATABASE_URL

export const scim = ScimKit.make({
  store: databaseUrl
    ? StorePostgres.layerUrl(Redacted.make(databaseUrl))
    : StoreSqlite.layer({ filename: Path.join(process.env.DATA_DIR ?? "data", "scim.db") }),
  basePath: "/scim/v2"
})

/**
 * On the first start (no tenant yet): creates the app's tenant and prints its Tenant URL and
 * Secret Token, the two values an identity provider asks for. The secret is shown this once.
 */
export const firstStart = async (tenantUrl: string): Promise<void> => {
  if ((await scim.admin.listTenants()).length > 0) return
  const { key, tenant } = await scim.admin.createTenant({ name: "My app", id: "my-app" })
  console.log(`Created the SCIM tenant ${tenant.id}. Give your identity provider:
  Tenant URL:   ${tenantUrl}
  Secret Token: ${key.secret}
(the token is shown once)`)
}
