/**
 * The DeliveryLog contract: every attempt recorded with an increasing id and read back as
 * recorded, newest first, by page (`before`) and endpoint; pruning by age.
 */
import { assert } from "@effect/vitest"
import { DeliveryLog } from "@scimkit/core"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { at, unique } from "./fixtures.js"
import type { It } from "./harness.js"

/** An attempt to post to `endpoint` (a first, successful one at minute 0 unless told otherwise). */
const attempt = (
  endpoint: string,
  fields: Partial<DeliveryLog.NewDeliveryAttempt> = {}
): DeliveryLog.NewDeliveryAttempt => ({
  endpoint,
  batchId: unique("batch"),
  first: 1,
  last: 3,
  events: 3,
  attempt: 1,
  at: at(0),
  status: Option.some(200),
  ok: true,
  error: Option.none(),
  durationMillis: 12,
  ...fields
})

const idsOf = (attempts: ReadonlyArray<DeliveryLog.DeliveryAttempt>) => attempts.map((a) => a.id)

/** The DeliveryLog tests. */
export const deliveries = (it: It): void => {
  it.effect("record assigns increasing ids and keeps every field; list is newest first, by page and endpoint", () =>
    Effect.gen(function*() {
      const log = yield* DeliveryLog.DeliveryLog
      const [here, there] = [`https://${unique("hooks")}.example.com/scim`, `https://${unique("hooks")}.example.com/x`]
      const batchId = unique("batch")
      const failed = yield* log.record(attempt(here, {
        batchId,
        first: 9_007_199_254_740_000,
        last: 9_007_199_254_740_990,
        events: 500,
        at: DateTime.makeUnsafe(Date.UTC(2025, 2, 3, 4, 5, 6, 789)),
        status: Option.none(),
        ok: false,
        error: Option.some("timed out after 10 s"),
        durationMillis: 10_000
      }))
      const retried = yield* log.record(
        attempt(here, { batchId, attempt: 2, status: Option.some(503), ok: false, error: Option.some("HTTP 503") })
      )
      const elsewhere = yield* log.record(attempt(there))
      const delivered = yield* log.record(attempt(here, { batchId, attempt: 3 }))
      assert.isTrue(failed.id < retried.id && retried.id < elsewhere.id && elsewhere.id < delivered.id)
      assert.deepStrictEqual(yield* log.list({ limit: 10, endpoint: here }), [delivered, retried, failed])
      assert.deepStrictEqual(yield* log.list({ limit: 2, endpoint: here }), [delivered, retried])
      assert.deepStrictEqual(yield* log.list({ limit: 2, endpoint: here, before: retried.id }), [failed])
      assert.deepStrictEqual(yield* log.list({ limit: 10, endpoint: there }), [elsewhere])
      assert.deepStrictEqual(yield* log.list({ limit: 0, endpoint: here }), [])
      assert.deepStrictEqual(
        idsOf(yield* log.list({ limit: 3, before: delivered.id + 1 })),
        [delivered.id, elsewhere.id, retried.id]
      )
      assert.deepStrictEqual(yield* log.list({ limit: 10, endpoint: unique("nowhere") }), [])
      assert.strictEqual(DateTime.toEpochMillis(failed.at), Date.UTC(2025, 2, 3, 4, 5, 6, 789))
    }))

  it.effect("prune deletes the attempts older than the instant and says how many", () =>
    Effect.gen(function*() {
      const log = yield* DeliveryLog.DeliveryLog
      const endpoint = `https://${unique("hooks")}.example.com/`
      // before any other test's attempts (they are of 2025), so the count is this test's alone
      const year = (y: number) => DateTime.makeUnsafe(Date.UTC(y, 0, 1))
      yield* log.record(attempt(endpoint, { at: year(1990) }))
      yield* log.record(attempt(endpoint, { at: year(1991) }))
      const kept = yield* log.record(attempt(endpoint, { at: year(2000) }))
      assert.strictEqual(yield* log.prune(year(1980)), 0)
      assert.strictEqual(yield* log.prune(year(2000)), 2)
      assert.strictEqual(yield* log.prune(year(2000)), 0)
      assert.deepStrictEqual(yield* log.list({ limit: 10, endpoint }), [kept])
    }))
}
