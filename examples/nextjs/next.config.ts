import type { NextConfig } from "next"

/**
 * In this repository only: Turbopack compiles the scimkit packages from their TypeScript sources
 * (with NodeNext resolution, which maps their `.js` imports to `.ts` files). An app that installs
 * the packages from npm keeps only the PGlite line (see docs/embedding.md).
 */
const scimkitSources = Object.fromEntries(
  ["core", "http", "store-memory", "store-postgres", "store-sql", "store-sqlite"].map((pkg) => [
    `@scimkit/${pkg}`,
    `../../packages/${pkg}/src/index.ts`
  ])
)

const config: NextConfig = {
  turbopack: {
    resolveAlias: {
      ...scimkitSources,
      // the optional peer of @scimkit/store-postgres, for its embedded layers only: not bundled
      "@electric-sql/pglite": false
    }
  },
  typescript: { tsconfigPath: "tsconfig.turbopack.json" },
  // no AGENTS.md written into the example
  agentRules: false,
  experimental: { agentUpgrade: false }
}

export default config
