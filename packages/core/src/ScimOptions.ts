/**
 * Server options the core reads. Libraries never read environment variables: apps build them
 * with `layer` or `layerConfig` and choose the variable names.
 */
import * as Config from "effect/Config"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"
import * as Result from "effect/Result"
import * as DomainModel from "./domain/DomainModel.js"
import type { CompatibilityProfile, ProjectRole } from "./domain/Model.js"

export interface ScimOptionsShape {
  /** Largest page a list returns; advertised as `filter.maxResults`. */
  readonly maxResults: number
  /** Page size when the client sends no `count`. */
  readonly defaultCount: number
  readonly maxFilterLength: number
  readonly maxFilterDepth: number
  /** Most comparisons one filter may hold. */
  readonly maxFilterTerms: number
  /** Most operations one PATCH request may carry (413 beyond). */
  readonly maxPatchOperations: number
  /** Most values one PATCH operation may carry (an array `value`, or `members`; 413 beyond). */
  readonly maxOperationValues: number
  /** Deepest nesting of arrays and objects a request body may have (see `Input.check`). */
  readonly maxValueDepth: number
  /**
   * Role of a member added through SCIM (`SCIM_DEFAULT_PROJECT_ROLE`): one of the model's project
   * roles. When only `model` is given, the model's default project role.
   */
  readonly defaultProjectRole: ProjectRole
  /**
   * The domain model: the user extension (role attribute and values, further attributes) and the
   * project roles. Discovery, validation, filters and PATCH follow it. Default: today's model
   * (`DomainModel.defaults`).
   */
  readonly model: DomainModel.DomainModel
  /** Compatibility profile for platforms that do not choose one. */
  readonly compatibility: CompatibilityProfile
  readonly bulkMaxOperations: number
  readonly bulkMaxPayloadSize: number
  /**
   * Signs the pagination cursors of platforms that carry no secret of their own (platforms created
   * by `Platforms.create` do). None: each service instance signs with a random secret of its own,
   * so such cursors last as long as the process.
   */
  readonly cursorSecret: Option.Option<Redacted.Redacted<string>>
  /**
   * How long a verified API key (token → key → platform) and a platform's settings (compatibility
   * profile, owner, cursor secret) are reused without asking the store again. A key revoked through
   * this process stops working at once; revoked by another process sharing the store (another node
   * on the same Postgres database, the CLI), within this bound. `Duration.zero` asks the store on
   * every request. Resources (users, groups, members) are never cached.
   */
  readonly credentialCacheTtl: Duration.Duration
  /**
   * How long change-feed events (the audit log) and webhook delivery attempts are kept;
   * `ChangeFeed.prune` deletes older ones.
   */
  readonly eventRetention: Duration.Duration
}

/** Every option's value when the app gives none. */
export const defaults: ScimOptionsShape = {
  maxResults: 1000,
  defaultCount: 100,
  maxFilterLength: 4096,
  maxFilterDepth: 32,
  maxFilterTerms: 256,
  maxPatchOperations: 1000,
  maxOperationValues: 10_000,
  maxValueDepth: 64,
  defaultProjectRole: "Editor",
  compatibility: "lenient",
  bulkMaxOperations: 1000,
  bulkMaxPayloadSize: 1_048_576,
  cursorSecret: Option.none(),
  model: DomainModel.defaults,
  // A guess: short enough that a key revoked from another node stops working within seconds, long
  // enough that a busy IdP connection costs one key read every few seconds instead of one per request.
  credentialCacheTtl: Duration.seconds(5),
  // A guess: long enough for an audit question about last month and for a consumer that was down
  // over a long weekend to catch up; an operator with audit duties raises it.
  eventRetention: Duration.days(30)
}

/** The key of the options. */
export class ScimOptions extends Context.Service<ScimOptions, ScimOptionsShape>()("@scimkit/core/ScimOptions") {}

/**
 * {@link defaults} overridden by `options`, with `defaultProjectRole` checked against the model's
 * project roles (and spelled as the model does); without one, the model's default project role.
 */
export const resolve = (
  options: Partial<ScimOptionsShape>
): Result.Result<ScimOptionsShape, DomainModel.InvalidDomainModel> => {
  const model = options.model ?? defaults.model
  const asked = options.defaultProjectRole ?? (options.model === undefined ? defaults.defaultProjectRole : undefined)
  if (asked === undefined) {
    return Result.succeed({ ...defaults, ...options, model, defaultProjectRole: model.projectRoles.default })
  }
  return Option.match(DomainModel.projectRole(model, asked), {
    onSome: (role) => Result.succeed({ ...defaults, ...options, model, defaultProjectRole: role }),
    onNone: () =>
      Result.fail(
        new DomainModel.InvalidDomainModel({
          problems: [
            `the default project role ${JSON.stringify(asked)} is not among the project roles ${
              model.projectRoles.values.join(", ")
            }`
          ]
        })
      )
  })
}

/**
 * The options: {@link defaults} overridden by `options`. Throws `InvalidDomainModel` when
 * `defaultProjectRole` is not among the model's project roles.
 */
export const layer = (options: Partial<ScimOptionsShape> = {}): Layer.Layer<ScimOptions> => {
  const resolved = resolve(options)
  if (Result.isFailure(resolved)) throw resolved.failure
  return Layer.succeed(ScimOptions, resolved.success)
}

/**
 * The options read from `config` (the app chooses the variable names), over {@link defaults}; a
 * `defaultProjectRole` outside the model's project roles is a `ConfigError`.
 */
export const layerConfig = (
  config: Config.Config<Partial<ScimOptionsShape>>
): Layer.Layer<ScimOptions, Config.ConfigError> =>
  Layer.effect(
    ScimOptions,
    Effect.flatMap(config, (options) =>
      Result.match(resolve(options), {
        onSuccess: (resolved) => Effect.succeed(resolved),
        onFailure: (error) =>
          Effect.fail(new Config.ConfigError(new ConfigProvider.SourceError({ message: error.message })))
      }))
  )
