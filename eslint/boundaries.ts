/**
 * `scimkit/boundaries`: which file may import which (issue 16). Every import, re-export, `import()`
 * and `typeof import()` is checked against the layout rules:
 *
 * - `packages/core/src` imports only `effect` (and `effect/*`) and its own files.
 * - In core, an area is a top-level folder of `src` (`filter`, `patch`, …) or a root module
 *   (`Crypto.ts`, `ScimOptions.ts`); `src/internal/<area>/` (or `src/internal/<area>.ts`) belongs to
 *   `<area>`. A file may import its own area, its own internal folder and the public modules of other
 *   areas, never another area's internal folder; `index.ts` imports public modules only.
 * - Elsewhere `@scimkit/<pkg>` is imported through its root only, and never by a relative path into
 *   another workspace folder; a package's own `test/` and `bench/` may import its `src/`.
 * - Adapters never import each other, except the pairs listed in `adapterImports`.
 *
 * Whether an import is allowed depends on the two paths alone (no module resolution, no type
 * information), so the rule is fast and a move shows up in the same run. Every message says what to
 * import instead; to name the public module that owns an internal folder it lists core's src/ once
 * per reported violation.
 */
import type { Rule } from "eslint"
import * as Fs from "node:fs"
import * as Path from "node:path"

export interface Options {
  /** The repository root, the folder that holds `packages/`; the linter's cwd when absent. */
  readonly root?: string
  /** The workspace scope: a folder `packages/<dir>` is the package `<scope>/<dir>`. */
  readonly scope: string
  /** The core package's folder name under `packages/`. */
  readonly core: string
  /** Folder names under `packages/` of the adapters that never import each other. */
  readonly adapters: ReadonlyArray<string>
  /** The exceptions: adapter folder → the adapter folders it may import. */
  readonly adapterImports?: Readonly<Record<string, ReadonlyArray<string>>>
}

/** Where a file sits: in a workspace folder (`packages/x`, `examples/y`), in which part of it. */
interface Place {
  /** `packages/core`, `examples/node`; undefined outside any workspace folder (`bench/`, root files). */
  readonly workspace: string | undefined
  /** The folder name under `packages/` (undefined for examples and outside). */
  readonly pkg: string | undefined
  /** `src`, `test`, `bench`, … : the first folder inside the workspace folder. */
  readonly part: string | undefined
  /** The path inside `part`, `/`-separated (`internal/filter/parser.ts`). */
  readonly inner: string
}

const toPosix = (p: string): string => p.split(Path.sep).join("/")

const placeOf = (root: string, file: string): Place => {
  const segments = toPosix(Path.relative(root, file)).split("/")
  if ((segments[0] === "packages" || segments[0] === "examples") && segments.length >= 3) {
    return {
      workspace: `${segments[0]}/${segments[1]}`,
      pkg: segments[0] === "packages" ? segments[1] : undefined,
      part: segments.length >= 4 ? segments[2] : undefined,
      inner: segments.slice(segments.length >= 4 ? 3 : 2).join("/")
    }
  }
  return { workspace: undefined, pkg: undefined, part: undefined, inner: segments.join("/") }
}

const stripExtension = (file: string): string => file.replace(/\.(d\.)?[cm]?[jt]sx?$/, "")

/** `StoreSql` for `StoreSql.js` / `src/StoreSql.ts`; undefined for `index` and lower-case (internal) files. */
const moduleName = (file: string): string | undefined => {
  const base = stripExtension(Path.posix.basename(file))
  return /^[A-Z]/.test(base) ? base : undefined
}

/** A core file's area, from its path inside `src` (`internal/filter/parser.ts` → `filter`, internal). */
interface Area {
  readonly name: string
  readonly internal: boolean
  readonly index: boolean
}

const areaOf = (inner: string): Area => {
  const segments = inner.split("/")
  if (segments[0] === "internal") {
    const name = segments.length >= 3 ? segments[1]! : stripExtension(segments[1] ?? "")
    return { name: name.toLowerCase(), internal: true, index: false }
  }
  if (segments.length === 1) {
    const name = stripExtension(segments[0]!)
    return { name: name.toLowerCase(), internal: false, index: name === "index" }
  }
  return { name: segments[0]!.toLowerCase(), internal: false, index: false }
}

/**
 * The public side of the area that owns an internal file, looked up in core's src (only when a
 * violation is reported): `internal/filter/parser.ts` → `src/filter/*.ts`; `internal/crypto.ts` (the
 * body of a root module, as in Effect) → `src/Crypto.ts`; undefined when no folder or root module
 * of that name exists, i.e. the internal code has no owner.
 */
const ownerOf = (srcDir: string, inner: string): string | undefined => {
  const segments = inner.split("/")
  const name = segments.length >= 3 ? segments[1]! : stripExtension(segments[1] ?? "")
  let entries: ReadonlyArray<Fs.Dirent>
  try {
    entries = Fs.readdirSync(srcDir, { withFileTypes: true })
  } catch {
    return undefined
  }
  const lower = name.toLowerCase()
  const folder = entries.find((e) => e.isDirectory() && e.name !== "internal" && e.name.toLowerCase() === lower)
  if (folder !== undefined) return `src/${folder.name}/*.ts`
  const module = entries.find((e) =>
    e.isFile() && e.name !== "index.ts" && stripExtension(e.name).toLowerCase() === lower
  )
  return module === undefined ? undefined : `src/${module.name}`
}

/** Where internal code sits: `src/internal/filter/` for a folder, `src/internal/crypto.ts` for a file. */
const internalWhere = (inner: string): string => {
  const segments = inner.split("/")
  return segments.length >= 3 ? `src/internal/${segments[1]}/` : `src/internal/${stripExtension(segments[1] ?? "")}.ts`
}

const isRelative = (specifier: string): boolean => specifier === "." || specifier === ".." || /^\.\.?\//.test(specifier)

const messages = {
  coreExternal: "packages/core/src imports only `effect` and its own files, not \"{{specifier}}\". {{instead}}",
  coreOutside:
    "\"{{specifier}}\" leaves packages/core/src; core imports only `effect` and files under its own src/. {{instead}}",
  coreInternal:
    "\"{{specifier}}\" is internal code of core's `{{target}}` area ({{where}}); {{importer}} may import only its own area's internal folder and the public modules of other areas. Import what you need from a public module of `{{target}}` ({{publicWhere}}), or move the shared code into one.",
  coreOrphanInternal:
    "\"{{specifier}}\" is in {{where}}, which belongs to no area: core's src has no folder or root module named `{{target}}`. Move it into the internal folder of the area that owns it (a file of the `{{from}}` area may import {{own}}), or give `{{target}}` a public module and import that.",
  coreIndexInternal:
    "index.ts re-exports public modules only; \"{{specifier}}\" is internal code of the `{{target}}` area. Export the public module of `{{target}}` ({{publicWhere}}) instead.",
  deepImport: "Import {{pkg}} through its root only: {{instead}} instead of \"{{specifier}}\".",
  selfImport:
    "{{pkg}}'s own src imports its files relatively, not through \"{{specifier}}\" (the root re-exports this package, so this is a cycle). Import the file itself with a relative path.",
  crossWorkspace: "\"{{specifier}}\" reaches into {{workspace}} by a relative path. {{instead}}",
  adapters:
    "Adapters never import each other: {{importer}} may not import {{pkg}}{{allowed}}. Move what both need into @scimkit/core (or, for SQL stores, @scimkit/store-sql) and import it from there."
} as const

const rule: Rule.RuleModule = {
  meta: {
    type: "problem",
    docs: { description: "Import boundaries between scimkit's packages and between core's areas (issue 16)" },
    schema: [{
      type: "object",
      properties: {
        root: { type: "string" },
        scope: { type: "string" },
        core: { type: "string" },
        adapters: { type: "array", items: { type: "string" } },
        adapterImports: { type: "object", additionalProperties: { type: "array", items: { type: "string" } } }
      },
      required: ["scope", "core", "adapters"],
      additionalProperties: false
    }],
    messages
  },
  create(context) {
    const options = context.options[0] as Options
    const root = options.root ?? context.cwd
    const filename = context.filename
    if (!Path.isAbsolute(filename)) return {}
    const here = placeOf(root, filename)
    const inCoreSrc = here.pkg === options.core && here.part === "src"
    const isAdapterSrc = here.pkg !== undefined && here.part === "src" && options.adapters.includes(here.pkg)
    const ownPartMayReachSrc = here.part === "test" || here.part === "bench"
    const scopePrefix = `${options.scope}/`

    /**
     * The root import that replaces a deep one: `import { StoreSql } from "@scimkit/store-sql"` for
     * a module, `import { … } from "@scimkit/core"` for `src/index.js` or an internal file.
     */
    const rootImport = (pkgName: string, file: string | undefined): string => {
      const name = file === undefined ? undefined : moduleName(file)
      return name === undefined
        ? `\`import { … } from "${pkgName}"\``
        : `\`import { ${name} } from "${pkgName}"\``
    }

    const checkAdapters = (node: Rule.Node, pkg: string): void => {
      if (!isAdapterSrc || pkg === here.pkg || !options.adapters.includes(pkg)) return
      const allowed = options.adapterImports?.[here.pkg!] ?? []
      if (allowed.includes(pkg)) return
      context.report({
        node,
        messageId: "adapters",
        data: {
          importer: `${options.scope}/${here.pkg}`,
          pkg: `${options.scope}/${pkg}`,
          allowed: allowed.length === 0
            ? ""
            : ` (it may import ${allowed.map((p) => `${options.scope}/${p}`).join(", ")})`
        }
      })
    }

    const checkCore = (node: Rule.Node, specifier: string): void => {
      if (!isRelative(specifier)) {
        if (specifier === "effect" || specifier.startsWith("effect/")) return
        const instead = specifier.startsWith("node:")
          ? "Use Effect's own module (for example `effect/crypto/Digest`, `effect/encoding/Base64Url`) or take the capability as a service that an adapter provides."
          : specifier === `${options.scope}/${options.core}` ||
              specifier.startsWith(`${options.scope}/${options.core}/`)
          ? "Import the core file itself with a relative path."
          : specifier.startsWith(scopePrefix)
          ? "Other packages depend on core, never the other way: move the code into core or leave it in the adapter."
          : "Core stays free of third-party code: use Effect's equivalent, or move this into an adapter package."
        context.report({ node, messageId: "coreExternal", data: { specifier, instead } })
        return
      }
      const target = placeOf(root, Path.resolve(Path.dirname(filename), specifier))
      if (target.pkg !== options.core || target.part !== "src") {
        const instead = target.pkg !== undefined && target.part === "src"
          ? `Other packages depend on core, never the other way.`
          : "Move what you need into core's src/."
        context.report({ node, messageId: "coreOutside", data: { specifier, instead } })
        return
      }
      const to = areaOf(target.inner)
      if (!to.internal) return
      const from = areaOf(here.inner)
      if (!from.index && from.name === to.name) return
      const srcDir = Path.join(root, "packages", options.core, "src")
      const publicWhere = ownerOf(srcDir, target.inner)
      const where = internalWhere(target.inner)
      if (publicWhere === undefined) {
        const own = from.index ? "no internal code" : `internal/${from.name}/`
        context.report({
          node,
          messageId: "coreOrphanInternal",
          data: { specifier, where, target: to.name, from: from.index ? "index" : from.name, own }
        })
        return
      }
      if (from.index) {
        context.report({ node, messageId: "coreIndexInternal", data: { specifier, target: to.name, publicWhere } })
        return
      }
      context.report({
        node,
        messageId: "coreInternal",
        data: {
          specifier,
          target: to.name,
          where,
          importer: `a file of the \`${from.name}\` area (${here.inner})`,
          publicWhere
        }
      })
    }

    const check = (node: Rule.Node, specifier: string): void => {
      if (inCoreSrc) {
        checkCore(node, specifier)
        return
      }
      if (isRelative(specifier)) {
        const target = placeOf(root, Path.resolve(Path.dirname(filename), specifier))
        if (target.workspace === undefined || target.workspace === here.workspace) return
        const pkgName = target.pkg === undefined ? undefined : `${options.scope}/${target.pkg}`
        const instead = pkgName === undefined
          ? `${target.workspace} is not a library: move what you need into a package.`
          : target.part === "src"
          ? `Import it through the package root: ${rootImport(pkgName, target.inner)}.`
          : `Another package's ${
            target.part ?? "root"
          }/ folder is not importable: share test helpers through @scimkit/testkit, or use the public API from "${pkgName}".`
        context.report({ node, messageId: "crossWorkspace", data: { specifier, workspace: target.workspace, instead } })
        if (target.pkg !== undefined) checkAdapters(node, target.pkg)
        return
      }
      if (!specifier.startsWith(scopePrefix)) return
      const [pkg, ...rest] = specifier.slice(scopePrefix.length).split("/")
      const pkgName = `${options.scope}/${pkg}`
      if (pkg === here.pkg && here.part === "src") {
        context.report({ node, messageId: "selfImport", data: { specifier, pkg: pkgName } })
        return
      }
      checkAdapters(node, pkg!)
      if (rest.length === 0) return
      if (pkg === here.pkg && ownPartMayReachSrc) return
      context.report({
        node,
        messageId: "deepImport",
        data: { specifier, pkg: pkgName, instead: rootImport(pkgName, rest.join("/")) }
      })
    }

    const fromSource = (node: Rule.Node, source: unknown): void => {
      if (typeof source === "object" && source !== null && "type" in source && source.type === "Literal") {
        if ("value" in source && typeof source.value === "string") check(node, source.value)
      }
    }

    return {
      ImportDeclaration: (node) => fromSource(node as Rule.Node, node.source),
      ExportNamedDeclaration: (node) => {
        if (node.source) fromSource(node as Rule.Node, node.source)
      },
      ExportAllDeclaration: (node) => fromSource(node as Rule.Node, node.source),
      ImportExpression: (node) => fromSource(node as Rule.Node, node.source),
      // `typeof import("…")` in a type (typescript-eslint's node; ESTree's types do not know it)
      TSImportType: (node: Rule.Node) => {
        // typescript-eslint 8 names the string `source` (`argument`, the older name, warns when read)
        const typed = node as unknown as { readonly source?: unknown }
        if ("source" in typed) return fromSource(node, typed.source)
        const argument = (node as unknown as { readonly argument?: { readonly literal?: unknown } }).argument
        fromSource(node, argument?.literal ?? argument)
      }
    } as Rule.RuleListener
  }
}

export default rule
