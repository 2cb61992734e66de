/**
 * The opt-in scale checks of `pnpm bench http` (SCIMKIT_BENCH_SCALE=1) on one scimkit server: its
 * users grown to 100,000 through POST /Bulk, GET by id and the userName filter measured again over
 * all of them, the resident memory at that size, and the p50 of PATCH adding then removing one
 * member (Entra's shapes, sequential requests) on a group of 10 and on a group of every user.
 * The figures at the smaller size come from the main run; report.ts puts the two side by side.
 */
import type { Result, Scenario } from "./load.js"
import { rssMb } from "./proc.js"
import type { Figures } from "./report.js"
import { summarize } from "./report.js"
import type { Target } from "./seed.js"
import {
  addMembers,
  addMembersPatch,
  bulkUsers,
  createGroup,
  expectStatus,
  field,
  removeMemberPatch,
  userDocument
} from "./seed.js"

export interface Input {
  readonly name: string
  readonly target: Target
  readonly pid: number
  /** The ids of the users seeded by the main run (user n at n - 1). */
  readonly userIds: ReadonlyArray<string>
  readonly users: number
  readonly rounds: number
  /** Runs a scenario over these users (their ids in a file) for the usual seconds. */
  readonly load: (userIds: ReadonlyArray<string>, scenario: Scenario) => Promise<Result>
  readonly log: (line: string) => void
}

export interface Output {
  readonly seedSeconds: number
  readonly rssMb: number
  readonly get: Figures
  readonly filter: Figures
  readonly patch: {
    readonly small: { readonly add: number; readonly remove: number }
    readonly large: { readonly add: number; readonly remove: number }
  }
}

/** p50 (ms) of adding then removing one member, over `probes` users not in the group; the first 10 warm up. */
const patchLatency = async (target: Target, groupId: string, probes: ReadonlyArray<string>) => {
  const add: Array<number> = []
  const remove: Array<number> = []
  for (const [i, probe] of probes.entries()) {
    const a = performance.now()
    await expectStatus(target, "PATCH", `/Groups/${groupId}`, addMembersPatch([probe]), [200, 204])
    const b = performance.now()
    await expectStatus(target, "PATCH", `/Groups/${groupId}`, removeMemberPatch(probe), [200, 204])
    const c = performance.now()
    if (i >= 10) {
      add.push(b - a)
      remove.push(c - b)
    }
  }
  const p50 = (values: Array<number>) => values.sort((x, y) => x - y)[Math.floor(values.length / 2)] ?? Number.NaN
  return { add: p50(add), remove: p50(remove) }
}

export const scaleCheck = async (input: Input): Promise<Output> => {
  const { name, target, log } = input
  const started = performance.now()
  const more = await bulkUsers(target, input.userIds.length + 1, input.users)
  const seedSeconds = (performance.now() - started) / 1000
  const allIds = [...input.userIds, ...more]
  log(`${name}: ${allIds.length} users (${more.length} through POST /Bulk in ${seedSeconds.toFixed(0)} s)`)
  const rss = rssMb(input.pid)

  const measure = async (scenario: Scenario) => {
    const results: Array<Result> = []
    for (let round = 0; round < input.rounds; round++) results.push(await input.load(allIds, scenario))
    return summarize(results)
  }
  const get = await measure("get")
  const filter = await measure("filter")

  const small = await createGroup(target, "scale-10", allIds.slice(0, 10))
  const large = await createGroup(target, `scale-${allIds.length}`, [])
  const filling = performance.now()
  await addMembers(target, large, allIds)
  log(
    `${name}: a group of ${allIds.length} members built in ${
      ((performance.now() - filling) / 1000).toFixed(0)
    } s (PATCH, 1,000 a request)`
  )
  const probeTag = Math.random().toString(36).slice(2, 8)
  const probes = await Promise.all(
    Array.from({ length: 60 }, async (_, i) => {
      const created = await expectStatus(
        target,
        "POST",
        "/Users",
        userDocument(900_000 + i, `probe-${probeTag}-${i}@example.com`),
        [201]
      )
      return String(field(created, "id"))
    })
  )
  const patchSmall = await patchLatency(target, small, probes)
  const patchLarge = await patchLatency(target, large, probes)
  log(
    `${name}: PATCH add/remove p50 ${patchSmall.add.toFixed(2)}/${patchSmall.remove.toFixed(2)} ms (10 members), ${
      patchLarge.add.toFixed(2)
    }/${patchLarge.remove.toFixed(2)} ms (${allIds.length} members)`
  )
  return { seedSeconds, rssMb: rss, get, filter, patch: { small: patchSmall, large: patchLarge } }
}
