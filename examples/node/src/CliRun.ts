/**
 * The CLI's commands with their store: loaded only when a command runs, so that `--help` and usage
 * errors answer without loading the store.
 *
 * On the embedded SQLite store the listing commands (`platform list`, `keys list`) open the database
 * read-only, without its lock, so they work while the server runs; the commands that write take
 * the lock like the server does and are refused while it runs (see docs/server.md).
 */
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as References from "effect/References"
import { ScimError } from "@scimkit/core"
import * as NodePath from "node:path"
import type { Command, StoreSpec } from "./CliArgs.js"
import * as Commands from "./Commands.js"
import * as Failure from "./Failure.js"
import * as Migrate from "./Migrate.js"
import * as Services from "./Services.js"
import * as Settings from "./Settings.js"
import * as Store from "./Store.js"

type Runnable = Exclude<Command, { readonly _tag: "Help" }>

/** Commands that only read. */
const readsOnly = (command: Runnable): boolean =>
  command._tag === "PlatformList" || command._tag === "KeysList" || command._tag === "Audit" ||
  (command._tag === "Doctor" && !command.fix)

const location = (spec: StoreSpec, cwd: string): Store.Location => {
  switch (spec._tag) {
    case "Postgres":
      return { _tag: "Postgres", url: Redacted.make(spec.url) }
    case "Sqlite":
      return { _tag: "Sqlite", dataDir: Settings.realPath(NodePath.resolve(cwd, spec.path)) }
    case "Pglite":
      return { _tag: "Pglite", dataDir: Settings.realPath(NodePath.resolve(cwd, spec.path)) }
  }
}

const describe = (where: Store.Location): string =>
  where._tag === "Pglite" ? `PGlite in ${where.dataDir}` : Settings.describeStore(where)

const sameStore = (a: Store.Location, b: Store.Location): boolean =>
  a._tag === "Postgres" && b._tag === "Postgres"
    ? Redacted.value(a.url) === Redacted.value(b.url)
    : a._tag !== "Postgres" && a._tag !== "Memory" && b._tag !== "Postgres" && b._tag !== "Memory" &&
      a.dataDir === b.dataDir

const migrate = (
  command: Extract<Runnable, { readonly _tag: "Migrate" }>,
  settings: Settings.CommonSettings,
  cwd: string
) =>
  Effect.gen(function*() {
    const from = location(command.from, cwd)
    const to = Option.match(command.to, {
      onNone: (): Store.Location => settings.store,
      onSome: (spec) => location(spec, cwd)
    })
    if (to._tag === "Memory") {
      return yield* Effect.fail(
        new ScimError.StoreError({
          message:
            "Cannot migrate into the memory store (SCIMKIT_STORE=memory): its data lives only inside a server process; give --to"
        })
      )
    }
    if (sameStore(from, to)) {
      return yield* Effect.fail(
        new ScimError.StoreError({ message: `--from and --to are the same store (${describe(from)})` })
      )
    }
    const source = yield* Layer.build(Store.layer(from))
    const target = yield* Layer.build(Store.layer(to))
    const copied = yield* Migrate.copy(source, target)
    return command.json
      ? JSON.stringify({ from: describe(from), to: describe(to), ...copied }, null, 2)
      : [
        `Copied from ${describe(from)} to ${describe(to)}:`,
        `  ${copied.platforms} platform(s), ${copied.apiKeys} API key(s), ${copied.users} user(s), ${copied.groups} group(s), ${copied.memberships} membership(s)`,
        "Ids, versions and timestamps are kept: API keys, ETags and meta are as before."
      ].join("\n")
  }).pipe(Effect.scoped)

/** Runs a command against the configured store; the exit code: 0 done, 1 failed. */
export const run = (command: Runnable): Effect.Effect<number> =>
  Effect.gen(function*() {
    const settings = yield* Settings.common
    const cwd = yield* Settings.invocationDirectory
    const output = command._tag === "Migrate"
      ? migrate(command, settings, cwd)
      : settings.store._tag === "Memory"
      ? Effect.fail(
        new ScimError.StoreError({
          message:
            "SCIMKIT_STORE=memory: the memory store lives inside a running server and is lost when it stops; the CLI cannot reach it (unset SCIMKIT_STORE to manage the SQLite store)"
        })
      )
      : Commands.run(command).pipe(Effect.provide(Services.cli(settings, { readOnly: readsOnly(command) })))
    return yield* output.pipe(
      Effect.flatMap((text) => Console.log(text)),
      Effect.as(0),
      Effect.catch((error) => Console.error(Commands.explain(error)).pipe(Effect.as(1))),
      Effect.provideService(References.MinimumLogLevel, Option.getOrElse(settings.logLevel, () => "Warn" as const))
    )
  }).pipe(
    Effect.catchCause((cause) => Console.error(Failure.describe(cause).join("\n")).pipe(Effect.as(1))),
    Effect.provide(Logger.layer([Logger.withConsoleError(Logger.formatLogFmt)]))
  )
