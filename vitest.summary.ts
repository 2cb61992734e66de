/**
 * Prints one plain closing line, `Tests: N passed, N failed[, N skipped]`, after vitest's own
 * summary, so that tools which read a run's last line (CI) see how many tests ran.
 */
import type { Reporter, TestModule } from "vitest/node"

export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const totals = { passed: 0, failed: 0, skipped: 0 }
    for (const testModule of testModules) {
      for (const testCase of testModule.children.allTests()) {
        const state = testCase.result().state
        if (state === "passed") totals.passed++
        else if (state === "failed") totals.failed++
        else totals.skipped++
      }
    }
    const skipped = totals.skipped > 0 ? `, ${totals.skipped} skipped` : ""
    process.stdout.write(`\nTests: ${totals.passed} passed, ${totals.failed} failed${skipped}\n`)
  }
}
