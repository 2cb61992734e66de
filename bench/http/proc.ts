/**
 * What `pnpm bench http` reads from /proc about a server process: CPU seconds spent so far
 * (utime + stime of /proc/<pid>/stat, in clock ticks of `getconf CLK_TCK`) and resident memory
 * (VmRSS of /proc/<pid>/status). For the Postgres store, the backends serving its database count
 * too: they are found by the database name in their command line ("postgres: user db host(port) …").
 * Linux only; elsewhere every figure is NaN.
 */
import * as ChildProcess from "node:child_process"
import * as Fs from "node:fs"

const clockTicks = (() => {
  try {
    const ticks = Number(ChildProcess.execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim())
    return Number.isFinite(ticks) && ticks > 0 ? ticks : 100
  } catch {
    return 100
  }
})()

/** utime + stime of `pid` in seconds; NaN when it cannot be read. */
export const cpuSeconds = (pid: number): number => {
  try {
    const stat = Fs.readFileSync(`/proc/${pid}/stat`, "utf8")
    // the command name (field 2) may contain spaces: count fields after its closing parenthesis
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
    return (Number(fields[11]) + Number(fields[12])) / clockTicks
  } catch {
    return Number.NaN
  }
}

/** VmRSS of `pid` in MB; NaN when it cannot be read. */
export const rssMb = (pid: number): number => {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(Fs.readFileSync(`/proc/${pid}/status`, "utf8"))
    return match === null ? Number.NaN : Number(match[1]) / 1024
  } catch {
    return Number.NaN
  }
}

/** The pids of the Postgres backends connected to `database` (by their process title). */
export const postgresBackends = (database: string): ReadonlyArray<number> => {
  const pids: Array<number> = []
  let entries: Array<string>
  try {
    entries = Fs.readdirSync("/proc")
  } catch {
    return pids
  }
  const needle = ` ${database} `
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const cmdline = Fs.readFileSync(`/proc/${entry}/cmdline`, "utf8").replaceAll("\0", " ")
      if (cmdline.startsWith("postgres: ") && cmdline.includes(needle)) pids.push(Number(entry))
    } catch {
      // gone meanwhile
    }
  }
  return pids
}

/** CPU seconds of a set of processes, by pid (processes that ended are left out). */
export const cpuOf = (pids: ReadonlyArray<number>): Map<number, number> =>
  new Map(pids.map((pid) => [pid, cpuSeconds(pid)] as const).filter(([, cpu]) => Number.isFinite(cpu)))

/** The CPU seconds spent between two readings of `cpuOf` (a process new in `after` counts in full). */
export const cpuBetween = (before: ReadonlyMap<number, number>, after: ReadonlyMap<number, number>): number => {
  let total = 0
  for (const [pid, cpu] of after) total += cpu - (before.get(pid) ?? 0)
  return total
}
