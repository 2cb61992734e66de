/**
 * Runs several store calls as one unit: all of them take effect or none does. The Postgres store
 * uses a SQL transaction; the memory store serialises writers and rolls back its state on failure.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"

/** @since 0.1.0 */
export class Transactions extends Context.Service<Transactions, {
  readonly run: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
}>()("@scimkit/core/Transactions") {}
