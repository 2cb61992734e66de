/**
 * The role a project member gets when SCIM adds them, and its configuration
 * (`SCIM_DEFAULT_PROJECT_ROLE`, else `AP_SCIM_DEFAULT_PROJECT_ROLE`, else the domain model's
 * default: `Editor` today). The roles themselves are the domain model's (`DomainModel`; today
 * Admin, Editor, Viewer); every function takes the model last and defaults to today's.
 */
import * as Config from "effect/Config"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as DomainModel from "../domain/DomainModel.js"
import type { ProjectRole } from "../domain/Model.js"

/** The project roles of today's model, as stored. */
export const roles: ReadonlyArray<ProjectRole> = DomainModel.defaults.projectRoles.values

/** The role of a member when nothing is configured, in today's model. */
export const defaultRole: ProjectRole = DomainModel.defaults.projectRoles.default

/** Parses `admin`, `EDITOR`, `Viewer` … case-insensitively against the model's project roles. */
export const parse = (
  input: string,
  model: DomainModel.DomainModel = DomainModel.defaults
): Option.Option<ProjectRole> => DomainModel.projectRole(model, input)

/** The variable read first. */
export const variable = "SCIM_DEFAULT_PROJECT_ROLE"
/** The variable read when {@link variable} is not set (the name the platform itself uses). */
export const fallbackVariable = "AP_SCIM_DEFAULT_PROJECT_ROLE"

const setVariable = (name: string): Config.Config<Option.Option<string>> =>
  Config.option(Config.String(name)).pipe(
    Config.map((value) => Option.filter(value, (v) => v.trim() !== ""))
  )

/**
 * The default project role from `SCIM_DEFAULT_PROJECT_ROLE`, else `AP_SCIM_DEFAULT_PROJECT_ROLE`,
 * else the model's default. A blank variable counts as unset; any other value that is not one of
 * the model's project roles fails with a `ConfigError` naming the variable and the allowed values,
 * so the app stops at start-up.
 */
export const defaultProjectRoleConfigFor = (model: DomainModel.DomainModel): Config.Config<ProjectRole> =>
  Config.all([
    setVariable(variable),
    setVariable(fallbackVariable)
  ])
    .pipe(
      Config.mapEffect(([primary, fallback]) => {
        const chosen = Option.match(primary, {
          onSome: (value) => Option.some({ name: variable, value }),
          onNone: () => Option.map(fallback, (value) => ({ name: fallbackVariable, value }))
        })
        if (Option.isNone(chosen)) return Effect.succeed(model.projectRoles.default)
        const { name, value } = chosen.value
        return Option.match(parse(value, model), {
          onSome: (role) => Effect.succeed(role),
          onNone: () =>
            Effect.fail(
              new Config.ConfigError(
                new ConfigProvider.SourceError({
                  message: `${name} must be one of ${model.projectRoles.values.join(", ")} (case-insensitive), got ${
                    JSON.stringify(value)
                  }`
                })
              )
            )
        })
      })
    )

/** {@link defaultProjectRoleConfigFor} today's model (default `Editor`). */
export const defaultProjectRoleConfig: Config.Config<ProjectRole> = defaultProjectRoleConfigFor(DomainModel.defaults)
