/** docs/embedding.md shows this example's code as it is here, where it runs and is type-checked. */
import * as Fs from "node:fs"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import { assert, describe, it } from "vitest"

const exampleDir = fileURLToPath(new URL("../", import.meta.url))

const guide = Fs.readFileSync(Path.join(exampleDir, "../../docs/embedding.md"), "utf8")

describe("docs/embedding.md", () => {
  for (const file of ["src/scim.ts", "src/app/scim/v2/[...path]/route.ts", "src/instrumentation.ts"]) {
    it(`shows examples/nextjs/${file} verbatim`, () => {
      const code = Fs.readFileSync(Path.join(exampleDir, file), "utf8").trimEnd()
      assert.isTrue(guide.includes("\n" + code + "\n```\n"), `update the guide's copy of ${file}`)
    })
  }
})
