/**
 * The `limit` server of `pnpm bench http`: bare `node:http` answering every request with the fixed
 * User document after the bearer check (401 without it), reading the body of POST/PATCH first and
 * answering them 201/200. Nothing a SCIM server does can be cheaper than this on the same Node, so
 * it is the ceiling the others are measured against.
 */
import { createServer } from "node:http"
import { benchKey, benchPort, contentType, fixedUser } from "./fixed.js"

const expected = `Bearer ${benchKey()}`
const body = Buffer.from(fixedUser)
const unauthorized = Buffer.from(
  JSON.stringify({ schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"], status: "401" })
)

const server = createServer((req, res) => {
  if (req.headers.authorization !== expected) {
    res.writeHead(401, { "content-type": contentType, "content-length": unauthorized.length })
    res.end(unauthorized)
    return
  }
  const answer = (status: number) => {
    res.writeHead(status, { "content-type": contentType, "content-length": body.length })
    res.end(body)
  }
  if (req.method === "GET" || req.method === "HEAD") {
    answer(200)
    return
  }
  req.on("data", () => {})
  req.on("end", () => answer(req.method === "POST" ? 201 : 200))
})
server.keepAliveTimeout = 60_000
server.listen(benchPort(), () => console.log(`limit listening on ${benchPort()}`))
