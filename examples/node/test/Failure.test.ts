/**
 * Start-up failures print the error's message and then only what its causes add: a wrapper that
 * repeats its cause's sentence (as PGlite's open failure did, "… (Failed to open PGlite in …)")
 * states it once, and the underlying cause still shows.
 */
import { assert, describe, it } from "@effect/vitest"
import { ScimError } from "@scimkit/core"
import * as Cause from "effect/Cause"
import * as Failure from "../src/Failure.js"

describe("Failure.describe", () => {
  it("a cause repeating the message is left out; the underlying cause is stated once", () => {
    const errno = Object.assign(Object.create(null), { name: "ErrnoError", errno: 44 })
    const sqlError = {
      _tag: "SqlError",
      message: "Failed to open PGlite in /data",
      reason: { _tag: "ConnectionError", cause: errno }
    }
    const error = new ScimError.StoreError({
      message: "Cannot open the embedded store in /data: Failed to open PGlite in /data",
      cause: sqlError
    })
    const [line, ...rest] = Failure.describe(Cause.fail(error))
    assert.deepStrictEqual(rest, [])
    assert.strictEqual(line, "Cannot open the embedded store in /data: Failed to open PGlite in /data (errno 44)")
  })

  it("distinct causes are each stated once, outermost first", () => {
    const root = new Error("EACCES: permission denied, open '/data/scimkit.db'")
    const middle = new Error("unable to open database file", { cause: root })
    const error = new ScimError.StoreError({
      message: "Cannot open the SQLite database /data/scimkit.db",
      cause: middle
    })
    assert.deepStrictEqual(Failure.describe(Cause.fail(error)), [
      "Cannot open the SQLite database /data/scimkit.db (unable to open database file; EACCES: permission denied, open '/data/scimkit.db')"
    ])
  })
})
