/**
 * The CLI's commands with their store: loaded only when a command runs, so that `--help` and usage
 * errors answer without loading the store.
 *
 * @since 0.1.0
 */
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Option from "effect/Option"
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
      Effect.catchAll((error) => Console.error(Commands.explain(error)).pipe(Effect.as(1))),
      Logger.withMinimumLogLevel(Option.getOrElse(settings.logLevel, () => LogLevel.Warning))
    )
  }).pipe(
    Effect.catchAllCause((cause) => Console.error(Failure.describe(cause).join("\n")).pipe(Effect.as(1))),
    Effect.provide(Logger.replace(Logger.defaultLogger, Logger.withConsoleError(Logger.logfmtLogger)))
  )
