/**
 * Prints one plain closing line, `Tests: N passed, N failed[, N skipped]`, after vitest's own
 * summary, so that tools which read a run's last line (CI) see how many tests ran.
 */
import type { Reporter, RunnerTask } from "vitest/node"

const count = (tasks: ReadonlyArray<RunnerTask>, totals: { passed: number; failed: number; skipped: number }): void => {
  for (const task of tasks) {
    if (task.type === "suite") {
      count(task.tasks, totals)
    } else {
      const state = task.result?.state
      if (state === "pass") totals.passed++
      else if (state === "fail") totals.failed++
      else totals.skipped++
    }
  }
}

export default class SummaryReporter implements Reporter {
  onFinished(files: ReadonlyArray<RunnerTask> = []): void {
    const totals = { passed: 0, failed: 0, skipped: 0 }
    count(files, totals)
    const skipped = totals.skipped > 0 ? `, ${totals.skipped} skipped` : ""
    process.stdout.write(`\nTests: ${totals.passed} passed, ${totals.failed} failed${skipped}\n`)
  }
}
