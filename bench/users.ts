/**
 * The users the store benchmarks load: numbered, with a realistic document (name, work email,
 * title), created a second apart. Shared by `stores.bench.ts` and the child process it measures
 * memory in (`storesChild.ts`).
 */
import * as DateTime from "effect/DateTime"
import * as Option from "effect/Option"
import { Model } from "@scimkit/core"

export const benchUserId = (n: number) => Model.UserId.make(`u${String(n).padStart(7, "0")}`)

export const benchUser = (n: number): Model.StoredUser => {
  const userName = `user${n}@example.com`
  const at = DateTime.makeUnsafe(Date.UTC(2024, 0, 1) + n * 1000)
  return new Model.StoredUser({
    id: benchUserId(n),
    userName,
    externalId: Option.some(`ext-${n}`),
    displayName: Option.some(`User ${n}`),
    active: true,
    platformRole: "MEMBER",
    document: {
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
      userName,
      displayName: `User ${n}`,
      active: true,
      name: { givenName: "User", familyName: `Number ${n}` },
      emails: [{ value: userName, type: "work", primary: true }],
      title: `Title ${n % 50}`
    },
    version: 1,
    created: at,
    lastModified: at
  })
}
