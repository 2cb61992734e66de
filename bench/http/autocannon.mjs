/**
 * The load generator of `pnpm bench http` where wrk is missing: autocannon in its own process
 * (pinned like wrk), running the same four scenarios as wrk.lua. Takes one JSON argument (see
 * load.ts) and prints one line "ACJSON {...}" with the same fields as the wrk script.
 */
import autocannon from "autocannon"
import { readFileSync } from "node:fs"

const input = JSON.parse(process.argv[2])
const lines = (path) => (path === "-" ? [] : readFileSync(path, "utf8").split("\n").filter((line) => line !== ""))
const users = lines(input.usersFile)
const groups = lines(input.groupsFile)
const pick = (list) => list[Math.floor(Math.random() * list.length)]
let sequence = 0

const setupRequest = (request) => {
  switch (input.scenario) {
    case "get":
      return { ...request, method: "GET", path: `${input.basePath}/Users/${pick(users)}` }
    case "filter": {
      const k = 1 + Math.floor(Math.random() * input.userCount)
      return {
        ...request,
        method: "GET",
        path: `${input.basePath}/Users?filter=${encodeURIComponent(`userName eq "user${k}@example.com"`)}`
      }
    }
    case "post": {
      sequence++
      const userName = `${input.prefix}-${sequence}@example.com`
      const body = {
        schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
        userName,
        externalId: `${input.prefix}-${sequence}`,
        displayName: `New User ${sequence}`,
        active: true,
        name: { givenName: "New", familyName: `User ${sequence}`, formatted: `New User ${sequence}` },
        emails: [{ value: userName, type: "work", primary: true }],
        title: "Title 1"
      }
      return { ...request, method: "POST", path: `${input.basePath}/Users`, body: JSON.stringify(body) }
    }
    default: {
      const body = {
        schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        Operations: [{ op: "Add", path: "members", value: [{ value: pick(users) }] }]
      }
      return {
        ...request,
        method: "PATCH",
        path: `${input.basePath}/Groups/${pick(groups)}`,
        body: JSON.stringify(body)
      }
    }
  }
}

const statuses = new Map()
const instance = autocannon({
  url: input.origin,
  connections: input.connections,
  duration: input.seconds,
  timeout: 30,
  headers: {
    authorization: `Bearer ${input.key}`,
    accept: "application/scim+json",
    "content-type": "application/scim+json"
  },
  requests: [{ setupRequest }]
}, (error, result) => {
  if (error) {
    console.error(error)
    process.exit(1)
  }
  const first = [...statuses.entries()].map(([status, count]) => `${status} ×${count}`).join(", ")
  console.log(`ACJSON ${
    JSON.stringify({
      requests: result.requests.total,
      durationUs: Math.round(result.duration * 1e6),
      p50Us: result.latency.p50 * 1000,
      p99Us: result.latency.p99 * 1000,
      non2xx: result.non2xx,
      socketErrors: result.errors - result.timeouts,
      timeouts: result.timeouts,
      firstError: first
    })
  }`)
})
instance.on("response", (client, status) => {
  if (status < 200 || status > 299) statuses.set(status, (statuses.get(status) ?? 0) + 1)
})
