/**
 * The fixed answer of the `limit` and `floor` servers of `pnpm bench http`: a SCIM User document
 * of about 600 bytes (what a real GET /Users/{id} returns, minus the work of producing it), and
 * the bearer check every server of the benchmark makes.
 */
export const fixedUser = JSON.stringify({
  schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
  id: "2819c223-7f76-453a-919d-413861904646",
  externalId: "ext-1",
  userName: "user1@example.com",
  displayName: "User 1",
  active: true,
  name: { givenName: "User", familyName: "Number 1", formatted: "User Number 1" },
  emails: [{ value: "user1@example.com", type: "work", primary: true }],
  title: "Title 1",
  meta: {
    resourceType: "User",
    created: "2024-01-01T00:00:01.000Z",
    lastModified: "2024-01-01T00:00:01.000Z",
    location: "http://127.0.0.1/api/v1/scim/v2/Users/2819c223-7f76-453a-919d-413861904646",
    version: "W/\"1\""
  }
})

export const contentType = "application/scim+json"

/** The key every server of the run accepts (`Authorization: Bearer <key>`); the parent passes it in BENCH_KEY. */
export const benchKey = (): string => {
  const key = process.env["BENCH_KEY"]
  if (key === undefined || key === "") throw new Error("BENCH_KEY is not set")
  return key
}

/** The listening port the parent chose (PORT). */
export const benchPort = (): number => Number(process.env["PORT"] ?? "0")
