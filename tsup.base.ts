/**
 * The one tsup configuration every package builds with (STYLE §2): ESM and CJS with declarations
 * (`.d.ts` for `import`, `.d.cts` for `require`) and source maps. A package names its
 * public entry points. Dependencies and peer dependencies stay imports (tsup leaves every package
 * named in package.json out of the bundle), so testkit never bundles vitest.
 */
import { defineConfig } from "tsup"

export const packageConfig = (entry: ReadonlyArray<string>) =>
  defineConfig({
    entry: [...entry],
    format: ["esm", "cjs"],
    dts: true,
    // one entry per package, so nothing to split; with splitting on, tsup converts the CJS build
    // from ESM with sucrase, whose source map names the build machine's absolute output path
    splitting: false,
    sourcemap: true,
    clean: true,
    // `import.meta.url` (store-postgres finds PGlite's version through it) has no meaning in CJS:
    // the shim reads it from `__filename` there
    shims: true,
    tsconfig: "tsconfig.build.json"
  })
