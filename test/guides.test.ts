/**
 * The operators' guides, as commands: every fenced block marked `sh test` in docs/entra-id.md and
 * docs/okta.md runs, in order, in one bash script from the repository root, as a reader would paste
 * them (it starts the server with `pnpm start`, creates the platform and its key with the CLI and
 * sends the identity provider's requests with `curl`); then what the guide says should have
 * arrived is checked through the API. And docs/configuration.md, the reference, names every
 * variable examples/node/src/Settings.ts reads (and documents none it does not) and every command of
 * the CLI, so neither can drift from the code.
 */
import { afterAll, describe, expect, it } from "@effect/vitest"
import { ProjectRolePolicy } from "@scimkit/core"
import * as ChildProcess from "node:child_process"
import * as Fs from "node:fs"
import * as Net from "node:net"
import * as Os from "node:os"
import * as Path from "node:path"
import ts from "typescript"

const root = Path.resolve(import.meta.dirname, "..")
const read = (file: string) => Fs.readFileSync(Path.join(root, file), "utf8")

const scratch = Fs.mkdtempSync(Path.join(Os.tmpdir(), "scimkit-guides-"))
afterAll(() => Fs.rmSync(scratch, { recursive: true, force: true }))

/** The blocks of a Markdown file fenced as `sh test`, in order. */
const testedBlocks = (markdown: string): ReadonlyArray<string> =>
  [...markdown.matchAll(/^```sh test\n([\s\S]*?)^```$/gm)].map((match) => match[1]!)

/**
 * A `pnpm` on PATH for the guides' commands: pnpm as the test runs under it (`pnpm test` names
 * itself in npm_execpath), else the version the repository pins, through npx.
 */
const pnpmShim = (dir: string): string => {
  const execPath = process.env["npm_execpath"]
  const manifest: { readonly packageManager: string } = JSON.parse(read("package.json"))
  const command = execPath !== undefined && /pnpm/.test(Path.basename(execPath))
    ? (/\.[cm]?js$/.test(execPath) ? `"${process.execPath}" "${execPath}"` : `"${execPath}"`)
    : `npx -y ${manifest.packageManager}`
  const bin = Path.join(dir, "bin")
  Fs.mkdirSync(bin, { recursive: true })
  Fs.writeFileSync(Path.join(bin, "pnpm"), `#!/bin/sh\nexec ${command} "$@"\n`, { mode: 0o755 })
  return bin
}

const freePort = (): Promise<number> =>
  new Promise((resolve) => {
    const probe = Net.createServer()
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address()
      const port = typeof address === "object" && address !== null ? address.port : 0
      probe.close(() => resolve(port))
    })
  })

/** This process's environment without what the server reads, so a developer's settings never leak in. */
const cleanEnv = (): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(SCIMKIT_|SCIM_|AP_SCIM_|OTEL_|NODE_OPTIONS)/.test(key)) continue
    if (key === "PORT" || key === "DATABASE_URL" || key === "INIT_CWD") continue
    env[key] = value
  }
  return env
}

interface GuideRun {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
  /** The Tenant URL and token the guide's commands ended with. */
  readonly tenantUrl: string
  readonly token: string
  /** Stops what the guide started (the server in the background) and waits for it. */
  readonly stop: () => Promise<void>
}

/**
 * Runs the guide's tested blocks as one `set -euo pipefail` bash script from the repository root,
 * with a free `PORT`, a fresh `SCIMKIT_DATA_DIR` and `TMPDIR`, in a process group of its own (the
 * server the guide starts in the background stays in it until {@link GuideRun.stop}).
 */
const runGuide = async (file: string): Promise<GuideRun> => {
  const blocks = testedBlocks(read(file))
  expect(blocks.length, `${file} has no block marked sh test`).toBeGreaterThan(0)
  const dir = Fs.mkdtempSync(Path.join(scratch, Path.basename(file, ".md")))
  const script = Path.join(dir, "guide.sh")
  Fs.writeFileSync(
    script,
    ["set -euo pipefail", ...blocks, `echo "::TENANT_URL=$TENANT_URL"`, `echo "::TOKEN=$TOKEN"`].join("\n")
  )
  Fs.mkdirSync(Path.join(dir, "tmp"))
  const env = cleanEnv()
  const child = ChildProcess.spawn("bash", [script], {
    cwd: root,
    env: {
      ...env,
      PATH: `${pnpmShim(dir)}${Path.delimiter}${env["PATH"] ?? ""}`,
      PORT: String(await freePort()),
      SCIMKIT_DATA_DIR: Path.join(dir, "data"),
      TMPDIR: Path.join(dir, "tmp"),
      NO_COLOR: "1"
    },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true
  })
  const group = child.pid!
  const alive = () => {
    try {
      process.kill(-group, 0)
      return true
    } catch {
      return false
    }
  }
  const stop = async () => {
    const signal = (name: NodeJS.Signals) => {
      try {
        process.kill(-group, name)
      } catch {
        // the group is gone
      }
    }
    signal("SIGTERM")
    for (let waited = 0; alive() && waited < 15_000; waited += 100) await new Promise((r) => setTimeout(r, 100))
    signal("SIGKILL")
  }
  let stdout = ""
  let stderr = ""
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk))
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk))
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve))
  const value = (name: string) => new RegExp(`^::${name}=(.*)$`, "m").exec(stdout)?.[1] ?? ""
  return { code, stdout, stderr, tenantUrl: value("TENANT_URL"), token: value("TOKEN"), stop }
}

/** A GET through the guide's server with the guide's token; the parsed JSON body. */
const get = async (run: GuideRun, path: string): Promise<Record<string, unknown>> => {
  const response = await fetch(`${run.tenantUrl}${path}`, { headers: { authorization: `Bearer ${run.token}` } })
  expect(response.status, path).toBe(200)
  return (await response.json()) as Record<string, unknown>
}

const only = async (run: GuideRun, type: "Users" | "Groups", filter: string): Promise<Record<string, unknown>> => {
  const list = await get(run, `/${type}?filter=${encodeURIComponent(filter)}`)
  expect(list["totalResults"], filter).toBe(1)
  return (list["Resources"] as ReadonlyArray<Record<string, unknown>>)[0]!
}

const roleOf = (user: Record<string, unknown>) =>
  (user["urn:ietf:params:scim:schemas:activepieces:1.0:CustomUserAttributes"] as { platformRole?: unknown })
    ?.platformRole

const memberIds = (group: Record<string, unknown>): ReadonlyArray<string> =>
  ((group["members"] ?? []) as ReadonlyArray<{ readonly value: string }>).map((member) => member.value)

const explain = (run: GuideRun) => `exit ${run.code}\n--- stdout\n${run.stdout}\n--- stderr\n${run.stderr}`

describe("the guides' commands, run", () => {
  it("docs/entra-id.md: a platform and key from the CLI, Entra ID's requests, the audit log", async () => {
    const run = await runGuide("docs/entra-id.md")
    try {
      expect(run.code, explain(run)).toBe(0)
      const adele = await only(run, "Users", "userName eq \"adelev@contoso.example\"")
      expect(adele["active"]).toBe(false)
      expect(roleOf(adele)).toBe("ADMIN")
      const retail = await only(run, "Groups", "displayName eq \"Retail\"")
      expect(memberIds(retail)).toEqual([adele["id"]])
      for (const type of ["user.created", "user.platformRoleChanged", "project.created", "member.added"]) {
        expect(run.stdout, type).toContain(type)
      }
      expect(run.stdout).toMatch(/user\.deactivated\s+User /)
    } finally {
      await run.stop()
    }
  }, 180_000)

  it("docs/okta.md: Okta's lookups, create, PUT, Group Push with a 256-member batch, deactivation", async () => {
    const run = await runGuide("docs/okta.md")
    try {
      expect(run.code, explain(run)).toBe(0)
      expect(run.stdout).toMatch(/^256$/m)
      const jane = await only(run, "Users", "userName eq \"jdoe@acme.example\"")
      expect(jane["active"]).toBe(false)
      expect(jane["displayName"]).toBe("Jane Doe-Smith")
      // the PUT carried no role: the one set at creation stays
      expect(roleOf(jane)).toBe("OPERATOR")
      const engineering = await only(run, "Groups", "displayName eq \"Engineering\"")
      const leaver = await only(run, "Users", "userName eq \"engineer1@acme.example\"")
      expect(memberIds(engineering)).toHaveLength(256)
      expect(memberIds(engineering)).toContain(jane["id"])
      expect(memberIds(engineering)).not.toContain(leaver["id"])
      expect(run.stdout).toMatch(/member\.removed\s+Group /)
    } finally {
      await run.stop()
    }
  }, 180_000)
})

// ---------------------------------------------------------------------------------------------
// the configuration reference

/** Every string literal of a TypeScript file that looks like an environment variable's name. */
const variablesIn = (file: string): ReadonlySet<string> => {
  const source = ts.createSourceFile(file, read(file), ts.ScriptTarget.Latest, true)
  const found = new Set<string>()
  const visit = (node: ts.Node): void => {
    if (ts.isStringLiteral(node) && /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/.test(node.text) && node.text.length >= 4) {
      found.add(node.text)
    }
    ts.forEachChild(node, visit)
  }
  visit(source)
  return found
}

const reference = read("docs/configuration.md")

/** The variables the reference's tables document: the first cell of each row, `NAME`. */
const documented = new Set([...reference.matchAll(/^\| `([A-Z][A-Z0-9_]*)` \|/gm)].map((match) => match[1]!))

describe("docs/configuration.md", () => {
  // the server's settings, plus the project role the core reads for them
  const variables = new Set([
    ...variablesIn("examples/node/src/Settings.ts"),
    ProjectRolePolicy.variable,
    ProjectRolePolicy.fallbackVariable
  ])

  it("documents every variable the server reads, each in a table row with its default and allowed values", () => {
    expect(variables.size).toBeGreaterThan(10)
    expect([...variables].filter((name) => !documented.has(name)), "undocumented variables").toEqual([])
  })

  it("documents no variable the server does not read", () => {
    expect([...documented].filter((name) => !variables.has(name)), "documented but not read").toEqual([])
  })

  it("documents every command of the CLI", () => {
    const usage = /export const usage = `([\s\S]*?)`/.exec(read("examples/node/src/CliArgs.ts"))?.[1] ?? ""
    const commands = [...usage.split("Commands:")[1]!.split("\n\n")[0]!.matchAll(/^ {2}([a-z]+(?: [a-z]+)?)/gm)]
      .map((match) => match[1]!)
    expect(commands).toContain("keys revoke")
    expect(commands.filter((command) => !reference.includes(`| \`${command}`)), "undocumented commands").toEqual([])
  })
})
