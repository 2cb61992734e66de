import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Net from "node:net"
import * as TcpProxy from "../src/TcpProxy.js"

/** An echo server on loopback for the scope. */
const echo = Effect.acquireRelease(
  Effect.callback<Net.Server>((resume) => {
    const server = Net.createServer((socket) => socket.pipe(socket))
    server.listen(0, "127.0.0.1", () => resume(Effect.succeed(server)))
  }),
  (server) =>
    Effect.callback<void>((resume) => {
      server.close(() => resume(Effect.void))
    })
)

const portOf = (server: Net.Server): number => {
  const address = server.address()
  return typeof address === "object" && address !== null ? address.port : 0
}

/** What one connection to `port` gets back for `text`, or the error code when it cannot connect. */
const roundTrip = (port: number, text: string) =>
  Effect.callback<string>((resume) => {
    const socket = Net.connect(port, "127.0.0.1", () => socket.write(text))
    socket.once("data", (data) => {
      socket.destroy()
      resume(Effect.succeed(data.toString()))
    })
    socket.once("error", (error: NodeJS.ErrnoException) => resume(Effect.succeed(error.code ?? "error")))
  })

describe("TcpProxy", () => {
  it.live("passes bytes through, refuses connections while cut, and passes them again once restored", () =>
    Effect.gen(function*() {
      const server = yield* echo
      const proxy = yield* TcpProxy.make({ host: "127.0.0.1", port: portOf(server) })
      assert.strictEqual(yield* roundTrip(proxy.port, "ping"), "ping")
      yield* proxy.cut
      assert.strictEqual(yield* roundTrip(proxy.port, "ping"), "ECONNREFUSED")
      yield* proxy.restore
      assert.strictEqual(yield* roundTrip(proxy.port, "pong"), "pong")
    }).pipe(Effect.scoped))

  it("url points a database URL at the proxy; targetOf reads a URL's host and port (5432 by default)", () => {
    assert.deepStrictEqual(TcpProxy.targetOf("postgres://u@db.example/x"), { host: "db.example", port: 5432 })
    assert.deepStrictEqual(TcpProxy.targetOf("postgres://u@10.0.0.2:6543/x"), { host: "10.0.0.2", port: 6543 })
  })
})
