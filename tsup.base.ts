/**
 * The one tsup configuration every package builds with (STYLE §2): ESM and CJS with declarations,
 * split chunks and source maps. A package names its public entry points.
 */
import { defineConfig } from "tsup"

export const packageConfig = (entry: ReadonlyArray<string>) =>
  defineConfig({
    entry: [...entry],
    format: ["esm", "cjs"],
    dts: true,
    splitting: true,
    sourcemap: true,
    clean: true,
    tsconfig: "tsconfig.build.json"
  })
