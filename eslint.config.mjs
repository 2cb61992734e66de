/**
 * ESLint for the whole repository (`pnpm lint`, part of `pnpm test`): correctness rules from
 * @eslint/js and typescript-eslint, the code format as Effect checks it (dprint through
 * `@effect/dprint`; `pnpm format` fixes it) and scimkit's import boundaries (eslint/boundaries.ts).
 * No rule needs type information, so a run parses each file once: about 8 s of CPU for the repository.
 * (no-floating-promises with the type checker took 3× as long and found nothing, so it is not here.)
 */
import * as effectPlugin from "@effect/eslint-plugin"
import js from "@eslint/js"
import { defineConfig } from "eslint/config"
import tseslint from "typescript-eslint"
import boundaries from "./eslint/boundaries.ts"

/** Effect's dprint settings (Effect-TS/effect's eslint config), except that imports keep their order. */
const dprint = {
  indentWidth: 2,
  lineWidth: 120,
  semiColons: "asi",
  quoteStyle: "alwaysDouble",
  trailingCommas: "never",
  operatorPosition: "maintain",
  "arrowFunction.useParentheses": "force",
  "module.sortImportDeclarations": "maintain",
  "importDeclaration.sortNamedImports": "maintain",
  "exportDeclaration.sortNamedExports": "maintain"
}

export default defineConfig(
  {
    ignores: [
      "**/dist/**",
      "**/node_modules/**",
      "**/coverage/**",
      "**/.scimkit/**",
      "**/.newman/**",
      "docs/**",
      // what next dev / next build write into examples/nextjs (git-ignored there)
      "**/.next/**",
      "**/next-env.d.ts"
    ]
  },
  {
    linterOptions: { reportUnusedDisableDirectives: "error" }
  },
  js.configs.recommended,
  tseslint.configs.strict,
  {
    files: ["**/*.{ts,mts,cts,js,mjs,cjs}"],
    languageOptions: {
      parser: tseslint.parser,
      ecmaVersion: "latest",
      sourceType: "module",
      // for the .mjs files (no-undef is off for TypeScript, whose checker knows the globals)
      globals: { process: "readonly", console: "readonly", Buffer: "readonly", URL: "readonly" }
    },
    plugins: {
      "@effect": effectPlugin,
      scimkit: { rules: { boundaries } }
    },
    rules: {
      // the format
      "@effect/dprint": ["error", { config: dprint }],
      // Effect's module style: namespace imports of `effect/X` modules, never the barrel
      "@effect/no-import-from-barrel-package": ["error", { packageNames: ["effect"] }],

      // correctness (tsc already reports unused locals; this adds unused imports and parameters named `_x` aside)
      "no-unused-vars": "off",
      "@typescript-eslint/no-unused-vars": ["error", {
        argsIgnorePattern: "^_",
        varsIgnorePattern: "^_",
        caughtErrors: "none"
      }],
      "no-duplicate-imports": ["error", { allowSeparateTypeImports: true }],
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "separate-type-imports" }],
      "@typescript-eslint/no-import-type-side-effects": "error",
      // `any` only with a comment that says why (`// eslint-disable-next-line … -- reason`)
      "@typescript-eslint/no-explicit-any": "error",
      // Effect's style (ReadonlyArray<A>, not readonly A[])
      "@typescript-eslint/array-type": ["error", { default: "generic", readonly: "generic" }],
      "object-shorthand": "error",
      "no-restricted-syntax": ["error", {
        selector: "CallExpression[callee.property.name='push'] > SpreadElement.arguments",
        message: "Do not spread arguments into Array.push (it overflows the stack on large arrays): loop, or concat."
      }],
      // off as in Effect's own config: generators without yield are Effect.gen bodies; namespaces are
      // modules; tsc checks switch fallthrough (noFallthroughCasesInSwitch)
      "require-yield": "off",
      "no-fallthrough": "off",
      "@typescript-eslint/no-namespace": "off",
      "@typescript-eslint/no-empty-object-type": "off",
      // off as in Effect's config: `xs[i]!` after a bounds check, `void` in Effect types, `delete o[k]` on records
      "@typescript-eslint/no-non-null-assertion": "off",
      "@typescript-eslint/no-invalid-void-type": "off",
      "@typescript-eslint/no-dynamic-delete": "off",

      "scimkit/boundaries": ["error", {
        root: import.meta.dirname,
        scope: "@scimkit",
        core: "core",
        adapters: ["store-memory", "store-sql", "store-sqlite", "store-postgres", "http"],
        adapterImports: { "store-sqlite": ["store-sql"], "store-postgres": ["store-sql"] }
      }]
    }
  }
)
