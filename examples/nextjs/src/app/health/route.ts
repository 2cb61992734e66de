/** The app's own route. */
export const GET = () => Response.json({ ok: true })
