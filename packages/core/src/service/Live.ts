/**
 * The canonical implementations of the domain services, as one Layer over the storage ports and
 * `ScimOptions`.
 */
import * as Layer from "effect/Layer"
import * as Crypto from "../Crypto.js"
import type { Stores } from "../ports/Stores.js"
import type { ScimOptions } from "../ScimOptions.js"
import * as ApiKeys from "./ApiKeys.js"
import * as ChangeFeed from "./ChangeFeed.js"
import * as Memberships from "./Memberships.js"
import * as PlatformCache from "./PlatformCache.js"
import * as Platforms from "./Platforms.js"
import * as Projects from "./Projects.js"
import * as Users from "./Users.js"

/** The domain services. */
export type Services =
  | Users.Users
  | Projects.Projects
  | ApiKeys.ApiKeys
  | Platforms.Platforms
  | Memberships.Memberships
  | ChangeFeed.ChangeFeed

/**
 * `Users`, `Projects`, `ApiKeys`, `Platforms`, `Memberships` and `ChangeFeed`, with the crypto
 * services supplied by the host's platform layer (`NodeCrypto` on Node; {@link Crypto.layerWebCrypto}
 * anywhere). The services share one {@link PlatformCache} over the given `PlatformStore`. Hooks
 * (`Hooks.layer`) are optional: provide them to this layer and the services run them.
 */
export const layer: Layer.Layer<Services, never, Stores | ScimOptions | Crypto.Services> = Layer.mergeAll(
  Users.layer,
  Projects.layer,
  ApiKeys.layer,
  Platforms.layer,
  Memberships.layer,
  ChangeFeed.layer
).pipe(Layer.provide(PlatformCache.layer))

/** {@link layer} on the runtime's Web Crypto: what tests and portable hosts use. */
export const layerWebCrypto: Layer.Layer<Services, never, Stores | ScimOptions> = layer.pipe(
  Layer.provide(Crypto.layerWebCrypto)
)
