/**
 * Every TypeScript block of the documentation compiles: the ```ts blocks of README.md, docs/*.md,
 * packages/*\/README.md and examples/*\/README.md are type-checked as programs against the
 * workspace packages (their sources, through the `@scimkit/source` condition), with the
 * repository's compiler options.
 *
 * Each block is its own module, so a block must import what it uses. A block that imports a
 * framework (`hono`, `express`, `next/server`, …) is checked from the example that depends on it,
 * where the framework's types are installed.
 * A block that is a signature listing rather than a program opts out with ```ts no-check. The
 * `Bun` and `Deno` globals are declared as far as the guides use them (`serve`, `env`), since
 * neither runtime's type package is a dependency here.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Fs from "node:fs"
import * as Path from "node:path"
import ts from "typescript"

const root = Path.resolve(import.meta.dirname, "..")

/** One fenced block: where it is, and its code. */
interface Block {
  readonly file: string
  readonly line: number
  readonly code: string
}

const documents = (): ReadonlyArray<string> => {
  const inDir = (dir: string, pick: (name: string) => boolean): Array<string> =>
    Fs.existsSync(Path.join(root, dir))
      ? Fs.readdirSync(Path.join(root, dir)).filter(pick).map((name) => Path.join(dir, name))
      : []
  const readmes = (dir: string) => inDir(dir, () => true).map((sub) => Path.join(sub, "README.md"))
  return ["README.md", ...inDir("docs", (name) => name.endsWith(".md")), ...readmes("packages"), ...readmes("examples")]
    .filter((file) => Fs.existsSync(Path.join(root, file)))
    .sort()
}

/** The ```ts / ```typescript blocks of a Markdown file, less those marked `no-check`. */
const blocksOf = (file: string, text: string): ReadonlyArray<Block> => {
  const blocks: Array<Block> = []
  const lines = text.split("\n")
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*(ts|typescript)\b(.*)$/.exec(lines[i]!)
    if (open === null) continue
    const [, indent, fence] = open
    const info = open[4]!
    const body: Array<string> = []
    let j = i + 1
    for (; j < lines.length && lines[j]!.trim() !== fence; j++) {
      body.push(lines[j]!.startsWith(indent!) ? lines[j]!.slice(indent!.length) : lines[j]!)
    }
    if (!/\bno-check\b/.test(info)) blocks.push({ file, line: i + 1, code: body.join("\n") })
    i = j
  }
  return blocks
}

/** The package a bare specifier names (`@effect/sql-pg/PgClient` → `@effect/sql-pg`); undefined for node builtins. */
const packageOf = (specifier: string): string | undefined => {
  if (specifier.startsWith("node:") || specifier.startsWith(".")) return undefined
  const parts = specifier.split("/")
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]
}

const importedPackages = (code: string): ReadonlyArray<string> => {
  const found = new Set<string>()
  for (const match of code.matchAll(/(?:from\s+|import\s*\(?\s*)["']([^"']+)["']/g)) {
    const pkg = packageOf(match[1]!)
    if (pkg !== undefined) found.add(pkg)
  }
  return [...found]
}

/** The folders a block may be checked from: the root and each example (with its own dependencies). */
const checkDirs = (): ReadonlyArray<string> => {
  const examples = Path.join(root, "examples")
  const dirs = Fs.existsSync(examples)
    ? Fs.readdirSync(examples).map((name) => Path.join(examples, name))
      .filter((dir) => Fs.existsSync(Path.join(dir, "package.json")))
    : []
  return [...dirs, root]
}

const resolvesFrom = (dir: string, pkg: string): boolean =>
  Fs.existsSync(Path.join(dir, "node_modules", pkg)) || Fs.existsSync(Path.join(root, "node_modules", pkg))

/** How many of the packages the folder's package.json declares (with their types, as its own code uses them). */
const declared = (dir: string, pkgs: ReadonlyArray<string>): number => {
  const manifest = JSON.parse(Fs.readFileSync(Path.join(dir, "package.json"), "utf8")) as Record<
    string,
    Record<string, string> | undefined
  >
  const names = new Set(
    ["dependencies", "devDependencies", "peerDependencies"].flatMap((field) => Object.keys(manifest[field] ?? {}))
  )
  return pkgs.filter((pkg) => names.has(pkg)).length
}

/**
 * The folder to check a block from: the example that declares most of its imports (so their type
 * packages come with them), else the root.
 */
const dirFor = (dirs: ReadonlyArray<string>, pkgs: ReadonlyArray<string>): string => {
  const others = pkgs.filter((pkg) => !pkg.startsWith("@scimkit/") && pkg !== "effect")
  let best = root
  let score = 0
  for (const dir of dirs.filter((dir) => dir !== root && pkgs.every((pkg) => resolvesFrom(dir, pkg)))) {
    const own = declared(dir, others)
    if (own > score) [best, score] = [dir, own]
  }
  return best
}

const compilerOptions = (): ts.CompilerOptions => {
  const file = Path.join(root, "tsconfig.base.json")
  const config = ts.readConfigFile(file, ts.sys.readFile)
  if (config.error !== undefined) throw new Error(ts.flattenDiagnosticMessageText(config.error.messageText, "\n"))
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, root)
  return {
    ...parsed.options,
    noEmit: true,
    declaration: false,
    sourceMap: false,
    // a snippet may declare what it shows without using it
    noUnusedLocals: false,
    // every block is a module of its own, even one without imports
    moduleDetection: ts.ModuleDetectionKind.Force
  }
}

/** The part of the Bun and Deno globals the guides call. */
const runtimes = `
export {}
type FetchHandler = (request: Request) => Response | Promise<Response>
interface ServeOptions { readonly port?: number; readonly hostname?: string }
interface DenoServer { readonly finished: Promise<void>; shutdown(): Promise<void> }
declare global {
  var Bun: {
    serve(options: ServeOptions & { readonly fetch: FetchHandler }): { readonly port: number; stop(): Promise<void> }
    readonly env: Record<string, string | undefined>
  }
  var Deno: {
    serve(handler: FetchHandler): DenoServer
    serve(options: ServeOptions, handler: FetchHandler): DenoServer
    readonly env: { get(name: string): string | undefined }
  }
}
`

/** Type-checks the blocks; the diagnostics as `file:line: message`, by the block's position in its Markdown. */
const check = (blocks: ReadonlyArray<Block>): ReadonlyArray<string> => {
  const dirs = checkDirs()
  const virtual = new Map<string, Block>([
    [Path.join(root, "__readme_blocks__", "runtimes.d.ts"), { file: "runtimes.d.ts", line: 0, code: runtimes }]
  ])
  blocks.forEach((block, index) => {
    const pkgs = importedPackages(block.code)
    const dir = dirFor(dirs, pkgs)
    const name = `${block.file.replace(/[^A-Za-z0-9]+/g, "_")}_${block.line}_${index}.ts`
    virtual.set(Path.join(dir, "__readme_blocks__", name), block)
  })
  const options = compilerOptions()
  const host = ts.createCompilerHost(options)
  const fileExists = host.fileExists.bind(host)
  const readFile = host.readFile.bind(host)
  const getSourceFile = host.getSourceFile.bind(host)
  host.fileExists = (file) => virtual.has(Path.resolve(file)) || fileExists(file)
  host.readFile = (file) => virtual.get(Path.resolve(file))?.code ?? readFile(file)
  host.getSourceFile = (file, language, onError, create) => {
    const block = virtual.get(Path.resolve(file))
    return block !== undefined
      ? ts.createSourceFile(file, block.code, language, true)
      : getSourceFile(file, language, onError, create)
  }
  host.getCurrentDirectory = () => root
  const program = ts.createProgram({ rootNames: [...virtual.keys()], options, host })
  const messages: Array<string> = []
  for (const diagnostic of [...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics()]) {
    messages.push(ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n"))
  }
  for (const [file, block] of virtual) {
    const source = program.getSourceFile(file)!
    for (const diagnostic of [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)]) {
      const line = diagnostic.start !== undefined ? source.getLineAndCharacterOfPosition(diagnostic.start).line : 0
      // the block's first code line is the line after the fence
      messages.push(
        `${block.file}:${block.line + 1 + line}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n")}`
      )
    }
  }
  return messages
}

describe("documentation code blocks", () => {
  it("finds the blocks and honours no-check", () => {
    const text = [
      "# x",
      "```ts",
      "const a: number = 1",
      "```",
      "```ts no-check",
      "f(x: A): B",
      "```",
      "```sh",
      "ls",
      "```"
    ]
      .join("\n")
    expect(blocksOf("x.md", text)).toEqual([{ file: "x.md", line: 2, code: "const a: number = 1" }])
  })

  it("reports a block that does not compile, at its line in the Markdown", () => {
    const messages = check(blocksOf("x.md", ["intro", "```ts", "", "const a: number = \"one\"", "```"].join("\n")))
    expect(messages).toHaveLength(1)
    expect(messages[0]).toMatch(/^x\.md:4: Type 'string' is not assignable to type 'number'/)
  })

  it("every ts block of README.md, docs/*.md, packages/*/README.md and examples/*/README.md type-checks", () => {
    const blocks = documents().flatMap((file) => blocksOf(file, Fs.readFileSync(Path.join(root, file), "utf8")))
    expect(blocks.length).toBeGreaterThan(0)
    expect(check(blocks)).toEqual([])
  }, 180_000)
})
