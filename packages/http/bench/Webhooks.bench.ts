/**
 * Throughput of the webhook worker: events per second delivered (signed, POSTed, acknowledged,
 * logged and checkpointed) to a receiver on loopback that answers 204 at once, batches of 100, over
 * the memory store. The receiver runs in the same process, so the figures are lower bounds. Prints
 * figures only; nothing asserts timing.
 *
 *   pnpm bench Webhooks        (N=20000 events by default)
 */
import { ChangeEvent, ChangeFeed, Crypto, EventStore, Model, ScimOptions, Transactions } from "@scimkit/core"
import { StoreMemory } from "@scimkit/store-memory"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as FetchHttpClient from "effect/http/FetchHttpClient"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { once } from "node:events"
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { Webhooks } from "../src/index.js"

const N = Number(process.env["N"] ?? 20_000)
const platform = Model.PlatformId.make("bench")

/** An event about the size a user update makes (the document after, the changed paths, an actor). */
const event = (i: number, at: DateTime.Utc) =>
  new ChangeEvent.NewEvent({
    platform,
    type: "user.updated",
    resourceType: "User",
    resourceId: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
    version: 2,
    changed: ["active", "name"],
    before: Option.none(),
    after: Option.some({
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
      userName: `user${i}@bench.example`,
      name: { givenName: "Bench", familyName: `User ${i}` },
      emails: [{ value: `user${i}@bench.example`, type: "work", primary: true }],
      active: false
    }),
    member: Option.none(),
    at,
    actor: new ChangeEvent.Actor({ credential: Option.some("key-bench"), requestId: Option.some(`req-${i}`) })
  })

export default async function(): Promise<void> {
  let requests = 0
  const server = createServer((req, res) => {
    req.resume()
    req.on("end", () => {
      requests++
      res.writeHead(204)
      res.end()
    })
  })
  server.listen(0, "127.0.0.1")
  await once(server, "listening")
  const { port } = server.address() as AddressInfo

  const runtime = ManagedRuntime.make(
    Layer.mergeAll(ChangeFeed.layer, FetchHttpClient.layer, Crypto.layerWebCrypto).pipe(
      Layer.provideMerge(StoreMemory.layer),
      Layer.provideMerge(ScimOptions.layer({})),
      Layer.provideMerge(Logger.layer([]))
    )
  )
  try {
    await runtime.runPromise(Effect.gen(function*() {
      const store = yield* EventStore.EventStore
      const transactions = yield* Transactions.Transactions
      const at = yield* DateTime.now
      for (let i = 0; i < N; i += 1000) {
        const batch = Array.from({ length: Math.min(1000, N - i) }, (_, j) => event(i + j, at))
        yield* transactions.run(store.append(batch))
      }
    }))
    const started = performance.now()
    const worker = runtime.runFork(Webhooks.run({
      url: `http://127.0.0.1:${port}/hooks`,
      secret: Redacted.make("whsec_bench"),
      batchSize: 100,
      pollInterval: "5 millis"
    }))
    await runtime.runPromise(Effect.gen(function*() {
      const store = yield* EventStore.EventStore
      while (Option.getOrElse(yield* store.checkpoint(`webhook:http://127.0.0.1:${port}/hooks`), () => 0) < N) {
        yield* Effect.sleep("5 millis")
      }
    }))
    const ms = performance.now() - started
    await runtime.runPromise(Fiber.interrupt(worker))
    console.log(
      `webhook worker, ${N} events, batches of 100 (${requests} POSTs)`.padEnd(60) +
        `${(N / (ms / 1000)).toFixed(0).padStart(8)} events/s ${(ms / requests).toFixed(2).padStart(8)} ms/batch`
    )
  } finally {
    await runtime.dispose()
    server.closeAllConnections()
    server.close()
  }
}
