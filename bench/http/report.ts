/**
 * The tables of `pnpm bench http` and `docs/performance.md`: per scenario, each server's req/s,
 * server CPU, requests per CPU-second, p50/p99 and non-2xx count (median of the rounds), with
 * ratios against `limit`, `floor` and SCIMMY; the seeding and memory table; the request-log cost;
 * the issue's targets with PASS/FAIL (printed, never failing anything); and the opt-in scale checks.
 * Everything is markdown, printed as is and written to the docs page.
 */
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import type { Result, Scenario } from "./load.js"
import { scenarios, scenarioTitle } from "./load.js"

/** The median of each figure over the rounds; errors are summed. */
export interface Figures {
  readonly rps: number
  readonly cpu: number
  readonly perCpu: number
  /** The lowest and highest req/CPU-s of the rounds: how much the rounds disagreed. */
  readonly perCpuMin: number
  readonly perCpuMax: number
  readonly p50ms: number
  readonly p99ms: number
  readonly errors: number
  readonly firstError: string
  readonly rounds: number
}

const median = (values: ReadonlyArray<number>): number => {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b)
  if (sorted.length === 0) return Number.NaN
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

export const summarize = (runs: ReadonlyArray<Result>): Figures => ({
  rps: median(runs.map((r) => r.rps)),
  cpu: median(runs.map((r) => r.cpu)),
  perCpu: median(runs.map((r) => r.perCpu)),
  perCpuMin: Math.min(...runs.map((r) => r.perCpu)),
  perCpuMax: Math.max(...runs.map((r) => r.perCpu)),
  p50ms: median(runs.map((r) => r.p50ms)),
  p99ms: median(runs.map((r) => r.p99ms)),
  errors: runs.reduce((n, r) => n + r.non2xx + r.socketErrors, 0),
  firstError: runs.find((r) => r.firstError !== "")?.firstError ?? "",
  rounds: runs.length
})

/** Figures by server name, then scenario. */
export type Results = ReadonlyMap<string, ReadonlyMap<Scenario, Figures>>

export interface SeedInfo {
  readonly server: string
  /** Absent for the fixed-body servers. */
  readonly seed?: { readonly users: number; readonly usersSeconds: number; readonly groupsSeconds: number }
  /** VmRSS once seeded (before any load), and after the last round. */
  readonly rssSeededMb: number
  readonly rssEndMb: number
}

export interface LogCost {
  readonly warning: Figures
  readonly info: Figures
}

export interface ScaleInfo {
  readonly server: string
  readonly seedSeconds: number
  readonly rssMb: number
  readonly get: { readonly small: Figures; readonly large: Figures }
  readonly filter: { readonly small: Figures; readonly large: Figures }
  /** p50 (ms) of adding then removing one member, on a group of 10 and of 100,000 members. */
  readonly patch: {
    readonly small: { readonly add: number; readonly remove: number }
    readonly large: { readonly add: number; readonly remove: number }
  }
}

const fmt = (n: number, digits = 0): string =>
  Number.isFinite(n) ? n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits }) : "–"
const ratio = (
  a: number,
  b: number
): string => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${fmt(a / b, 2)}×` : "–")
const ms = (n: number) => (n >= 100 ? fmt(n, 0) : n >= 10 ? fmt(n, 1) : fmt(n, 2))

const table = (
  head: ReadonlyArray<string>,
  rows: ReadonlyArray<ReadonlyArray<string>>,
  align?: ReadonlyArray<"l" | "r">
): string => {
  const sep = head.map((_, i) => ((align?.[i] ?? (i === 0 ? "l" : "r")) === "r" ? "---:" : "---"))
  return [head, sep, ...rows].map((cells) => `| ${cells.join(" | ")} |`).join("\n")
}

export const limitName = "limit"
export const floorName = "floor"
export const scimmyName = "SCIMMY"

/** One table per scenario: figures, then ratios of req/s and of req per CPU-second. */
export const scenarioTables = (results: Results, order: ReadonlyArray<string>): string =>
  scenarios.map((scenario) => {
    const of = (name: string) => results.get(name)?.get(scenario)
    const limit = of(limitName)
    const floor = of(floorName)
    const scimmy = of(scimmyName)
    const rows = order.flatMap((name) => {
      const f = of(name)
      if (f === undefined) return []
      const flag = f.errors > 0 ? ` ⚠ ${fmt(f.errors)} non-2xx/errors` : ""
      return [[
        `${name}${flag}`,
        fmt(f.rps),
        fmt(f.cpu, 2),
        fmt(f.perCpu),
        f.rounds > 1 ? `${fmt(f.perCpuMin)}–${fmt(f.perCpuMax)}` : "",
        ms(f.p50ms),
        ms(f.p99ms),
        fmt(f.errors),
        ratio(f.rps, limit?.rps ?? Number.NaN),
        ratio(f.rps, floor?.rps ?? Number.NaN),
        ratio(f.rps, scimmy?.rps ?? Number.NaN),
        ratio(f.perCpu, limit?.perCpu ?? Number.NaN),
        ratio(f.perCpu, floor?.perCpu ?? Number.NaN),
        ratio(f.perCpu, scimmy?.perCpu ?? Number.NaN)
      ]]
    })
    return `### ${scenarioTitle[scenario]}\n\n${
      table(
        [
          "server",
          "req/s",
          "CPU s",
          "req/CPU-s",
          "rounds' req/CPU-s",
          "p50 ms",
          "p99 ms",
          "non-2xx",
          "req/s vs limit",
          "vs floor",
          "vs SCIMMY",
          "req/CPU-s vs limit",
          "vs floor",
          "vs SCIMMY"
        ],
        rows
      )
    }`
  }).join("\n\n")

export const seedTable = (rows: ReadonlyArray<SeedInfo>): string =>
  table(
    ["server", "users", "users s", "users/s", "groups s (100 × 100)", "RSS seeded MB", "RSS at end MB"],
    rows.map((r) => [
      r.server,
      r.seed === undefined ? "–" : fmt(r.seed.users),
      r.seed === undefined ? "–" : fmt(r.seed.usersSeconds, 1),
      r.seed === undefined ? "–" : fmt(r.seed.users / r.seed.usersSeconds),
      r.seed === undefined ? "–" : fmt(r.seed.groupsSeconds, 1),
      fmt(r.rssSeededMb),
      fmt(r.rssEndMb)
    ])
  )

export const logCostTable = (cost: LogCost): string =>
  table(
    ["scimkit-memory, GET /Users/{id}", "req/s", "req/CPU-s", "p50 ms", "p99 ms", "non-2xx"],
    [
      [
        "SCIMKIT_LOG_LEVEL=warning",
        fmt(cost.warning.rps),
        fmt(cost.warning.perCpu),
        ms(cost.warning.p50ms),
        ms(cost.warning.p99ms),
        fmt(cost.warning.errors)
      ],
      [
        "SCIMKIT_LOG_LEVEL=info (default: one line per request)",
        fmt(cost.info.rps),
        fmt(cost.info.perCpu),
        ms(cost.info.p50ms),
        ms(cost.info.p99ms),
        fmt(cost.info.errors)
      ],
      [
        "info / warning",
        ratio(cost.info.rps, cost.warning.rps),
        ratio(cost.info.perCpu, cost.warning.perCpu),
        "",
        "",
        ""
      ]
    ]
  )

interface Target {
  readonly scenario: Scenario
  readonly sqlite: number
  readonly postgres: number
  readonly memory: number
}

/** Issue 15's targets: sqlite and postgres against SCIMMY, memory against floor, per CPU-second. */
export const targets: ReadonlyArray<Target> = [
  { scenario: "get", sqlite: 4, postgres: 2, memory: 0.5 },
  { scenario: "filter", sqlite: 30, postgres: 30, memory: 0.4 },
  { scenario: "post", sqlite: 3, postgres: 1.5, memory: 0.35 },
  { scenario: "patch", sqlite: 20, postgres: 20, memory: 0.35 }
]

export interface Verdict {
  readonly text: string
  readonly pass: boolean | undefined
}

const verdict = (
  value: Figures | undefined,
  against: Figures | undefined,
  label: string,
  goal: number,
  raw = false
): Verdict => {
  if (value === undefined || against === undefined) return { text: "not run", pass: undefined }
  const a = raw ? value.rps : value.perCpu
  const b = raw ? against.rps : against.perCpu
  if (!Number.isFinite(a) || !Number.isFinite(b) || b <= 0) return { text: "–", pass: undefined }
  const r = a / b
  const pass = r >= goal
  const flagged = value.errors > 0 || against.errors > 0 ? " (errors: see table)" : ""
  return { text: `${fmt(r, 2)}× ${label} (≥ ${goal}×) **${pass ? "PASS" : "FAIL"}**${flagged}`, pass }
}

export const targetTable = (
  results: Results
): { readonly markdown: string; readonly verdicts: ReadonlyArray<Verdict> } => {
  const of = (name: string, scenario: Scenario) => results.get(name)?.get(scenario)
  const verdicts: Array<Verdict> = []
  const rows = targets.map((t) => {
    const cells = [
      verdict(of("scimkit-sqlite", t.scenario), of(scimmyName, t.scenario), "SCIMMY", t.sqlite),
      verdict(of("scimkit-postgres", t.scenario), of(scimmyName, t.scenario), "SCIMMY", t.postgres),
      verdict(of("scimkit-memory", t.scenario), of(floorName, t.scenario), "floor", t.memory)
    ]
    for (const cell of cells) verdicts.push(cell)
    return [scenarioTitle[t.scenario], ...cells.map((c) => c.text)]
  })
  const stretch = verdict(of("scimkit-memory", "get"), of(limitName, "get"), "limit, raw req/s", 0.4, true)
  const markdown = table(
    ["scenario (req per CPU-second)", "scimkit-sqlite (embedded default)", "scimkit-postgres", "scimkit-memory"],
    rows
  ) +
    `\n\nStretch: scimkit-memory GET /Users/{id} ${stretch.text}`
  return { markdown, verdicts }
}

export const scaleTable = (scale: ReadonlyArray<ScaleInfo>, smallUsers: number, largeUsers: number): string => {
  const large = largeUsers % 1000 === 0 ? `${largeUsers / 1000}k` : fmt(largeUsers)
  const rows = scale.flatMap((s) => {
    const getRatio = s.get.small.perCpu / s.get.large.perCpu
    const filterRatio = s.filter.small.perCpu / s.filter.large.perCpu
    const addRatio = s.patch.large.add / s.patch.small.add
    const removeRatio = s.patch.large.remove / s.patch.small.remove
    const mark = (
      r: number,
      goal: number
    ) => (Number.isFinite(r) ? `${fmt(r, 2)}× ${r <= goal ? "**PASS**" : "**FAIL**"}` : "–")
    return [[
      s.server,
      fmt(s.seedSeconds, 0),
      `${fmt(s.get.small.perCpu)} → ${fmt(s.get.large.perCpu)} (${mark(getRatio, 1.3)})`,
      `${fmt(s.filter.small.perCpu)} → ${fmt(s.filter.large.perCpu)} (${mark(filterRatio, 1.3)})`,
      `${fmt(s.rssMb)}${s.server === "scimkit-sqlite" ? (s.rssMb <= 200 ? " **PASS**" : " **FAIL**") : ""}`,
      `${ms(s.patch.small.add)} → ${ms(s.patch.large.add)} (${mark(addRatio, 1.5)})`,
      `${ms(s.patch.small.remove)} → ${ms(s.patch.large.remove)} (${mark(removeRatio, 1.5)})`
    ]]
  })
  return table(
    [
      "server",
      "bulk seed s",
      `GET by id req/CPU-s, ${fmt(smallUsers)} → ${large} users (slowdown ≤ 1.3×)`,
      `filter req/CPU-s, ${fmt(smallUsers)} → ${large} users (slowdown ≤ 1.3×)`,
      `RSS at ${large} users MB (sqlite ≤ 200)`,
      `PATCH add p50 ms, 10 → ${large} members (≤ 1.5×)`,
      `PATCH remove p50 ms, 10 → ${large} members (≤ 1.5×)`
    ],
    rows
  )
}

export interface Machine {
  readonly cpu: string
  readonly cores: number
  readonly node: string
  readonly effect: string
  readonly scimmy: string
  readonly scimmyRouters: string
  readonly express: string
  readonly loadGenerator: string
  readonly pinned: boolean
  readonly date: string
}

/** What the page says about the machine: CPU model, cores, versions of Node and the libraries, date. */
export const machine = (repoRoot: string, loadGenerator: string, pinned: boolean): Machine => {
  const version = (pkg: string) => {
    try {
      const json = JSON.parse(Fs.readFileSync(Path.join(repoRoot, "node_modules", pkg, "package.json"), "utf8")) as {
        version?: string
      }
      return json.version ?? "?"
    } catch {
      return "?"
    }
  }
  let cpu = Os.cpus()[0]?.model ?? "?"
  try {
    cpu = /model name\s*:\s*(.+)/.exec(Fs.readFileSync("/proc/cpuinfo", "utf8"))?.[1]?.trim() ?? cpu
  } catch {
    // not Linux
  }
  return {
    cpu,
    cores: Os.availableParallelism(),
    node: process.version,
    effect: version("effect"),
    scimmy: version("scimmy"),
    scimmyRouters: version("scimmy-routers"),
    express: version("express"),
    loadGenerator,
    pinned,
    date: new Date().toISOString().slice(0, 16).replace("T", " ") + " UTC"
  }
}

export interface Page {
  readonly command: string
  readonly machine: Machine
  readonly users: number
  readonly seconds: number
  readonly rounds: number
  readonly connections: number
  readonly scenarioTables: string
  readonly seedTable: string
  readonly logCostTable: string | undefined
  readonly targetTable: string
  readonly scaleTable: string | undefined
  readonly errors: ReadonlyArray<string>
  readonly runSeconds: number
}

export const page = (p: Page): string =>
  `# Performance

What one scimkit server process serves over HTTP, next to the fastest possible Node server (\`limit\`),
the stock Effect 4 server answering a fixed body (\`floor\`) and the npm peer SCIMMY. This page is
written by \`pnpm bench http\` (bench/http.bench.ts) from its last full run; nothing in the test suite
asserts these figures.

## What was run

\`\`\`sh
${p.command}
\`\`\`

- Machine: ${p.machine.cpu}, ${p.machine.cores} cores; Node ${p.machine.node}; effect ${p.machine.effect}; scimmy ${p.machine.scimmy},
  scimmy-routers ${p.machine.scimmyRouters}, express ${p.machine.express}; ${p.machine.date}.
- Servers, each its own process${p.machine.pinned ? " pinned to core 0 (`taskset -c 0`)" : " (not pinned: no taskset)"}:
  - \`limit\`: bare \`node:http\`, bearer check, a fixed ~600-byte SCIM User for every request;
  - \`floor\`: \`@effect/platform-node\` NodeHttpServer serving a plain \`HttpServerResponse\` effect,
    same bearer check and fixed body, no request log;
  - \`SCIMMY\`: scimmy + scimmy-routers on express, User and Group resources over in-memory Maps as
    their docs show (filters through SCIMMY's \`filter.match\`);
  - \`scimkit-memory\`, \`scimkit-sqlite\` (the embedded default), \`scimkit-postgres\` (a fresh
    database on a local Postgres server): the example server (examples/node) started as
    \`pnpm start\` does, \`SCIMKIT_RATE_LIMIT=off\`, \`SCIMKIT_LOG_LEVEL=warning\`.
- Data: ${fmt(p.users)} users (POST /Users, 32 in flight) and 100 groups of 100 members (POST /Groups),
  the same on every stateful server.
- Load: ${p.machine.loadGenerator} with 1 thread and ${p.connections} connections${
    p.machine.pinned ? " on core 1" : ""
  }, ${p.seconds} s per
  scenario and server after a 1 s warm-up; ${p.rounds} rounds, servers in alternating order; figures are the
  median of the rounds. Scenarios: GET a random seeded user by id; \`filter=userName eq "userK@example.com"\`
  for a random K; POST a new user (unique userNames); PATCH a random group adding one random member
  in Entra ID's shape (\`{"op":"Add","path":"members","value":[{"value":"<id>"}]}\`). \`limit\` and
  \`floor\` answer each with their fixed body.
- CPU: utime + stime of the server process from /proc during the run; for \`scimkit-postgres\` the
  Postgres backends serving its database are added (the database's work is part of the request).
- Every server runs under \`node --conditions=@scimkit/source --import tsx\` (as the example server's
  \`pnpm start\` does), so each RSS includes tsx and the TypeScript sources it compiled: \`limit\`'s is
  that baseline.
- The whole run took ${fmt(p.runSeconds / 60, 1)} minutes.

## Results

${p.scenarioTables}

### Seeding and memory

${p.seedTable}
${
    p.logCostTable === undefined ? "" : `
### The request log

The example server logs one line per request at its default level (\`info\`); the runs above use
\`warning\`. The same GET by id on a second \`scimkit-memory\` server (users only) at \`info\`:

${p.logCostTable}
`
  }
## Targets

Issue 15's targets, in requests per second of server CPU, from the same run:

${p.targetTable}
${
    p.scaleTable === undefined ? "" : `
## Scale (SCIMKIT_BENCH_SCALE=1)

The scimkit stores grown to 100,000 users through POST /Bulk: GET by id and the userName filter
(requests per CPU-second) against the ${fmt(p.users)}-user figures above (the server is warmer by
then, which favours the larger store a little), resident memory, and the p50 of PATCH adding then
removing one member on a group of 10 and on one of 100,000 members (sequential requests, after 10
unmeasured ones):

${p.scaleTable}
`
  }${
    p.errors.length === 0 ? "" : `
## Problems seen during the run

${p.errors.map((e) => `- ${e}`).join("\n")}
`
  }
## How to read this

\`req/s\` is what one server process delivered to ${p.connections} concurrent connections on one core; \`req/CPU-s\`
divides the requests by the CPU seconds the server (and, for Postgres, its database backends) spent,
so it is the cost of a request independent of how busy the core was. \`limit\` is the ceiling for any
Node HTTP server on this machine, \`floor\` what the Effect HTTP stack costs before a handler does any
work: scimkit-memory against \`floor\` is scimkit's own overhead (auth, parsing, SCIM validation,
store, encoding). Against SCIMMY the ratio is what you gain over the npm peer for the same request;
SCIMMY's filter tests every user and its PATCH rebuilds and re-validates the whole group, so
those ratios grow with the data.
p50/p99 are the latencies under that load, mostly queueing behind the other connections. A row
marked ⚠ had non-2xx answers or socket errors and its figures should not be trusted. The rounds'
column shows how far the rounds disagreed: on a small shared machine other work steals cache and
memory bandwidth even from a pinned core, so compare figures from one run, not across pages, and
prefer more rounds (\`SCIMKIT_BENCH_ROUNDS\`) before drawing conclusions from a ratio near its target.
`
