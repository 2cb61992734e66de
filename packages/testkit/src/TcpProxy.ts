/**
 * A TCP proxy on loopback between the code under test and a database (or any TCP server), for
 * tests of what happens when the connection goes away: `cut` destroys every connection and closes
 * the listener, so new connections are refused, as clients see a server that restarts or a network
 * that partitions; `restore` listens again on the same port.
 *
 * Node test tooling: it needs `node:net`, so it runs under Node (vitest), not in a browser.
 */
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import * as Net from "node:net"

export interface TcpProxy {
  /** The loopback port the proxy listens on (the same after a `restore`). */
  readonly port: number
  /** `url` with the proxy's host and port instead of its own (`postgres://…@127.0.0.1:<port>/…`). */
  readonly url: (url: string) => string
  /** Destroys every connection through the proxy and stops listening: new connections are refused. */
  readonly cut: Effect.Effect<void>
  /** Listens again on the same port. */
  readonly restore: Effect.Effect<void>
}

/** The address of a TCP server. */
export interface Target {
  readonly host: string
  readonly port: number
}

/** The host and port of a URL (`postgres://` URLs default to 5432). */
export const targetOf = (url: string): Target => {
  const u = new URL(url)
  return { host: u.hostname, port: Number(u.port === "" ? "5432" : u.port) }
}

/** A free TCP port on loopback (free when asked: another process may take it afterwards). */
export const freePort: Effect.Effect<number> = Effect.callback<number>((resume) => {
  const probe = Net.createServer()
  probe.listen(0, "127.0.0.1", () => {
    const address = probe.address()
    const port = typeof address === "object" && address !== null ? address.port : 0
    probe.close(() => resume(Effect.succeed(port)))
  })
})

/** A proxy to `target`, listening for the scope (closed when the scope closes). */
export const make = (target: Target): Effect.Effect<TcpProxy, never, Scope.Scope> =>
  Effect.gen(function*() {
    const port = yield* freePort
    const sockets = new Set<Net.Socket>()
    let server: Net.Server | undefined

    const listen = Effect.callback<void>((resume) => {
      const listening = Net.createServer((client) => {
        const upstream = Net.connect(target.port, target.host)
        for (const socket of [client, upstream]) {
          sockets.add(socket)
          socket.on("close", () => sockets.delete(socket))
          socket.on("error", () => {
            client.destroy()
            upstream.destroy()
          })
        }
        client.pipe(upstream).pipe(client)
      })
      server = listening
      listening.listen(port, "127.0.0.1", () => resume(Effect.void))
    })

    const cut = Effect.callback<void>((resume) => {
      for (const socket of sockets) socket.destroy()
      sockets.clear()
      const listening = server
      server = undefined
      if (listening === undefined) return resume(Effect.void)
      listening.close(() => resume(Effect.void))
    })

    yield* Effect.acquireRelease(listen, () => cut)
    return {
      port,
      url: (url) => {
        const proxied = new URL(url)
        proxied.hostname = "127.0.0.1"
        proxied.port = String(port)
        return proxied.toString()
      },
      cut,
      restore: Effect.suspend(() => server === undefined ? listen : Effect.void)
    }
  })
