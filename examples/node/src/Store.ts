/**
 * Picks the storage adapter from the settings: a Postgres server for `DATABASE_URL`, else the
 * embedded Postgres (PGlite) in `SCIMKIT_DATA_DIR`, which keeps its data across restarts and is
 * locked to one process at a time.
 *
 * @since 0.1.0
 */
import type { StoreError } from "@scimkit/core"
import { StorePostgres } from "@scimkit/store-postgres"
import type * as Layer from "effect/Layer"
import type { StoreSettings } from "./Settings.js"

/** Every port a store provides. @since 0.1.0 */
export type Stores = StorePostgres.Stores

/** @since 0.1.0 */
export const layer = (settings: StoreSettings): Layer.Layer<Stores, StoreError> =>
  settings._tag === "Postgres"
    ? StorePostgres.layerUrl(settings.url)
    : StorePostgres.layerEmbedded({ dataDir: settings.dataDir })
