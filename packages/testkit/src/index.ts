/**
 * Contract suites, arbitraries and reference semantics for scimkit adapters (private: used by
 * this repository's tests).
 */
export * as Arbitraries from "./Arbitraries.js"
export * as Fixtures from "./Fixtures.js"
export * as Property from "./Property.js"
export * as Reference from "./Reference.js"
export * as StoreContract from "./StoreContract.js"
