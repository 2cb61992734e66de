/** The shared store contract suite (testkit) on every dialect and database. */
import { StoreContract } from "@scimkit/testkit"
import { databases, storesOver } from "./helpers.js"

for (const db of databases) {
  StoreContract.suite(db.name, storesOver(db))
}
