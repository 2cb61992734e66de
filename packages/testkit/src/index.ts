/**
 * Tests for code built on scimkit: the contract suite every storage adapter must pass
 * (`StoreContract.suite`), the arbitraries and reference model behind its property tests,
 * `Sequences.entra`, an Entra ID provisioning sequence to drive against a mounted SCIM endpoint, and
 * for an app's own tests `AppProcess.start` (the app run as a child process, its printed URL and
 * Secret Token read), `Databases.fresh` (a throwaway Postgres database) and `TcpProxy.make` (a
 * connection to cut and restore).
 */
export * as AppProcess from "./AppProcess.js"
export * as Arbitraries from "./Arbitraries.js"
export * as Databases from "./Databases.js"
export * as Fixtures from "./Fixtures.js"
export * as Property from "./Property.js"
export * as Reference from "./Reference.js"
export * as Sequences from "./Sequences.js"
export * as StoreContract from "./StoreContract.js"
export * as TcpProxy from "./TcpProxy.js"
