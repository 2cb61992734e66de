/**
 * Hostile and odd input against the real server, on every store at once: the memory store, the
 * embedded default and Postgres (`SCIMKIT_TEST_DATABASE_URL`, else PGlite over the wire). Each
 * generated request (random and mutated bodies, NUL and lone surrogates anywhere, deep nesting,
 * huge numbers, `__proto__` keys, duplicate keys, weird ids and query strings, odd content types)
 * is sent to the three servers, which hold the same seeded users and groups. Properties:
 * - no 5xx, ever;
 * - every error is a SCIM error body whose `status` is the HTTP status;
 * - a rejected write changes nothing (the target's full body, `meta` included, before and after;
 *   for a rejected create, the number of resources);
 * - every store answers the same status.
 *
 * `SCIMKIT_FUZZ_REQUESTS` sets how many requests (default 2,000, so the suite stays quick on a machine
 * without a Postgres server, where the third store is PGlite over the wire) and `SCIMKIT_FUZZ_SEED` the seed.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as fc from "fast-check"
import { freshDatabase } from "./support/Database.js"
import { type Client, client, emptyDataDir, makeKey, type Reply, startServer, str } from "./support/Harness.js"

const requests = Number(process.env["SCIMKIT_FUZZ_REQUESTS"] ?? 2_000)
const seed = Number(process.env["SCIMKIT_FUZZ_SEED"] ?? 20261207)

const UserUrn = "urn:ietf:params:scim:schemas:core:2.0:User"
const GroupUrn = "urn:ietf:params:scim:schemas:core:2.0:Group"
const PatchUrn = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
const ErrorUrn = "urn:ietf:params:scim:api:messages:2.0:Error"
const RoleUrn = "urn:ietf:params:scim:schemas:activepieces:1.0:CustomUserAttributes"

// ---------------------------------------------------------------------------------------------
// requests, described with symbolic ids ("u0", "g1") that each store maps to its own

type Target = { readonly kind: "users" | "groups" } | { readonly kind: "user" | "group"; readonly ref: string }

interface FuzzRequest {
  readonly method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE"
  /** A path under the base URL; `{u0}` and `{g0}` stand for the seeded ids. */
  readonly path: string
  readonly target: Target | undefined
  /** The raw body text (may be invalid JSON or hold escapes for NUL and lone surrogates). */
  readonly body: string | undefined
  readonly contentType: string | undefined
}

const users = ["u0", "u1", "u2", "u3"]
const groups = ["g0", "g1"]

/** Text that is hard to store: NUL, lone surrogates (as JSON escapes), long, odd Unicode. */
const nastyText = fc.oneof(
  fc.constantFrom(
    "\\u0000",
    "a\\u0000b",
    "\\ud800",
    "x\\udfff",
    "\\udc00\\ud800",
    "😀",
    "𠀋",
    "\\ud83d\\ude00",
    "' or 1=1 --",
    "%00",
    ""
  ),
  fc.string({ maxLength: 12 }).map((s) => JSON.stringify(s).slice(1, -1)),
  fc.string({ unit: "binary", maxLength: 8 }).map((s) => JSON.stringify(s).slice(1, -1))
)
const jsonString = nastyText.map((t) => `"${t}"`)

/** A JSON text of a random value, with nasty strings, huge numbers and odd keys mixed in. */
const nastyValue: fc.Arbitrary<string> = fc.letrec<{ value: string }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    jsonString,
    fc.constantFrom("1e400", "-1e400", "123456789012345678901234567890", "0.1", "true", "false", "null", "-0"),
    fc.array(tie("value"), { maxLength: 3 }).map((items) => `[${items.join(",")}]`),
    fc.array(
      fc.tuple(
        fc.oneof(jsonString, fc.constantFrom("\"__proto__\"", "\"constructor\"", "\"userName\"", "\"value\"")),
        tie("value")
      ),
      {
        maxLength: 3
      }
    ).map((entries) => `{${entries.map(([k, v]) => `${k}:${v}`).join(",")}}`)
  )
})).value

const deep = (depth: number, open = "[", close = "]") =>
  `{"userName":"deep@example.com","${RoleUrn}":{"x":${open.repeat(depth)}1${close.repeat(depth)}}}`

const attributes = [
  "userName",
  "displayName",
  "active",
  "externalId",
  "emails",
  "name",
  "title",
  `${RoleUrn}:platformRole`,
  "members",
  "id",
  "meta",
  "schemas",
  "name.givenName",
  "emails[type eq \"work\"].value"
]

const userBody = fc.oneof(
  fc.record({
    name: nastyText,
    role: fc.constantFrom("ADMIN", "member", "ROOT", "", "OPERATOR"),
    ext: fc.option(jsonString)
  }).map(({ ext, name, role }) =>
    `{"schemas":["${UserUrn}"],"userName":"${name}@fuzz.example","active":true,"${RoleUrn}":{"platformRole":"${role}"}${
      ext === null ? "" : `,"externalId":${ext}`
    }}`
  ),
  fc.tuple(fc.constantFrom(...attributes), nastyValue).map(([k, v]) =>
    `{"schemas":["${UserUrn}"],"userName":"fuzz@example.com","${k}":${v}}`
  ),
  nastyValue,
  fc.constantFrom(
    deep(70),
    deep(2000),
    deep(40, "{\"a\":", "}"),
    `{"schemas":["${UserUrn}"],"userName":"dup@example.com","userName":"dup2@example.com"}`,
    `{"schemas":["${UserUrn}"],"userName":"proto@example.com","__proto__":{"active":false}}`,
    `{"schemas":["${UserUrn}"],"userName":"ctor@example.com","constructor":{"prototype":{"x":1}}}`,
    `{"schemas":["${UserUrn}"],"userName":"num@example.com","active":1e400}`,
    `{"schemas":["${UserUrn}"],"userName":"nul\\u0000@example.com"}`,
    `{"schemas":["${UserUrn}"],"userName":"lone\\ud800@example.com"}`,
    `{"schemas":["${UserUrn}"],"userName":"ok@example.com","emails":[{"value":"\\udfff","primary":true}]}`,
    `{"schemas":["${UserUrn}"],"userName":`,
    "",
    "null",
    "[]"
  )
)

const groupBody = fc.oneof(
  fc.record({
    name: nastyText,
    members: fc.array(fc.oneof(fc.constantFrom(...users.map((u) => `{${u}}`)), nastyText), { maxLength: 4 })
  })
    .map(({ members, name }) =>
      `{"schemas":["${GroupUrn}"],"displayName":"${name}","members":[${
        members.map((m) => `{"value":"${m}"}`).join(",")
      }]}`
    ),
  fc.tuple(fc.constantFrom("displayName", "members", "externalId", "id"), nastyValue).map(([k, v]) =>
    `{"schemas":["${GroupUrn}"],"displayName":"G","${k}":${v}}`
  ),
  nastyValue
)

const op = fc.record({
  op: fc.constantFrom("add", "replace", "remove", "Add", "Replace", "Remove", "copy", ""),
  path: fc.option(
    fc.oneof(
      fc.constantFrom(...attributes),
      nastyText,
      fc.constantFrom("members[value eq \"{u0}\"]", "members[value eq \"\\u0000\"]", "emails[", "a".repeat(300))
    )
  ),
  value: fc.option(
    fc.oneof(
      nastyValue,
      fc.constantFrom("[{\"value\":\"{u1}\"}]", "\"False\"", "{\"active\":false}", `{"${RoleUrn}:platformRole":"ROOT"}`)
    )
  )
}).map(({ op, path, value }) =>
  `{"op":"${op}"${path === null ? "" : `,"path":${JSON.stringify(path).replace(/\\\\u/g, "\\u")}`}${
    value === null ? "" : `,"value":${value}`
  }}`
)
const patchBody = fc.oneof(
  fc.array(op, { minLength: 0, maxLength: 4 }).map((ops) =>
    `{"schemas":["${PatchUrn}"],"Operations":[${ops.join(",")}]}`
  ),
  nastyValue,
  fc.constantFrom(
    `{"schemas":["${PatchUrn}"],"Operations":[{"op":"replace","path":"${RoleUrn}:platformRole","value":"ROOT"},{"op":"replace","path":"${RoleUrn}:platformRole","value":"ADMIN"}]}`
  )
)

const weirdId = fc.constantFrom(
  "x%00",
  "..%00",
  "%00",
  "%ED%A0%80",
  "%F0%9F%98%80",
  "a".repeat(600),
  "'%20or%201=1--",
  "%2e%2e",
  "nobody"
)
const query = fc.oneof(
  fc.constant(""),
  fc.tuple(
    fc.constantFrom(
      "filter",
      "attributes",
      "excludedAttributes",
      "sortBy",
      "sortOrder",
      "count",
      "startIndex",
      "cursor"
    ),
    fc.oneof(
      fc.constantFrom(
        "userName%20eq%20%22a%00b%22",
        "userName%20eq%20%22%ED%A0%80%22",
        "displayName%20co%20%22%F0%9F%98%80%22",
        "userName%20eq%20%22x%22%20or%20" + "(".repeat(60) + "active%20pr" + ")".repeat(60),
        "-5",
        "99999999999999999999",
        "1e400",
        "%E0%A4%A",
        "emails%5Btype%20eq%20%22work%22%5D",
        `urn:ietf:params:scim:schemas:activepieces:1.0:CustomUserAttributes:platformRole%20eq%20%22ADMIN%22`,
        "meta.lastModified%20gt%20%222020-01-01T00:00:00Z%22"
      ),
      fc.string({ maxLength: 10 }).map(encodeURIComponent)
    )
  ).map(([k, v]) => `?${k}=${v}`)
)
const contentType = fc.constantFrom(
  "application/scim+json",
  "application/scim+json",
  "application/json",
  "text/plain",
  undefined,
  "application/scim+json; charset=latin1",
  "multipart/form-data"
)

const fuzzRequest: fc.Arbitrary<FuzzRequest> = fc.oneof(
  query.map((q): FuzzRequest => ({
    method: "GET",
    path: `/Users${q}`,
    target: undefined,
    body: undefined,
    contentType: undefined
  })),
  query.map((q): FuzzRequest => ({
    method: "GET",
    path: `/Groups${q}`,
    target: undefined,
    body: undefined,
    contentType: undefined
  })),
  fc.tuple(fc.constantFrom(...users), query).map(([u, q]): FuzzRequest => ({
    method: "GET",
    path: `/Users/{${u}}${q}`,
    target: undefined,
    body: undefined,
    contentType: undefined
  })),
  fc.tuple(fc.constantFrom("GET", "DELETE", "PATCH", "PUT"), fc.constantFrom("Users", "Groups"), weirdId, patchBody)
    .map(([method, type, id, body]): FuzzRequest => ({
      method: method as FuzzRequest["method"],
      path: `/${type}/${id}`,
      target: undefined,
      body: method === "PATCH" || method === "PUT" ? body : undefined,
      contentType: "application/scim+json"
    })),
  fc.tuple(userBody, contentType).map(([body, ct]): FuzzRequest => ({
    method: "POST",
    path: "/Users",
    target: { kind: "users" },
    body,
    contentType: ct
  })),
  fc.tuple(groupBody, contentType).map(([body, ct]): FuzzRequest => ({
    method: "POST",
    path: "/Groups",
    target: { kind: "groups" },
    body,
    contentType: ct
  })),
  fc.tuple(fc.constantFrom(...users), userBody, contentType).map(([u, body, ct]): FuzzRequest => ({
    method: "PUT",
    path: `/Users/{${u}}`,
    target: { kind: "user", ref: u },
    body,
    contentType: ct
  })),
  fc.tuple(fc.constantFrom(...users), patchBody, contentType).map(([u, body, ct]): FuzzRequest => ({
    method: "PATCH",
    path: `/Users/{${u}}`,
    target: { kind: "user", ref: u },
    body,
    contentType: ct
  })),
  fc.tuple(fc.constantFrom(...groups), patchBody, contentType).map(([g, body, ct]): FuzzRequest => ({
    method: "PATCH",
    path: `/Groups/{${g}}`,
    target: { kind: "group", ref: g },
    body,
    contentType: ct
  })),
  fc.tuple(fc.constantFrom(...groups), groupBody).map(([g, body]): FuzzRequest => ({
    method: "PUT",
    path: `/Groups/{${g}}`,
    target: { kind: "group", ref: g },
    body,
    contentType: "application/scim+json"
  })),
  fc.tuple(nastyValue, contentType).map(([body, ct]): FuzzRequest => ({
    method: "POST",
    path: "/.search",
    target: undefined,
    body,
    contentType: ct
  })),
  fc.tuple(nastyValue, contentType).map(([body, ct]): FuzzRequest => ({
    method: "POST",
    path: "/Bulk",
    target: undefined,
    body,
    contentType: ct
  })),
  fc.tuple(fc.constantFrom(...users), fc.nat({ max: 20 })).map(([u, n]): FuzzRequest =>
    // a delete now and then, so later requests also meet resources that are gone
    n === 0
      ? {
        method: "DELETE",
        path: `/Users/{${u}}`,
        target: { kind: "user", ref: u },
        body: undefined,
        contentType: undefined
      }
      : { method: "GET", path: `/Users/{${u}}`, target: undefined, body: undefined, contentType: undefined }
  )
)

// ---------------------------------------------------------------------------------------------
// one server per store, seeded alike

interface Store {
  readonly name: string
  readonly scim: Client
  readonly ids: Map<string, string>
}

const seedStore = (name: string, scim: Client) =>
  Effect.gen(function*() {
    const ids = new Map<string, string>()
    for (const [i, ref] of users.entries()) {
      const created = yield* scim.post("/Users", {
        schemas: [UserUrn],
        userName: `seed${i}@fuzz.example`,
        externalId: `seed-${i}`,
        name: { givenName: "Seed", familyName: String(i) },
        emails: [{ value: `seed${i}@fuzz.example`, type: "work", primary: true }],
        [RoleUrn]: { platformRole: i === 0 ? "ADMIN" : "MEMBER" }
      })
      assert.strictEqual(created.status, 201, created.text)
      ids.set(ref, str(created.body, "id"))
    }
    for (const [i, ref] of groups.entries()) {
      const created = yield* scim.post("/Groups", {
        schemas: [GroupUrn],
        displayName: `Seed group ${i}`,
        members: users.slice(0, 2 + i).map((u) => ({ value: ids.get(u) }))
      })
      assert.strictEqual(created.status, 201, created.text)
      ids.set(ref, str(created.body, "id"))
    }
    return { name, scim, ids } satisfies Store
  })

const resolve = (text: string, ids: Map<string, string>): string =>
  text.replace(/\{([ug]\d)\}/g, (_, ref: string) => ids.get(ref) ?? ref)

const send = (store: Store, request: FuzzRequest) =>
  store.scim.request(request.method, resolve(request.path, store.ids), {
    ...(request.body === undefined ? {} : { rawBody: resolve(request.body, store.ids) }),
    headers: request.contentType === undefined ? {} : { "content-type": request.contentType }
  })

/** What a rejected write must leave unchanged. */
const snapshot = (store: Store, target: Target | undefined) => {
  if (target === undefined) return Effect.succeed("")
  switch (target.kind) {
    case "users":
    case "groups":
      return Effect.map(
        store.scim.get(`/${target.kind === "users" ? "Users" : "Groups"}?count=0`),
        (r) => `${r.status} ${r.text}`
      )
    case "user":
    case "group":
      return Effect.map(
        store.scim.get(`/${target.kind === "user" ? "Users" : "Groups"}/${store.ids.get(target.ref)}`),
        (r) => `${r.status} ${r.text}`
      )
  }
}

const describeRequest = (request: FuzzRequest) =>
  `${request.method} ${request.path} [${request.contentType ?? "no content type"}] ${
    request.body === undefined ? "" : request.body.slice(0, 300)
  }`

const checkReply = (store: Store, request: FuzzRequest, reply: Reply) => {
  assert.isBelow(
    reply.status,
    500,
    `${store.name}: ${describeRequest(request)} -> ${reply.status} ${reply.text.slice(0, 300)}`
  )
  if (reply.status >= 400) {
    const body = reply.body as Record<string, unknown> | undefined
    assert.deepStrictEqual(
      body?.["schemas"],
      [ErrorUrn],
      `${store.name}: not a SCIM error: ${describeRequest(request)} -> ${reply.text.slice(0, 300)}`
    )
    assert.strictEqual(body?.["status"], String(reply.status), `${store.name}: ${describeRequest(request)}`)
    assert.isString(body?.["detail"], `${store.name}: ${describeRequest(request)}`)
  }
}

describe("fuzzing the server on every store", () => {
  it.live(
    `${requests} generated requests: no 5xx, SCIM errors, rejected writes change nothing, every store agrees`,
    () =>
      Effect.gen(function*() {
        const key = makeKey()
        const start = (env: Record<string, string>) =>
          Effect.flatMap(
            emptyDataDir,
            (dataDir) => startServer({ SCIMKIT_DATA_DIR: dataDir, SCIMKIT_BOOTSTRAP_KEY: key, ...env })
          )
        const databaseUrl = yield* freshDatabase
        const [memory, embedded, postgres] = yield* Effect.all([
          start({ SCIMKIT_STORE: "memory" }),
          start({}),
          start({ DATABASE_URL: databaseUrl })
        ], { concurrency: "unbounded" })
        const stores = yield* Effect.all([
          seedStore("memory", client(memory.baseUrl, key)),
          seedStore("embedded", client(embedded.baseUrl, key)),
          seedStore("postgres", client(postgres.baseUrl, key))
        ], { concurrency: "unbounded" })

        const generated = fc.sample(fuzzRequest, { seed, numRuns: requests })
        const statuses = new Map<number, number>()
        for (const request of generated) {
          const replies = yield* Effect.forEach(stores, (store) =>
            Effect.gen(function*() {
              const before = yield* snapshot(store, request.target)
              const reply = yield* send(store, request)
              checkReply(store, request, reply)
              if (reply.status >= 400 && request.target !== undefined) {
                assert.strictEqual(
                  yield* snapshot(store, request.target),
                  before,
                  `${store.name}: a rejected ${describeRequest(request)} changed data`
                )
              }
              return reply
            }), { concurrency: "unbounded" })
          const [first, ...rest] = replies
          for (const [i, reply] of rest.entries()) {
            assert.strictEqual(
              reply.status,
              first!.status,
              `${stores[i + 1]!.name} answered ${reply.status} (${reply.text.slice(0, 200)}), memory ${
                first!.status
              } (${first!.text.slice(0, 200)}): ${describeRequest(request)}`
            )
          }
          statuses.set(first!.status, (statuses.get(first!.status) ?? 0) + 1)
        }
        // afterwards every store still lists, filters and deletes everything without a 5xx
        for (const store of stores) {
          for (const type of ["Users", "Groups"]) {
            const listed = yield* store.scim.get(`/${type}?count=1000`)
            assert.strictEqual(
              listed.status,
              200,
              `${store.name}: GET /${type} after the run: ${listed.text.slice(0, 300)}`
            )
            const filtered = yield* store.scim.get(
              `/${type}?filter=${encodeURIComponent(type === "Users" ? "userName co \"@\"" : "displayName pr")}`
            )
            assert.strictEqual(filtered.status, 200, `${store.name}: filter over /${type} after the run`)
            const ids = ((listed.body as { Resources?: ReadonlyArray<{ id: string }> }).Resources ?? []).map((r) =>
              r.id
            )
            for (const id of ids) {
              const deleted = yield* store.scim.delete(`/${type}/${id}`)
              // the platform's owner is protected (403); everything else goes
              assert.include(
                [204, 403],
                deleted.status,
                `${store.name}: DELETE /${type}/${id} after the run: ${deleted.text.slice(0, 300)}`
              )
            }
          }
        }
        // the run must exercise both sides: accepted and rejected requests
        const accepted = [...statuses].filter(([s]) => s < 300).reduce((n, [, c]) => n + c, 0)
        assert.isAbove(accepted, requests / 10)
        assert.isAbove(requests - accepted, requests / 10)
        console.log(
          `fuzz: ${requests} requests × 3 stores, seed ${seed}, statuses ${
            JSON.stringify(Object.fromEntries([...statuses].sort(([a], [b]) => a - b)))
          }`
        )
      }),
    { timeout: 1_800_000 }
  )
})
