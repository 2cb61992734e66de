/**
 * The `ProjectStore` port over SQL: projects (SCIM groups) in `scimkit_projects`, and their
 * memberships in `scimkit_project_members`, one row per membership, so that adding or removing a
 * member never rewrites the others. Writes of a project are versioned in the statement itself; a
 * change of the memberships alone bumps the version atomically (`touch`).
 *
 * @internal
 */
import { ProjectStore, ScimError, type Model } from "@scimkit/core"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import type { SqlError } from "effect/sql/SqlError"
import * as SqlSchema from "effect/sql/SqlSchema"
import { listPage } from "./query/page.js"
import { projectView } from "./query/views.js"
import { notFound, type StoreClient } from "./store/client.js"
import { uniqueOr } from "./store/errors.js"
import { text } from "./store/rows.js"
import { Total } from "./store/rowSchemas.js"
import { externalIdKey, projectColumns, projectRefsOrder, projectsOf, unchanged, versionOf } from "./store/tables.js"

/** The columns of a project row an update returns (no table alias). */
const projectReturning = "id, display_name, external_id, document, version, created, last_modified"

/**
 * Memberships per `insert` statement when adding members: 1,000 pairs are 2,000 bound values in
 * Postgres (its limit is 65,535 per statement) and one JSON text parameter in SQLite, and a
 * larger batch only lengthens the statement. A guess, never measured against other sizes.
 */
const memberChunk = 1_000

/** The attribute a unique index of `scimkit_projects` protects, for `Uniqueness`. */
const projectTarget = (project: Model.StoredProject) => (index: string) => {
  switch (index) {
    case "scimkit_projects_pkey":
      return { attribute: "id", value: project.id }
    case "scimkit_projects_display_name_key":
      return { attribute: "displayName", value: project.displayName }
    case "scimkit_projects_external_id_key":
    case "scimkit_projects_external_id_key_key":
      return { attribute: "externalId", value: Option.getOrElse(project.externalId, () => "") }
    default:
      return undefined
  }
}

/** @internal */
export const make = (client: StoreClient): ProjectStore.ProjectStore["Service"] => {
  const { d, dialect, first, many, read, sql, timestamp, traced } = client
  const errors = dialect.errors
  const view = projectView(client)
  const projectSelect = sql.literal(projectColumns)
  const projectVersion = versionOf(client, "scimkit_projects")
  const versioned = (platform: Model.PlatformId, id: string, expectedVersion: number) =>
    unchanged(client, "Group", "scimkit_projects", platform, id, expectedVersion)

  const memberCount = SqlSchema.findOneOption({
    Request: Schema.Struct({ platform: Schema.String, id: Schema.String }),
    Result: Total,
    execute: ({ id, platform }) =>
      sql`select cast(count(*) as integer) as total from scimkit_project_members
        where platform = ${platform} and project_id = ${d.text(id)}`
  })

  /** A foreign key failure when adding members: tells which of the group and the users is missing. */
  const addFailure = (platform: Model.PlatformId, id: Model.ProjectId, action: string) => (e: SqlError) => {
    if (!errors.isForeignKeyViolation(e)) return Effect.fail(client.failure(action)(e))
    return projectVersion({ platform, id }).pipe(
      client.schemaRead(action),
      Effect.flatMap((project) =>
        Effect.fail(
          new ScimError.StoreError({
            message: `Cannot ${action}: ${
              Option.isNone(project)
                ? "the group does not exist on this platform"
                : "a user to add does not exist on this platform; check the users exist first"
            }`,
            cause: e
          })
        )
      )
    )
  }

  const insertMembers = (
    platform: Model.PlatformId,
    id: Model.ProjectId,
    pairs: ReadonlyArray<readonly [string, string]>
  ) =>
    sql`insert into scimkit_project_members (platform, project_id, user_id, role)
      select ${platform}, ${d.text(id)}, a.user_id, a.role from ${d.pairs("a", pairs)}
      where true
      on conflict do nothing
      returning 1 as added`.pipe(Effect.map((inserted) => inserted.length))

  return ProjectStore.ProjectStore.of({
    get: (platform, id) =>
      first(
        read.project,
        `read group ${id}`,
        sql`select ${projectSelect} from scimkit_projects t where t.platform = ${platform} and t.id = ${d.text(id)}`,
        () => notFound("Group", id)
      ).pipe(traced("ProjectStore.get")),
    query: (platform, query) =>
      listPage(client, view, "scimkit_projects", projectColumns, read.project, platform, query).pipe(
        traced("ProjectStore.query")
      ),
    insert: (platform, project) =>
      sql`insert into scimkit_projects (platform, id, display_name, external_id, external_id_key, document, version, created, last_modified)
        values (${platform}, ${project.id}, ${project.displayName}, ${Option.getOrNull(project.externalId)},
          ${externalIdKey(client, platform, project.externalId)},
          ${d.document(project.document)}, ${project.version}, ${timestamp(project.created)}, ${
        timestamp(project.lastModified)
      })`.pipe(
        Effect.matchEffect({
          onFailure: uniqueOr(errors, `create group ${project.displayName}`, "group", projectTarget(project)),
          onSuccess: () => Effect.succeed(project)
        }),
        traced("ProjectStore.insert")
      ),
    update: (platform, project, expectedVersion) =>
      sql`update scimkit_projects set display_name = ${project.displayName}, external_id = ${
        Option.getOrNull(project.externalId)
      },
            external_id_key = ${externalIdKey(client, platform, project.externalId)},
            document = ${d.document(project.document)}, version = ${project.version},
            created = ${timestamp(project.created)}, last_modified = ${timestamp(project.lastModified)}
          where platform = ${platform} and id = ${project.id} and version = ${expectedVersion}
          returning 1 as changed`.pipe(
        Effect.matchEffect({
          onFailure: uniqueOr(errors, `update group ${project.id}`, "group", projectTarget(project)),
          onSuccess: (changed) =>
            changed.length > 0 ? Effect.succeed(project) : versioned(platform, project.id, expectedVersion)
        }),
        traced("ProjectStore.update")
      ),
    remove: (platform, id, expectedVersion) =>
      sql`delete from scimkit_projects where platform = ${platform} and id = ${
        d.text(id)
      } and version = ${expectedVersion}
        returning 1 as changed`.pipe(
        Effect.matchEffect({
          onFailure: client.sqlFailure(`delete group ${id}`),
          onSuccess: (changed) => changed.length > 0 ? Effect.void : versioned(platform, id, expectedVersion)
        }),
        traced("ProjectStore.remove")
      ),
    touch: (platform, id, lastModified) =>
      first(
        read.project,
        `record a membership change of group ${id}`,
        sql`update scimkit_projects set version = version + 1, last_modified = ${timestamp(lastModified)}
          where platform = ${platform} and id = ${d.text(id)}
          returning ${sql.literal(projectReturning)}`,
        () => notFound("Group", id)
      ).pipe(traced("ProjectStore.touch")),
    listMembers: (platform, id) =>
      many(
        read.member,
        `list the members of group ${id}`,
        sql`select m.user_id, m.role, u.user_name, u.display_name
          from scimkit_project_members m join scimkit_users u on u.platform = m.platform and u.id = m.user_id
          where m.platform = ${platform} and m.project_id = ${d.text(id)}
          order by m.user_id`
      ).pipe(traced("ProjectStore.listMembers")),
    countMembers: (platform, id) =>
      memberCount({ platform, id }).pipe(
        Effect.map(Option.match({ onNone: () => 0, onSome: ({ total }) => total })),
        client.schemaRead(`count the members of group ${id}`),
        traced("ProjectStore.countMembers")
      ),
    addMembers: (platform, id, members) => {
      // the first occurrence of a user decides the role; existing memberships are kept as they are
      const roles = new Map<string, string>()
      for (const m of members) if (!roles.has(m.userId)) roles.set(m.userId, m.role)
      const pairs = Array.from(roles.entries())
      if (pairs.length === 0) return Effect.succeed(0)
      const chunks: Array<ReadonlyArray<readonly [string, string]>> = []
      for (let i = 0; i < pairs.length; i += memberChunk) chunks.push(pairs.slice(i, i + memberChunk))
      const insert = chunks.length === 1
        ? insertMembers(platform, id, chunks[0]!)
        : sql.withTransaction(
          Effect.map(
            Effect.forEach(chunks, (chunk) => insertMembers(platform, id, chunk)),
            (added) => added.reduce((a, b) => a + b, 0)
          )
        )
      return insert.pipe(
        Effect.catchTag("SqlError", addFailure(platform, id, `add members to group ${id}`)),
        traced("ProjectStore.addMembers")
      )
    },
    removeMembers: (platform, id, userIds) =>
      userIds.length === 0
        ? Effect.succeed(0)
        : sql`delete from scimkit_project_members
            where platform = ${platform} and project_id = ${d.text(id)} and ${
          d.oneOf(sql`user_id`, Array.from(new Set(userIds)))
        }
            returning 1 as removed`.pipe(
          Effect.matchEffect({
            onFailure: client.sqlFailure(`remove members from group ${id}`),
            onSuccess: (deleted) => Effect.succeed(deleted.length)
          }),
          traced("ProjectStore.removeMembers")
        ),
    removeAllMembers: (platform, id) =>
      sql`delete from scimkit_project_members where platform = ${platform} and project_id = ${
        d.text(id)
      } returning 1 as removed`.pipe(
        Effect.matchEffect({
          onFailure: client.sqlFailure(`remove all members from group ${id}`),
          onSuccess: (deleted) => Effect.succeed(deleted.length)
        }),
        traced("ProjectStore.removeAllMembers")
      ),
    listUserProjects: (platform, user) =>
      many(
        read.projectRef,
        `list the groups of user ${user}`,
        sql`select p.id, p.display_name
          from scimkit_project_members m join scimkit_projects p on p.platform = m.platform and p.id = m.project_id
          where m.platform = ${platform} and m.user_id = ${d.text(user)}
          order by ${projectRefsOrder(client)}`
      ).pipe(traced("ProjectStore.listUserProjects")),
    listUsersProjects: (platform, users) => {
      if (users.length === 0) return Effect.succeed(new Map())
      // one row per asked id (unknown ones too, with []), each with its groups
      return client.readRows(
        "list the groups of users",
        sql`select u.value as user_id, ${projectsOf(client, sql`${platform}`, sql`u.value`)} as projects
          from ${d.texts("u", Array.from(new Set(users)))}`,
        (rows) => {
          const out = new Map<Model.UserId, ReadonlyArray<Model.ProjectRef>>()
          for (const row of rows) out.set(text(row, "user_id") as Model.UserId, read.projectRefs(row, "projects"))
          return out as ReadonlyMap<Model.UserId, ReadonlyArray<Model.ProjectRef>>
        }
      ).pipe(traced("ProjectStore.listUsersProjects"))
    }
  })
}
