/**
 * The storage contract every adapter runs with one line:
 *
 * ```ts
 * StoreContract.suite("memory", StoreMemory.layer)
 * ```
 *
 * It builds the layer once and gives every test its own platform (and unique ids, names and key
 * hashes), so tests never see each other's data, even on a database that outlives the run. Each
 * part of the contract lives in its own module under `internal/contract/`, named as below.
 */
import { describe, layer } from "@effect/vitest"
import type { Stores } from "@scimkit/core"
import * as Duration from "effect/Duration"
import type * as Layer from "effect/Layer"
import { apiKeyStore } from "./internal/contract/apiKeyStore.js"
import { concurrency } from "./internal/contract/concurrency.js"
import { deliveries } from "./internal/contract/deliveries.js"
import { events } from "./internal/contract/events.js"
import { memberSources } from "./internal/contract/memberSources.js"
import { memberships } from "./internal/contract/memberships.js"
import { platformStore } from "./internal/contract/platformStore.js"
import { projectStore } from "./internal/contract/projectStore.js"
import { query } from "./internal/contract/query.js"
import { tenantIsolation } from "./internal/contract/tenantIsolation.js"
import { transactions } from "./internal/contract/transactions.js"
import { userStore } from "./internal/contract/userStore.js"

/**
 * Runs the store contract against `storeLayer` (built once for the suite): CRUD of every port,
 * uniqueness, tenant isolation, filters/sort/paging against core's evaluator (property-based),
 * cursor walks under concurrent inserts and removals, membership (a user's groups read with the
 * user and for many users at once equal to `listUserProjects`, property-based), memberships by
 * source (SCIM sees only its own; removals by one source keep the other's), versions, concurrency
 * and transactions, the change feed (positions gap-free and in commit order under concurrent
 * writers, reads, pruning, checkpoints, leases) and the webhook delivery log. `name` tells the
 * adapters apart in the report.
 */
export const suite = <E>(name: string, storeLayer: Layer.Layer<Stores.Stores, E>): void =>
  layer(storeLayer, { timeout: Duration.minutes(2) })(`store contract (${name})`, (it) => {
    describe("UserStore", () => userStore(it))
    describe("ProjectStore", () => projectStore(it))
    describe("memberships", () => memberships(it))
    describe("memberships by source", () => memberSources(it))
    describe("tenant isolation", () => tenantIsolation(it))
    describe("query", () => query(it))
    describe("concurrency", () => concurrency(it))
    describe("Transactions", () => transactions(it))
    describe("ApiKeyStore", () => apiKeyStore(it))
    describe("PlatformStore", () => platformStore(it))
    describe("EventStore", () => events(it))
    describe("DeliveryLog", () => deliveries(it))
  })
