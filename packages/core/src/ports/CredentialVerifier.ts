/**
 * The port that turns a request's credentials into the platform (tenant) they act for. The HTTP
 * app extracts the bearer token and asks this port, nothing else: it never knows whether the token
 * was one of the platform API keys (`ApiKeys.layerVerifier`, the default), a row of the host's own
 * key table, or an OAuth access token (an Entra ID signed JWT checked against the issuer's keys).
 *
 * A verifier is on every request's path: answer from memory where it can (the default caches a
 * verified key for `ScimOptions.credentialCacheTtl`), and fail with `Unauthorized` for anything it
 * does not accept, with a `detail` the caller can act on (it is the body of the 401).
 */
import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type { PlatformId } from "../domain/Model.js"
import type { StoreError, Unauthorized } from "../errors/ScimError.js"

/** What a request presented: the bearer token of its `Authorization` header (RFC 6750 §2.1). */
export interface Credentials {
  readonly token: string
}

/**
 * A verified credential: the platform, and a name for the credential that the change feed records
 * as who made a change (the API key's id with the default verifier; never the secret).
 */
export interface Verified {
  readonly platform: PlatformId
  readonly credential: string
}

/** The credential verifier: the key of the port. */
export class CredentialVerifier extends Context.Service<CredentialVerifier, {
  /**
   * The platform the credentials act for; `Unauthorized` when they are unknown, expired or revoked,
   * `StoreError` when they could not be checked (a 503, retried by the IdP). A verifier that can name
   * the credential answers a {@link Verified}; a bare `PlatformId` records no credential.
   */
  readonly verify: (credentials: Credentials) => Effect.Effect<PlatformId | Verified, Unauthorized | StoreError>
}>()("@scimkit/core/CredentialVerifier") {}
