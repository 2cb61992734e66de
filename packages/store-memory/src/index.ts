/**
 * `import { StoreMemory } from "@scimkit/store-memory"`: `StoreMemory.layer`, `StoreMemory.make`.
 */
export * as StoreMemory from "./StoreMemory.js"
