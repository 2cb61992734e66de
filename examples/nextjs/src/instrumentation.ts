/** Next.js runs `register` once when the server starts. */
export const register = async () => {
  // the store is Node-only: load it in the Node.js runtime alone, never in the Edge one
  if (process.env.NEXT_RUNTIME === "nodejs") {
    const { firstStart } = await import("@/scim")
    await firstStart(`http://localhost:${process.env.PORT ?? 3000}/scim/v2`)
  }
}
