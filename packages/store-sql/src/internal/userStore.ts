/**
 * The `UserStore` port over SQL: users in `scimkit_users`, one row each, the client's attributes
 * in `document` and the indexed ones (`userName`, `externalId`, `active`, `platformRole`) in
 * columns of their own. Writes are versioned in the statement itself (`where version = …`), so
 * check and write are one step.
 *
 * @internal
 */
import { UserStore, type Model } from "@scimkit/core"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type { Row } from "effect/sql/SqlConnection"
import { listPage } from "./query/page.js"
import { userView } from "./query/views.js"
import { notFound, type StoreClient } from "./store/client.js"
import { uniqueOr } from "./store/errors.js"
import { externalIdKey, unchanged, userColumns, userWithProjectsStatement } from "./store/tables.js"

/** The attribute a unique index of `scimkit_users` protects, for `Uniqueness`. */
const userTarget = (user: Model.StoredUser) => (index: string) => {
  switch (index) {
    case "scimkit_users_pkey":
      return { attribute: "id", value: user.id }
    case "scimkit_users_user_name_key":
      return { attribute: "userName", value: user.userName }
    case "scimkit_users_external_id_key":
    case "scimkit_users_external_id_key_key":
      return { attribute: "externalId", value: Option.getOrElse(user.externalId, () => "") }
    default:
      return undefined
  }
}

/** @internal */
export const make = (client: StoreClient): UserStore.UserStore["Service"] => {
  const { d, dialect, first, many, read, sql, timestamp, traced } = client
  const view = userView(client)
  const userSelect = sql.literal(userColumns)
  const userWithProjects = (row: Row) => ({ user: read.user(row), projects: read.projectRefs(row, "projects") })
  const versioned = (platform: Model.PlatformId, id: string, expectedVersion: number) =>
    unchanged(client, "User", "scimkit_users", platform, id, expectedVersion)

  return UserStore.UserStore.of({
    get: (platform, id) =>
      first(
        read.user,
        `read user ${id}`,
        sql`select ${userSelect} from scimkit_users t where t.platform = ${platform} and t.id = ${d.text(id)}`,
        () => notFound("User", id)
      ).pipe(traced("UserStore.get")),
    getWithProjects: (platform, id) =>
      first(
        userWithProjects,
        `read user ${id}`,
        userWithProjectsStatement(client, platform, id),
        () => notFound("User", id)
      ).pipe(traced("UserStore.getWithProjects")),
    getMany: (platform, ids) =>
      ids.length === 0
        ? Effect.succeed([])
        : many(
          read.user,
          "read users",
          sql`select ${userSelect} from scimkit_users t where t.platform = ${platform} and ${
            d.oneOf(sql`t.id`, Array.from(new Set(ids)))
          }`
        ).pipe(traced("UserStore.getMany")),
    findByUserName: (platform, userName) =>
      many(
        read.user,
        "find a user by userName",
        sql`select ${userSelect} from scimkit_users t
          where t.platform = ${platform} and ${d.folded(sql`t.user_name`)} = ${d.folded(d.text(userName))}`
      ).pipe(traced("UserStore.findByUserName")),
    query: (platform, query) =>
      listPage(
        client,
        query.resourceType === undefined || query.resourceType === view.rt
          ? view
          : userView(client, query.resourceType),
        "scimkit_users",
        userColumns,
        read.user,
        platform,
        query
      ).pipe(traced("UserStore.query")),
    insert: (platform, user) =>
      sql`insert into scimkit_users
          (platform, id, user_name, external_id, external_id_key, display_name, active, platform_role, document, version, created, last_modified)
        values (${platform}, ${user.id}, ${user.userName}, ${Option.getOrNull(user.externalId)},
          ${externalIdKey(client, platform, user.externalId)}, ${Option.getOrNull(user.displayName)},
          ${d.boolean(user.active)}, ${user.platformRole}, ${d.document(user.document)}, ${user.version},
          ${timestamp(user.created)}, ${timestamp(user.lastModified)})`.pipe(
        Effect.matchEffect({
          onFailure: uniqueOr(dialect.errors, `create user ${user.userName}`, "user", userTarget(user)),
          onSuccess: () => Effect.succeed(user)
        }),
        traced("UserStore.insert")
      ),
    update: (platform, user, expectedVersion) =>
      sql`update scimkit_users set user_name = ${user.userName}, external_id = ${Option.getOrNull(user.externalId)},
            external_id_key = ${externalIdKey(client, platform, user.externalId)},
            display_name = ${Option.getOrNull(user.displayName)}, active = ${
        d.boolean(user.active)
      }, platform_role = ${user.platformRole},
            document = ${d.document(user.document)}, version = ${user.version},
            created = ${timestamp(user.created)}, last_modified = ${timestamp(user.lastModified)}
          where platform = ${platform} and id = ${user.id} and version = ${expectedVersion}
          returning 1 as changed`.pipe(
        Effect.matchEffect({
          onFailure: uniqueOr(dialect.errors, `update user ${user.id}`, "user", userTarget(user)),
          onSuccess: (changed) =>
            changed.length > 0 ? Effect.succeed(user) : versioned(platform, user.id, expectedVersion)
        }),
        traced("UserStore.update")
      ),
    remove: (platform, id, expectedVersion) =>
      sql`delete from scimkit_users where platform = ${platform} and id = ${d.text(id)} and version = ${expectedVersion}
        returning 1 as changed`.pipe(
        Effect.matchEffect({
          onFailure: client.sqlFailure(`delete user ${id}`),
          onSuccess: (changed) => changed.length > 0 ? Effect.void : versioned(platform, id, expectedVersion)
        }),
        traced("UserStore.remove")
      )
  })
}
