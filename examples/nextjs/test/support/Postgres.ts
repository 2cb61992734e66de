/**
 * A throwaway schema on the Postgres server of `SCIMKIT_TEST_DATABASE_URL`, as a `DATABASE_URL`
 * whose connections use it (`options=-c search_path=…`): the app migrates into it and the test
 * drops it afterwards.
 */
import * as PgClient from "@effect/sql-pg/PgClient"
import * as Effect from "effect/Effect"
import * as Reactivity from "effect/reactivity/Reactivity"
import * as Redacted from "effect/Redacted"

const run = (url: string, statement: string): Promise<void> =>
  Effect.runPromise(
    Effect.scoped(Effect.gen(function*() {
      const client = yield* PgClient.make({ url: Redacted.make(url), maxConnections: 1 })
      yield* client.unsafe(statement)
    })).pipe(Effect.provide(Reactivity.layer))
  )

export interface Schema {
  /** The server's URL with the schema as search path. */
  readonly url: string
  readonly drop: () => Promise<void>
}

export const freshSchema = async (serverUrl: string): Promise<Schema> => {
  const name = `scimkit_example_${process.pid}_${Math.random().toString(36).slice(2, 10)}`
  await run(serverUrl, `create schema ${name}`)
  const url = new URL(serverUrl)
  url.searchParams.set("options", `-c search_path=${name}`)
  return { url: url.toString(), drop: () => run(serverUrl, `drop schema if exists ${name} cascade`) }
}
