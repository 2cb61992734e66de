/**
 * Seeding the stateful servers of `pnpm bench http` identically over HTTP, as an identity provider
 * would: N users (POST /Users, 32 in flight) with a realistic document, then 100 groups of 100
 * members each (POST /Groups with the members in the body). Also what the opt-in scale checks need:
 * many users through POST /Bulk, and members added to a group in large PATCH batches.
 * Any answer other than the expected 2xx stops the seeding with the status and body.
 */
export const userSchema = "urn:ietf:params:scim:schemas:core:2.0:User"
export const groupSchema = "urn:ietf:params:scim:schemas:core:2.0:Group"
export const patchSchema = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
const bulkSchema = "urn:ietf:params:scim:api:messages:2.0:BulkRequest"

/** User n (1-based): userName `user<n>@example.com`, as the filter scenario asks for. */
export const userDocument = (n: number, userName = `user${n}@example.com`) => ({
  schemas: [userSchema],
  userName,
  externalId: `ext-${n}`,
  displayName: `User ${n}`,
  active: true,
  name: { givenName: "User", familyName: `Number ${n}`, formatted: `User Number ${n}` },
  emails: [{ value: userName, type: "work", primary: true }],
  title: `Title ${n % 50}`
})

export interface Target {
  /** `http://127.0.0.1:<port>` + SCIM root */
  readonly root: string
  readonly key: string
}

/** A parsed JSON answer, read through {@link field}. */
export type Json = unknown

/** `json[name]` of an object answer, else undefined. */
export const field = (json: Json, name: string): unknown =>
  typeof json === "object" && json !== null ? (json as Record<string, unknown>)[name] : undefined

export const call = async (
  target: Target,
  method: string,
  path: string,
  body?: unknown
): Promise<{ readonly status: number; readonly json: Json }> => {
  const response = await fetch(`${target.root}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${target.key}`,
      accept: "application/scim+json",
      ...(body === undefined ? {} : { "content-type": "application/scim+json" })
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) })
  })
  const text = await response.text()
  return { status: response.status, json: text === "" ? undefined : JSON.parse(text) }
}

const expect = async (target: Target, method: string, path: string, body: unknown, ok: ReadonlyArray<number>) => {
  const answer = await call(target, method, path, body)
  if (!ok.includes(answer.status)) {
    throw new Error(`${method} ${path} answered ${answer.status}: ${JSON.stringify(answer.json).slice(0, 400)}`)
  }
  return answer.json
}

/** Runs `task(i)` for i in [0, count) with `concurrency` in flight; results by index. */
export const pool = async <A>(
  count: number,
  concurrency: number,
  task: (i: number) => Promise<A>
): Promise<Array<A>> => {
  const results = new Array<A>(count)
  let next = 0
  const worker = async () => {
    while (next < count) {
      const i = next++
      results[i] = await task(i)
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker))
  return results
}

export interface Seeded {
  /** userIds[n - 1] is the id of user n. */
  readonly userIds: Array<string>
  readonly groupIds: Array<string>
  readonly usersSeconds: number
  readonly groupsSeconds: number
}

/** N users, then `groups` groups of `members` members (group g: users g*members+1 … modulo N). */
export const seed = async (target: Target, users: number, groups = 100, members = 100): Promise<Seeded> => {
  const started = performance.now()
  const userIds = await pool(users, 32, async (i) => {
    const created = await expect(target, "POST", "/Users", userDocument(i + 1), [201])
    return String(field(created, "id"))
  })
  const usersDone = performance.now()
  const groupIds = groups === 0 ? [] : await pool(groups, 32, async (g) => {
    const memberIds = Array.from({ length: members }, (_, j) => userIds[(g * members + j) % users]!)
    const created = await expect(target, "POST", "/Groups", {
      schemas: [groupSchema],
      displayName: `Group ${g + 1}`,
      externalId: `gext-${g + 1}`,
      members: [...new Set(memberIds)].map((value) => ({ value }))
    }, [201])
    return String(field(created, "id"))
  })
  const groupsDone = performance.now()
  return {
    userIds,
    groupIds,
    usersSeconds: (usersDone - started) / 1000,
    groupsSeconds: (groupsDone - usersDone) / 1000
  }
}

/** Users `from` … `to` (inclusive) through POST /Bulk, 500 operations a request, 4 requests in flight. */
export const bulkUsers = async (target: Target, from: number, to: number): Promise<Array<string>> => {
  const perRequest = 500
  const count = Math.max(0, to - from + 1)
  const batches = Math.ceil(count / perRequest)
  const ids = await pool(batches, 4, async (b) => {
    const first = from + b * perRequest
    const last = Math.min(to, first + perRequest - 1)
    const Operations = Array.from({ length: last - first + 1 }, (_, i) => ({
      method: "POST",
      path: "/Users",
      bulkId: `u${first + i}`,
      data: userDocument(first + i)
    }))
    const answer = await expect(target, "POST", "/Bulk", { schemas: [bulkSchema], failOnErrors: 1, Operations }, [200])
    const results = (field(answer, "Operations") ?? []) as Array<{ bulkId?: string; status: string; location?: string }>
    const byBulkId = new Map(results.map((r) => [r.bulkId, r]))
    return Operations.map((op) => {
      const result = byBulkId.get(op.bulkId)
      if (result === undefined || result.status !== "201" || result.location === undefined) {
        throw new Error(`POST /Bulk: ${op.bulkId} answered ${JSON.stringify(result)}`)
      }
      return result.location.slice(result.location.lastIndexOf("/") + 1)
    })
  })
  return ids.flat()
}

/** Entra's shape of adding members (one PATCH, one Add operation with every value). */
export const addMembersPatch = (userIds: ReadonlyArray<string>) => ({
  schemas: [patchSchema],
  Operations: [{ op: "Add", path: "members", value: userIds.map((value) => ({ value })) }]
})

/** Entra's shape of removing one member. */
export const removeMemberPatch = (userId: string) => ({
  schemas: [patchSchema],
  Operations: [{ op: "Remove", path: `members[value eq "${userId}"]` }]
})

/** Adds `userIds` to the group in PATCH requests of `batch` members, one after the other. */
export const addMembers = async (
  target: Target,
  groupId: string,
  userIds: ReadonlyArray<string>,
  batch = 1000
): Promise<void> => {
  for (let i = 0; i < userIds.length; i += batch) {
    await expect(target, "PATCH", `/Groups/${groupId}`, addMembersPatch(userIds.slice(i, i + batch)), [200, 204])
  }
}

export const createGroup = async (target: Target, name: string, memberIds: ReadonlyArray<string>): Promise<string> => {
  const created = await expect(target, "POST", "/Groups", {
    schemas: [groupSchema],
    displayName: name,
    members: memberIds.map((value) => ({ value }))
  }, [201])
  return String(field(created, "id"))
}

export { expect as expectStatus }
