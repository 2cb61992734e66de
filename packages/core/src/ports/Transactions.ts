/**
 * Runs several store calls as one unit: all of them take effect or none does. The SQL stores use a
 * SQL transaction; the memory store serialises writers and rolls back its state on failure.
 */
import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type { StoreError } from "../errors/ScimError.js"

/**
 * `run` fails with the effect's own error (after rolling back), or with a `StoreError` when the
 * store cannot begin or commit the unit (a lost connection, a serialisation failure): a failed
 * COMMIT is a typed error the caller answers, never a defect.
 */
export class Transactions extends Context.Service<Transactions, {
  readonly run: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E | StoreError, R>
}>()("@scimkit/core/Transactions") {}
