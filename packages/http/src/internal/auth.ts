/**
 * RFC 6750 §2.1: the credentials as a bearer token in `Authorization` (the platform's API key, or
 * whatever token the host's `CredentialVerifier` accepts).
 *
 * @internal
 */
import { ScimError } from "@scimkit/core"

const missingCredentials = new ScimError.Unauthorized({
  detail: "Authentication required: send the platform's API key as `Authorization: Bearer <key>`"
})
const wrongScheme = new ScimError.Unauthorized({
  detail: "Unsupported authorization scheme: send the platform's API key as `Authorization: Bearer <key>`"
})

/**
 * The bearer token of the `Authorization` header (scheme case-insensitive), or why there is none.
 * Synchronous, so that the app checks it without an Effect step.
 */
export const bearerTokenOf = (header: string | undefined): string | ScimError.Unauthorized => {
  if (header === undefined) return missingCredentials
  const trimmed = header.trim()
  const space = trimmed.indexOf(" ")
  if (space !== 6 || trimmed.slice(0, 6).toLowerCase() !== "bearer") return wrongScheme
  const token = trimmed.slice(7).trim()
  return token === "" ? missingCredentials : token
}
