/**
 * API key material shared by the ApiKeys and Platforms services: secrets are `sk-` plus 43
 * base64url characters (256 random bits); only their SHA-256 hash is stored.
 *
 * @internal
 */
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Base64Url from "effect/encoding/Base64Url"
import * as Option from "effect/Option"
import { ApiKeyId, type PlatformId, StoredApiKey } from "../../domain/Model.js"
import { InvalidValue } from "../../errors/ScimError.js"
import type { Bound } from "../../Crypto.js"

export const secretPrefix = "sk-"
export const minimumSecretLength = 32
export const displayPrefixLength = 10

/** A fresh secret: `sk-` + base64url of 32 random bytes (43 characters). */
export const generateSecret = (crypto: Bound): Effect.Effect<string> =>
  Effect.map(randomSecret(crypto), (random) => secretPrefix + random)

/** 256 random bits as base64url (43 characters): API keys, cursor secrets. */
export const randomSecret = (crypto: Bound): Effect.Effect<string> =>
  Effect.map(crypto.randomBytes(32), Base64Url.encode)

export const validateName = (name: string): Effect.Effect<string, InvalidValue> => {
  const trimmed = name.trim()
  return trimmed === ""
    ? Effect.fail(
      new InvalidValue({
        attribute: "name",
        detail: "An API key needs a non-empty name, e.g. \"Entra ID provisioning\""
      })
    )
    : Effect.succeed(trimmed)
}

export const validateSecret = (secret: string): Effect.Effect<string, InvalidValue> =>
  secret.startsWith(secretPrefix) && secret.length >= minimumSecretLength && !/\s/.test(secret)
    ? Effect.succeed(secret)
    : Effect.fail(
      new InvalidValue({
        attribute: "secret",
        detail:
          `An API key secret must start with "${secretPrefix}", contain no whitespace and be at least ${minimumSecretLength} ` +
          `characters long (got ${secret.length} characters); generate one with e.g. \`openssl rand -base64 32\` and prefix it with "${secretPrefix}"`
      })
    )

/** The stored form of a secret (never the secret itself). */
export const storedKey = (
  crypto: Bound,
  platform: PlatformId,
  name: string,
  secret: string
): Effect.Effect<StoredApiKey> =>
  Effect.gen(function*() {
    const id = ApiKeyId.make(yield* crypto.randomUUID)
    const hash = yield* crypto.sha256Hex(secret)
    const created = yield* DateTime.now
    return new StoredApiKey({
      id,
      platform,
      name,
      hash,
      prefix: secret.slice(0, displayPrefixLength),
      created,
      lastUsed: Option.none(),
      revoked: Option.none()
    }, { disableChecks: true })
  })
