import { defineConfig } from "vitest/config"

export default defineConfig({
  resolve: { conditions: ["@scimkit/source"] },
  ssr: { resolve: { conditions: ["@scimkit/source"] } },
  test: {
    reporters: ["default", "./vitest.summary.ts"],
    include: [
      "packages/*/test/**/*.test.ts",
      "examples/*/test/**/*.test.ts",
      "eslint/test/**/*.test.ts",
      "test/**/*.test.ts"
    ],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    fileParallelism: true
  }
})
