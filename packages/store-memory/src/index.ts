/**
 * `import { StoreMemory } from "@scimkit/store-memory"`: `StoreMemory.layer`, `StoreMemory.make`.
 *
 * @since 0.1.0
 */
export * as StoreMemory from "./StoreMemory.js"

// LEGACY flat exports: removed in wave 2 of issue 16 (`import * as StoreMemory from
// "@scimkit/store-memory"` becomes `import { StoreMemory } from "@scimkit/store-memory"`).
export * from "./StoreMemory.js"
