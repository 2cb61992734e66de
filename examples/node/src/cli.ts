/**
 * `pnpm scimkit <command>`: manage platforms and API keys in the server's store (see
 * docs/server.md). Exit codes: 0 success, 1 failure, 2 wrong usage.
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Result from "effect/Result"
import * as CliArgs from "./CliArgs.js"

const main: Effect.Effect<number> = Effect.gen(function*() {
  const parsed = CliArgs.parse(process.argv.slice(2))
  if (Result.isFailure(parsed)) {
    yield* Console.error(`${parsed.failure.message}\nRun \`pnpm scimkit --help\` for usage.`)
    return 2
  }
  const command = parsed.success
  if (command._tag === "Help") {
    yield* Console.log(command.text)
    return 0
  }
  const { run } = yield* Effect.promise(() => import("./CliRun.js"))
  return yield* run(command)
})

NodeRuntime.runMain(main, {
  disableErrorReporting: true,
  teardown: (exit, onExit) => onExit(Exit.isSuccess(exit) && typeof exit.value === "number" ? exit.value : 1)
})
