/**
 * A Bun server (`Bun.serve`) with one route of its own (GET /health) and SCIM 2.0 under /scim/v2.
 */
import { firstStart, scim } from "./scim.js"

/** The part of Bun's API this file uses (the repository type-checks with Node's types, not `@types/bun`). */
declare const Bun: {
  serve(options: {
    readonly port: number
    readonly routes: Record<string, (request: Request) => Response | Promise<Response>>
    readonly fetch: (request: Request) => Response | Promise<Response>
  }): { readonly port: number; stop(closeActiveConnections?: boolean): Promise<void> }
}

const server = Bun.serve({
  port: Number(process.env.PORT ?? 3000),
  routes: {
    "/health": () => Response.json({ ok: true }),
    "/scim/v2": (request) => scim.fetch(request),
    "/scim/v2/*": (request) => scim.fetch(request)
  },
  fetch: () => new Response("Not Found", { status: 404 })
})

await firstStart(`http://localhost:${server.port}/scim/v2`)
console.log(`listening on http://localhost:${server.port}`)

// release the store (the SQLite file lock, the Postgres pool) on Ctrl-C and on `kill`
const stop = async () => {
  await server.stop()
  await scim.dispose()
  process.exit(0)
}
process.once("SIGINT", stop)
process.once("SIGTERM", stop)
