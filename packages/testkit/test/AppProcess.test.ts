import * as Fs from "node:fs"
import { assert, describe, it } from "vitest"
import { AppProcess } from "../src/index.js"

/**
 * A Node one-liner that prints what a scimkit app prints, then waits for SIGTERM (its handler set
 * before the first line: the parent may stop it as soon as it reads them).
 */
const app = (lines: ReadonlyArray<string>, onTerm = "process.exit(0)") => [
  process.execPath,
  "-e",
  `process.on("SIGTERM", () => { ${onTerm} });`
  + `${lines.map((line) => `console.log(${JSON.stringify(line)})`).join(";")};`
  + `setInterval(() => {}, 1000)`
]

describe("AppProcess.start", () => {
  it("reads the URL and the Secret Token, and stops with the exit code", async () => {
    const started = await AppProcess.start({
      command: app(["Secret Token: abc123", "listening on http://localhost:4321"]),
      cwd: process.cwd(),
      freshDir: "DATA_DIR",
      requireToken: true
    })
    assert.strictEqual(started.url, "http://localhost:4321")
    assert.strictEqual(started.token, "abc123")
    assert.include(started.output(), "Secret Token")
    assert.strictEqual(await started.stop(), 0)
    // stopping again answers the same exit code
    assert.strictEqual(await started.stop(), 0)
  })

  it("has no token on a later start, and passes PORT=0 and a fresh directory", async () => {
    const started = await AppProcess.start({
      command: [
        process.execPath,
        "-e",
        `process.on("SIGTERM", () => process.exit(3));`
        + `console.log("dir " + process.env.DATA_DIR + " port " + process.env.PORT + " at http://x:1");`
        + `setInterval(() => {}, 1000)`
      ],
      cwd: process.cwd(),
      freshDir: "DATA_DIR",
      ready: /at (http:\/\/\S+)/
    })
    assert.strictEqual(started.token, undefined)
    const dir = /dir (\S+)/.exec(started.output())![1]!
    assert.isTrue(Fs.existsSync(dir))
    assert.include(started.output(), "port 0")
    assert.strictEqual(await started.stop(), 3)
    assert.isFalse(Fs.existsSync(dir), "the fresh directory is removed")
  })

  it("rejects with the output when the app exits before it is ready", async () => {
    const failed = AppProcess.start({
      command: [process.execPath, "-e", `console.error("in use by process 42"); process.exit(1)`],
      cwd: process.cwd()
    })
    try {
      await failed
      assert.fail("started")
    } catch (error) {
      assert.match(String(error), /exited \(1\) before it was ready:\nin use by process 42/)
    }
  })

  it("rejects when the token never comes", async () => {
    const failed = AppProcess.start({
      command: app(["listening on http://localhost:1"]),
      cwd: process.cwd(),
      requireToken: true,
      timeoutMs: 500
    })
    try {
      await failed
      assert.fail("started")
    } catch (error) {
      assert.match(String(error), /did not start in time/)
    }
  })
})
