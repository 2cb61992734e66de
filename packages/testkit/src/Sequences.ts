/**
 * Request sequences of real identity providers, played against a running SCIM endpoint: the check
 * that an app which mounts scimkit (in Hono, Express, Fastify, Next.js, Bun, Deno or a framework of
 * your own) routes, authenticates and parses bodies the way a provider needs.
 *
 * ```ts
 * import { Sequences } from "@scimkit/testkit"
 *
 * await Sequences.entra({ baseUrl: "http://localhost:3000/scim/v2", token: process.env.SCIM_TOKEN! })
 * ```
 *
 * A sequence asserts with `node:assert/strict` (no test runner needed) and rejects with an
 * `AssertionError` on the first wrong answer, naming the request, the status and the body received.
 * It creates its own users and groups under unique names and deletes them at the end, so it can run
 * against a tenant that holds other data, and any number of times.
 */
import * as assert from "node:assert/strict"

/** Where to play a sequence. */
export interface Target {
  /**
   * The SCIM root as the identity provider is configured with it (Entra's "Tenant URL"), e.g.
   * `http://localhost:3000/scim/v2`; no trailing slash needed. Every `meta.location` the server
   * returns must start with it.
   */
  readonly baseUrl: string
  /** The bearer token (Entra's "Secret Token"): a scimkit API key, or what your verifier accepts. */
  readonly token: string
  /**
   * Sends a request (default: the global `fetch`). Pass a handler to play the sequence without a
   * network, e.g. `fetch: (request) => scim.fetch(request)`.
   */
  readonly fetch?: ((request: Request) => Promise<Response>) | undefined
}

const UserSchema = "urn:ietf:params:scim:schemas:core:2.0:User"
const GroupSchema = "urn:ietf:params:scim:schemas:core:2.0:Group"
const EnterpriseSchema = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
const CustomUserAttributesSchema = "urn:ietf:params:scim:schemas:activepieces:1.0:CustomUserAttributes"
const ListSchema = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
const PatchSchema = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
const ErrorSchema = "urn:ietf:params:scim:api:messages:2.0:Error"

/** One answer, read once. */
interface Reply {
  readonly what: string
  readonly status: number
  readonly headers: Headers
  readonly text: string
  /** The parsed JSON body; undefined when empty or not JSON. */
  readonly body: unknown
}

/**
 * The value at `path` in a parsed JSON value: dot-separated keys and array indexes, or the keys
 * themselves (a schema URN has dots of its own).
 */
const at = (value: unknown, path: string | ReadonlyArray<string>): unknown => {
  let current: unknown = value
  for (const key of typeof path === "string" ? path.split(".") : path) {
    if (current === null || typeof current !== "object") return undefined
    current = Array.isArray(current) ? current[Number(key)] : (current as Record<string, unknown>)[key]
  }
  return current
}

const describeReply = (reply: Reply): string =>
  `${reply.what} answered ${reply.status} ${reply.headers.get("content-type") ?? "(no content type)"}: ${
    reply.text === "" ? "(empty body)" : reply.text.slice(0, 2_000)
  }`

const client = (target: Target) => {
  const root = target.baseUrl.replace(/\/+$/, "")
  const send = target.fetch ?? ((request: Request) => globalThis.fetch(request))
  return async (method: string, path: string, body?: unknown): Promise<Reply> => {
    const what = `${method} ${path}`
    // the headers Entra's provisioning service sends
    const headers: Record<string, string> = {
      accept: "application/scim+json",
      authorization: `Bearer ${target.token}`
    }
    if (body !== undefined) headers["content-type"] = "application/scim+json"
    const request = new Request(`${root}${path}`, {
      method,
      headers,
      body: body === undefined ? null : JSON.stringify(body)
    })
    let response: Response
    try {
      response = await send(request)
    } catch (cause) {
      throw new assert.AssertionError({ message: `${what} failed: ${String(cause)}` })
    }
    const text = await response.text()
    let parsed: unknown = undefined
    if (text !== "") {
      try {
        parsed = JSON.parse(text)
      } catch {
        parsed = undefined
      }
    }
    return { what, status: response.status, headers: response.headers, text, body: parsed }
  }
}

const expectStatus = (reply: Reply, status: number): void => {
  assert.equal(reply.status, status, `expected ${status}: ${describeReply(reply)}`)
}

const expectScimJson = (reply: Reply): void => {
  assert.match(
    reply.headers.get("content-type") ?? "",
    /^application\/scim\+json/,
    `expected Content-Type application/scim+json: ${describeReply(reply)}`
  )
}

const expectValue = (reply: Reply, path: string | ReadonlyArray<string>, expected: unknown): void => {
  assert.deepEqual(
    at(reply.body, path),
    expected,
    `expected ${typeof path === "string" ? path : path.join(".")} = ${JSON.stringify(expected)}: ${
      describeReply(reply)
    }`
  )
}

/** A resource answer: the status, the SCIM content type, an id, and `meta.location` under `baseUrl`. */
const expectResource = (
  reply: Reply,
  status: number,
  root: string,
  resourceType: "User" | "Group"
): string => {
  expectStatus(reply, status)
  expectScimJson(reply)
  const id = at(reply.body, "id")
  assert.ok(typeof id === "string" && id !== "", `expected an id: ${describeReply(reply)}`)
  expectValue(reply, "meta.resourceType", resourceType)
  expectValue(reply, "meta.location", `${root}/${resourceType}s/${id}`)
  return id
}

const expectNotFound = (reply: Reply): void => {
  expectStatus(reply, 404)
  expectScimJson(reply)
  expectValue(reply, "schemas", [ErrorSchema])
  expectValue(reply, "status", "404")
}

/**
 * Microsoft Entra ID's provisioning of one user and one group, with Entra's own request shapes
 * (Content-Type `application/scim+json`, capitalised PATCH ops, booleans as strings):
 *
 * 1. `POST /Users`: the user of Entra's "Create User" request plus the platform-role extension
 *    (`urn:ietf:params:scim:schemas:activepieces:1.0:CustomUserAttributes`, `platformRole` "ADMIN")
 *    → 201, `Location` and `meta.location` under `baseUrl`, the role kept;
 * 2. `GET /Users/{id}` → 200 with the user;
 * 3. `PATCH /Users/{id}` `{"op":"Replace","path":"active","value":"False"}` → 200, `active` false;
 * 4. `GET /Users?filter=userName eq "…"` → a ListResponse with that one user;
 * 5. `POST /Groups` with the user as member → 201; `GET /Groups/{id}` lists the member;
 * 6. `DELETE` the group and the user → 204 each, then `GET` answers 404.
 *
 * Rejects with an `AssertionError` on the first wrong answer.
 */
export const entra = async (target: Target): Promise<void> => {
  const root = target.baseUrl.replace(/\/+$/, "")
  const request = client(target)
  const run = globalThis.crypto.randomUUID()
  const userName = `entra-${run}@example.com`
  const externalId = globalThis.crypto.randomUUID()

  // 1. Create User, as Entra sends it, with the platform role
  const created = await request("POST", "/Users", {
    schemas: [UserSchema, EnterpriseSchema, CustomUserAttributesSchema],
    externalId,
    userName,
    active: true,
    emails: [{ primary: true, type: "work", value: userName }],
    meta: { resourceType: "User" },
    name: { formatted: "Ada Lovelace", familyName: "Lovelace", givenName: "Ada" },
    roles: [],
    [EnterpriseSchema]: { department: "Engineering" },
    [CustomUserAttributesSchema]: { platformRole: "ADMIN" }
  })
  const userId = expectResource(created, 201, root, "User")
  assert.equal(
    created.headers.get("location"),
    `${root}/Users/${userId}`,
    `expected Location ${root}/Users/${userId}: ${describeReply(created)}`
  )
  expectValue(created, "userName", userName)
  expectValue(created, "externalId", externalId)
  expectValue(created, "active", true)
  expectValue(created, [CustomUserAttributesSchema, "platformRole"], "ADMIN")

  // 2. Get User
  const got = await request("GET", `/Users/${userId}`)
  expectResource(got, 200, root, "User")
  expectValue(got, "userName", userName)
  expectValue(got, "name.givenName", "Ada")
  expectValue(got, [CustomUserAttributesSchema, "platformRole"], "ADMIN")

  // 3. Disable User: Entra capitalises the op and sends the boolean as a string
  const disabled = await request("PATCH", `/Users/${userId}`, {
    schemas: [PatchSchema],
    Operations: [{ op: "Replace", path: "active", value: "False" }]
  })
  expectResource(disabled, 200, root, "User")
  expectValue(disabled, "active", false)

  // 4. Get User by query
  const filter = encodeURIComponent(`userName eq "${userName}"`)
  const found = await request("GET", `/Users?filter=${filter}`)
  expectStatus(found, 200)
  expectScimJson(found)
  expectValue(found, "schemas", [ListSchema])
  expectValue(found, "totalResults", 1)
  expectValue(found, "Resources.0.id", userId)
  expectValue(found, "Resources.0.active", false)

  // 5. Create Group with the user as member, then read its members
  const group = await request("POST", "/Groups", {
    schemas: [GroupSchema],
    externalId: globalThis.crypto.randomUUID(),
    displayName: `Entra group ${run}`,
    members: [{ value: userId }],
    meta: { resourceType: "Group" }
  })
  const groupId = expectResource(group, 201, root, "Group")
  const withMembers = await request("GET", `/Groups/${groupId}`)
  expectResource(withMembers, 200, root, "Group")
  const members = at(withMembers.body, "members")
  assert.ok(Array.isArray(members), `expected members: ${describeReply(withMembers)}`)
  assert.deepEqual(
    members.map((member) => at(member, "value")),
    [userId],
    `expected the user as the one member: ${describeReply(withMembers)}`
  )

  // 6. Delete Group and User
  expectStatus(await request("DELETE", `/Groups/${groupId}`), 204)
  expectNotFound(await request("GET", `/Groups/${groupId}`))
  expectStatus(await request("DELETE", `/Users/${userId}`), 204)
  expectNotFound(await request("GET", `/Users/${userId}`))
}
