/**
 * The handlers of the discovery endpoints (RFC 7644 §4): `ServiceProviderConfig`, `ResourceTypes`,
 * `Schemas`, each list and each entry by id.
 *
 * @internal
 */
import { Discovery, ScimError, ScimOptions, type Model } from "@scimkit/core"
import * as Effect from "effect/Effect"
import type * as Result from "effect/Result"
import * as ScimResponse from "../ScimResponse.js"
import * as Params from "./params.js"
import { type Handler, pathId, type Routed } from "./route.js"

const filterRefused = Effect.fail(
  new ScimError.Forbidden({ detail: "Discovery endpoints do not support filter; fetch the whole list instead" })
)

// RFC 7644 §4: discovery ignores query parameters, except that a filter gets 403 so that a client
// never assumes its conditions held.
const discovery = (
  document: (routed: Routed) => Effect.Effect<Model.JsonObject, ScimError.CoreError, ScimOptions.ScimOptions>
): Handler =>
(routed) =>
  Params.hasParam(routed.query, "filter")
    ? filterRefused
    : Effect.map(document(routed), (body) => ScimResponse.json(body))

const byId = (find: (id: string, baseUrl: string) => Result.Result<Model.JsonObject, ScimError.CoreError>) =>
  discovery((routed) => Effect.fromResult(find(pathId(routed), routed.scope.baseUrl)))

export const serviceProviderConfig: Handler = discovery((routed) =>
  Effect.map(ScimOptions.ScimOptions, (options) => Discovery.serviceProviderConfig(options, routed.scope.baseUrl))
)

export const resourceTypes: Handler = discovery((routed) =>
  Effect.succeed(Discovery.resourceTypes(routed.scope.baseUrl))
)

export const resourceType: Handler = byId(Discovery.resourceType)

export const schemas: Handler = discovery((routed) => Effect.succeed(Discovery.schemas(routed.scope.baseUrl)))

export const schema: Handler = byId(Discovery.schema)
