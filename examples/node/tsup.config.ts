/**
 * `pnpm build` for the example server and its CLI: plain JavaScript in `dist/` (`dist/main.js`,
 * `dist/cli.js`) that `node` runs without a TypeScript loader (`pnpm serve`).
 *
 * The workspace packages (`@scimkit/*`) are compiled in from their sources (the `@scimkit/source`
 * condition), so the build needs no earlier package build and never reads a package's `dist/`
 * (test/packages.test.ts rebuilds those while other suites run). Everything from npm stays an
 * import resolved from `node_modules` at run time, as for any Node application: `effect`, the Node
 * platform, the Postgres and SQLite drivers, and PGlite (loaded by a name in a variable, so esbuild
 * leaves it alone; its WebAssembly sits next to its own module). ESM with splitting keeps each store
 * package in its own chunk, loaded only when chosen, as the sources do.
 */
import { defineConfig } from "tsup"

export default defineConfig({
  entry: ["src/main.ts", "src/cli.ts"],
  format: ["esm"],
  platform: "node",
  target: "node22",
  splitting: true,
  sourcemap: true,
  clean: true,
  dts: false,
  noExternal: [/^@scimkit\//],
  esbuildOptions(options) {
    options.conditions = ["@scimkit/source"]
  },
  tsconfig: "../../tsconfig.base.json"
})
