/**
 * The load of `pnpm bench http`: wrk (`-t1 -c16`, pinned to core 1 with taskset, the servers being
 * on core 0) running wrk.lua, else autocannon in a child process (autocannon.mjs) when wrk is
 * missing or SCIMKIT_BENCH_LOADGEN=autocannon. Around each run the server's CPU time is read from
 * /proc, so a result says how many requests a second of the server's CPU served, besides req/s and
 * latency. Every non-2xx answer is counted; a run with any is flagged in the tables.
 */
import * as ChildProcess from "node:child_process"
import * as Fs from "node:fs"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import { cpuBetween, cpuOf } from "./proc.js"
import { pinned } from "./servers.js"

const here = Path.dirname(fileURLToPath(import.meta.url))

export const scenarios = ["get", "filter", "post", "patch"] as const
export type Scenario = (typeof scenarios)[number]

export const scenarioTitle: Record<Scenario, string> = {
  get: "GET /Users/{id}",
  filter: "GET /Users?filter=userName eq",
  post: "POST /Users",
  patch: "PATCH /Groups/{id} add member"
}

/** Whether `command` can be run at all (wrk --version exits 1, which is fine: only a missing binary is not). */
const onPath = (command: string): boolean =>
  ChildProcess.spawnSync(command, ["--version"], { stdio: "ignore" }).error === undefined

export const loadGenerator: "wrk" | "autocannon" =
  process.env["SCIMKIT_BENCH_LOADGEN"] === "autocannon" || !onPath("wrk")
    ? "autocannon"
    : "wrk"

export interface Input {
  readonly origin: string
  readonly basePath: string
  readonly key: string
  readonly scenario: Scenario
  readonly seconds: number
  readonly connections: number
  /** Files of ids, one a line ("-" for none): the users GET and PATCH pick from, the groups PATCH picks from. */
  readonly usersFile: string
  readonly groupsFile: string
  /** The filter asks for user K, K random in 1..userCount. */
  readonly userCount: number
  /** Unique per run: the userNames POST creates start with it. */
  readonly prefix: string
  /** The processes whose CPU time is the server's. */
  readonly cpuPids: () => ReadonlyArray<number>
}

export interface Result {
  readonly requests: number
  readonly seconds: number
  readonly rps: number
  /** Server CPU seconds during the run. */
  readonly cpu: number
  /** Requests per second of server CPU. */
  readonly perCpu: number
  readonly p50ms: number
  readonly p99ms: number
  readonly non2xx: number
  readonly socketErrors: number
  readonly firstError: string
}

/** Writes the ids to a file for the load generator; "-" for none. */
export const writeIds = (file: string, ids: ReadonlyArray<string>): string => {
  if (ids.length === 0) return "-"
  Fs.writeFileSync(file, ids.join("\n") + "\n")
  return file
}

const runChild = (command: string, args: ReadonlyArray<string>): Promise<string> =>
  new Promise((resolve, reject) => {
    const child = ChildProcess.spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] })
    let out = ""
    let err = ""
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (out += chunk))
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (err += chunk))
    child.on("error", reject)
    child.on(
      "exit",
      (code) => (code === 0 ? resolve(out) : reject(new Error(`${command} exited ${code}: ${err}${out}`)))
    )
  })

const commandOf = (input: Input): [string, Array<string>] => {
  if (loadGenerator === "wrk") {
    return pinned(1, "wrk", [
      "-t1",
      `-c${input.connections}`,
      `-d${input.seconds}s`,
      "--timeout",
      "60s",
      "-s",
      Path.join(here, "wrk.lua"),
      input.origin,
      "--",
      input.scenario,
      input.basePath,
      input.key,
      input.usersFile,
      input.groupsFile,
      String(input.userCount),
      input.prefix
    ])
  }
  const { cpuPids: _, ...json } = input
  return pinned(1, process.execPath, [Path.join(here, "autocannon.mjs"), JSON.stringify(json)])
}

/** One run of `input.scenario` for `input.seconds` against one server. */
export const runLoad = async (input: Input): Promise<Result> => {
  const [command, args] = commandOf(input)
  const before = cpuOf(input.cpuPids())
  const output = await runChild(command, args)
  const cpu = cpuBetween(before, cpuOf(input.cpuPids()))
  const line = output.split("\n").find((l) => l.startsWith("WRKJSON ") || l.startsWith("ACJSON "))
  if (line === undefined) throw new Error(`no result from ${command}:\n${output}`)
  const raw = JSON.parse(line.slice(line.indexOf(" ") + 1)) as {
    requests: number
    durationUs: number
    p50Us: number
    p99Us: number
    non2xx: number
    socketErrors: number
    timeouts: number
    firstError: string
  }
  const seconds = raw.durationUs / 1e6
  return {
    requests: raw.requests,
    seconds,
    rps: raw.requests / seconds,
    cpu,
    perCpu: cpu > 0 ? raw.requests / cpu : Number.NaN,
    p50ms: raw.p50Us / 1000,
    p99ms: raw.p99Us / 1000,
    non2xx: raw.non2xx,
    socketErrors: raw.socketErrors + raw.timeouts,
    firstError: raw.firstError
  }
}
