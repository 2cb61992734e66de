/**
 * `pnpm bench`: runs every `bench/*.bench.ts` and `packages/*\/bench/*.bench.ts` in turn, or those
 * the words on the command line select: a word that is a bench's base name selects that file only
 * (`http` is `bench/http.bench.ts`, not also `packages/http/bench/…`), any other word every file
 * whose path contains it. Each file exports a default `() => Promise<void>` that prints its own
 * figures; nothing here asserts timing.
 */
import { existsSync, readdirSync } from "node:fs"
import { basename, dirname, join, relative } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"

const root = dirname(dirname(fileURLToPath(import.meta.url)))
const benchFiles = (dir: string): ReadonlyArray<string> =>
  existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".bench.ts")).map((f) => join(dir, f)) : []

const all = [
  ...benchFiles(join(root, "bench")),
  ...readdirSync(join(root, "packages")).flatMap((pkg) => benchFiles(join(root, "packages", pkg, "bench")))
]
const wanted = process.argv.slice(2)
const baseName = (f: string) => basename(f, ".bench.ts")
const selects = (word: string, f: string) =>
  all.some((g) => baseName(g) === word) ? baseName(f) === word : relative(root, f).includes(word)
const files = all.filter((f) => wanted.length === 0 || wanted.some((w) => selects(w, f))).sort()

for (const file of files) {
  console.log(`\n=== ${relative(root, file)}`)
  const mod = (await import(pathToFileURL(file).href)) as { default: () => Promise<void> }
  await mod.default()
}
