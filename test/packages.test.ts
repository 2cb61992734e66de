/**
 * The published packages as a user installs them: every public package is built (tsup), packed
 * with pnpm (as `pnpm publish` would pack it: `publishConfig` applied, `workspace:` versions
 * replaced) and checked as a tarball by publint and by @arethetypeswrong/cli (every resolution
 * mode: node10, node16 from CJS and from ESM, bundler), then for what those two do not see: no
 * workspace-only export condition, nothing bundled that is a dependency, every import of the build
 * declared, LICENSE and README present, and both builds loading.
 *
 * The build replaces each package's dist/ (tsup cleans it first): no other test may read dist/
 * (they run on the sources, through the `@scimkit/source` condition).
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import * as ChildProcess from "node:child_process"
import * as Fs from "node:fs"
import { isBuiltin } from "node:module"
import * as Os from "node:os"
import * as Path from "node:path"
import { publint } from "publint"
import { formatMessage } from "publint/utils"
import ts from "typescript"

const root = Path.resolve(import.meta.dirname, "..")

/** The packages published to npm; every other folder of packages/ must be private. */
const published = ["core", "http", "store-memory", "store-sql", "store-sqlite", "store-postgres", "testkit"]

interface Manifest {
  readonly name: string
  readonly version: string
  readonly private?: boolean
  readonly packageManager?: string
  readonly dependencies?: Record<string, string>
  readonly peerDependencies?: Record<string, string>
  readonly peerDependenciesMeta?: Record<string, { readonly optional?: boolean }>
}

const readJson = (file: string): Manifest => JSON.parse(Fs.readFileSync(file, "utf8")) as Manifest

interface Run {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

const run = (command: string, args: ReadonlyArray<string>, cwd: string): Promise<Run> =>
  new Promise((resolve, reject) => {
    const child = ChildProcess.spawn(command, args, { cwd, env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" } })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()))
    child.on("error", reject)
    child.on("close", (code) => resolve({ code, stdout, stderr }))
  })

const succeed = async (command: string, args: ReadonlyArray<string>, cwd: string): Promise<string> => {
  const result = await run(command, args, cwd)
  if (result.code !== 0) {
    throw new Error(
      `${command} ${args.join(" ")} (in ${cwd}) exited ${result.code}:\n${result.stdout}\n${result.stderr}`
    )
  }
  return result.stdout
}

/**
 * pnpm as the test runs under it (`pnpm test` names itself in npm_execpath), else the version the
 * repository pins (`packageManager`) through npx.
 */
const pnpm = (): readonly [string, ReadonlyArray<string>] => {
  const execPath = process.env["npm_execpath"]
  if (execPath !== undefined && /pnpm/.test(Path.basename(execPath))) {
    return /\.[cm]?js$/.test(execPath) ? [process.execPath, [execPath]] : [execPath, []]
  }
  return ["npx", ["-y", readJson(Path.join(root, "package.json")).packageManager!]]
}

const bin = (pkg: string, file: string): string => Path.join(root, "node_modules", pkg, file)

const scratch = Fs.mkdtempSync(Path.join(Os.tmpdir(), "scimkit-packages-"))
const packageDir = (name: string) => Path.join(root, "packages", name)
const tarballs = new Map<string, string>()
const unpacked = (name: string) => Path.join(scratch, "unpacked", name, "package")
const timings: Array<string> = []

const timed = async <A>(label: string, body: () => Promise<A>): Promise<A> => {
  const start = Date.now()
  const result = await body()
  timings.push(`${label} ${((Date.now() - start) / 1000).toFixed(1)} s`)
  return result
}

/**
 * Builds every package into its dist/ (as `pnpm build` does), in dependency order: a package's
 * declarations are built against the built declarations of the packages it imports.
 */
const buildAll = (): Promise<unknown> => {
  const [command, args] = pnpm()
  return succeed(command, [...args, "--recursive", "--filter", "./packages/*", "build"], root)
}

const pack = async (name: string): Promise<void> => {
  const destination = Path.join(scratch, "tarballs", name)
  Fs.mkdirSync(destination, { recursive: true })
  const [command, args] = pnpm()
  await succeed(command, [...args, "pack", "--pack-destination", destination], packageDir(name))
  const [tarball] = Fs.readdirSync(destination).filter((file) => file.endsWith(".tgz"))
  if (tarball === undefined) throw new Error(`pnpm pack made no tarball for ${name}`)
  tarballs.set(name, Path.join(destination, tarball))
  const into = Path.join(scratch, "unpacked", name)
  Fs.mkdirSync(into, { recursive: true })
  await succeed("tar", ["-xzf", Path.join(destination, tarball), "-C", into], root)
}

const filesUnder = (dir: string, prefix = ""): Array<string> =>
  Fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? filesUnder(Path.join(dir, entry.name), `${prefix}${entry.name}/`)
      : [`${prefix}${entry.name}`]
  )

/** The packages a built file imports or requires (bare specifiers, subpaths reduced to the package; comments ignored). */
const importsOf = (text: string): ReadonlySet<string> => {
  const found = new Set<string>()
  for (const { fileName: specifier } of ts.preProcessFile(text, true, true).importedFiles) {
    if (specifier.startsWith(".") || isBuiltin(specifier)) continue
    const parts = specifier.split("/")
    found.add(specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]!)
  }
  return found
}

/**
 * Every package's public surface (`@scimkit/http` → `ScimKit.make: value`, …) and the type errors
 * in the given entry files, from one program over them: the sources (through the workspace
 * condition) or the built declarations (as a user resolves them).
 */
const surface = (entries: ReadonlyArray<string>, sources: boolean) => {
  const program = ts.createProgram(entries, {
    // node20: a CommonJS file may require an ES module (Node >= 22.12; effect is ESM only)
    module: ts.ModuleKind.Node20,
    moduleResolution: ts.ModuleResolutionKind.Node16,
    target: ts.ScriptTarget.ES2022,
    lib: ["lib.es2022.d.ts"],
    types: ["node"],
    strict: true,
    exactOptionalPropertyTypes: true,
    noEmit: true,
    skipLibCheck: false,
    customConditions: sources ? ["@scimkit/source"] : []
  })
  const checker = program.getTypeChecker()
  const resolve = (symbol: ts.Symbol) => symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol
  const meaning = (symbol: ts.Symbol) =>
    [symbol.flags & ts.SymbolFlags.Value ? "value" : "", symbol.flags & ts.SymbolFlags.Type ? "type" : ""]
      .filter((m) => m !== "").join("+")
  const exports: Record<string, string> = {}
  const diagnostics: Array<string> = []
  for (const entry of entries) {
    const file = program.getSourceFile(entry)!
    const pkg = readJson(Path.join(Path.dirname(entry), "..", "package.json")).name
    for (const ns of checker.getExportsOfModule(checker.getSymbolAtLocation(file)!)) {
      for (const member of checker.getExportsOfModule(resolve(ns))) {
        exports[`${pkg} ${ns.name}.${member.name}`] = meaning(resolve(member))
      }
    }
    for (const diagnostic of program.getSemanticDiagnostics(file)) {
      diagnostics.push(
        `${Path.relative(root, entry)}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n")}`
      )
    }
  }
  return { exports, diagnostics }
}

beforeAll(async () => {
  await timed("build (tsup)", buildAll)
  await timed("pnpm pack", () => Promise.all(published.map(pack)))
}, 600_000)

afterAll(() => {
  process.stdout.write(`packages.test.ts: ${timings.join(", ")}\n`)
  Fs.rmSync(scratch, { recursive: true, force: true })
})

describe("published packages", () => {
  it("every folder of packages/ is published or private", () => {
    for (const name of Fs.readdirSync(Path.join(root, "packages"))) {
      const file = Path.join(packageDir(name), "package.json")
      if (!Fs.existsSync(file)) continue
      expect(readJson(file).private === true || published.includes(name), name).toBe(true)
    }
  })

  describe.each(published)("@scimkit/%s", (name) => {
    it("passes publint (strict: warnings fail too)", async () => {
      const tarball = Fs.readFileSync(tarballs.get(name)!)
      const data = tarball.buffer.slice(tarball.byteOffset, tarball.byteOffset + tarball.byteLength) as ArrayBuffer
      const { messages, pkg } = await timed(
        `publint ${name}`,
        () => publint({ pack: { tarball: data }, level: "suggestion", strict: true })
      )
      expect(messages.map((message) => `${message.type}: ${formatMessage(message, pkg, { color: false })}`)).toEqual([])
    })

    it("passes @arethetypeswrong/cli in every resolution mode", async () => {
      const result = await timed(`attw ${name}`, () =>
        run(process.execPath, [
          bin("@arethetypeswrong/cli", "dist/index.js"),
          tarballs.get(name)!,
          "--profile",
          "strict",
          "--format",
          "json"
        ], root))
      const report = JSON.parse(result.stdout) as {
        readonly analysis: { readonly types?: unknown }
        readonly problems?: Record<string, unknown>
      }
      expect(report.analysis.types, "the package has types").toBeTruthy()
      expect(report.problems ?? {}, result.stdout).toEqual({})
      expect(result.code).toBe(0)
    })

    it("packs a manifest without workspace-only parts, and LICENSE, README and both builds", () => {
      const dir = unpacked(name)
      const text = Fs.readFileSync(Path.join(dir, "package.json"), "utf8")
      const manifest = JSON.parse(text) as Manifest
      expect(manifest.name).toBe(`@scimkit/${name}`)
      expect(manifest.private).toBeUndefined()
      expect(text).not.toContain("@scimkit/source")
      expect(text).not.toContain("workspace:")
      expect(manifest.peerDependencies?.["effect"]).toMatch(/^\^4\./)
      const files = filesUnder(dir)
      for (
        const file of ["LICENSE", "README.md", "dist/index.js", "dist/index.cjs", "dist/index.d.ts", "dist/index.d.cts"]
      ) {
        expect(files).toContain(file)
      }
      expect(files.filter((file) => file.startsWith("src/"))).toEqual([])
      expect(Fs.readFileSync(Path.join(dir, "LICENSE"), "utf8")).toContain("Copyright (c) 2026 the scimkit authors")
    })

    it("bundles no dependency, and imports only what it declares", () => {
      const dir = unpacked(name)
      const manifest = readJson(Path.join(dir, "package.json"))
      const declared = new Set([
        ...Object.keys(manifest.dependencies ?? {}),
        ...Object.keys(manifest.peerDependencies ?? {})
      ])
      for (const file of filesUnder(dir).filter((file) => file.startsWith("dist/"))) {
        const text = Fs.readFileSync(Path.join(dir, file), "utf8")
        if (file.endsWith(".map")) {
          // a bundled dependency shows as a source outside src/ (tsup's CJS shim of import.meta.url aside)
          const sources = (JSON.parse(text) as { readonly sources: ReadonlyArray<string> }).sources
          expect(sources.filter((source) => !source.startsWith("../src/") && !/\/tsup\/assets\//.test(source)), file)
            .toEqual([])
        } else {
          expect([...importsOf(text)].filter((pkg) => !declared.has(pkg)), file).toEqual([])
        }
      }
    })

    it("loads through require and import, with the same exports", async () => {
      const dir = packageDir(name)
      const script = (load: string) =>
        `${load}.then((m) => process.stdout.write(JSON.stringify({ keys: Object.keys(m).sort(), loaded: ` +
        `Object.keys(require.cache).filter((f) => f.includes("@electric-sql")) })))`
      const cjs = await succeed(process.execPath, [
        "-e",
        script(`Promise.resolve(require(${JSON.stringify(Path.join(dir, "dist/index.cjs"))}))`)
      ], dir)
      const esm = await succeed(process.execPath, [
        "--input-type=commonjs",
        "-e",
        script(`import(${JSON.stringify(Path.join(dir, "dist/index.js"))})`)
      ], dir)
      const fromCjs = JSON.parse(cjs) as {
        readonly keys: ReadonlyArray<string>
        readonly loaded: ReadonlyArray<string>
      }
      const fromEsm = JSON.parse(esm) as { readonly keys: ReadonlyArray<string> }
      expect(fromCjs.keys.length).toBeGreaterThan(0)
      expect(fromCjs.keys).toEqual(fromEsm.keys)
      // PGlite (an optional peer) is loaded by the embedded layers only, never by loading the package
      expect(fromCjs.loaded).toEqual([])
    })
  })

  it("the declarations keep every export of the sources, as a value, a type or both", () => {
    const sources = surface(published.map((name) => Path.join(packageDir(name), "src/index.ts")), true)
    const built = surface(published.map((name) => Path.join(packageDir(name), "dist/index.d.ts")), false)
    expect(built.exports).toEqual(sources.exports)
    for (const name of published) {
      const dist = Path.join(packageDir(name), "dist")
      expect(Fs.readFileSync(Path.join(dist, "index.d.cts"), "utf8")).toBe(
        Fs.readFileSync(Path.join(dist, "index.d.ts"), "utf8")
      )
    }
  }, 120_000)

  it("the declarations type-check as a user's compiler reads them (no skipLibCheck)", () => {
    const files = published.flatMap((name) =>
      ["index.d.ts", "index.d.cts"].map((f) => Path.join(packageDir(name), "dist", f))
    )
    expect(surface(files, false).diagnostics).toEqual([])
  }, 120_000)

  it("store-postgres names PGlite an optional peer and imports it only dynamically", () => {
    const manifest = readJson(Path.join(unpacked("store-postgres"), "package.json"))
    expect(manifest.peerDependenciesMeta?.["@electric-sql/pglite"]?.optional).toBe(true)
    expect(Object.keys(manifest.dependencies ?? {})).not.toContain("@electric-sql/pglite")
    expect(Object.keys(manifest.dependencies ?? {})).not.toContain("@electric-sql/pglite-socket")
    const esm = Fs.readFileSync(Path.join(unpacked("store-postgres"), "dist/index.js"), "utf8")
    expect(esm).not.toMatch(/(?:from|import)\s*["']@electric-sql\/pglite["']/)
    // loaded through a variable module name, which bundlers (Next.js's Turbopack, webpack) leave alone
    expect(esm).toMatch(/pgliteModuleName = ["']@electric-sql\/pglite["']/)
    expect(esm).toMatch(/import\(\s*\/\* webpackIgnore: true \*\/[^)]*pgliteModuleName\s*\)/)
  })

  it("testkit leaves vitest, @effect/vitest and fast-check to the user (peer dependencies)", () => {
    const manifest = readJson(Path.join(unpacked("testkit"), "package.json"))
    for (const peer of ["vitest", "@effect/vitest", "fast-check", "effect"]) {
      expect(Object.keys(manifest.peerDependencies ?? {})).toContain(peer)
      expect(Object.keys(manifest.dependencies ?? {})).not.toContain(peer)
    }
  })
})
