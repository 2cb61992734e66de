import { storeContractSuite } from "../../testkit/src/index.js"
import { StoreMemory } from "@scimkit/store-memory"

storeContractSuite("memory", StoreMemory.layer)
