/**
 * What the two resource tables (`scimkit_users`, `scimkit_projects`) share in the store: the
 * columns a read returns, the `externalId` under the unique index, telling not-found from a
 * version mismatch after a versioned write that changed nothing, and the groups of a user as one
 * JSON array (read with a user, or for a page of users).
 *
 * @internal
 */
import { ScimError, type Model } from "@scimkit/core"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as SqlSchema from "effect/sql/SqlSchema"
import type { Row } from "effect/sql/SqlConnection"
import type { Fragment, Statement } from "effect/sql/Statement"
import { notFound, type StoreClient } from "./client.js"
import { Version } from "./rowSchemas.js"

/** The columns of a user row as the readers read it, from `scimkit_users t`. @internal */
export const userColumns =
  "t.id, t.user_name, t.external_id, t.display_name, t.active, t.platform_role, t.document, t.version, t.created, t.last_modified"

/** The columns of a project row as the readers read it, from `scimkit_projects t`. @internal */
export const projectColumns = "t.id, t.display_name, t.external_id, t.document, t.version, t.created, t.last_modified"

/** The resource tables, by the resource type the core names them. @internal */
export type ResourceTable = "scimkit_users" | "scimkit_projects"

/**
 * The `external_id_key` of a row: the externalId exactly when the platform asks for unique
 * externalIds (the unique index is on this column), NULL otherwise.
 *
 * @internal
 */
export const externalIdKey = (
  { sql }: StoreClient,
  platform: Model.PlatformId,
  externalId: Option.Option<string>
): Fragment | null =>
  Option.isNone(externalId)
    ? null
    : sql`case when exists (select 1 from scimkit_platforms p where p.id = ${platform} and p.unique_external_id = 1)
        then ${externalId.value} end`

/** The version of a user or group, if it exists. @internal */
export const versionOf = (client: StoreClient, table: ResourceTable) =>
  SqlSchema.findOneOption({
    Request: Schema.Struct({ platform: Schema.String, id: Schema.String }),
    Result: Version,
    execute: ({ id, platform }) =>
      client.sql`select version from ${client.sql(table)} where platform = ${platform} and id = ${client.d.text(id)}`
  })

/**
 * A versioned write changed nothing: tells not-found from a version mismatch by reading the
 * version (the write itself checked `version = expected`, so check and write are one step).
 *
 * @internal
 */
export const unchanged = (
  client: StoreClient,
  resourceType: "User" | "Group",
  table: ResourceTable,
  platform: Model.PlatformId,
  id: string,
  expected: number
): Effect.Effect<never, ScimError.ResourceNotFound | ScimError.VersionMismatch | ScimError.StoreError> =>
  versionOf(client, table)({ platform, id }).pipe(
    client.schemaRead(`read the version of ${resourceType} ${id}`),
    Effect.flatMap((found): Effect.Effect<never, ScimError.ResourceNotFound | ScimError.VersionMismatch> =>
      Option.isNone(found)
        ? Effect.fail(notFound(resourceType, id))
        : Effect.fail(
          new ScimError.VersionMismatch({
            resourceType,
            id,
            expected: String(expected),
            actual: String(found.value.version)
          })
        )
    )
  )

/** The order of a user's groups (`listUserProjects`): displayName in code point order, then id, over `scimkit_projects p`. @internal */
export const projectRefsOrder = ({ d, sql }: StoreClient): Fragment => sql`${d.exact(sql`p.display_name`)}, p.id`

/**
 * The groups of one user, in the order of `listUserProjects`, as one JSON array (the memberships
 * SCIM manages: a user's `groups` is SCIM's view): a correlated
 * subquery, evaluated per user on the membership index whatever the planner thinks of the tables'
 * sizes (a join of every asked user's memberships can be planned as a scan when statistics are
 * missing, as right after a bulk load).
 *
 * @internal
 */
export const projectsOf = (client: StoreClient, platform: Fragment, user: Fragment): Fragment => {
  const { d, sql } = client
  return sql`(select ${
    d.jsonArrayAgg([["id", sql`p.id`], ["displayName", sql`p.display_name`]], projectRefsOrder(client))
  }
    from scimkit_project_members m join scimkit_projects p on p.platform = m.platform and p.id = m.project_id
    where m.platform = ${platform} and m.user_id = ${user} and m.scim)`
}

/** The statement of `UserStore.getWithProjects`: the user's row with its groups (`projects`). @internal */
export const userWithProjectsStatement = (
  client: StoreClient,
  platform: Model.PlatformId,
  id: string
): Statement<Row> =>
  client.sql`select ${client.sql.literal(userColumns)}, ${
    projectsOf(client, client.sql`t.platform`, client.sql`t.id`)
  } as projects
    from scimkit_users t where t.platform = ${platform} and t.id = ${client.d.text(id)}`

/** The statement of `ProjectStore.listUserProjects`: a user's groups, one row each. @internal */
export const userProjectsStatement = (client: StoreClient, platform: Model.PlatformId, user: string): Statement<Row> =>
  client.sql`select p.id, p.display_name
    from scimkit_project_members m join scimkit_projects p on p.platform = m.platform and p.id = m.project_id
    where m.platform = ${platform} and m.user_id = ${client.d.text(user)} and m.scim
    order by ${projectRefsOrder(client)}`

/**
 * The statement of `ProjectStore.listUsersProjects`: one row per id (`user_id`, unknown ones too)
 * with its groups (`projects`).
 *
 * @internal
 */
export const usersProjectsStatement = (
  client: StoreClient,
  platform: Model.PlatformId,
  users: ReadonlyArray<string>
): Statement<Row> =>
  client.sql`select u.value as user_id, ${projectsOf(client, client.sql`${platform}`, client.sql`u.value`)} as projects
    from ${client.d.texts("u", users)}`
