/**
 * Wiring: the core services over the chosen store, with the options read from the environment.
 *
 * @since 0.1.0
 */
import type { ApiKeys, Platforms, StoreError } from "@scimkit/core"
import { ScimOptions } from "@scimkit/core"
import * as ApiKeysLive from "@scimkit/core/service/ApiKeys"
import * as PlatformsLive from "@scimkit/core/service/Platforms"
import * as Layer from "effect/Layer"
import type { CommonSettings } from "./Settings.js"
import * as Store from "./Store.js"

/** The core's options from the settings. @since 0.1.0 */
export const options = (settings: CommonSettings): Layer.Layer<ScimOptions> =>
  ScimOptions.layer({ maxResults: settings.maxResults, defaultProjectRole: settings.defaultProjectRole })

/** What the CLI needs: platforms and keys, plus the stores (to show owners). @since 0.1.0 */
export const cli = (settings: CommonSettings): Layer.Layer<Platforms | ApiKeys | Store.Stores, StoreError> =>
  Layer.mergeAll(PlatformsLive.layer, ApiKeysLive.layer).pipe(
    Layer.provideMerge(options(settings)),
    Layer.provideMerge(Store.layer(settings.store))
  )
