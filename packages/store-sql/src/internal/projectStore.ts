/**
 * The `ProjectStore` port over SQL: projects (SCIM groups) in `scimkit_projects`, and their
 * memberships in `scimkit_project_members`, one row per membership, so that adding or removing a
 * member never rewrites the others. Writes of a project are versioned in the statement itself; a
 * change of the memberships alone bumps the version atomically (`touch`).
 *
 * Each membership row says who manages it in two flags, `scim` and `host`, and exists while either
 * is set. Membership changes are set-based (a few statements whatever the number of members):
 * adding is one upsert that sets the source's flag where it was not set, removing clears the flag
 * and then deletes the rows left with neither. SCIM's reads only see rows with `scim`.
 *
 * @internal
 */
import { ProjectStore, ScimError, type Model } from "@scimkit/core"
import type { Fragment } from "effect/sql/Statement"
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
import {
  externalIdKey,
  projectColumns,
  unchanged,
  userProjectsStatement,
  usersProjectsStatement,
  versionOf
} from "./store/tables.js"

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
  /** The column of a membership's source: named after it. */
  const flag = (source: Model.MemberSource): Fragment => sql.literal(source)
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
        where platform = ${platform} and project_id = ${d.text(id)} and scim`
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

  /**
   * Makes `source` manage each pair's membership: inserts the missing ones with the pair's role,
   * sets the flag on the others where it is not set (their role stays); returns both, with the
   * role as stored. A row `source` already manages is neither changed nor returned.
   */
  const upsertMembers = (
    platform: Model.PlatformId,
    id: Model.ProjectId,
    pairs: ReadonlyArray<readonly [string, string]>,
    source: Model.MemberSource
  ) =>
    sql`insert into scimkit_project_members as m (platform, project_id, user_id, role, scim, host)
      select ${platform}, ${d.text(id)}, a.user_id, a.role, ${
      sql.literal(source === "scim" ? "true, false" : "false, true")
    }
      from ${d.pairs("a", pairs)}
      where true
      on conflict (platform, project_id, user_id) do update set ${flag(source)} = true where not m.${flag(source)}
      returning user_id, role`

  /**
   * Stops `source` managing the memberships `which` selects (a condition on `scimkit_project_members`):
   * rows only `source` manages are deleted, the others lose the flag, and rows some concurrent
   * removal left with no flag are deleted after. Returns what `source` managed, with its role.
   *
   * Clearing and then deleting the rows left with neither (rather than one statement for each kind
   * of row) is what keeps two sources removing one membership at once from leaving it behind on
   * Postgres: each statement re-checks a row it waited for, and whichever clears the last flag sees
   * the row it cleared. In the common case (rows only SCIM manages) the first statement does all.
   */
  const release = (source: Model.MemberSource, which: Fragment, action: string) => {
    const own = flag(source)
    const other = flag(source === "scim" ? "host" : "scim")
    return Effect.gen(function*() {
      const deleted = yield* many(
        read.membership,
        action,
        sql`delete from scimkit_project_members where ${which} and ${own} and not ${other} returning user_id, role`
      )
      const cleared = yield* many(
        read.membership,
        action,
        sql`update scimkit_project_members set ${own} = false where ${which} and ${own} returning user_id, role`
      )
      if (cleared.length > 0) {
        yield* sql`delete from scimkit_project_members where ${which} and not scim and not host`.pipe(
          Effect.catchTag("SqlError", client.sqlFailure(action))
        )
      }
      return cleared.length === 0 ? deleted : [...deleted, ...cleared]
    }).pipe(client.atomically(action))
  }

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
          where m.platform = ${platform} and m.project_id = ${d.text(id)} and m.scim
          order by m.user_id`
      ).pipe(traced("ProjectStore.listMembers")),
    listAllMembers: (platform, id) =>
      many(
        read.managedMember,
        `list all members of group ${id}`,
        sql`select m.user_id, m.role, u.user_name, u.display_name, m.scim, m.host
          from scimkit_project_members m join scimkit_users u on u.platform = m.platform and u.id = m.user_id
          where m.platform = ${platform} and m.project_id = ${d.text(id)}
          order by m.user_id`
      ).pipe(traced("ProjectStore.listAllMembers")),
    countMembers: (platform, id) =>
      memberCount({ platform, id }).pipe(
        Effect.map(Option.match({ onNone: () => 0, onSome: ({ total }) => total })),
        client.schemaRead(`count the members of group ${id}`),
        traced("ProjectStore.countMembers")
      ),
    addMembers: (platform, id, members, source) => {
      // the first occurrence of a user decides the role; existing memberships keep theirs
      const roles = new Map<string, string>()
      for (const m of members) if (!roles.has(m.userId)) roles.set(m.userId, m.role)
      const pairs = Array.from(roles.entries())
      if (pairs.length === 0) return Effect.succeed([])
      const action = `add members to group ${id}`
      const chunks: Array<ReadonlyArray<readonly [string, string]>> = []
      for (let i = 0; i < pairs.length; i += memberChunk) chunks.push(pairs.slice(i, i + memberChunk))
      const upsert = (chunk: ReadonlyArray<readonly [string, string]>) =>
        upsertMembers(platform, id, chunk, source).pipe(
          Effect.catchTag("SqlError", addFailure(platform, id, action)),
          Effect.flatMap((rows) => client.decoded(action, () => rows.map((row) => read.membership(row))))
        )
      const added = chunks.length === 1
        ? upsert(chunks[0]!)
        : Effect.map(
          client.atomically(action)(Effect.forEach(chunks, upsert)),
          (parts) => parts.flat()
        )
      return added.pipe(traced("ProjectStore.addMembers"))
    },
    removeMembers: (platform, id, userIds, source) =>
      userIds.length === 0
        ? Effect.succeed([])
        : release(
          source,
          sql`platform = ${platform} and project_id = ${d.text(id)} and ${
            d.oneOf(sql`user_id`, Array.from(new Set(userIds)))
          }`,
          `remove members from group ${id}`
        ).pipe(traced("ProjectStore.removeMembers")),
    removeAllMembers: (platform, id, source) =>
      release(
        source,
        sql`platform = ${platform} and project_id = ${d.text(id)}`,
        `remove all members from group ${id}`
      ).pipe(traced("ProjectStore.removeAllMembers")),
    setRole: (platform, id, user, role) =>
      many(
        read.membership,
        `change the role of user ${user} in group ${id}`,
        sql`update scimkit_project_members set role = ${role}
          where platform = ${platform} and project_id = ${d.text(id)} and user_id = ${d.text(user)}
          returning user_id, role`
      ).pipe(
        Effect.map((rows) => Option.fromNullishOr(rows[0])),
        traced("ProjectStore.setRole")
      ),
    listUserProjects: (platform, user) =>
      many(read.projectRef, `list the groups of user ${user}`, userProjectsStatement(client, platform, user)).pipe(
        traced("ProjectStore.listUserProjects")
      ),
    listUsersProjects: (platform, users) => {
      if (users.length === 0) return Effect.succeed(new Map())
      // one row per asked id (unknown ones too, with []), each with its groups
      return client.readRows(
        "list the groups of users",
        usersProjectsStatement(client, platform, Array.from(new Set(users))),
        (rows) => {
          const out = new Map<Model.UserId, ReadonlyArray<Model.ProjectRef>>()
          for (const row of rows) out.set(text(row, "user_id") as Model.UserId, read.projectRefs(row, "projects"))
          return out as ReadonlyMap<Model.UserId, ReadonlyArray<Model.ProjectRef>>
        }
      ).pipe(traced("ProjectStore.listUsersProjects"))
    }
  })
}
