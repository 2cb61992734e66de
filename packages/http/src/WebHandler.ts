/**
 * The app as a web-standard `(Request) => Promise<Response>` handler over a layer the caller
 * assembles. To embed scimkit in an app, use `ScimKit.make` instead: it builds the layer from a
 * store and options and shares ONE runtime between its `fetch` and Node handlers and its admin API.
 * `WebHandler.make` builds its own copy of `layer`, so a tenant or key created through another
 * runtime of the same layer (a second in-memory store, or a second key cache) is not seen by it.
 */
import * as HttpEffect from "effect/http/HttpEffect"
import type * as Layer from "effect/Layer"
import * as RequestLog from "./RequestLog.js"
import * as ScimHttpApp from "./ScimHttpApp.js"

/** A web-standard handler and the way to release what it holds. */
export interface WebHandler {
  /** Handles one request. The layer is built on the first call and shared by all later ones. */
  readonly handler: (request: Request) => Promise<Response>
  /** Releases the layer's resources (store connections). */
  readonly dispose: () => Promise<void>
}

/**
 * Builds `ScimHttpApp.app` over `layer` as a web handler, with the request log unless
 * `requestLog: false`. The layer is built by this handler, on its first request, and belongs to it
 * alone (see the module's note: `ScimKit.make` is the way to share one runtime with admin calls).
 */
export const make = <E>(
  layer: Layer.Layer<ScimHttpApp.Requirements, E>,
  options?: { readonly requestLog?: boolean | undefined }
): WebHandler => {
  const app = options?.requestLog === false ? ScimHttpApp.app : RequestLog.middleware(ScimHttpApp.app)
  // `toWebHandlerLayer` builds the layer as soon as it is called: defer that to the first request.
  let web:
    | { readonly handler: (request: Request) => Promise<Response>; readonly dispose: () => Promise<void> }
    | undefined
  return {
    handler: (request) => (web ??= HttpEffect.toWebHandlerLayer(app, layer)).handler(request),
    dispose: () => web === undefined ? Promise.resolve() : web.dispose()
  }
}
