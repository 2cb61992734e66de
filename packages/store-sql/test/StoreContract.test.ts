/** The shared store contract suite (testkit) on every dialect and database. */
import { storeContractSuite } from "@scimkit/testkit"
import { databases, storesOver } from "./helpers.js"

for (const db of databases) {
  storeContractSuite(db.name, storesOver(db))
}
