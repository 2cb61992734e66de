/**
 * Picks the storage adapter from the settings: a Postgres server for `DATABASE_URL`, else the
 * embedded Postgres (PGlite) in `SCIMKIT_DATA_DIR`.
 *
 * @since 0.1.0
 */
import type { ApiKeyStore, PlatformStore, ProjectStore, Transactions, UserStore } from "@scimkit/core"
import { StoreError } from "@scimkit/core"
import { StoreMemory } from "@scimkit/store-memory"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type { StoreSettings } from "./Settings.js"

/** Every port a store provides. @since 0.1.0 */
export type Stores = UserStore | ProjectStore | ApiKeyStore | PlatformStore | Transactions

/** @since 0.1.0 */
export const layer = (settings: StoreSettings): Layer.Layer<Stores, StoreError> => {
  if (settings._tag === "Postgres") {
    return Layer.fail(new StoreError({ message: "DATABASE_URL is not supported by this build yet" }))
  }
  return StoreMemory.layer.pipe(
    Layer.tap(() =>
      Effect.logWarning(
        "The embedded store is not available in this build: data is kept IN MEMORY and lost when the server stops"
      )
    )
  )
}
