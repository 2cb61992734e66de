/**
 * The app type-checks as a Next.js app's compiler sees it: `tsc -p tsconfig.json` (bundler
 * resolution, the `@/*` alias, Next's types). The workspace's one type-check cannot hold it: it
 * resolves modules as Node does (NodeNext), where `@/scim` means nothing, and Next's global types
 * would make `process.env.NODE_ENV` required in every other package.
 */
import * as ChildProcess from "node:child_process"
import { createRequire } from "node:module"
import { fileURLToPath } from "node:url"
import { assert, describe, it } from "vitest"

const exampleDir = fileURLToPath(new URL("../", import.meta.url))

describe("examples/nextjs", () => {
  it("type-checks with its own tsconfig.json", async () => {
    const tsc = createRequire(`${exampleDir}package.json`).resolve("typescript/bin/tsc")
    const { code, output } = await new Promise<{ code: number | null; output: string }>((resolve) => {
      const child = ChildProcess.spawn(process.execPath, [tsc, "-p", "tsconfig.json", "--noEmit"], { cwd: exampleDir })
      let output = ""
      child.stdout.setEncoding("utf8").on("data", (chunk: string) => (output += chunk))
      child.stderr.setEncoding("utf8").on("data", (chunk: string) => (output += chunk))
      child.on("close", (code) => resolve({ code, output }))
    })
    assert.strictEqual(code, 0, output)
  }, 120_000)
})
