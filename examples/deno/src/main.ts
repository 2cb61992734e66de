/**
 * A Deno server (`Deno.serve`) with one route of its own (GET /health) and SCIM 2.0 under /scim/v2.
 */
import { firstStart, scim } from "./scim.js"

/** The part of Deno's API this file uses (the repository type-checks with Node's types, not Deno's). */
declare const Deno: {
  readonly env: { get(name: string): string | undefined }
  serve(
    options: { readonly port: number; readonly onListen: () => void },
    handler: (request: Request) => Response | Promise<Response>
  ): { readonly addr: { readonly port: number }; shutdown(): Promise<void> }
  addSignalListener(signal: "SIGINT" | "SIGTERM", listener: () => void): void
  exit(code: number): never
}

const server = Deno.serve(
  // the line below is printed once the tenant exists
  { port: Number(Deno.env.get("PORT") ?? 3000), onListen: () => {} },
  (request) => {
    const { pathname } = new URL(request.url)
    if (pathname === "/health") return Response.json({ ok: true })
    if (pathname === "/scim/v2" || pathname.startsWith("/scim/v2/")) return scim.fetch(request)
    return new Response("Not Found", { status: 404 })
  }
)

await firstStart(`http://localhost:${server.addr.port}/scim/v2`)
console.log(`listening on http://localhost:${server.addr.port}`)

// release the store (the SQLite file lock, the Postgres pool) on Ctrl-C and on `kill`
const stop = async () => {
  await server.shutdown()
  await scim.dispose()
  Deno.exit(0)
}
Deno.addSignalListener("SIGINT", stop)
Deno.addSignalListener("SIGTERM", stop)
