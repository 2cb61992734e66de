/**
 * The CLI's commands with their store: loaded only when a command runs, so that `--help` and usage
 * errors answer without loading the store.
 *
 * @since 0.1.0
 */
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Logger from "effect/Logger"
import * as Option from "effect/Option"
import * as References from "effect/References"
import type { Command } from "./CliArgs.js"
import * as Commands from "./Commands.js"
import * as Failure from "./Failure.js"
import * as Services from "./Services.js"
import * as Settings from "./Settings.js"

/** Runs a command against the configured store; the exit code: 0 done, 1 failed. @since 0.1.0 */
export const run = (command: Exclude<Command, { readonly _tag: "Help" }>): Effect.Effect<number> =>
  Effect.gen(function*() {
    const settings = yield* Settings.common
    return yield* Commands.run(command).pipe(
      Effect.provide(Services.cli(settings)),
      Effect.flatMap((output) => Console.log(output)),
      Effect.as(0),
      Effect.catch((error) => Console.error(Commands.explain(error)).pipe(Effect.as(1))),
      Effect.provideService(References.MinimumLogLevel, Option.getOrElse(settings.logLevel, () => "Warn" as const))
    )
  }).pipe(
    Effect.catchCause((cause) => Console.error(Failure.describe(cause).join("\n")).pipe(Effect.as(1))),
    Effect.provide(Logger.layer([Logger.withConsoleError(Logger.formatLogFmt)]))
  )
