/**
 * `pnpm bench`: runs every `bench/*.bench.ts` and `packages/*\/bench/*.bench.ts` in turn (or only
 * those whose path contains one of the words given on the command line). Each file exports a
 * default `() => Promise<void>` that prints its own figures; nothing here asserts timing.
 */
import { existsSync, readdirSync } from "node:fs"
import { dirname, join, relative } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"

const root = dirname(dirname(fileURLToPath(import.meta.url)))
const benchFiles = (dir: string): ReadonlyArray<string> =>
  existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".bench.ts")).map((f) => join(dir, f)) : []

const all = [
  ...benchFiles(join(root, "bench")),
  ...readdirSync(join(root, "packages")).flatMap((pkg) => benchFiles(join(root, "packages", pkg, "bench")))
]
const wanted = process.argv.slice(2)
const files = all.filter((f) => wanted.length === 0 || wanted.some((w) => relative(root, f).includes(w))).sort()

for (const file of files) {
  console.log(`\n=== ${relative(root, file)}`)
  const mod = (await import(pathToFileURL(file).href)) as { default: () => Promise<void> }
  await mod.default()
}
