/**
 * What the server does before it accepts requests: make sure the `default` platform exists
 * (creating it with its owner and a first key on an empty store) and install `SCIMKIT_BOOTSTRAP_KEY`;
 * and the banner that shows the first key, once.
 */
import { ApiKeys, Platforms, ScimError, type Model } from "@scimkit/core"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"

/** The platform the server creates on first start and the CLI's `keys` commands use by default. */
export const defaultPlatformName = "default"

/** The label of the key installed from `SCIMKIT_BOOTSTRAP_KEY`. */
export const bootstrapKeyName = "SCIMKIT_BOOTSTRAP_KEY"

export interface Booted {
  readonly platform: Model.Platform
  /** Present only when this start created the platform: its first key is shown once. */
  readonly created: Option.Option<Platforms.CreatedPlatform>
}

const findDefault = Effect.gen(function*() {
  const platforms = yield* Platforms.Platforms
  return yield* platforms.find(defaultPlatformName).pipe(
    Effect.map(Option.some),
    Effect.catchTag("ResourceNotFound", () => Effect.succeed(Option.none<Model.Platform>()))
  )
})

/**
 * Finds or creates the `default` platform. Two servers starting at once against one database both
 * succeed: the loser of the create finds the winner's platform.
 */
export const ensureDefault = (ownerEmail: string): Effect.Effect<Booted, ScimError.CoreError, Platforms.Platforms> =>
  Effect.gen(function*() {
    const platforms = yield* Platforms.Platforms
    const existing = yield* findDefault
    return yield* Option.match(existing, {
      onSome: (platform) => Effect.succeed<Booted>({ platform, created: Option.none() }),
      onNone: () =>
        platforms.create({ name: defaultPlatformName, ownerEmail }).pipe(
          Effect.map((created): Booted => ({ platform: created.platform, created: Option.some(created) })),
          Effect.catchTag("Uniqueness", (error) =>
            findDefault.pipe(
              Effect.flatMap(Option.match({
                onSome: (platform) => Effect.succeed<Booted>({ platform, created: Option.none() }),
                onNone: () => Effect.fail(error)
              }))
            ))
        )
    })
  })

/**
 * Makes `SCIMKIT_BOOTSTRAP_KEY` (when set) a key of the platform; a secret the core refuses fails
 * with a message naming the variable.
 */
export const installBootstrapKey = (
  platform: Model.Platform,
  bootstrapKey: Option.Option<Redacted.Redacted<string>>
): Effect.Effect<void, ScimError.CoreError, ApiKeys.ApiKeys> =>
  Option.match(bootstrapKey, {
    onNone: () => Effect.void,
    onSome: (secret) =>
      Effect.flatMap(ApiKeys.ApiKeys, (keys) => keys.ensure(platform.id, Redacted.value(secret), bootstrapKeyName))
        .pipe(
          Effect.catchTag("InvalidValue", (error) =>
            Effect.fail(
              new ScimError.InvalidValue({
                attribute: "SCIMKIT_BOOTSTRAP_KEY",
                detail: `SCIMKIT_BOOTSTRAP_KEY: ${error.detail}`
              })
            )),
          Effect.asVoid
        )
  })

/**
 * The first-start message: exactly what an admin pastes into Entra ID or Okta. `maskPersonal`
 * masks the owner's email (`SCIMKIT_LOG_MASK_PII`); the key is shown either way, only this once.
 */
export const banner = (
  tenantUrl: string,
  created: Platforms.CreatedPlatform,
  maskPersonal: (text: string) => string = (text) => text
): string => {
  const rule = "=".repeat(78)
  return [
    rule,
    "scimkit created the platform \"default\" and its first API key.",
    "Paste these into your identity provider's provisioning settings",
    "(Entra ID: Tenant URL / Secret Token; Okta: SCIM connector base URL / API token):",
    "",
    `  Tenant URL:    ${tenantUrl}`,
    `  Secret Token:  ${created.key.secret}`,
    "",
    `The key is shown only this once; the platform owner is ${
      Option.match(created.owner, { onNone: () => "not set", onSome: (owner) => maskPersonal(owner.userName) })
    }.`,
    "Manage keys with `pnpm scimkit keys list|create|revoke` (on the embedded store, create",
    "and revoke while the server is stopped; listing works while it runs).",
    rule
  ].join("\n")
}

/**
 * The warning `SCIMKIT_STORE=memory` prints before anything else: nothing it is given survives the
 * process.
 */
export const memoryBanner = (): string => {
  const rule = "!".repeat(78)
  return [
    rule,
    "!!  SCIMKIT_STORE=memory: EVERYTHING IS KEPT IN THIS PROCESS'S MEMORY ONLY.",
    "!!  ALL DATA (platforms, API keys, users, groups) IS LOST WHEN THE SERVER STOPS.",
    "!!  For demos and benchmarks. Unset SCIMKIT_STORE to keep data in SQLite (SCIMKIT_DATA_DIR),",
    "!!  or set DATABASE_URL for a Postgres server. The CLI cannot reach this store.",
    rule
  ].join("\n")
}
