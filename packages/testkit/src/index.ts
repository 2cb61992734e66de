/**
 * Contract suites and arbitraries for scimkit adapters (private: used by this repository's tests).
 *
 * @since 0.1.0
 */
export * as Arbitraries from "./Arbitraries.js"
export * as Fixtures from "./Fixtures.js"
export * as Reference from "./Reference.js"
export * as StoreContract from "./StoreContract.js"
export { storeContractSuite } from "./StoreContract.js"
