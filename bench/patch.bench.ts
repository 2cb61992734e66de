/**
 * PATCH throughput on realistic Entra ID and Okta PatchOps, side by side with npm `scim-patch` in
 * the same run, including one member added to and removed from a 10,000-member group document.
 * Target (issue 4): at least 2x scim-patch's throughput. Prints figures only; nothing asserts timing.
 *
 * scim-patch runs as a request handler would: `patchBodyValidation(body)` then `scimPatch`. It is
 * measured twice: with `mutateDocument: false` (it deep-copies the resource first, so a failing
 * operation cannot leave a half-patched resource, which is what `Patch.apply` guarantees with
 * immutable documents), and in place (its default: cheaper, but not all-or-nothing). scimkit also
 * decodes values against the schemas, enforces mutability and validates the result.
 *
 *   npx tsx --conditions=@scimkit/source bench/run.ts patch
 */
import * as Result from "effect/Result"
import { patchBodyValidation, scimPatch } from "scim-patch"
import type { ScimPatch, ScimResource } from "scim-patch"
import { type Model, Patch, Schemas } from "@scimkit/core"

const body = (...Operations: ReadonlyArray<Model.JsonObject>): Model.JsonObject => ({
  schemas: [Schemas.PatchOpUrn],
  Operations
})

const user: Model.JsonObject = {
  schemas: ["urn:ietf:params:scim:schemas:core:2.0:User", Schemas.EnterpriseUserUrn],
  id: "2819c223-7f76-453a-919d-413861904646",
  externalId: "bjensen",
  userName: "bjensen@example.com",
  name: { formatted: "Ms. Barbara J Jensen III", familyName: "Jensen", givenName: "Barbara" },
  displayName: "Babs Jensen",
  title: "Tour Guide",
  active: true,
  emails: [
    { value: "bjensen@example.com", type: "work", primary: true },
    { value: "babs@jensen.org", type: "home" }
  ],
  phoneNumbers: [{ value: "555-555-8377", type: "work" }],
  [Schemas.EnterpriseUserUrn]: {
    employeeNumber: "701984",
    department: "Tour Operations",
    manager: { value: "26118915-6090-4610-87e4-49d8ca9f808d" }
  },
  meta: {
    resourceType: "User",
    created: "2010-01-23T04:56:22Z",
    lastModified: "2011-05-13T04:42:34Z",
    version: "W/\"3694e05e9dff591\""
  }
}

const memberId = (i: number): string => `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`

const group = (size: number): Model.JsonObject => ({
  schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"],
  id: "e9e30dba-f08f-4109-8486-d5c6a331660a",
  displayName: "Tour Guides",
  members: Array.from({ length: size }, (_, i) => ({ value: memberId(i), display: `user${i}@example.com` })),
  meta: {
    resourceType: "Group",
    created: "2010-01-23T04:56:22Z",
    lastModified: "2011-05-13T04:42:34Z",
    version: "W/\"3\""
  }
})

interface Scenario {
  readonly name: string
  readonly rt: Schemas.ResourceTypeDef
  readonly doc: Model.JsonObject
  /** Requests applied in sequence, each to the previous result. */
  readonly requests: ReadonlyArray<Model.JsonObject>
}

const newMember = "7d3b2f5e-1c4a-4e8b-9f2d-6a5c4b3e2d1f"

const scenarios: ReadonlyArray<Scenario> = [
  {
    name: "Entra: Replace emails[type eq \"work\"].value + name.familyName",
    rt: Schemas.UserResourceType,
    doc: user,
    requests: [body(
      { op: "Replace", path: "emails[type eq \"work\"].value", value: "updatedEmail@microsoft.com" },
      { op: "Replace", path: "name.familyName", value: "updatedFamilyName" }
    )]
  },
  {
    name: "Entra: disable user (Replace active false)",
    rt: Schemas.UserResourceType,
    doc: user,
    requests: [body({ op: "Replace", path: "active", value: false })]
  },
  {
    name: "Entra: path-less Add with dotted and URN keys",
    rt: Schemas.UserResourceType,
    doc: user,
    requests: [body({
      op: "Add",
      value: {
        "name.givenName": "Barbara",
        displayName: "Barbara Jensen",
        [`${Schemas.EnterpriseUserUrn}:department`]: "Sales",
        [`${Schemas.CustomUserAttributesUrn}:platformRole`]: "ADMIN"
      }
    })]
  },
  {
    name: "Okta: replace {active: false}",
    rt: Schemas.UserResourceType,
    doc: user,
    requests: [body({ op: "replace", value: { active: false } })]
  },
  {
    name: "Okta: rename group (path-less replace of displayName)",
    rt: Schemas.GroupResourceType,
    doc: group(10),
    requests: [body({ op: "replace", value: { displayName: "Test SCIMv2" } })]
  },
  {
    name: "Okta: push 256 members [{value, display}] to a 10-member group",
    rt: Schemas.GroupResourceType,
    doc: group(10),
    requests: [body({
      op: "add",
      path: "members",
      value: Array.from(
        { length: 256 },
        (_, i) => ({ value: memberId(100_000 + i), display: `pushed${i}@example.com` })
      )
    })]
  },
  {
    name: "10,000-member group: add one member, then remove it (members[value eq …])",
    rt: Schemas.GroupResourceType,
    doc: group(10_000),
    requests: [
      body({ op: "add", path: "members", value: [{ value: newMember, display: "new@example.com" }] }),
      body({ op: "remove", path: `members[value eq "${newMember}"]` })
    ]
  },
  {
    name: "10,000-member group: Entra Add one member, then Remove it with a value list",
    rt: Schemas.GroupResourceType,
    doc: group(10_000),
    requests: [
      body({ op: "Add", path: "members", value: [{ value: newMember }] }),
      body({ op: "Remove", path: "members", value: [{ value: newMember }] })
    ]
  }
]

/** CPU milliseconds of this process: steadier than wall time on a machine shared with other work. */
const cpuMs = (): number => {
  const usage = process.cpuUsage()
  return (usage.user + usage.system) / 1000
}

/**
 * Runs `body` repeatedly for about `ms` CPU milliseconds and returns calls per CPU second. The clock
 * is read once per batch of runs (a batch grows to about a millisecond): reading the CPU clock costs
 * about 2 µs, as much as a small PATCH, and read once per run it flattened every ratio towards 1.
 */
const throughput = (run: () => number, callsPerRun: number, ms: number): number => {
  let sink = 0
  let calls = 0
  let batch = 1
  const start = cpuMs()
  let now = start
  while (now - start < ms || calls === 0) {
    const before = now
    for (let i = 0; i < batch; i++) sink += run()
    calls += callsPerRun * batch
    now = cpuMs()
    if (now - before < 1) batch *= 2
  }
  if (sink === -1) console.log("unreachable")
  return calls / ((now - start) / 1000)
}

const median = (xs: ReadonlyArray<number>): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

/** Alternates the contenders for a few rounds (after a warm-up) and keeps each one's median. */
const sideBySide = (
  runs: ReadonlyArray<() => number>,
  callsPerRun: number,
  ms: number,
  rounds = 5
): ReadonlyArray<number> => {
  for (const run of runs) throughput(run, callsPerRun, ms / 2)
  const rates = runs.map((): Array<number> => [])
  for (let i = 0; i < rounds; i++) runs.forEach((run, j) => rates[j]!.push(throughput(run, callsPerRun, ms)))
  return rates.map(median)
}

const fmt = (n: number): string => Math.round(n).toLocaleString("en-US").padStart(10)

const ours = (scenario: Scenario) => (): number => {
  let doc = scenario.doc
  for (const request of scenario.requests) {
    const result = Patch.apply(scenario.rt, doc, request, { profile: "lenient" })
    if (Result.isFailure(result)) throw new Error(`${scenario.name}: ${result.failure.message}`)
    doc = result.success.document
  }
  return Object.keys(doc).length
}

const theirs = (scenario: Scenario, mutateDocument: boolean) => {
  let working = structuredClone(scenario.doc) as unknown as ScimResource
  return (): number => {
    let doc = mutateDocument ? working : (scenario.doc as unknown as ScimResource)
    for (const request of scenario.requests) {
      const patch = request as unknown as ScimPatch
      patchBodyValidation(patch)
      doc = scimPatch(doc, patch.Operations, { mutateDocument, treatMissingAsAdd: true })
    }
    if (mutateDocument) working = doc
    return Object.keys(doc).length
  }
}

export default async function(): Promise<void> {
  console.log("PATCH requests per CPU second (median of 5 alternating rounds); scimkit Patch.apply, lenient profile")
  console.log(
    `${"scenario".padEnd(80)} ${"scimkit".padStart(10)} ${"scim-patch".padStart(10)} ${
      "in place".padStart(10)
    }  ratio (copy / in place)`
  )
  let oursTime = 0
  let copyTime = 0
  let inPlaceTime = 0
  for (const scenario of scenarios) {
    const [a, b, c] = sideBySide(
      [ours(scenario), theirs(scenario, false), theirs(scenario, true)],
      scenario.requests.length,
      150
    )
    oursTime += 1 / a!
    copyTime += 1 / b!
    inPlaceTime += 1 / c!
    console.log(
      `${scenario.name.padEnd(80)} ${fmt(a!)} ${fmt(b!)} ${fmt(c!)}  ${(a! / b!).toFixed(2)}x / ${
        (a! / c!).toFixed(2)
      }x`
    )
  }
  const n = scenarios.length
  console.log(
    `${"all scenarios, one request each in turn".padEnd(80)} ${fmt(n / oursTime)} ${fmt(n / copyTime)} ${
      fmt(n / inPlaceTime)
    }  ${(copyTime / oursTime).toFixed(2)}x / ${(inPlaceTime / oursTime).toFixed(2)}x (target >= 2x)`
  )
}
