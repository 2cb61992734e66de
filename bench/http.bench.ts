/**
 * scimkit over HTTP next to its bounds and its npm peer, in one run (issue 15): each server in its
 * own process on core 0, wrk on core 1 (see bench/http/):
 *
 * - `limit` (bare node:http, fixed body), `floor` (stock Effect 4 Node server, fixed body), `SCIMMY`
 *   (scimmy + scimmy-routers on express, in-memory), and the example server on each store:
 *   `scimkit-memory`, `scimkit-sqlite` (the embedded default), `scimkit-postgres` (a fresh database
 *   on the Postgres server of SCIMKIT_BENCH_DATABASE_URL / SCIMKIT_TEST_DATABASE_URL / DATABASE_URL /
 *   the local postgres://postgres@127.0.0.1:5432/test, skipped when none answers);
 * - every stateful server seeded identically over HTTP (users, then 100 groups × 100 members);
 * - four scenarios (GET by id, userName filter, POST, Entra-shaped PATCH add member) per server,
 *   back to back, servers in alternating order per round, the median of the rounds;
 * - req/s, server CPU seconds, req per CPU-second, p50/p99, non-2xx count, RSS; ratios against
 *   limit, floor and SCIMMY; issue 15's targets with PASS/FAIL (printed, never failing anything);
 * - the cost of the default `info` request log (a second scimkit-memory server, GET by id);
 * - with SCIMKIT_BENCH_SCALE=1, the scimkit stores at 100,000 users and a 100,000-member group.
 *
 * A run with the defaults (every server that could start; problems are listed on the page) writes
 * docs/performance.md, unless SCIMKIT_BENCH_NO_WRITE=1. Settings: SCIMKIT_BENCH_USERS (10000),
 * SCIMKIT_BENCH_SECONDS (5), SCIMKIT_BENCH_ROUNDS (2), SCIMKIT_BENCH_SERVERS (comma-separated
 * names, default all), SCIMKIT_BENCH_LOG_COST=0 (skip the info-log run),
 * SCIMKIT_BENCH_LOADGEN=autocannon, SCIMKIT_BENCH_SCALE_USERS (100000, for trying the scale checks).
 * The default run takes about seven minutes.
 *
 *   pnpm bench http
 */
import { randomBytes } from "node:crypto"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import type { Database } from "./http/database.js"
import { adminUrl, createDatabase } from "./http/database.js"
import type { Result, Scenario } from "./http/load.js"
import { loadGenerator, runLoad, scenarios, scenarioTitle, writeIds } from "./http/load.js"
import { rssMb } from "./http/proc.js"
import type { Figures, ScaleInfo, SeedInfo } from "./http/report.js"
import * as Report from "./http/report.js"
import { scaleCheck } from "./http/scale.js"
import type { Seeded, Target } from "./http/seed.js"
import { seed } from "./http/seed.js"
import type { Server, Spec } from "./http/servers.js"
import { hasTaskset, killAllNow, repoRoot, start, tail } from "./http/servers.js"

const intEnv = (name: string, fallback: number): number => {
  const value = Number(process.env[name] ?? "")
  return Number.isInteger(value) && value > 0 ? value : fallback
}

const defaults = { users: 10_000, seconds: 5, rounds: 2, scaleUsers: 100_000 }
const config = {
  users: intEnv("SCIMKIT_BENCH_USERS", defaults.users),
  seconds: intEnv("SCIMKIT_BENCH_SECONDS", defaults.seconds),
  rounds: intEnv("SCIMKIT_BENCH_ROUNDS", defaults.rounds),
  warmup: 1,
  connections: 16,
  scale: process.env["SCIMKIT_BENCH_SCALE"] === "1",
  scaleUsers: intEnv("SCIMKIT_BENCH_SCALE_USERS", defaults.scaleUsers),
  write: process.env["SCIMKIT_BENCH_NO_WRITE"] !== "1",
  logCost: process.env["SCIMKIT_BENCH_LOG_COST"] !== "0",
  only: (process.env["SCIMKIT_BENCH_SERVERS"] ?? "").split(",").map((s) => s.trim()).filter((s) => s !== "")
}

const allSpecs: ReadonlyArray<Spec> = [
  { name: Report.limitName, kind: "limit" },
  { name: Report.floorName, kind: "floor" },
  { name: Report.scimmyName, kind: "scimmy" },
  { name: "scimkit-memory", kind: "memory" },
  { name: "scimkit-sqlite", kind: "sqlite" },
  { name: "scimkit-postgres", kind: "postgres" }
]

let t0 = performance.now()
const elapsed = () => `[${((performance.now() - t0) / 1000).toFixed(0).padStart(4)} s]`
const log = (line: string) => console.log(`${elapsed()} ${line}`)

interface Running {
  readonly server: Server
  readonly target: Target
  seeded?: Seeded
  usersFile: string
  groupsFile: string
  rssSeededMb: number
}

const nextPrefix = () => `b${randomBytes(4).toString("hex")}`

const load = (run: Running, scenario: Scenario, seconds: number, users = run.seeded?.userIds.length ?? config.users) =>
  runLoad({
    origin: run.server.origin,
    basePath: run.server.basePath,
    key: run.target.key,
    scenario,
    seconds,
    connections: config.connections,
    usersFile: run.usersFile,
    groupsFile: run.groupsFile,
    userCount: users,
    prefix: nextPrefix(),
    cpuPids: run.server.cpuPids
  })

const brief = (r: Result) =>
  `${Math.round(r.rps).toLocaleString("en-US")} req/s, ${Math.round(r.perCpu).toLocaleString("en-US")} req/CPU-s, p50 ${
    r.p50ms.toFixed(2)
  } ms, p99 ${r.p99ms.toFixed(2)} ms${
    r.non2xx + r.socketErrors > 0 ? `, ${r.non2xx} non-2xx, ${r.socketErrors} socket errors: ${r.firstError}` : ""
  }`

const command = (): string => {
  const set = [
    "SCIMKIT_BENCH_USERS",
    "SCIMKIT_BENCH_SECONDS",
    "SCIMKIT_BENCH_ROUNDS",
    "SCIMKIT_BENCH_SCALE",
    "SCIMKIT_BENCH_LOADGEN"
  ]
    .filter((name) => process.env[name] !== undefined && process.env[name] !== "")
    .map((name) => `${name}=${process.env[name]}`)
  return [...set, "pnpm bench http"].join(" ")
}

export default async function(): Promise<void> {
  t0 = performance.now()
  const key = `sk-bench-${randomBytes(24).toString("hex")}`
  const tmp = Fs.mkdtempSync(Path.join(Os.tmpdir(), "scimkit-bench-http-"))
  const runs: Array<Running> = []
  /** Every server started, for the clean-up (runs are those measured). */
  const started: Array<Server> = []
  const problems: Array<string> = []
  let database: Database | undefined
  // once, whoever asks first: the end of the run, or Ctrl-C (which may arrive twice: the terminal
  // signals the whole process group and tsx relays it as well)
  let cleaning: Promise<void> | undefined
  const cleanup = () =>
    cleaning ??= (async () => {
      await Promise.all(started.map((server) => server.stop().catch(() => undefined)))
      killAllNow()
      if (database !== undefined) {
        await database.drop().catch((e: unknown) =>
          console.error(`could not drop the database ${database?.name}: ${String(e)}`)
        )
      }
      Fs.rmSync(tmp, { recursive: true, force: true })
    })()
  const onSignal = (signal: NodeJS.Signals) => {
    if (cleaning === undefined) {
      console.error(`\n${signal}: stopping the servers, dropping the database, removing ${tmp}`)
    }
    killAllNow()
    void cleanup().finally(() => process.exit(130))
  }
  process.on("SIGINT", onSignal)
  process.on("SIGTERM", onSignal)
  process.on("exit", killAllNow)

  try {
    const wanted = (name: string) => config.only.length === 0 || config.only.includes(name)
    console.log(
      `${
        config.users.toLocaleString("en-US")
      } users, ${config.seconds} s × ${config.rounds} rounds per scenario, ${loadGenerator} -c${config.connections}, ` +
        `servers ${hasTaskset ? "on core 0, load on core 1" : "not pinned (no taskset)"}; temp ${tmp}`
    )

    // the fresh Postgres database, when a server answers
    let postgresSkipped: string | undefined
    if (wanted("scimkit-postgres")) {
      const admin = adminUrl()
      try {
        database = await createDatabase(admin.url)
        log(`Postgres: database ${database.name} created`)
      } catch (error) {
        postgresSkipped = `no Postgres server answered at ${new URL(admin.url).host} (${String(error).split("\n")[0]})`
        if (admin.explicit) problems.push(`scimkit-postgres: ${postgresSkipped}`)
        log(`scimkit-postgres skipped: ${postgresSkipped}`)
      }
    }

    // start
    const specs = allSpecs.filter((s) => wanted(s.name) && (s.kind !== "postgres" || database !== undefined))
    for (const spec of specs) {
      try {
        const server = await start(spec, { key, tmp, ...(database === undefined ? {} : { database }) })
        started.push(server)
        runs.push({
          server,
          target: { root: server.origin + server.basePath, key },
          usersFile: "-",
          groupsFile: "-",
          rssSeededMb: Number.NaN
        })
        log(`${spec.name} started (pid ${server.pid}, ${server.origin}${server.basePath})`)
      } catch (error) {
        problems.push(`${spec.name} did not start: ${String(error)}`)
        log(`${spec.name} did not start: ${String(error)}`)
      }
    }

    // seed
    for (const run of [...runs]) {
      const name = run.server.name
      if (run.server.stateful) {
        try {
          run.seeded = await seed(run.target, config.users)
          log(
            `${name} seeded: ${config.users} users in ${run.seeded.usersSeconds.toFixed(1)} s, 100 groups × 100 in ${
              run.seeded.groupsSeconds.toFixed(1)
            } s`
          )
          run.usersFile = writeIds(Path.join(tmp, `${name}.users`), run.seeded.userIds)
          run.groupsFile = writeIds(Path.join(tmp, `${name}.groups`), run.seeded.groupIds)
        } catch (error) {
          const exited = run.server.exited()
          const why = exited === undefined ? String(error) : `it ${exited} (${String(error)})`
          problems.push(`${name} could not be seeded: ${why}`)
          log(`${name} could not be seeded: ${why}`)
          runs.splice(runs.indexOf(run), 1)
          await run.server.stop()
          continue
        }
      } else {
        // any id does: the fixed-body servers answer every path
        run.usersFile = writeIds(Path.join(tmp, `${name}.users`), ["2819c223-7f76-453a-919d-413861904646"])
        run.groupsFile = writeIds(Path.join(tmp, `${name}.groups`), ["e9e30dba-f08f-4109-8486-d5c6a331660a"])
      }
      run.rssSeededMb = rssMb(run.server.pid)
    }

    // warm up, then the rounds
    const results = new Map<string, Map<Scenario, Array<Result>>>(runs.map((r) => [r.server.name, new Map()]))
    const gone = new Set<string>()
    const measure = async (run: Running, scenario: Scenario, seconds: number, keep: boolean) => {
      const exited = run.server.exited()
      if (exited !== undefined) {
        // stopped by something else than this run (its log says why): say so once, skip its runs
        if (!gone.has(run.server.name)) problems.push(`${run.server.name} ${exited} during the run`)
        gone.add(run.server.name)
        return
      }
      try {
        const result = await load(run, scenario, seconds)
        if (keep) {
          const byScenario = results.get(run.server.name)!
          byScenario.set(scenario, [...(byScenario.get(scenario) ?? []), result])
          log(`${run.server.name.padEnd(17)} ${scenarioTitle[scenario].padEnd(30)} ${brief(result)}`)
        }
      } catch (error) {
        if (run.server.exited() !== undefined) return measure(run, scenario, seconds, keep)
        problems.push(`${run.server.name} ${scenarioTitle[scenario]}: ${String(error).trim()}`)
        log(`${run.server.name} ${scenarioTitle[scenario]} failed: ${String(error).trim()}`)
      }
    }
    log(`warm-up: ${config.warmup} s per scenario and server`)
    for (const run of runs) for (const scenario of scenarios) await measure(run, scenario, config.warmup, false)
    for (let round = 0; round < config.rounds; round++) {
      const order = round % 2 === 0 ? runs : [...runs].reverse()
      log(`round ${round + 1}/${config.rounds}: ${order.map((r) => r.server.name).join(", ")}`)
      for (const run of order) for (const scenario of scenarios) await measure(run, scenario, config.seconds, true)
    }
    const rssEnd = new Map(runs.map((r) => [r.server.name, rssMb(r.server.pid)]))

    const figures = new Map<string, Map<Scenario, Figures>>(
      [...results].map((
        [name, byScenario]
      ) => [name, new Map([...byScenario].map(([s, rs]) => [s, Report.summarize(rs)]))])
    )
    for (const [name, byScenario] of figures) {
      for (const [scenario, f] of byScenario) {
        if (f.errors > 0) {
          problems.push(
            `${name} ${scenarioTitle[scenario]}: ${f.errors} non-2xx answers or socket errors; first: ${f.firstError}`
          )
        }
      }
    }

    // the request log's cost: scimkit-memory at info next to the one at warning, GET by id, alternating
    let logCost: Report.LogCost | undefined
    const memory = runs.find((r) => r.server.kind === "memory")
    if (config.logCost && memory !== undefined) {
      try {
        const server = await start(
          { name: "scimkit-memory-info", kind: "memory", env: { SCIMKIT_LOG_LEVEL: "info" } },
          { key, tmp }
        )
        started.push(server)
        const info: Running = {
          server,
          target: { root: server.origin + server.basePath, key },
          usersFile: "-",
          groupsFile: "-",
          rssSeededMb: Number.NaN
        }
        info.seeded = await seed(info.target, config.users, 0)
        info.usersFile = writeIds(Path.join(tmp, "scimkit-memory-info.users"), info.seeded.userIds)
        log(`scimkit-memory-info (SCIMKIT_LOG_LEVEL=info) started and seeded with ${config.users} users`)
        await load(info, "get", config.warmup)
        const warning: Array<Result> = []
        const atInfo: Array<Result> = []
        for (let round = 0; round < config.rounds; round++) {
          const pair: Array<[Running, Array<Result>]> = [[memory, warning], [info, atInfo]]
          for (const [run, into] of round % 2 === 0 ? pair : pair.reverse()) {
            const result = await load(run, "get", config.seconds)
            into.push(result)
            log(
              `${(run === info ? "memory, info" : "memory, warning").padEnd(17)} ${scenarioTitle.get.padEnd(30)} ${
                brief(result)
              }`
            )
          }
        }
        logCost = { warning: Report.summarize(warning), info: Report.summarize(atInfo) }
        await server.stop()
      } catch (error) {
        problems.push(`the info-log run failed: ${String(error)}`)
      }
    }

    // scale checks (opt-in)
    const scale: Array<ScaleInfo> = []
    if (config.scale) {
      for (const run of runs.filter((r) => ["memory", "sqlite", "postgres"].includes(r.server.kind))) {
        const name = run.server.name
        try {
          const measured = await scaleCheck({
            name,
            target: run.target,
            pid: run.server.pid,
            userIds: run.seeded!.userIds,
            users: config.scaleUsers,
            rounds: config.rounds,
            log,
            load: async (userIds, scenario) => {
              const file = Path.join(tmp, `${name}.users-${userIds.length}`)
              if (!Fs.existsSync(file)) writeIds(file, userIds)
              const result = await load({ ...run, usersFile: file }, scenario, config.seconds, userIds.length)
              log(`${name.padEnd(17)} ${`${scenarioTitle[scenario]} @${userIds.length}`.padEnd(30)} ${brief(result)}`)
              return result
            }
          })
          const atSmall = figures.get(name)
          scale.push({
            server: name,
            seedSeconds: measured.seedSeconds,
            rssMb: measured.rssMb,
            get: { small: atSmall?.get("get") ?? measured.get, large: measured.get },
            filter: { small: atSmall?.get("filter") ?? measured.filter, large: measured.filter },
            patch: measured.patch
          })
        } catch (error) {
          problems.push(`${name} scale check failed: ${String(error)}`)
          log(`${name} scale check failed: ${String(error)}`)
        }
      }
    }

    // report
    const order = allSpecs.map((s) => s.name).filter((n) => figures.has(n))
    const scenarioTables = Report.scenarioTables(figures, order)
    const seedRows: Array<SeedInfo> = order.map((name) => {
      const run = runs.find((r) => r.server.name === name)
      return {
        server: name,
        ...(run?.seeded === undefined
          ? {}
          : {
            seed: {
              users: config.users,
              usersSeconds: run.seeded.usersSeconds,
              groupsSeconds: run.seeded.groupsSeconds
            }
          }),
        rssSeededMb: run?.rssSeededMb ?? Number.NaN,
        rssEndMb: rssEnd.get(name) ?? Number.NaN
      }
    })
    const seedTable = Report.seedTable(seedRows)
    const target = Report.targetTable(figures)
    const logCostTable = logCost === undefined ? undefined : Report.logCostTable(logCost)
    const scaleTable = scale.length === 0 ? undefined : Report.scaleTable(scale, config.users, config.scaleUsers)
    console.log(`\n${scenarioTables}\n\n### Seeding and memory\n\n${seedTable}`)
    if (logCostTable !== undefined) console.log(`\n### The request log (SCIMKIT_LOG_LEVEL)\n\n${logCostTable}`)
    console.log(`\n### Targets (req per CPU-second)\n\n${target.markdown}`)
    if (scaleTable !== undefined) console.log(`\n### Scale\n\n${scaleTable}`)
    if (postgresSkipped !== undefined) console.log(`\nscimkit-postgres was not run: ${postgresSkipped}`)
    if (problems.length > 0) console.log(`\nProblems:\n${problems.map((p) => `- ${p}`).join("\n")}`)
    for (const server of started.filter((server) => problems.some((p) => p.startsWith(`${server.name} `)))) {
      console.log(
        `\n--- the end of ${server.name}'s log (${server.logFile}, removed after the run):\n${
          tail(server.logFile, 8).split("\n").map((line) => line.slice(0, 400)).join("\n")
        }`
      )
    }

    // docs/performance.md, from a full default run only
    const notFull = [
      config.only.length > 0 ? "SCIMKIT_BENCH_SERVERS is set" : undefined,
      config.users !== defaults.users ? `SCIMKIT_BENCH_USERS is ${config.users}` : undefined,
      config.seconds < defaults.seconds ? `SCIMKIT_BENCH_SECONDS is ${config.seconds}` : undefined,
      config.rounds < defaults.rounds ? `SCIMKIT_BENCH_ROUNDS is ${config.rounds}` : undefined,
      config.scaleUsers !== defaults.scaleUsers ? `SCIMKIT_BENCH_SCALE_USERS is ${config.scaleUsers}` : undefined,
      runs.length < specs.length ? "a server did not start or could not be seeded" : undefined,
      specs.some((spec) =>
          scenarios.some((scenario) => (results.get(spec.name)?.get(scenario)?.length ?? 0) < config.rounds)
        )
        ? "a server has runs missing (it failed or stopped)"
        : undefined
    ].filter((reason) => reason !== undefined)
    const docs = Path.join(repoRoot, "docs", "performance.md")
    if (!config.write) {
      console.log("\ndocs/performance.md not written (SCIMKIT_BENCH_NO_WRITE=1)")
    } else if (notFull.length > 0) {
      console.log(`\ndocs/performance.md not written: not a full default run (${notFull.join("; ")})`)
    } else {
      const text = Report.page({
        command: command(),
        machine: Report.machine(repoRoot, loadGenerator, hasTaskset),
        users: config.users,
        seconds: config.seconds,
        rounds: config.rounds,
        connections: config.connections,
        scenarioTables,
        seedTable,
        logCostTable,
        targetTable: target.markdown +
          (postgresSkipped === undefined ? "" : `\n\nscimkit-postgres was not run: ${postgresSkipped}.`),
        scaleTable,
        errors: problems,
        runSeconds: (performance.now() - t0) / 1000
      })
      Fs.writeFileSync(docs, text)
      console.log(`\nWrote ${docs}${problems.length > 0 ? " (with the problems above listed on it)" : ""}`)
    }
    console.log(`\npnpm bench http took ${((performance.now() - t0) / 60_000).toFixed(1)} minutes`)
  } finally {
    await cleanup()
    process.off("SIGINT", onSignal)
    process.off("SIGTERM", onSignal)
    process.off("exit", killAllNow)
  }
}
