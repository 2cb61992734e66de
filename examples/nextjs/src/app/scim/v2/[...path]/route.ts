/** Every SCIM request under /scim/v2, handed to scimkit as it came. */
import { scim } from "@/scim"

const handler = (request: Request) => scim.fetch(request)

export { handler as DELETE, handler as GET, handler as PATCH, handler as POST, handler as PUT }
