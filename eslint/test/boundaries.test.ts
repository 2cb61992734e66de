/**
 * The import-boundary rule on a small repository laid out like scimkit's (a temporary folder: the
 * rule looks in core's src to name the public module that owns an internal folder).
 */
import { RuleTester } from "eslint"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import tseslint from "typescript-eslint"
import { afterAll, describe, it } from "vitest"
import rule from "../boundaries.js"

RuleTester.describe = describe
RuleTester.it = it
// RuleTester's hooks for its own `only: true` cases (none here); required by its vitest wiring
RuleTester.itOnly = it.only

const root = Fs.mkdtempSync(Path.join(Os.tmpdir(), "scimkit-boundaries-"))
afterAll(() => Fs.rmSync(root, { recursive: true, force: true }))
for (
  const dir of ["filter", "query", "service", "schema", "internal/filter", "internal/service", "internal/resource"]
) {
  Fs.mkdirSync(Path.join(root, "packages/core/src", dir), { recursive: true })
}
for (const file of ["Crypto.ts", "ScimOptions.ts", "index.ts", "internal/crypto.ts"]) {
  Fs.writeFileSync(Path.join(root, "packages/core/src", file), "")
}

const options = [{
  root,
  scope: "@scimkit",
  core: "core",
  adapters: ["store-memory", "store-sql", "store-sqlite", "store-postgres", "http"],
  adapterImports: { "store-sqlite": ["store-sql"], "store-postgres": ["store-sql"] }
}]

const at = (file: string): string => Path.join(root, file)

const tester = new RuleTester({
  languageOptions: { parser: tseslint.parser, ecmaVersion: "latest", sourceType: "module" }
})

const valid = (file: string, code: string) => ({ filename: at(file), code, options })
const invalid = (
  file: string,
  code: string,
  errors: ReadonlyArray<{ readonly messageId: string; readonly message?: RegExp }>
) => ({
  filename: at(file),
  code,
  options,
  // RuleTester takes a messageId or a message; the messages below name their case in the pattern
  errors: errors.map((e) => e.message === undefined ? { messageId: e.messageId } : { message: e.message })
})

tester.run("scimkit/boundaries: core", rule, {
  valid: [
    // effect, and a module's own area (public and internal)
    valid(
      "packages/core/src/filter/Filter.ts",
      `import * as Effect from "effect/Effect"\nimport { pipe } from "effect"`
    ),
    valid("packages/core/src/filter/Filter.ts", `import * as Parser from "../internal/filter/parser.js"`),
    valid("packages/core/src/internal/filter/compile.ts", `import { parse } from "./parser.js"`),
    valid("packages/core/src/internal/filter/compile.ts", `import * as Ast from "../../filter/Ast.js"`),
    // public modules of other areas, root modules, and a root module's own internal file
    valid("packages/core/src/query/Paging.ts", `import type { Users } from "../service/Users.js"`),
    valid("packages/core/src/service/Users.ts", `import * as Crypto from "../Crypto.js"`),
    valid("packages/core/src/internal/service/write.ts", `import { ScimOptions } from "../../ScimOptions.js"`),
    valid("packages/core/src/Crypto.ts", `import * as internal from "./internal/crypto.js"`),
    // index.ts: any public module
    valid(
      "packages/core/src/index.ts",
      `export * as Filter from "./filter/Filter.js"\nexport * as Crypto from "./Crypto.js"`
    ),
    // core's tests may import anything of core, and node
    valid(
      "packages/core/test/Filter.test.ts",
      `import * as P from "../src/internal/filter/parser.js"\nimport * as Fs from "node:fs"`
    )
  ],
  invalid: [
    invalid("packages/core/src/query/Paging.ts", `import { list } from "../internal/service/list.js"`, [{
      messageId: "coreInternal",
      message:
        /internal code of core's `service` area \(src\/internal\/service\/\).*public module of `service` \(src\/service\/\*\.ts\)/
    }]),
    invalid("packages/core/src/service/ApiKeys.ts", `import * as C from "../internal/crypto.js"`, [{
      messageId: "coreInternal",
      message: /`crypto` area \(src\/internal\/crypto\.ts\).*\(src\/Crypto\.ts\)/
    }]),
    invalid("packages/core/src/internal/service/keys.ts", `import { hash } from "../filter/compile.js"`, [{
      messageId: "coreInternal",
      message: /a file of the `service` area \(internal\/service\/keys\.ts\)/
    }]),
    // internal code whose area does not exist: no public module to point at
    invalid("packages/core/src/schema/Resource.ts", `import { jsonEquals } from "../internal/resource/value.js"`, [{
      messageId: "coreOrphanInternal",
      message: /src\/internal\/resource\/, which belongs to no area.*`schema` area may import internal\/schema\//
    }]),
    invalid("packages/core/src/index.ts", `export * from "./internal/filter/parser.js"`, [{
      messageId: "coreIndexInternal",
      message: /Export the public module of `filter` \(src\/filter\/\*\.ts\)/
    }]),
    // every form of import is checked
    invalid("packages/core/src/query/Sort.ts", `export { list } from "../internal/service/list.js"`, [{
      messageId: "coreInternal"
    }]),
    invalid("packages/core/src/query/Sort.ts", `const m = () => import("../internal/service/list.js")`, [{
      messageId: "coreInternal"
    }]),
    invalid("packages/core/src/query/Sort.ts", `type L = typeof import("../internal/service/list.js")`, [{
      messageId: "coreInternal"
    }]),
    // only effect from outside
    invalid("packages/core/src/Crypto.ts", `import * as C from "node:crypto"`, [{
      messageId: "coreExternal",
      message: /not "node:crypto"\. Use Effect's own module/
    }]),
    invalid("packages/core/src/Crypto.ts", `import type { X } from "@effect/platform-node/NodeCrypto"`, [{
      messageId: "coreExternal"
    }]),
    invalid("packages/core/src/filter/Filter.ts", `import { Filter } from "@scimkit/core"`, [{
      messageId: "coreExternal",
      message: /Import the core file itself with a relative path/
    }]),
    invalid("packages/core/src/filter/Filter.ts", `import { StoreSql } from "@scimkit/store-sql"`, [{
      messageId: "coreExternal",
      message: /Other packages depend on core, never the other way/
    }]),
    invalid("packages/core/src/filter/Filter.ts", `import fc from "fast-check"`, [{ messageId: "coreExternal" }]),
    invalid("packages/core/src/filter/Filter.ts", `import { x } from "../../../testkit/src/index.js"`, [{
      messageId: "coreOutside"
    }])
  ]
})

tester.run("scimkit/boundaries: packages", rule, {
  valid: [
    valid(
      "packages/store-sqlite/src/StoreSqlite.ts",
      `import { StoreSql } from "@scimkit/store-sql"\nimport { Model } from "@scimkit/core"`
    ),
    valid("packages/store-postgres/src/internal/migrations.ts", `import { StoreSql } from "@scimkit/store-sql"`),
    valid(
      "packages/http/src/ScimHttpApp.ts",
      `import { Users } from "@scimkit/core"\nimport * as R from "./internal/request.js"`
    ),
    // tests (and benches) may use any package through its root, and their own package's src
    valid("packages/http/test/fixtures.ts", `import { StoreMemory } from "@scimkit/store-memory"`),
    valid("packages/http/test/Request.test.ts", `import * as R from "../src/internal/request.js"`),
    valid("packages/store-sql/test/FileLock.test.ts", `import * as FileLock from "@scimkit/store-sql/FileLock"`),
    valid("packages/http/bench/App.bench.ts", `import * as A from "../src/ScimHttpApp.js"`),
    valid("examples/node/src/Store.ts", `const m = () => import("@scimkit/store-sqlite")`),
    valid("examples/node/test/Store.test.ts", `import { Settings } from "../src/Settings.js"`),
    valid(
      "bench/stores.bench.ts",
      `import { StoreSql } from "@scimkit/store-sql"\nimport { mulberry32 } from "./random.js"`
    ),
    valid("packages/http/tsup.config.ts", `import { packageConfig } from "../../tsup.base.js"`)
  ],
  invalid: [
    invalid("packages/store-sqlite/src/SqliteDialect.ts", `import type { Dialect } from "@scimkit/store-sql/Dialect"`, [
      {
        messageId: "deepImport",
        message: /`import \{ Dialect \} from "@scimkit\/store-sql"` instead of "@scimkit\/store-sql\/Dialect"/
      }
    ]),
    invalid("examples/node/src/main.ts", `import { parse } from "@scimkit/core/src/filter/Filter.js"`, [{
      messageId: "deepImport",
      message: /`import \{ Filter \} from "@scimkit\/core"`/
    }]),
    invalid("packages/store-postgres/test/Explain.test.ts", `import * as StoreSql from "@scimkit/store-sql/StoreSql"`, [
      {
        messageId: "deepImport"
      }
    ]),
    // adapters never import each other
    invalid("packages/http/src/ScimHttpApp.ts", `import { StoreMemory } from "@scimkit/store-memory"`, [{
      messageId: "adapters",
      message: /@scimkit\/http may not import @scimkit\/store-memory\. Move what both need into @scimkit\/core/
    }]),
    invalid("packages/store-sql/src/StoreSql.ts", `import { StorePostgres } from "@scimkit/store-postgres"`, [{
      messageId: "adapters"
    }]),
    invalid("packages/store-sqlite/src/StoreSqlite.ts", `import { StoreMemory } from "@scimkit/store-memory"`, [{
      messageId: "adapters",
      message: /\(it may import @scimkit\/store-sql\)/
    }]),
    // relative paths into another workspace folder
    invalid("packages/store-sql/test/helpers.ts", `import { StorePostgres } from "../../store-postgres/src/index.js"`, [
      {
        messageId: "crossWorkspace",
        message:
          /reaches into packages\/store-postgres by a relative path\. Import it through the package root: `import \{ … \} from "@scimkit\/store-postgres"`/
      }
    ]),
    invalid(
      "packages/store-sql/test/helpers.ts",
      `import { pgliteClient } from "../../store-postgres/test/helpers.js"`,
      [{
        messageId: "crossWorkspace",
        message: /test\/ folder is not importable: share test helpers through @scimkit\/testkit/
      }]
    ),
    invalid("bench/filter.bench.ts", `import * as Filter from "../packages/core/src/filter/Filter.js"`, [{
      messageId: "crossWorkspace",
      message: /`import \{ Filter \} from "@scimkit\/core"`/
    }]),
    invalid(
      "packages/store-postgres/src/StorePostgres.ts",
      `import { StoreMemory } from "../../store-memory/src/index.js"`,
      [
        { messageId: "crossWorkspace" },
        { messageId: "adapters" }
      ]
    ),
    invalid("packages/http/src/ScimHttpApp.ts", `import { ScimResponse } from "@scimkit/http"`, [{
      messageId: "selfImport"
    }])
  ]
})
