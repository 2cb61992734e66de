/**
 * Filter parse and evaluate throughput, side by side with npm `scim2-parse-filter` in the same run.
 * Target (issue 3): at least 2x its parse throughput and at least its evaluation throughput on
 * 100,000 users. Prints figures only; nothing here asserts timing.
 *
 *   npx tsx --conditions=@scimkit/source bench/run.ts filter
 */
import * as Result from "effect/Result"
import * as Scim2 from "scim2-parse-filter"
import { type Ast, Filter, type Model, Schemas } from "@scimkit/core"
import { mulberry32 } from "./random.js"

/** What Entra ID, Okta, Microsoft's SCIM conformance collection and admins send. */
const corpus: ReadonlyArray<string> = [
  "userName eq \"AdeleV@contoso.onmicrosoft.com\"",
  "externalId eq \"0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef\"",
  "displayName eq \"Sales and Marketing\"",
  "id eq \"3e0e8b5c-8d2a-4f8e-bf98-7363c4aed4ef\"",
  "userName sw \"O\"",
  "name.FamilyName eq \"Employee\" and (emails.Value co \"example.com\" or emails.Value co \"example.org\")",
  "meta.Created gt \"2015-10-10T14:38:21.8617979-07:00\"",
  "title pr and userType eq \"Employee\"",
  "emails[type eq \"work\" and value co \"@example.com\"]",
  "userType ne \"Employee\" and not (emails co \"example.com\" or emails.value co \"example.org\")",
  "emails[type eq \"work\" and value co \"@example.com\"] or ims[type eq \"xmpp\" and value co \"@foo.com\"]",
  `${Schemas.EnterpriseUserUrn}:manager.value eq "26118915-6090-4610-87e4-49d8ca9f808d"`,
  `${Schemas.CustomUserAttributesUrn}:platformRole eq "ADMIN"`,
  "active eq true and meta.lastModified ge \"2024-01-01T00:00:00Z\"",
  "urn:ietf:params:scim:schemas:core:2.0:User:userName sw \"J\" and active eq false",
  "displayName co \"jensen\" or nickName eq \"Babs\" or title eq \"Tour Guide\""
]

/** Filters evaluated over the generated users (all valid for the User resource type). */
const evaluationCorpus: ReadonlyArray<string> = [
  "userName eq \"user4242@example.com\"",
  "externalId eq \"ext-77777\"",
  "userName sw \"user99\"",
  "name.familyName eq \"Jensen\" and (emails.value co \"example.com\" or emails.value co \"example.org\")",
  "emails[type eq \"work\" and value co \"@example.org\"]",
  "active eq true and title pr",
  "meta.created gt \"2022-06-01T00:00:00Z\"",
  `${Schemas.CustomUserAttributesUrn}:platformRole eq "ADMIN"`,
  `${Schemas.EnterpriseUserUrn}:department eq "Sales" or displayName co "Smith"`,
  "not (active eq true) or emails.type eq \"home\""
]

const users = (count: number): ReadonlyArray<Model.JsonObject> => {
  const random = mulberry32(42)
  const pick = <T>(xs: ReadonlyArray<T>): T => xs[Math.floor(random() * xs.length)]!
  const families = ["Jensen", "Smith", "Garcia", "Nguyen", "Okafor", "Müller", "Rossi", "Tanaka"]
  const givens = ["Barbara", "Ann", "Bo", "Carlos", "Dana", "Eve", "Femi", "Hiro"]
  const out: Array<Model.JsonObject> = []
  for (let i = 0; i < count; i++) {
    const family = pick(families)
    const given = pick(givens)
    const domain = pick(["example.com", "example.org", "contoso.com"])
    const created = new Date(Date.UTC(2020, 0, 1) + Math.floor(random() * 4 * 365 * 86_400_000)).toISOString()
    out.push({
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
      id: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
      externalId: `ext-${i}`,
      userName: `user${i}@${domain}`,
      name: { givenName: given, familyName: family, formatted: `${given} ${family}` },
      displayName: `${given} ${family}`,
      active: random() < 0.8,
      ...(random() < 0.5 ? { title: pick(["Engineer", "Manager", "Tour Guide"]) } : {}),
      emails: [
        { value: `user${i}@${domain}`, type: "work", primary: true },
        ...(random() < 0.3 ? [{ value: `${given.toLowerCase()}@home.example.org`, type: "home" }] : [])
      ],
      meta: { resourceType: "User", created, lastModified: created, version: `W/"${i}"` },
      [Schemas.EnterpriseUserUrn]: { department: pick(["Sales", "Engineering", "Support"]), employeeNumber: String(i) },
      ...(random() < 0.1 ? { [Schemas.CustomUserAttributesUrn]: { platformRole: pick(["ADMIN", "OPERATOR"]) } } : {})
    })
  }
  return out
}

/** CPU milliseconds of this process: steadier than wall time on a machine shared with other work. */
const cpuMs = (): number => {
  const usage = process.cpuUsage()
  return (usage.user + usage.system) / 1000
}

/** Runs `body` repeatedly for about `ms` CPU milliseconds and returns calls per CPU second. */
const throughput = (body: () => number, callsPerBody: number, ms: number): number => {
  let sink = 0
  let calls = 0
  const start = cpuMs()
  let now = start
  while (now - start < ms || calls === 0) {
    sink += body()
    calls += callsPerBody
    now = cpuMs()
  }
  if (sink === -1) console.log("unreachable")
  return calls / ((now - start) / 1000)
}

const median = (xs: ReadonlyArray<number>): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

/** Alternates the two contenders for a few rounds (after a warm-up) and keeps each one's median. */
const sideBySide = (
  a: () => number,
  b: () => number,
  callsPerBody: number,
  ms: number,
  rounds = 5
): readonly [number, number] => {
  throughput(a, callsPerBody, ms / 2)
  throughput(b, callsPerBody, ms / 2)
  const as: Array<number> = []
  const bs: Array<number> = []
  for (let i = 0; i < rounds; i++) {
    as.push(throughput(a, callsPerBody, ms))
    bs.push(throughput(b, callsPerBody, ms))
  }
  return [median(as), median(bs)]
}

const fmt = (n: number): string => Math.round(n).toLocaleString("en-US")

export default async function(): Promise<void> {
  const ours = corpus.filter((f) => Result.isSuccess(Filter.parseResult(f)))
  const theirsAccepts = (f: string) => {
    try {
      Scim2.parse(f)
      return true
    } catch {
      return false
    }
  }
  const shared = ours.filter(theirsAccepts)
  console.log(
    `parse corpus: ${corpus.length} filters; scimkit parses ${ours.length}, scim2-parse-filter ${
      corpus.filter(theirsAccepts).length
    }; timing the ${shared.length} both parse`
  )

  const [parseOurs, parseTheirs] = sideBySide(
    () => {
      let n = 0
      for (const f of shared) {
        const r = Filter.parseResult(f)
        if (Result.isSuccess(r)) n += r.success._tag.length
      }
      return n
    },
    () => {
      let n = 0
      for (const f of shared) n += Scim2.parse(f).op.length
      return n
    },
    shared.length,
    400
  )
  console.log("(CPU time of this process, median of 5 alternating rounds)")
  console.log(`parse   scimkit            ${fmt(parseOurs).padStart(12)} filters/s`)
  console.log(`parse   scim2-parse-filter ${fmt(parseTheirs).padStart(12)} filters/s`)
  console.log(`parse   ratio              ${(parseOurs / parseTheirs).toFixed(2)}x (target >= 2x)`)

  const docs = users(100_000)
  console.log(
    `\nevaluate: ${evaluationCorpus.length} filters over ${
      fmt(docs.length)
    } generated users each (compile/parse once per filter)`
  )
  let oursTotal = 0
  let theirsTotal = 0
  for (const text of evaluationCorpus) {
    const ast: Ast.Filter = Result.getOrThrow(Filter.parseResult(text))
    const matcher = Result.getOrThrow(Filter.compile(Schemas.UserResourceType, ast))
    const theirs = Scim2.filter(Scim2.parse(text))
    let oursMatches = 0
    let theirsMatches = 0
    const [rateOurs, rateTheirs] = sideBySide(
      () => {
        let n = 0
        for (let i = 0; i < docs.length; i++) if (matcher(docs[i]!)) n++
        oursMatches = n
        return n
      },
      () => {
        let n = 0
        for (let i = 0; i < docs.length; i++) if (theirs(docs[i]!)) n++
        theirsMatches = n
        return n
      },
      1,
      150,
      3
    )
    const tOurs = 1 / rateOurs
    const tTheirs = 1 / rateTheirs
    oursTotal += tOurs
    theirsTotal += tTheirs
    console.log(
      `  ${(tOurs * 1000).toFixed(1).padStart(7)} ms vs ${(tTheirs * 1000).toFixed(1).padStart(7)} ms  ` +
        `(${(tTheirs / tOurs).toFixed(2)}x)  matches ${oursMatches} vs ${theirsMatches}  ${
          text.length > 70 ? text.slice(0, 69) + "…" : text
        }`
    )
  }
  const docsOurs = (docs.length * evaluationCorpus.length) / oursTotal
  const docsTheirs = (docs.length * evaluationCorpus.length) / theirsTotal
  console.log(`evaluate scimkit            ${fmt(docsOurs).padStart(12)} docs/s`)
  console.log(`evaluate scim2-parse-filter ${fmt(docsTheirs).padStart(12)} docs/s`)
  console.log(`evaluate ratio              ${(docsOurs / docsTheirs).toFixed(2)}x (target >= 1x)`)
  console.log(
    "(match counts differ where scim2-parse-filter ignores the schema: it compares strings case-sensitively and dateTimes as text)"
  )
}
