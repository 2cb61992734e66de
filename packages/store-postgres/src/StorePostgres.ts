/**
 * The Postgres storage adapter: every port of `@scimkit/core` over an Effect `SqlClient`
 * (a Postgres server through `@effect/sql-pg`, or PGlite in this process), with the schema as
 * migrations and the SCIM filter, sort and paging pushed down to SQL.
 *
 * @since 0.1.0
 */
import * as PgClient from "@effect/sql-pg/PgClient"
import type { StoreQuery } from "@scimkit/core"
import {
  ApiKeyId,
  ApiKeyStore,
  CompatibilityProfile,
  JsonObject,
  MemberView,
  Platform,
  PlatformId,
  PlatformRole,
  PlatformStore,
  ProjectId,
  ProjectRef,
  ProjectRole,
  ProjectStore,
  ResourceNotFound,
  StoreError,
  StoredApiKey,
  StoredProject,
  StoredUser,
  Transactions,
  UserId,
  UserStore,
  VersionMismatch
} from "@scimkit/core"
import * as Context from "effect/Context"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as Reactivity from "effect/reactivity/Reactivity"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import * as Migrator from "effect/sql/Migrator"
import * as SqlClient from "effect/sql/SqlClient"
import { isSqlError, type SqlError } from "effect/sql/SqlError"
import * as DataDirLock from "./internal/dataDirLock.js"
import { constraintOf, decodeError, sqlState, storeError, uniqueOr } from "./internal/errors.js"
import * as FilterSql from "./internal/filterSql.js"
import * as QuerySql from "./internal/querySql.js"
import { migrations, migrationsTable } from "./internal/migrations.js"
import * as PgliteClient from "./PgliteClient.js"

/** Every port this adapter provides. @since 0.1.0 */
export type Stores = UserStore | ProjectStore | ApiKeyStore | PlatformStore | Transactions

// ---------------------------------------------------------------------------------------------
// rows

const Timestamp = Schema.DateTimeUtcFromDate

const UserRow = Schema.Struct({
  id: UserId,
  user_name: Schema.String,
  external_id: Schema.NullOr(Schema.String),
  display_name: Schema.NullOr(Schema.String),
  active: Schema.Boolean,
  platform_role: PlatformRole,
  document: JsonObject,
  version: Schema.Int,
  created: Timestamp,
  last_modified: Timestamp
})

const toUser = (row: typeof UserRow.Type): StoredUser =>
  new StoredUser({
    id: row.id,
    userName: row.user_name,
    externalId: Option.fromNullishOr(row.external_id),
    displayName: Option.fromNullishOr(row.display_name),
    active: row.active,
    platformRole: row.platform_role,
    document: row.document,
    version: row.version,
    created: row.created,
    lastModified: row.last_modified
  }, { disableChecks: true })

const ProjectRow = Schema.Struct({
  id: ProjectId,
  display_name: Schema.String,
  external_id: Schema.NullOr(Schema.String),
  document: JsonObject,
  version: Schema.Int,
  created: Timestamp,
  last_modified: Timestamp
})

const toProject = (row: typeof ProjectRow.Type): StoredProject =>
  new StoredProject({
    id: row.id,
    displayName: row.display_name,
    externalId: Option.fromNullishOr(row.external_id),
    document: row.document,
    version: row.version,
    created: row.created,
    lastModified: row.last_modified
  }, { disableChecks: true })

const MemberRow = Schema.Struct({
  user_id: UserId,
  role: ProjectRole,
  user_name: Schema.String,
  display_name: Schema.NullOr(Schema.String)
})

const ProjectRefRow = Schema.Struct({ id: ProjectId, display_name: Schema.String })

const PlatformRow = Schema.Struct({
  id: PlatformId,
  name: Schema.String,
  owner_id: Schema.NullOr(UserId),
  compatibility: CompatibilityProfile,
  created: Timestamp
})

const toPlatform = (row: typeof PlatformRow.Type): Platform =>
  new Platform({
    id: row.id,
    name: row.name,
    ownerId: Option.fromNullishOr(row.owner_id),
    compatibility: row.compatibility,
    created: row.created
  }, { disableChecks: true })

const ApiKeyRow = Schema.Struct({
  id: ApiKeyId,
  platform: PlatformId,
  name: Schema.String,
  hash: Schema.String,
  prefix: Schema.String,
  created: Timestamp,
  last_used: Schema.NullOr(Timestamp),
  revoked: Schema.NullOr(Timestamp)
})

const toApiKey = (row: typeof ApiKeyRow.Type): StoredApiKey =>
  new StoredApiKey({
    id: row.id,
    platform: row.platform,
    name: row.name,
    hash: row.hash,
    prefix: row.prefix,
    created: row.created,
    lastUsed: Option.fromNullishOr(row.last_used),
    revoked: Option.fromNullishOr(row.revoked)
  }, { disableChecks: true })

const CountRow = Schema.Struct({ total: Schema.Int })
const WriteResult = Schema.Struct({ changed: Schema.Int, current: Schema.NullOr(Schema.Int) })

const userColumns = "t.id, t.user_name, t.external_id, t.display_name, t.active, t.platform_role, t.document, t.version, t.created, t.last_modified"
const projectColumns = "t.id, t.display_name, t.external_id, t.document, t.version, t.created, t.last_modified"
const apiKeyColumns = "id, platform, name, hash, prefix, created, last_used, revoked"
const platformColumns = "id, name, owner_id, compatibility, created"

const iso = (dt: DateTime.Utc): string => DateTime.formatIso(dt)
const isoOrNull = (dt: Option.Option<DateTime.Utc>): string | null => Option.getOrNull(Option.map(dt, iso))

const userTarget = (user: StoredUser) => (constraint: string) => {
  switch (constraint) {
    case "scimkit_users_pkey":
      return { attribute: "id", value: user.id }
    case "scimkit_users_user_name_key":
      return { attribute: "userName", value: user.userName }
    case "scimkit_users_external_id_key":
      return { attribute: "externalId", value: Option.getOrElse(user.externalId, () => "") }
    default:
      return undefined
  }
}

const projectTarget = (project: StoredProject) => (constraint: string) => {
  switch (constraint) {
    case "scimkit_projects_pkey":
      return { attribute: "id", value: project.id }
    case "scimkit_projects_display_name_key":
      return { attribute: "displayName", value: project.displayName }
    case "scimkit_projects_external_id_key":
      return { attribute: "externalId", value: Option.getOrElse(project.externalId, () => "") }
    default:
      return undefined
  }
}

// ---------------------------------------------------------------------------------------------
// the store

/**
 * Builds the ports over the `SqlClient` in context and returns them as one context (they share the
 * client, so `Transactions.run` spans all of them). Expects the schema of {@link migrate}.
 *
 * @since 0.1.0
 */
export const make: Effect.Effect<Context.Context<Stores>, never, SqlClient.SqlClient> = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const users = FilterSql.userView(sql)
  const projects = FilterSql.projectView(sql)

  const decodeRows = <A>(schema: Schema.Decoder<A>, action: string) => {
    const decode = Schema.decodeUnknownEffect(Schema.Array(schema))
    return <E, R>(self: Effect.Effect<ReadonlyArray<unknown>, E, R>): Effect.Effect<ReadonlyArray<A>, E | StoreError, R> =>
      Effect.flatMap(self, (found) => Effect.mapError(decode(found), decodeError(action)))
  }

  const sqlFailure = (action: string) => (e: SqlError) => Effect.fail(storeError(action)(e))

  const many = <A>(schema: Schema.Decoder<A>, action: string, statement: Effect.Effect<ReadonlyArray<unknown>, SqlError>) =>
    statement.pipe(Effect.catchTag("SqlError", sqlFailure(action)), decodeRows(schema, action))

  const one = <A>(schema: Schema.Decoder<A>, action: string, statement: Effect.Effect<ReadonlyArray<unknown>, SqlError>) =>
    Effect.map(many(schema, action, statement), (found) => Option.fromNullishOr(found[0]))

  const firstRow = <A>(found: ReadonlyArray<A>): Option.Option<A> => Option.fromNullishOr(found[0])

  const notFound = (resourceType: string, id: string) => new ResourceNotFound({ resourceType, id })

  /** Interprets a versioned write's (changed, current) row; re-reads the version when a concurrent write won the race. */
  const versioned = (
    resourceType: "User" | "Group",
    table: "scimkit_users" | "scimkit_projects",
    platform: PlatformId,
    id: string,
    expected: number,
    result: Option.Option<typeof WriteResult.Type>
  ): Effect.Effect<void, ResourceNotFound | VersionMismatch | StoreError> => {
    if (Option.isSome(result) && result.value.changed > 0) return Effect.void
    const mismatch = (actual: number | null): Effect.Effect<never, ResourceNotFound | VersionMismatch> =>
      actual === null
        ? Effect.fail(notFound(resourceType, id))
        : Effect.fail(new VersionMismatch({ resourceType, id, expected: String(expected), actual: String(actual) }))
    const seen = Option.isSome(result) ? result.value.current : null
    if (seen !== expected) return mismatch(seen)
    return one(
      Schema.Struct({ version: Schema.Int }),
      `read the version of ${resourceType} ${id}`,
      sql`select version from ${sql(table)} where platform = ${platform} and id = ${id}`
    ).pipe(Effect.flatMap((row) => mismatch(Option.isSome(row) ? row.value.version : null)))
  }

  // ---- queries (filter, sort and paging in SQL)

  const runQuery = <A>(
    view: FilterSql.View,
    table: "scimkit_users" | "scimkit_projects",
    columns: string,
    schema: Schema.Decoder<A>,
    platform: PlatformId,
    query: StoreQuery.StoreQuery
  ): Effect.Effect<StoreQuery.Page<A>, StoreError> =>
    Effect.gen(function*() {
      const action = `list ${view.rt.name}s`
      let planned: QuerySql.QueryPlan
      try {
        planned = QuerySql.plan(sql, view, table, columns, platform, query)
      } catch (e) {
        if (e instanceof FilterSql.UnsupportedFilter) {
          return yield* Effect.die(new Error(`The query reached the store without being checked: ${e.message}`))
        }
        throw e
      }
      const total = Effect.map(one(CountRow, action, planned.total), Option.match({ onNone: () => 0, onSome: (row) => row.total }))
      if (planned._tag === "Index") {
        const { count, start } = planned
        const [matches, items] = yield* Effect.all([
          total,
          planned.rows === undefined ? Effect.succeed([]) : many(schema, action, planned.rows)
        ], { concurrency: "unbounded" })
        return { items, total: matches, hasMore: start + count < matches }
      }
      const { backward, count } = planned
      const [matches, found] = yield* Effect.all([total, many(schema, action, planned.rows)], { concurrency: "unbounded" })
      const items = found.slice(0, count)
      return { items: backward ? items.reverse() : items, total: matches, hasMore: found.length > count }
    })

  // ---- users

  const userStore = UserStore.of({
    get: (platform, id) =>
      one(UserRow, `read user ${id}`, sql`select ${sql.literal(userColumns)} from scimkit_users t where t.platform = ${platform} and t.id = ${id}`)
        .pipe(
          Effect.flatMap(Option.match({
            onNone: () => Effect.fail(notFound("User", id)),
            onSome: (row) => Effect.succeed(toUser(row))
          })),
          Effect.withSpan("StorePostgres.UserStore.get")
        ),
    getMany: (platform, ids) =>
      ids.length === 0
        ? Effect.succeed([])
        : many(
          UserRow,
          "read users",
          sql`select ${sql.literal(userColumns)} from scimkit_users t where t.platform = ${platform} and t.id = any(${Array.from(new Set(ids))}::text[])`
        ).pipe(Effect.map((found) => found.map(toUser)), Effect.withSpan("StorePostgres.UserStore.getMany")),
    findByUserName: (platform, userName) =>
      many(
        UserRow,
        "find a user by userName",
        sql`select ${sql.literal(userColumns)} from scimkit_users t
          where t.platform = ${platform} and lower(t.user_name) collate "C" = lower(${userName}::text) collate "C"`
      ).pipe(Effect.map((found) => found.map(toUser)), Effect.withSpan("StorePostgres.UserStore.findByUserName")),
    query: (platform, query) =>
      runQuery(users, "scimkit_users", userColumns, UserRow, platform, query).pipe(
        Effect.map((page) => ({ ...page, items: page.items.map(toUser) })),
        Effect.withSpan("StorePostgres.UserStore.query")
      ),
    insert: (platform, user) =>
      sql`insert into scimkit_users
          (platform, id, user_name, external_id, display_name, active, platform_role, document, version, created, last_modified)
        values (${platform}, ${user.id}, ${user.userName}, ${Option.getOrNull(user.externalId)}, ${Option.getOrNull(user.displayName)},
          ${user.active}, ${user.platformRole}, ${JSON.stringify(user.document)}::jsonb, ${user.version},
          ${iso(user.created)}::timestamptz, ${iso(user.lastModified)}::timestamptz)`.pipe(
        Effect.catchTag("SqlError", uniqueOr(`create user ${user.userName}`, "user", userTarget(user))),
        Effect.as(user),
        Effect.withSpan("StorePostgres.UserStore.insert")
      ),
    update: (platform, user, expectedVersion) =>
      sql`with target as (select version from scimkit_users where platform = ${platform} and id = ${user.id}),
          updated as (
            update scimkit_users set user_name = ${user.userName}, external_id = ${Option.getOrNull(user.externalId)},
              display_name = ${Option.getOrNull(user.displayName)}, active = ${user.active}, platform_role = ${user.platformRole},
              document = ${JSON.stringify(user.document)}::jsonb, version = ${user.version},
              created = ${iso(user.created)}::timestamptz, last_modified = ${iso(user.lastModified)}::timestamptz
            where platform = ${platform} and id = ${user.id} and version = ${expectedVersion}
            returning 1)
          select (select count(*)::int from updated) as changed, (select version from target) as current`.pipe(
        Effect.catchTag("SqlError", uniqueOr(`update user ${user.id}`, "user", userTarget(user))),
        decodeRows(WriteResult, `update user ${user.id}`),
        Effect.flatMap((found) => versioned("User", "scimkit_users", platform, user.id, expectedVersion, firstRow(found))),
        Effect.as(user),
        Effect.withSpan("StorePostgres.UserStore.update")
      ),
    remove: (platform, id, expectedVersion) =>
      one(
        WriteResult,
        `delete user ${id}`,
        sql`with target as (select version from scimkit_users where platform = ${platform} and id = ${id}),
          deleted as (delete from scimkit_users where platform = ${platform} and id = ${id} and version = ${expectedVersion} returning 1)
          select (select count(*)::int from deleted) as changed, (select version from target) as current`
      ).pipe(
        Effect.flatMap((result) => versioned("User", "scimkit_users", platform, id, expectedVersion, result)),
        Effect.withSpan("StorePostgres.UserStore.remove")
      )
  })

  // ---- projects and memberships

  const fkFailure = (action: string) => (e: SqlError) => {
    const failure = storeError(action)(e)
    if (sqlState(e) === "23503") {
      return Effect.fail(new StoreError({
        message: `Cannot ${action}: ${
          constraintOf(e) === "scimkit_project_members_project_fkey"
            ? "the group does not exist on this platform"
            : "a user to add does not exist on this platform; check the users exist first"
        }`,
        cause: e
      }))
    }
    return Effect.fail(failure)
  }

  const projectStore = ProjectStore.of({
    get: (platform, id) =>
      one(ProjectRow, `read group ${id}`, sql`select ${sql.literal(projectColumns)} from scimkit_projects t where t.platform = ${platform} and t.id = ${id}`)
        .pipe(
          Effect.flatMap(Option.match({
            onNone: () => Effect.fail(notFound("Group", id)),
            onSome: (row) => Effect.succeed(toProject(row))
          })),
          Effect.withSpan("StorePostgres.ProjectStore.get")
        ),
    query: (platform, query) =>
      runQuery(projects, "scimkit_projects", projectColumns, ProjectRow, platform, query).pipe(
        Effect.map((page) => ({ ...page, items: page.items.map(toProject) })),
        Effect.withSpan("StorePostgres.ProjectStore.query")
      ),
    insert: (platform, project) =>
      sql`insert into scimkit_projects (platform, id, display_name, external_id, document, version, created, last_modified)
        values (${platform}, ${project.id}, ${project.displayName}, ${Option.getOrNull(project.externalId)},
          ${JSON.stringify(project.document)}::jsonb, ${project.version},
          ${iso(project.created)}::timestamptz, ${iso(project.lastModified)}::timestamptz)`.pipe(
        Effect.catchTag("SqlError", uniqueOr(`create group ${project.displayName}`, "group", projectTarget(project))),
        Effect.as(project),
        Effect.withSpan("StorePostgres.ProjectStore.insert")
      ),
    update: (platform, project, expectedVersion) =>
      sql`with target as (select version from scimkit_projects where platform = ${platform} and id = ${project.id}),
          updated as (
            update scimkit_projects set display_name = ${project.displayName}, external_id = ${Option.getOrNull(project.externalId)},
              document = ${JSON.stringify(project.document)}::jsonb, version = ${project.version},
              created = ${iso(project.created)}::timestamptz, last_modified = ${iso(project.lastModified)}::timestamptz
            where platform = ${platform} and id = ${project.id} and version = ${expectedVersion}
            returning 1)
          select (select count(*)::int from updated) as changed, (select version from target) as current`.pipe(
        Effect.catchTag("SqlError", uniqueOr(`update group ${project.id}`, "group", projectTarget(project))),
        decodeRows(WriteResult, `update group ${project.id}`),
        Effect.flatMap((found) => versioned("Group", "scimkit_projects", platform, project.id, expectedVersion, firstRow(found))),
        Effect.as(project),
        Effect.withSpan("StorePostgres.ProjectStore.update")
      ),
    remove: (platform, id, expectedVersion) =>
      one(
        WriteResult,
        `delete group ${id}`,
        sql`with target as (select version from scimkit_projects where platform = ${platform} and id = ${id}),
          deleted as (delete from scimkit_projects where platform = ${platform} and id = ${id} and version = ${expectedVersion} returning 1)
          select (select count(*)::int from deleted) as changed, (select version from target) as current`
      ).pipe(
        Effect.flatMap((result) => versioned("Group", "scimkit_projects", platform, id, expectedVersion, result)),
        Effect.withSpan("StorePostgres.ProjectStore.remove")
      ),
    touch: (platform, id, lastModified) =>
      one(
        ProjectRow,
        `record a membership change of group ${id}`,
        sql`update scimkit_projects t set version = t.version + 1, last_modified = ${iso(lastModified)}::timestamptz
          where t.platform = ${platform} and t.id = ${id}
          returning ${sql.literal(projectColumns)}`
      ).pipe(
        Effect.flatMap(Option.match({
          onNone: () => Effect.fail(notFound("Group", id)),
          onSome: (row) => Effect.succeed(toProject(row))
        })),
        Effect.withSpan("StorePostgres.ProjectStore.touch")
      ),
    listMembers: (platform, id) =>
      many(
        MemberRow,
        `list the members of group ${id}`,
        sql`select m.user_id, m.role, u.user_name, u.display_name
          from scimkit_project_members m join scimkit_users u on u.platform = m.platform and u.id = m.user_id
          where m.platform = ${platform} and m.project_id = ${id}
          order by m.user_id`
      ).pipe(
        Effect.map((found) =>
          found.map((row) =>
            new MemberView({
              userId: row.user_id,
              role: row.role,
              userName: row.user_name,
              displayName: Option.fromNullishOr(row.display_name)
            }, { disableChecks: true })
          )
        ),
        Effect.withSpan("StorePostgres.ProjectStore.listMembers")
      ),
    countMembers: (platform, id) =>
      one(
        CountRow,
        `count the members of group ${id}`,
        sql`select count(*)::int as total from scimkit_project_members where platform = ${platform} and project_id = ${id}`
      ).pipe(
        Effect.map(Option.match({ onNone: () => 0, onSome: (row) => row.total })),
        Effect.withSpan("StorePostgres.ProjectStore.countMembers")
      ),
    addMembers: (platform, id, members) =>
      members.length === 0
        ? Effect.succeed(0)
        : sql`insert into scimkit_project_members (platform, project_id, user_id, role)
            select ${platform}, ${id}, a.user_id, a.role
            from (select distinct on (u.user_id) u.user_id, u.role
                  from unnest(${members.map((m) => m.userId)}::text[], ${members.map((m) => m.role)}::text[]) with ordinality u(user_id, role, n)
                  order by u.user_id, u.n) a
            on conflict do nothing
            returning 1`.pipe(
          Effect.catchTag("SqlError", fkFailure(`add members to group ${id}`)),
          Effect.map((inserted) => inserted.length),
          Effect.withSpan("StorePostgres.ProjectStore.addMembers")
        ),
    removeMembers: (platform, id, userIds) =>
      userIds.length === 0
        ? Effect.succeed(0)
        : sql`delete from scimkit_project_members
            where platform = ${platform} and project_id = ${id} and user_id = any(${Array.from(new Set(userIds))}::text[])
            returning 1`.pipe(
          Effect.catchTag("SqlError", sqlFailure(`remove members from group ${id}`)),
          Effect.map((deleted) => deleted.length),
          Effect.withSpan("StorePostgres.ProjectStore.removeMembers")
        ),
    removeAllMembers: (platform, id) =>
      one(
        CountRow,
        `remove all members from group ${id}`,
        sql`with deleted as (delete from scimkit_project_members where platform = ${platform} and project_id = ${id} returning 1)
          select count(*)::int as total from deleted`
      ).pipe(
        Effect.map(Option.match({ onNone: () => 0, onSome: (row) => row.total })),
        Effect.withSpan("StorePostgres.ProjectStore.removeAllMembers")
      ),
    listUserProjects: (platform, user) =>
      many(
        ProjectRefRow,
        `list the groups of user ${user}`,
        sql`select p.id, p.display_name
          from scimkit_project_members m join scimkit_projects p on p.platform = m.platform and p.id = m.project_id
          where m.platform = ${platform} and m.user_id = ${user}
          order by p.display_name collate "C", p.id`
      ).pipe(
        Effect.map((found) => found.map((row) => new ProjectRef({ id: row.id, displayName: row.display_name }, { disableChecks: true }))),
        Effect.withSpan("StorePostgres.ProjectStore.listUserProjects")
      )
  })

  // ---- API keys

  const apiKeyStore = ApiKeyStore.of({
    insert: (key) =>
      sql`insert into scimkit_api_keys (id, platform, name, hash, prefix, created, last_used, revoked)
        values (${key.id}, ${key.platform}, ${key.name}, ${key.hash}, ${key.prefix}, ${iso(key.created)}::timestamptz,
          ${isoOrNull(key.lastUsed)}::timestamptz, ${isoOrNull(key.revoked)}::timestamptz)`.pipe(
        Effect.catchTag("SqlError", (e) =>
          Effect.fail(
            constraintOf(e) === "scimkit_api_keys_pkey"
              ? new StoreError({ message: `An API key with id ${key.id} already exists`, cause: e })
              : constraintOf(e) === "scimkit_api_keys_hash_key"
              ? new StoreError({ message: "An API key with the same hash already exists; generate a new secret", cause: e })
              : storeError("store an API key")(e)
          )),
        Effect.as(key),
        Effect.withSpan("StorePostgres.ApiKeyStore.insert")
      ),
    findByHash: (hash) =>
      one(ApiKeyRow, "find an API key", sql`select ${sql.literal(apiKeyColumns)} from scimkit_api_keys where hash = ${hash}`).pipe(
        Effect.map(Option.map(toApiKey)),
        Effect.withSpan("StorePostgres.ApiKeyStore.findByHash")
      ),
    get: (id) =>
      one(ApiKeyRow, `read API key ${id}`, sql`select ${sql.literal(apiKeyColumns)} from scimkit_api_keys where id = ${id}`).pipe(
        Effect.flatMap(Option.match({
          onNone: () => Effect.fail(notFound("ApiKey", id)),
          onSome: (row) => Effect.succeed(toApiKey(row))
        })),
        Effect.withSpan("StorePostgres.ApiKeyStore.get")
      ),
    list: (platform) =>
      many(
        ApiKeyRow,
        "list API keys",
        sql`select ${sql.literal(apiKeyColumns)} from scimkit_api_keys where platform = ${platform} order by created, id`
      ).pipe(Effect.map((found) => found.map(toApiKey)), Effect.withSpan("StorePostgres.ApiKeyStore.list")),
    revoke: (id, at) =>
      one(
        ApiKeyRow,
        `revoke API key ${id}`,
        sql`update scimkit_api_keys set revoked = coalesce(revoked, ${iso(at)}::timestamptz) where id = ${id}
          returning ${sql.literal(apiKeyColumns)}`
      ).pipe(
        Effect.flatMap(Option.match({
          onNone: () => Effect.fail(notFound("ApiKey", id)),
          onSome: (row) => Effect.succeed(toApiKey(row))
        })),
        Effect.withSpan("StorePostgres.ApiKeyStore.revoke")
      ),
    // written only when it moves forward, so verifying a key on every request rarely writes
    touch: (id, at) =>
      sql`update scimkit_api_keys set last_used = ${iso(at)}::timestamptz
        where id = ${id} and (last_used is null or last_used < ${iso(at)}::timestamptz)`.pipe(
        Effect.catchTag("SqlError", sqlFailure(`record the use of API key ${id}`)),
        Effect.asVoid,
        Effect.withSpan("StorePostgres.ApiKeyStore.touch")
      )
  })

  // ---- platforms

  const platformStore = PlatformStore.of({
    insert: (platform) =>
      sql`insert into scimkit_platforms (id, name, owner_id, compatibility, created)
        values (${platform.id}, ${platform.name}, ${Option.getOrNull(platform.ownerId)}, ${platform.compatibility},
          ${iso(platform.created)}::timestamptz)`.pipe(
        Effect.catchTag("SqlError", uniqueOr(`create platform ${platform.name}`, "platform", (constraint) =>
          constraint === "scimkit_platforms_pkey"
            ? { attribute: "id", value: platform.id }
            : constraint === "scimkit_platforms_name_key"
            ? { attribute: "name", value: platform.name }
            : undefined)),
        Effect.as(platform),
        Effect.withSpan("StorePostgres.PlatformStore.insert")
      ),
    get: (id) =>
      one(PlatformRow, `read platform ${id}`, sql`select ${sql.literal(platformColumns)} from scimkit_platforms where id = ${id}`).pipe(
        Effect.flatMap(Option.match({
          onNone: () => Effect.fail(notFound("Platform", id)),
          onSome: (row) => Effect.succeed(toPlatform(row))
        })),
        Effect.withSpan("StorePostgres.PlatformStore.get")
      ),
    findByName: (name) =>
      one(
        PlatformRow,
        "find a platform by name",
        sql`select ${sql.literal(platformColumns)} from scimkit_platforms where lower(name) = lower(${name}::text)`
      ).pipe(Effect.map(Option.map(toPlatform)), Effect.withSpan("StorePostgres.PlatformStore.findByName")),
    list: () =>
      many(PlatformRow, "list platforms", sql`select ${sql.literal(platformColumns)} from scimkit_platforms order by created, id`).pipe(
        Effect.map((found) => found.map(toPlatform)),
        Effect.withSpan("StorePostgres.PlatformStore.list")
      ),
    update: (platform) =>
      sql`update scimkit_platforms set name = ${platform.name}, owner_id = ${Option.getOrNull(platform.ownerId)},
          compatibility = ${platform.compatibility}, created = ${iso(platform.created)}::timestamptz
        where id = ${platform.id} returning 1`.pipe(
        Effect.catchTag("SqlError", (e) =>
          Effect.fail(
            constraintOf(e) === "scimkit_platforms_name_key"
              ? new StoreError({
                message: `Cannot rename platform ${platform.id} to ${JSON.stringify(platform.name)}: another platform has that name`,
                cause: e
              })
              : storeError(`update platform ${platform.id}`)(e)
          )),
        Effect.flatMap((updated) => updated.length > 0 ? Effect.succeed(platform) : Effect.fail(notFound("Platform", platform.id))),
        Effect.withSpan("StorePostgres.PlatformStore.update")
      )
  })

  // ---- transactions

  const transactions = Transactions.of({
    run: <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
      sql.withTransaction(effect).pipe(
        // only BEGIN and COMMIT themselves fail with SqlError here (statements map their own errors);
        // the port has no error channel for them, so they become defects carrying a StoreError
        Effect.catchIf(isSqlError, (e) => Effect.die(storeError("run a transaction")(e))),
        Effect.catchDefect((defect) => Effect.die(isSqlError(defect) ? storeError("commit a transaction")(defect) : defect))
      )
  })

  return Context.make(UserStore, userStore).pipe(
    Context.add(ProjectStore, projectStore),
    Context.add(ApiKeyStore, apiKeyStore),
    Context.add(PlatformStore, platformStore),
    Context.add(Transactions, transactions)
  )
})

/**
 * Every port over the `SqlClient` in context (the schema must be migrated: see {@link layerMigrations}).
 *
 * @since 0.1.0
 */
export const layer: Layer.Layer<Stores, never, SqlClient.SqlClient> = Layer.effectContext(make)

// ---------------------------------------------------------------------------------------------
// migrations

/**
 * Runs the migrations (table `scimkit_migrations`) and returns those applied now. Idempotent, and
 * safe when several processes start at once: the whole run holds a transaction-scoped advisory
 * lock, so one process migrates while the others wait and then find nothing to do.
 *
 * @since 0.1.0
 */
export const migrate: Effect.Effect<ReadonlyArray<readonly [id: number, name: string]>, StoreError, SqlClient.SqlClient> = Effect.gen(
  function*() {
    const sql = yield* SqlClient.SqlClient
    return yield* sql.withTransaction(
      Effect.gen(function*() {
        yield* sql`select pg_advisory_xact_lock(hashtext(current_schema() || '.scimkit_migrations'))`
        // created here, under the lock: the Migrator's own create-if-missing is not safe concurrently
        yield* sql`create table if not exists ${sql(migrationsTable)} (
          migration_id integer primary key,
          created_at timestamp with time zone not null default now(),
          name text not null
        )`
        return yield* Migrator.make({})({ loader: Migrator.fromRecord(migrations), table: migrationsTable })
      })
    )
  }
).pipe(
  Effect.catchTags({
    SqlError: (e: SqlError) => Effect.fail(storeError("migrate the database")(e)),
    MigrationError: (e) => Effect.fail(new StoreError({ message: `Cannot migrate the database: ${e.message}`, cause: e }))
  }),
  Effect.catchDefect((defect) =>
    Predicate.isTagged(defect, "MigrationError") || Predicate.isTagged(defect, "SqlError")
      ? Effect.fail(new StoreError({ message: `Cannot migrate the database: ${String(defect)}`, cause: defect }))
      : Effect.die(defect)
  ),
  Effect.withSpan("StorePostgres.migrate")
)

/**
 * Migrates the database when the layer is built (see {@link migrate}).
 *
 * @since 0.1.0
 */
export const layerMigrations: Layer.Layer<never, StoreError, SqlClient.SqlClient> = Layer.effectDiscard(migrate)

const withMigrations = <E, R>(client: Layer.Layer<SqlClient.SqlClient, E, R>): Layer.Layer<Stores, E | StoreError, R> =>
  Layer.provide(Layer.merge(layer, layerMigrations), client)

// ---------------------------------------------------------------------------------------------
// wiring

/** Options of a Postgres server connection pool. @since 0.1.0 */
export interface ServerOptions {
  /** Pool size (default 10). */
  readonly maxConnections?: number | undefined
  /** How long to wait for a connection before answering `StoreError` (retryable) (default 5 seconds). */
  readonly connectTimeout?: Duration.Input | undefined
  readonly applicationName?: string | undefined
}

const where = (url: Redacted.Redacted<string>): string => {
  try {
    const parsed = new URL(Redacted.value(url))
    return `${parsed.hostname}:${parsed.port === "" ? "5432" : parsed.port}${parsed.pathname}`
  } catch {
    return "the DATABASE_URL given (it is not a valid URL: postgres://user:password@host:port/database)"
  }
}

/**
 * A `SqlClient` for a Postgres server (a pool that reconnects by itself after connection loss).
 * Building it connects once, so that a server that does not answer fails the layer at startup.
 *
 * @since 0.1.0
 */
export const layerClient = (
  url: Redacted.Redacted<string>,
  options: ServerOptions = {}
): Layer.Layer<SqlClient.SqlClient | PgClient.PgClient, StoreError> =>
  PgClient.layerFrom(
    Effect.gen(function*() {
      const connectTimeout = options.connectTimeout ?? Duration.seconds(5)
      const client = yield* PgClient.make({
        url,
        maxConnections: options.maxConnections ?? 10,
        // both opening a connection and waiting for a pooled one are bounded
        connectTimeout,
        acquireTimeout: connectTimeout,
        applicationName: options.applicationName ?? "scimkit"
      })
      // the pool connects lazily: check the server answers before the layer is ready
      yield* client`select 1`
      return client
    }).pipe(Effect.mapError(storeError(`connect to Postgres at ${where(url)}`)))
  )

/**
 * Every port over a Postgres server: connects, migrates, and provides the stores.
 *
 * @since 0.1.0
 */
export const layerUrl = (
  url: Redacted.Redacted<string>,
  options: ServerOptions = {}
): Layer.Layer<Stores, StoreError> => withMigrations(layerClient(url, options))

/** Opens PGlite for the layer's lifetime, migrates it, and provides the stores over it. */
const pgliteStores = (
  options: PgliteClient.PgliteClientOptions,
  where: string,
  before: Effect.Effect<void, StoreError, Scope.Scope> = Effect.void
): Layer.Layer<Stores, StoreError> =>
  Layer.effectContext(
    Effect.gen(function*() {
      yield* before
      const db = yield* PgliteClient.open(options).pipe(Effect.mapError(storeError(`open ${where}`)))
      const client = yield* PgliteClient.make(db)
      const context = Context.make(SqlClient.SqlClient, client)
      yield* Effect.provide(migrate, context)
      return yield* Effect.provide(make, context)
    })
  ).pipe(Layer.provide(Reactivity.layer))

/**
 * Every port over PGlite persisted in `dataDir` (created if missing): takes the directory's lock
 * (one process at a time), opens, migrates, and closes PGlite cleanly when the layer's scope closes.
 *
 * @since 0.1.0
 */
export const layerEmbedded = (options: { readonly dataDir: string }): Layer.Layer<Stores, StoreError> =>
  pgliteStores({ dataDir: options.dataDir }, `the embedded store in ${options.dataDir}`, DataDirLock.acquire(options.dataDir))

/**
 * Every port over a fresh in-memory PGlite (for tests: real Postgres, nothing on disk). Each build
 * is a new, empty database.
 *
 * @since 0.1.0
 */
export const layerMemoryPglite: Layer.Layer<Stores, StoreError> = pgliteStores({}, "an in-memory PGlite")
