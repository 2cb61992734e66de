import { assert, describe, it } from "@effect/vitest"
import * as ListResponse from "../src/query/ListResponse.js"

describe("ListResponse", () => {
  it("has the RFC 7644 §3.4.2 shape for index paging", () => {
    const response = ListResponse.make({
      resources: [{ id: "a" }, { id: "b" }],
      totalResults: 10,
      startIndex: 3,
      itemsPerPage: 2
    })
    assert.deepStrictEqual(response, {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
      totalResults: 10,
      itemsPerPage: 2,
      startIndex: 3,
      Resources: [{ id: "a" }, { id: "b" }]
    })
  })

  it("carries the RFC 9865 cursors and no startIndex for cursor paging", () => {
    const response = ListResponse.make({
      resources: [{ id: "a" }],
      totalResults: 5,
      itemsPerPage: 1,
      nextCursor: "n.x",
      previousCursor: "p.y"
    })
    assert.deepStrictEqual(Object.keys(response), [
      "schemas",
      "totalResults",
      "itemsPerPage",
      "nextCursor",
      "previousCursor",
      "Resources"
    ])
    assert.strictEqual(response.nextCursor, "n.x")
    assert.strictEqual(response.previousCursor, "p.y")
  })

  it("keeps Resources present when the page is empty (count=0 asks for totals only)", () => {
    const response = ListResponse.make({ resources: [], totalResults: 42, startIndex: 1, itemsPerPage: 0 })
    assert.deepStrictEqual(response.Resources, [])
    assert.strictEqual(response.totalResults, 42)
  })
})
