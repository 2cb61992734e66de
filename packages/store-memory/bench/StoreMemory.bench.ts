/**
 * Figures for the memory store: inserts, lookups by id and userName, indexed-free filter queries,
 * concurrent member additions. Run from the repository root:
 *   npx tsx --conditions=@scimkit/source bench/run.ts StoreMemory
 */
import { Filter, Model, ProjectStore, Schemas, UserStore } from "@scimkit/core"
import * as Context from "effect/Context"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Result from "effect/Result"
import { StoreMemory } from "../src/index.js"

const N = Number(process.env["N"] ?? 10_000)
const platform = Model.PlatformId.make("bench")

const user = (i: number) =>
  new Model.StoredUser({
    id: Model.UserId.make(`u-${i.toString().padStart(7, "0")}`),
    userName: `user${i}@example.com`,
    externalId: Option.some(`ext-${i}`),
    displayName: Option.some(`User ${i}`),
    active: i % 3 !== 0,
    platformRole: "MEMBER",
    document: {
      userName: `user${i}@example.com`,
      displayName: `User ${i}`,
      active: i % 3 !== 0,
      emails: [{ value: `user${i}@example.com`, type: "work" }]
    },
    version: 1,
    created: DateTime.makeUnsafe(1_700_000_000_000 + i),
    lastModified: DateTime.makeUnsafe(1_700_000_000_000 + i)
  })

const time = async <A, E>(label: string, n: number, effect: Effect.Effect<A, E>): Promise<void> => {
  const t = performance.now()
  await Effect.runPromise(effect)
  const ms = performance.now() - t
  console.log(`${label.padEnd(48)} ${ms.toFixed(1).padStart(9)} ms  ${((ms * 1000) / n).toFixed(2).padStart(9)} µs/op`)
}

export default async function(): Promise<void> {
  const context = await Effect.runPromise(StoreMemory.make)
  const users = Context.get(context, UserStore.UserStore)
  const projects = Context.get(context, ProjectStore.ProjectStore)
  const all = Array.from({ length: N }, (_, i) => user(i))
  await time(`insert ${N} users`, N, Effect.forEach(all, (u) => users.insert(platform, u), { discard: true }))
  await time(`get by id x${N}`, N, Effect.forEach(all, (u) => users.get(platform, u.id), { discard: true }))
  await time(
    `findByUserName (other case) x${N}`,
    N,
    Effect.forEach(all, (u) => users.findByUserName(platform, u.userName.toUpperCase()), { discard: true })
  )
  const parsed = Result.getOrThrow(
    Filter.parseResult("emails[type eq \"work\" and value co \"99\"] and active eq true")
  )
  const filter = Result.getOrThrow(Filter.check(Schemas.UserResourceType, parsed))
  const q = {
    filter: Option.some(filter),
    sort: Option.none(),
    page: { _tag: "Index", startIndex: 1, count: 100 }
  } as const
  await time(`query filter over ${N} users x20`, 20, Effect.repeat(users.query(platform, q), { times: 19 }))
  const sorted = {
    filter: Option.none(),
    sort: Option.some({ path: { attribute: "userName" }, descending: true }),
    page: { _tag: "Index", startIndex: 1, count: 100 }
  } as const
  await time(
    `query sort by userName over ${N} users x20`,
    20,
    Effect.repeat(users.query(platform, sorted), { times: 19 })
  )
  const project = new Model.StoredProject({
    id: Model.ProjectId.make("p"),
    displayName: "P",
    externalId: Option.none(),
    document: { displayName: "P" },
    version: 1,
    created: DateTime.makeUnsafe(0),
    lastModified: DateTime.makeUnsafe(0)
  })
  await Effect.runPromise(projects.insert(platform, project))
  await time(
    `${N} concurrent addMembers (1 each)`,
    N,
    Effect.forEach(
      all,
      (u) =>
        projects.addMembers(platform, project.id, [new Model.Membership({ userId: u.id, role: "Editor" })], "scim"),
      { concurrency: "unbounded", discard: true }
    )
  )
  await time(`listMembers of ${N} x10`, 10, Effect.repeat(projects.listMembers(platform, project.id), { times: 9 }))
  await time(
    `remove ${N} users (cascading memberships)`,
    N,
    Effect.forEach(all, (u) => users.remove(platform, u.id, 1), { discard: true })
  )
}
