/**
 * Effectful property tests: fast-check generates the cases, Effect runs each one with the
 * services of the test that checks the property (a store layer's, in the contract suite).
 */
import * as Effect from "effect/Effect"
import * as fc from "fast-check"

/**
 * Checks that `body` succeeds for every value `arbitrary` generates. Every case runs with the
 * services of the calling test; a failing case fails that test with fast-check's (shrunk)
 * counterexample, and `parameters` set the runs, the seed to replay, and so on.
 */
export const check = <A, E, R>(
  arbitrary: fc.Arbitrary<A>,
  body: (value: A) => Effect.Effect<void, E, R>,
  parameters: fc.Parameters<[A]>
): Effect.Effect<void, never, R> =>
  Effect.flatMap(
    Effect.context<R>(),
    (context) =>
      Effect.promise(() =>
        fc.assert(fc.asyncProperty(arbitrary, (value) => Effect.runPromiseWith(context)(body(value))), parameters)
      )
  )
