/**
 * The handlers of the discovery endpoints (RFC 7644 §4): `ServiceProviderConfig`, `ResourceTypes`,
 * `Schemas`, each list and each entry by id, following the domain model of `ScimOptions`; and of
 * `/Roles`, the model's roles as a read-only resource type for identity governance (Okta Identity
 * Governance), where every write answers 405.
 *
 * @internal
 */
import { Discovery, type DomainModel, Roles, ScimError, ScimOptions, type Model } from "@scimkit/core"
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
  document: (
    routed: Routed,
    options: ScimOptions.ScimOptionsShape
  ) => Effect.Effect<Model.JsonObject, ScimError.CoreError>
): Handler =>
(routed) =>
  Params.hasParam(routed.query, "filter")
    ? filterRefused
    : Effect.flatMap(
      ScimOptions.ScimOptions,
      (options) => Effect.map(document(routed, options), (body) => ScimResponse.json(body))
    )

const byId = (
  find: (
    id: string,
    baseUrl: string,
    model: DomainModel.DomainModel
  ) => Result.Result<Model.JsonObject, ScimError.CoreError>
) => discovery((routed, options) => Effect.fromResult(find(pathId(routed), routed.scope.baseUrl, options.model)))

export const serviceProviderConfig: Handler = discovery((routed, options) =>
  Effect.succeed(Discovery.serviceProviderConfig(options, routed.scope.baseUrl))
)

export const resourceTypes: Handler = discovery((routed, options) =>
  Effect.succeed(Discovery.resourceTypes(routed.scope.baseUrl, options.model))
)

export const resourceType: Handler = byId(Discovery.resourceType)

export const schemas: Handler = discovery((routed, options) =>
  Effect.succeed(Discovery.schemas(routed.scope.baseUrl, options.model))
)

export const schema: Handler = byId(Discovery.schema)

const rolesHidden = Effect.fail(
  new ScimResponse.HttpEdgeError({
    status: 404,
    detail: "No SCIM endpoint at /Roles: this server's domain model does not list its roles (exposeRoles is false)"
  })
)

/** `GET /Roles`: the model's roles as a ListResponse (filter, sort, index paging, projection). */
export const roles: Handler = (routed) =>
  Effect.gen(function*() {
    const options = yield* ScimOptions.ScimOptions
    if (!options.model.exposeRoles) return yield* rolesHidden
    const request = Params.listRequest(routed.query)
    return ScimResponse.json(
      yield* Effect.fromResult(Roles.list(options.model, request, options, routed.scope.baseUrl))
    )
  })

/** `GET /Roles/{id}`. */
export const role: Handler = (routed) =>
  Effect.gen(function*() {
    const options = yield* ScimOptions.ScimOptions
    if (!options.model.exposeRoles) return yield* rolesHidden
    const projection = Params.projection(routed.query) ?? {}
    return ScimResponse.json(
      yield* Effect.fromResult(Roles.get(options.model, pathId(routed), routed.scope.baseUrl, projection))
    )
  })

const rolesAreReadOnly = Effect.fail(
  new ScimResponse.HttpEdgeError({
    status: 405,
    detail:
      "Roles are read-only: the server's domain model defines them. Assign a platform role through the user's role attribute (see /Schemas) and a project role through group membership",
    headers: { allow: "GET, HEAD" }
  })
)

/** `POST`, `PUT`, `PATCH`, `DELETE` on `/Roles` or `/Roles/{id}`: 405 with `Allow: GET, HEAD`. */
export const rolesReadOnly: Handler = () => rolesAreReadOnly
