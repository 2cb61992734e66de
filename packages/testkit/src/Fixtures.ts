/**
 * Stored users and projects as a store test writes them directly through the ports (no service):
 * numbered users with predictable ids and names, and projects by display name.
 */
import { Model } from "@scimkit/core"
import * as DateTime from "effect/DateTime"
import * as Option from "effect/Option"

/** The instant every fixture was created and last modified at. */
export const t0: DateTime.Utc = DateTime.makeUnsafe(Date.UTC(2025, 0, 1))

/** User `n`: id `<prefix><n padded to 5>`, userName `<prefix><n>@example.com`, a displayName when `n` is even. */
export const user = (n: number, prefix: string): Model.StoredUser =>
  new Model.StoredUser({
    id: Model.UserId.make(`${prefix}${String(n).padStart(5, "0")}`),
    userName: `${prefix}${n}@example.com`,
    externalId: Option.none(),
    displayName: n % 2 === 0 ? Option.some(`User ${n}`) : Option.none(),
    active: true,
    platformRole: "MEMBER",
    document: { userName: `${prefix}${n}@example.com` },
    version: 1,
    created: t0,
    lastModified: t0
  })

/** A project with this display name and id. */
export const project = (displayName: string, id: string): Model.StoredProject =>
  new Model.StoredProject({
    id: Model.ProjectId.make(id),
    displayName,
    externalId: Option.none(),
    document: { displayName },
    version: 1,
    created: t0,
    lastModified: t0
  })
