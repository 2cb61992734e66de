/**
 * `import { StoreMemory } from "@scimkit/store-memory"` (or `import * as StoreMemory from …`):
 * both spellings give `StoreMemory.layer`, `StoreMemory.make` and `StoreMemory.queryInMemory`.
 *
 * @since 0.1.0
 */
export * as StoreMemory from "./StoreMemory.js"
export * from "./StoreMemory.js"
