/**
 * Wiring: the core services over the chosen store, with the options read from the environment.
 *
 * @since 0.1.0
 */
import type { ApiKeys, Platforms, Projects, StoreError, Users } from "@scimkit/core"
import { ApiKeysLive, defaults, Live, PlatformsLive, ScimOptions } from "@scimkit/core"
import { ScimHttpOptions } from "@scimkit/http"
import * as Layer from "effect/Layer"
import { basePath, type CommonSettings, type ServerSettings } from "./Settings.js"
import * as Store from "./Store.js"

/** The core's options from the settings. @since 0.1.0 */
export const options = (settings: CommonSettings): Layer.Layer<ScimOptions> =>
  ScimOptions.layer({
    maxResults: settings.maxResults,
    defaultCount: Math.min(defaults.defaultCount, settings.maxResults),
    defaultProjectRole: settings.defaultProjectRole
  })

/** What the CLI needs: platforms and keys, plus the stores (to show owners). @since 0.1.0 */
export const cli = (settings: CommonSettings): Layer.Layer<Platforms | ApiKeys | Store.Stores, StoreError> =>
  Layer.mergeAll(PlatformsLive.layer, ApiKeysLive.layer).pipe(
    Layer.provideMerge(options(settings)),
    Layer.provideMerge(Store.layer(settings.store))
  )

/** What the server needs: every core service over the store, and the HTTP options. @since 0.1.0 */
export const server = (
  settings: ServerSettings
): Layer.Layer<Users | Projects | ApiKeys | Platforms | ScimOptions | ScimHttpOptions, StoreError> =>
  Layer.mergeAll(
    Live.layer.pipe(Layer.provideMerge(options(settings)), Layer.provide(Store.layer(settings.store))),
    ScimHttpOptions.layer({ basePath, trustProxy: settings.trustProxy, publicUrl: settings.publicUrl })
  )
