/**
 * Opens the storage adapter the settings name: SQLite in `SCIMKIT_DATA_DIR` (the embedded default,
 * `@scimkit/store-sqlite`, locked to one server process at a time), a Postgres server for
 * `DATABASE_URL` (`@scimkit/store-postgres`), or this process's memory (`SCIMKIT_STORE=memory`,
 * `@scimkit/store-memory`). The migrate command also reads the PGlite directories of earlier
 * versions. Each adapter package is loaded only when it is chosen, so a SQLite server never loads
 * the Postgres driver or PGlite.
 */
import { ScimError, type Stores } from "@scimkit/core"
import { StoreMemory } from "@scimkit/store-memory"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Fs from "node:fs"
import * as NodePath from "node:path"
import { sqliteFile, type StoreSettings } from "./Settings.js"

/**
 * A store the example can open: one of the settings' stores, or the embedded Postgres (PGlite)
 * data directory of earlier versions (only as the source of `pnpm scimkit migrate`).
 */
export type Location = StoreSettings | { readonly _tag: "Pglite"; readonly dataDir: string }

export interface OpenOptions {
  /**
   * Open SQLite read-only, without its lock: reading while a server holds it (WAL lets readers run
   * beside the writer). Writes fail. A database that does not exist yet is created as usual.
   */
  readonly readOnly?: boolean | undefined
}

/** The file PGlite (any Postgres data directory) keeps at its root. */
export const pgliteMarker = "PG_VERSION"

/** Whether `dir` holds the embedded Postgres (PGlite) data of an earlier version. */
export const holdsPglite = (dir: string): boolean => Fs.existsSync(NodePath.join(dir, pgliteMarker))

/**
 * What to run to move a PGlite data directory to SQLite: the directory is moved aside, then copied
 * into a new SQLite store at the old place (so `SCIMKIT_DATA_DIR` stays as it is).
 */
export const migrationSteps = (dir: string): ReadonlyArray<string> => {
  const aside = `${dir}-pglite`
  return [
    `mv ${quote(dir)} ${quote(aside)}`,
    `pnpm scimkit migrate --from ${quote(`pglite:${aside}`)} --to ${quote(`sqlite:${dir}`)}`
  ]
}

const quote = (text: string): string => /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replaceAll("'", "'\\''")}'`

/** The refusal to open a PGlite directory as the SQLite store, with the commands that migrate it. */
export const pgliteFound = (dir: string): ScimError.StoreError =>
  new ScimError.StoreError({
    message: [
      `${dir} holds the embedded Postgres (PGlite) data of an earlier scimkit; the embedded store is SQLite now.`,
      "Copy the data over once (platforms, API keys, users, groups and members, with their ids and versions),",
      "then start again:",
      ...migrationSteps(dir).map((step) => `  ${step}`)
    ].join("\n")
  })

const load = <A>(name: string, importer: () => Promise<A>): Effect.Effect<A, ScimError.StoreError> =>
  Effect.tryPromise({
    try: importer,
    catch: (cause) =>
      new ScimError.StoreError({
        message: `Cannot load ${name}: ${cause instanceof Error ? cause.message : String(cause)}; run pnpm install`,
        cause
      })
  })

/**
 * The store's refusal when a server holds the database, in the operator's words: what to stop, and
 * what still works while it runs.
 */
const inUse = (dataDir: string, error: ScimError.StoreError): ScimError.StoreError => {
  const holder = /\bin use by process (\d+)/.exec(error.message)
  return holder === null ? error : new ScimError.StoreError({
    message: `the embedded store in ${dataDir} is in use by process ${
      holder[1]
    }; stop the server first to change it (listing platforms and keys works while it runs), or use DATABASE_URL`,
    cause: error
  })
}

const sqlite = (dataDir: string, options: OpenOptions): Layer.Layer<Stores.Stores, ScimError.StoreError> =>
  Layer.unwrap(Effect.gen(function*() {
    if (holdsPglite(dataDir)) return yield* Effect.fail(pgliteFound(dataDir))
    const { StoreSqlite } = yield* load("@scimkit/store-sqlite", () => import("@scimkit/store-sqlite"))
    const filename = sqliteFile(dataDir)
    // no database yet (so no server runs on it): reading opens it as a writer would, creating it empty
    if (options.readOnly === true && Fs.existsSync(filename)) return StoreSqlite.layer({ filename, readOnly: true })
    return StoreSqlite.layer({ filename }).pipe(
      Layer.catchTag("StoreError", (error) => Layer.effectContext(Effect.fail(inUse(dataDir, error))))
    )
  }))

/**
 * The stores at `location`. SQLite creates its directory and database when missing and refuses a
 * directory holding PGlite data (see {@link pgliteFound}); Postgres migrates its schema; memory
 * starts empty.
 */
export const layer = (
  location: Location,
  options: OpenOptions = {}
): Layer.Layer<Stores.Stores, ScimError.StoreError> => {
  switch (location._tag) {
    case "Sqlite":
      return sqlite(location.dataDir, options)
    case "Memory":
      return StoreMemory.layer
    case "Postgres":
      return Layer.unwrap(
        Effect.map(
          load("@scimkit/store-postgres", () => import("@scimkit/store-postgres")),
          ({ StorePostgres }) => StorePostgres.layerUrl(location.url)
        )
      )
    case "Pglite":
      return Layer.unwrap(Effect.gen(function*() {
        if (!holdsPglite(location.dataDir)) {
          return yield* Effect.fail(
            new ScimError.StoreError({
              message:
                `${location.dataDir} holds no PGlite data (no ${pgliteMarker} file): give the directory the old server used`
            })
          )
        }
        const { StorePostgres } = yield* load("@scimkit/store-postgres", () => import("@scimkit/store-postgres"))
        return StorePostgres.layerEmbedded({ dataDir: location.dataDir })
      }))
  }
}
