/**
 * The role a project member gets when SCIM adds them, and its configuration
 * (`SCIM_DEFAULT_PROJECT_ROLE`, else `AP_SCIM_DEFAULT_PROJECT_ROLE`, default `Editor`).
 */
import * as Config from "effect/Config"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type { ProjectRole } from "../domain/Model.js"

/** The project roles, as stored. */
export const roles: ReadonlyArray<ProjectRole> = ["Admin", "Editor", "Viewer"]

/** The role of a member when nothing is configured. */
export const defaultRole: ProjectRole = "Editor"

/** Parses `admin`, `EDITOR`, `Viewer` … case-insensitively. */
export const parse = (input: string): Option.Option<ProjectRole> => {
  const lower = input.trim().toLowerCase()
  return Option.fromUndefinedOr(roles.find((role) => role.toLowerCase() === lower))
}

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
 * else `Editor`. A blank variable counts as unset; any other value that is not a role fails with a
 * `ConfigError` naming the variable and the allowed values, so the app stops at start-up.
 */
export const defaultProjectRoleConfig: Config.Config<ProjectRole> = Config.all([
  setVariable(variable),
  setVariable(fallbackVariable)
])
  .pipe(
    Config.mapEffect(([primary, fallback]) => {
      const chosen = Option.match(primary, {
        onSome: (value) => Option.some({ name: variable, value }),
        onNone: () => Option.map(fallback, (value) => ({ name: fallbackVariable, value }))
      })
      if (Option.isNone(chosen)) return Effect.succeed(defaultRole)
      const { name, value } = chosen.value
      return Option.match(parse(value), {
        onSome: (role) => Effect.succeed(role),
        onNone: () =>
          Effect.fail(
            new Config.ConfigError(
              new ConfigProvider.SourceError({
                message: `${name} must be one of ${roles.join(", ")} (case-insensitive), got ${JSON.stringify(value)}`
              })
            )
          )
      })
    })
  )
