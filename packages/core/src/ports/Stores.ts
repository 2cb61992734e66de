/**
 * Every storage port together: what a storage adapter's layer provides and what the core's
 * services (`Live.layer`) require of it. The one declaration of this union: adapters re-use it.
 */
import type { ApiKeyStore } from "./ApiKeyStore.js"
import type { DeliveryLog } from "./DeliveryLog.js"
import type { EventStore } from "./EventStore.js"
import type { PlatformStore } from "./PlatformStore.js"
import type { ProjectStore } from "./ProjectStore.js"
import type { Transactions } from "./Transactions.js"
import type { UserStore } from "./UserStore.js"

/** The storage ports. */
export type Stores =
  | UserStore
  | ProjectStore
  | ApiKeyStore
  | PlatformStore
  | EventStore
  | DeliveryLog
  | Transactions
