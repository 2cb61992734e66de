import { assert, describe, it } from "@effect/vitest"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as DomainModel from "../src/domain/DomainModel.js"
import * as ProjectRole from "../src/policy/ProjectRolePolicy.js"

const withEnv = (env: Record<string, string>) =>
  Effect.provideService(
    ProjectRole.defaultProjectRoleConfig,
    ConfigProvider.ConfigProvider,
    ConfigProvider.fromEnv({ env })
  )

describe("ProjectRole", () => {
  it("parses roles case-insensitively", () => {
    assert.deepStrictEqual(ProjectRole.parse("admin"), Option.some("Admin"))
    assert.deepStrictEqual(ProjectRole.parse("EDITOR"), Option.some("Editor"))
    assert.deepStrictEqual(ProjectRole.parse("Viewer"), Option.some("Viewer"))
    assert.deepStrictEqual(ProjectRole.parse("owner"), Option.none())
    assert.deepStrictEqual(ProjectRole.parse(""), Option.none())
  })

  it.effect("defaults to Editor when no variable is set", () =>
    Effect.gen(function*() {
      assert.strictEqual(yield* withEnv({}), "Editor")
      assert.strictEqual(yield* withEnv({ SCIM_DEFAULT_PROJECT_ROLE: "  " }), "Editor")
    }))

  it.effect("reads SCIM_DEFAULT_PROJECT_ROLE case-insensitively", () =>
    Effect.gen(function*() {
      assert.strictEqual(yield* withEnv({ SCIM_DEFAULT_PROJECT_ROLE: "viewer" }), "Viewer")
      assert.strictEqual(yield* withEnv({ SCIM_DEFAULT_PROJECT_ROLE: "ADMIN" }), "Admin")
    }))

  it.effect("falls back to AP_SCIM_DEFAULT_PROJECT_ROLE, and prefers SCIM_DEFAULT_PROJECT_ROLE when both are set", () =>
    Effect.gen(function*() {
      assert.strictEqual(yield* withEnv({ AP_SCIM_DEFAULT_PROJECT_ROLE: "Viewer" }), "Viewer")
      assert.strictEqual(
        yield* withEnv({ SCIM_DEFAULT_PROJECT_ROLE: "Admin", AP_SCIM_DEFAULT_PROJECT_ROLE: "nonsense" }),
        "Admin"
      )
    }))

  it.effect("an invalid value fails with a message naming the variable and the allowed values", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(withEnv({ SCIM_DEFAULT_PROJECT_ROLE: "owner" }))
      const text = String(error)
      assert.include(text, "SCIM_DEFAULT_PROJECT_ROLE")
      assert.include(text, "Admin, Editor, Viewer")
      assert.include(text, "owner")
      const fallback = String(yield* Effect.flip(withEnv({ AP_SCIM_DEFAULT_PROJECT_ROLE: "boss" })))
      assert.include(fallback, "AP_SCIM_DEFAULT_PROJECT_ROLE")
      assert.include(fallback, "Admin, Editor, Viewer")
    }))
})

describe("ProjectRole with a host's model", () => {
  const model = DomainModel.make({ projectRoles: { values: ["Owner", "Member"], default: "Member" } })

  it("parses the model's roles case-insensitively and nothing else", () => {
    assert.deepStrictEqual(ProjectRole.parse("OWNER", model), Option.some("Owner"))
    assert.deepStrictEqual(ProjectRole.parse(" member ", model), Option.some("Member"))
    assert.deepStrictEqual(ProjectRole.parse("Editor", model), Option.none())
  })
})
