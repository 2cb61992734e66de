/**
 * Tests for code built on scimkit: the contract suite every storage adapter must pass
 * (`StoreContract.suite`), the arbitraries and reference model behind its property tests, and
 * `Sequences.entra`, an Entra ID provisioning sequence to drive against a mounted SCIM endpoint.
 */
export * as Arbitraries from "./Arbitraries.js"
export * as Fixtures from "./Fixtures.js"
export * as Property from "./Property.js"
export * as Reference from "./Reference.js"
export * as Sequences from "./Sequences.js"
export * as StoreContract from "./StoreContract.js"
