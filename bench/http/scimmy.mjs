/**
 * The `SCIMMY` server of `pnpm bench http`: the npm peer, SCIMMY 1.3 with scimmy-routers 1.3 on
 * express 5, set up the way their READMEs and API docs show. User and Group resources are declared
 * with `.ingress/.egress/.degress` handlers over in-memory Maps; a list returns everything and
 * lets SCIMMY's own `resource.filter.match(...)` pick the matches (what its docs suggest for a store
 * without a query language), and SCIMMY paginates. The only thing beyond the docs is a Map from
 * userName to id, so that POST can answer 409 on a duplicate (the docs' ingress example throws
 * 409 "uniqueness") without scanning every user. Bearer auth through the routers' `handler`.
 * Plain JavaScript: express ships no types and the repository has no @types/express.
 *
 * Mounted at /scim/v2 on PORT; accepts `Authorization: Bearer <BENCH_KEY>`.
 */
import express from "express"
import { randomUUID } from "node:crypto"
import SCIMMY from "scimmy"
import SCIMMYRouters from "scimmy-routers"

const key = process.env.BENCH_KEY
const port = Number(process.env.PORT ?? "0")
if (!key) throw new Error("BENCH_KEY is not set")

const users = new Map()
const userNames = new Map()
const groups = new Map()

/** The stored form of a SCIMMY schema instance: its JSON, plus the id and timestamps. */
const store = (map, resource, instance) => {
  const existing = resource.id === undefined ? undefined : map.get(resource.id)
  if (resource.id !== undefined && existing === undefined) {
    throw new SCIMMY.Types.Error(404, null, `Resource ${resource.id} not found`)
  }
  const now = new Date().toISOString()
  const id = existing?.id ?? randomUUID()
  const value = {
    ...JSON.parse(JSON.stringify(instance)),
    id,
    meta: { created: existing?.meta.created ?? now, lastModified: now }
  }
  map.set(id, value)
  return value
}

const read = (map, resource) => {
  if (resource.id !== undefined) {
    const value = map.get(resource.id)
    if (value === undefined) throw new SCIMMY.Types.Error(404, null, `Resource ${resource.id} not found`)
    return value
  }
  const all = [...map.values()]
  return resource.filter ? resource.filter.match(all) : all
}

const remove = (map, resource) => {
  if (!map.delete(resource.id)) throw new SCIMMY.Types.Error(404, null, `Resource ${resource.id} not found`)
}

SCIMMY.Resources.declare(SCIMMY.Resources.User)
  .ingress((resource, instance) => {
    const owner = userNames.get(instance.userName)
    if (owner !== undefined && owner !== resource.id) {
      throw new SCIMMY.Types.Error(409, "uniqueness", "userName is not unique")
    }
    const previous = resource.id === undefined ? undefined : users.get(resource.id)
    const value = store(users, resource, instance)
    if (previous !== undefined && previous.userName !== value.userName) userNames.delete(previous.userName)
    userNames.set(value.userName, value.id)
    return value
  })
  .egress((resource) => read(users, resource))
  .degress((resource) => {
    const value = users.get(resource.id)
    remove(users, resource)
    userNames.delete(value.userName)
  })

SCIMMY.Resources.declare(SCIMMY.Resources.Group)
  .ingress((resource, instance) => store(groups, resource, instance))
  .egress((resource) => read(groups, resource))
  .degress((resource) => remove(groups, resource))

const app = express()
app.use(
  "/scim/v2",
  new SCIMMYRouters({
    type: "bearer",
    handler: (request) => {
      if (request.header("Authorization") !== `Bearer ${key}`) throw new Error("Authorization failed")
      return "bench"
    }
  })
)

const server = app.listen(port, () => console.log(`scimmy listening on ${port}`))
server.keepAliveTimeout = 60_000
