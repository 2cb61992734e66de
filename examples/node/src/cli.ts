/**
 * `pnpm scimkit <command>`: manage platforms and API keys in the server's store.
 *
 * @since 0.1.0
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Option from "effect/Option"
import * as CliArgs from "./CliArgs.js"
import * as Commands from "./Commands.js"
import * as Failure from "./Failure.js"
import * as Services from "./Services.js"
import * as Settings from "./Settings.js"

const main: Effect.Effect<number> = Effect.gen(function*() {
  const parsed = CliArgs.parse(process.argv.slice(2))
  if (Either.isLeft(parsed)) {
    yield* Console.error(`${parsed.left.message}\nRun \`pnpm scimkit --help\` for usage.`)
    return 2
  }
  const command = parsed.right
  if (command._tag === "Help") {
    yield* Console.log(command.text)
    return 0
  }
  const settings = yield* Settings.common
  return yield* Commands.run(command).pipe(
    Effect.provide(Services.cli(settings)),
    Effect.flatMap((output) => Console.log(output)),
    Effect.as(0),
    Effect.catchAll((error) =>
      Console.error(Commands.explain(error)).pipe(Effect.as(1))
    ),
    Logger.withMinimumLogLevel(Option.getOrElse(settings.logLevel, () => LogLevel.Warning))
  )
}).pipe(
  Effect.catchAllCause((cause) => Console.error(Failure.describe(cause).join("\n")).pipe(Effect.as(1))),
  Effect.provide(Logger.replace(Logger.defaultLogger, Logger.withConsoleError(Logger.logfmtLogger)))
)

NodeRuntime.runMain(main, {
  disableErrorReporting: true,
  disablePrettyLogger: true,
  teardown: (exit, onExit) => onExit(Exit.isSuccess(exit) && typeof exit.value === "number" ? exit.value : 1)
})
