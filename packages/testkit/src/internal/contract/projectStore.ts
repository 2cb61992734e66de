/**
 * The ProjectStore contract for the projects themselves (their members are in memberships.ts):
 * versions on update and remove, `touch`, and displayName unique in any case.
 */
import { assert } from "@effect/vitest"
import { ProjectStore } from "@scimkit/core"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import { at, freshPlatform, newProject, nextProject, uniqueExternalIdPlatform } from "./fixtures.js"
import type { It } from "./harness.js"

/** The ProjectStore tests of projects without their members. */
export const projectStore = (it: It): void => {
  it.effect("insert, get, update and remove with versions", () =>
    Effect.gen(function*() {
      const projects = yield* ProjectStore.ProjectStore
      const p = freshPlatform()
      const g = yield* projects.insert(p, newProject("Engineering", { externalId: "eng" }))
      assert.deepStrictEqual(yield* projects.get(p, g.id), g)
      const v2 = nextProject(g, { displayName: "Engineering EU", lastModified: at(3) })
      assert.deepStrictEqual(yield* projects.update(p, v2, 1), v2)
      assert.strictEqual((yield* Effect.flip(projects.update(p, nextProject(g, {}), 1)))._tag, "VersionMismatch")
      assert.strictEqual((yield* Effect.flip(projects.remove(p, g.id, 1)))._tag, "VersionMismatch")
      yield* projects.remove(p, g.id, 2)
      assert.strictEqual((yield* Effect.flip(projects.get(p, g.id)))._tag, "ResourceNotFound")
      assert.strictEqual((yield* Effect.flip(projects.update(p, v2, 2)))._tag, "ResourceNotFound")
      assert.strictEqual((yield* Effect.flip(projects.remove(p, g.id, 2)))._tag, "ResourceNotFound")
    }))

  it.effect("touch bumps the version and lastModified whatever the version, keeping the document", () =>
    Effect.gen(function*() {
      const projects = yield* ProjectStore.ProjectStore
      const p = freshPlatform()
      const g = yield* projects.insert(p, newProject("Touched", { externalId: "t" }))
      const touched = yield* projects.touch(p, g.id, at(5))
      assert.strictEqual(touched.version, 2)
      assert.strictEqual(DateTime.toEpochMillis(touched.lastModified), DateTime.toEpochMillis(at(5)))
      assert.deepStrictEqual(touched.document, g.document)
      assert.strictEqual(touched.displayName, g.displayName)
      assert.deepStrictEqual(yield* projects.get(p, g.id), touched)
      assert.strictEqual(
        (yield* Effect.flip(projects.touch(p, newProject("Missing").id, at(6))))._tag,
        "ResourceNotFound"
      )
      assert.strictEqual((yield* Effect.flip(projects.touch(freshPlatform(), g.id, at(6))))._tag, "ResourceNotFound")
    }))

  it.effect("displayName is unique regardless of case, externalId exactly where the platform asks for it, renames included", () =>
    Effect.gen(function*() {
      const projects = yield* ProjectStore.ProjectStore
      const p = yield* uniqueExternalIdPlatform
      yield* projects.insert(p, newProject("Sales", { externalId: "s" }))
      const byName = yield* Effect.flip(projects.insert(p, newProject("SALES")))
      assert.strictEqual(byName._tag, "Uniqueness")
      if (byName._tag === "Uniqueness") assert.strictEqual(byName.attribute, "displayName")
      const byExt = yield* Effect.flip(projects.insert(p, newProject("Other", { externalId: "s" })))
      assert.strictEqual(byExt._tag, "Uniqueness")
      const other = yield* projects.insert(p, newProject("Marketing", { externalId: "S" }))
      const rename = yield* Effect.flip(projects.update(p, nextProject(other, { displayName: "sales" }), 1))
      assert.strictEqual(rename._tag, "Uniqueness")
      const recased = yield* projects.update(p, nextProject(other, { displayName: "MARKETING" }), 1)
      assert.strictEqual(recased.displayName, "MARKETING")
    }))
}
