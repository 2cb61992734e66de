/**
 * The SQL store: every port of `@scimkit/core` over an Effect `SqlClient`, with the schema as
 * migrations and the SCIM filter, sort and paging pushed down to SQL — written once, over the
 * {@link Dialect.Dialect} of the engine (Postgres, SQLite) a driver package provides.
 *
 * @since 0.1.0
 */
import type { Stores as CoreStores } from "@scimkit/core"
import type { StoreQuery } from "@scimkit/core"
import type { Platform, PlatformId, ProjectId, ProjectRef, StoredProject, StoredUser, UserId } from "@scimkit/core"
import {
  ApiKeyStore,
  PlatformStore,
  ProjectStore,
  ResourceNotFound,
  StoreError,
  Transactions,
  Uniqueness,
  UserStore,
  VersionMismatch
} from "@scimkit/core"
import * as Context from "effect/Context"
import type * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Base64Url from "effect/encoding/Base64Url"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Predicate from "effect/Predicate"
import * as Migrator from "effect/sql/Migrator"
import * as SqlClient from "effect/sql/SqlClient"
import { isSqlError, type SqlError } from "effect/sql/SqlError"
import type { Row } from "effect/sql/SqlConnection"
import type { Fragment, Statement } from "effect/sql/Statement"
import type { Dialect } from "./Dialect.js"
import { decodeError, storeError as storeErrorOf, uniqueOr } from "./internal/errors.js"
import * as FilterSql from "./internal/filterSql.js"
import * as QuerySql from "./internal/querySql.js"
import * as Rows from "./internal/rows.js"

/** Every port the store provides. @since 0.1.0 */
export type Stores = CoreStores

/** The table of applied migrations. @since 0.1.0 */
export const migrationsTable = "scimkit_migrations"

/**
 * The migration, the same on every engine, that gives each platform a random secret of its own for
 * its pagination cursors (a column of `scimkit_platforms`, filled for the platforms that exist).
 *
 * @since 0.2.0
 */
export const migrateCursorSecrets: Effect.Effect<void, unknown, SqlClient.SqlClient> = Effect.flatMap(SqlClient.SqlClient, (sql) =>
  Effect.gen(function*() {
    yield* sql.unsafe("alter table scimkit_platforms add column cursor_secret text")
    const rows = yield* sql.unsafe<{ readonly id: string }>("select id from scimkit_platforms")
    for (const row of rows) {
      const secret = Base64Url.encode(globalThis.crypto.getRandomValues(new Uint8Array(32)))
      yield* sql`update scimkit_platforms set cursor_secret = ${secret} where id = ${row.id}`
    }
  }))

/**
 * A `StoreError` for a failed statement or connection, saying what was being done; retryable when
 * the dialect says the database is unreachable or busy.
 *
 * @since 0.1.0
 */
export const storeError = (dialect: Dialect, action: string): (error: SqlError) => StoreError => storeErrorOf(dialect.errors, action)

// ---------------------------------------------------------------------------------------------
// rows

const userColumns = "t.id, t.user_name, t.external_id, t.display_name, t.active, t.platform_role, t.document, t.version, t.created, t.last_modified"
const projectColumns = "t.id, t.display_name, t.external_id, t.document, t.version, t.created, t.last_modified"
const projectReturning = "id, display_name, external_id, document, version, created, last_modified"
const apiKeyColumns = "id, platform, name, hash, prefix, created, last_used, revoked"
const platformColumns = "id, name, owner_id, compatibility, created, unique_external_id, cursor_secret"

const secretOf = (platform: Platform): string | null => Option.getOrNull(Option.map(platform.cursorSecret, Redacted.value))

/**
 * Every store call has one span (`Store<engine>.<Port>.<call>`), without the stack trace Effect
 * would otherwise capture for it: that is an `Error` per call, on every request's path.
 */
const noStackTrace = { captureStackTrace: false } as const

/** Rows per statement when adding members (bounded by the engines' parameter limits). */
const memberChunk = 1_000

const userTarget = (user: StoredUser) => (index: string) => {
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

const projectTarget = (project: StoredProject) => (index: string) => {
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

/**
 * The statements of a list query over users or groups, as the store runs them (for `EXPLAIN` in
 * the drivers' tests). Throws for a filter or sort the core would reject.
 *
 * @since 0.1.0
 * @internal
 */
export const queryStatements = (
  dialect: Dialect,
  sql: SqlClient.SqlClient,
  resource: "User" | "Group",
  platform: PlatformId,
  query: StoreQuery.StoreQuery
): { readonly total: Statement<Row>; readonly rows: Statement<Row> | undefined } => {
  const c: FilterSql.Sql = { sql, d: dialect.sql(sql) }
  const planned = resource === "User"
    ? QuerySql.plan(c, FilterSql.userView(c), "scimkit_users", userColumns, platform, query)
    : QuerySql.plan(c, FilterSql.projectView(c), "scimkit_projects", projectColumns, platform, query)
  return { total: planned.total, rows: planned.rows }
}

// ---------------------------------------------------------------------------------------------
// the store

/**
 * Builds the ports over the `SqlClient` in context and returns them as one context (they share the
 * client, so `Transactions.run` spans all of them). Expects the schema of {@link migrate}.
 *
 * @since 0.1.0
 */
export const make = (dialect: Dialect): Effect.Effect<Context.Context<Stores>, never, SqlClient.SqlClient> =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const d = dialect.sql(sql)
    const c: FilterSql.Sql = { sql, d }
    const errors = dialect.errors
    const read = Rows.readers(dialect.columns)
    const users = FilterSql.userView(c)
    const projects = FilterSql.projectView(c)
    const traced = (name: string) => Effect.withSpan(`Store${dialect.name}.${name}`, undefined, noStackTrace)
    const ts = (dt: DateTime.Utc) => d.timestamp(dt)
    // the externalId under the unique index exactly when the platform asks for unique externalIds
    const externalIdKey = (platform: PlatformId, externalId: Option.Option<string>) =>
      Option.isNone(externalId)
        ? null
        : sql`case when exists (select 1 from scimkit_platforms p where p.id = ${platform} and p.unique_external_id = 1)
            then ${externalId.value} end`
    const tsOrNull = (dt: Option.Option<DateTime.Utc>) => d.timestamp(Option.getOrNull(dt))

    const failure = (action: string) => storeErrorOf(errors, action)
    const sqlFailure = (action: string) => (e: SqlError) => Effect.fail(failure(action)(e))

    // ---- reading rows: each call is its statement and one step that reads what it returned

    /** `f()` over the rows read, or the `StoreError` of a row that does not have the expected shape. */
    const decoded = <A>(action: string, f: () => A): Effect.Effect<A, StoreError> => {
      try {
        return Effect.succeed(f())
      } catch (e) {
        if (e instanceof Rows.RowMismatch) return Effect.fail(decodeError(action)(e))
        throw e
      }
    }

    /** `f` of the rows of `statement`. */
    const readRows = <A>(
      action: string,
      statement: Effect.Effect<ReadonlyArray<Row>, SqlError>,
      f: (rows: ReadonlyArray<Row>) => A
    ): Effect.Effect<A, StoreError> =>
      Effect.matchEffect(statement, { onFailure: sqlFailure(action), onSuccess: (rows) => decoded(action, () => f(rows)) })

    /** Every row of `statement`, read by `decode`. */
    const many = <A>(
      decode: (row: Row) => A,
      action: string,
      statement: Effect.Effect<ReadonlyArray<Row>, SqlError>
    ): Effect.Effect<ReadonlyArray<A>, StoreError> => readRows(action, statement, (rows) => rows.map((row) => decode(row)))

    /** The first row of `statement` read by `decode`; `none()` fails when there is none. */
    const first = <A, E>(
      decode: (row: Row) => A,
      action: string,
      statement: Effect.Effect<ReadonlyArray<Row>, SqlError>,
      none: () => E
    ): Effect.Effect<A, E | StoreError> =>
      Effect.matchEffect(statement, {
        onFailure: sqlFailure(action),
        onSuccess: (rows): Effect.Effect<A, E | StoreError> => rows.length === 0 ? Effect.fail(none()) : decoded(action, () => decode(rows[0]!))
      })

    /** The first row of `statement` read by `decode`, if there is one. */
    const optional = <A>(
      decode: (row: Row) => A,
      action: string,
      statement: Effect.Effect<ReadonlyArray<Row>, SqlError>
    ): Effect.Effect<Option.Option<A>, StoreError> =>
      Effect.matchEffect(statement, {
        onFailure: sqlFailure(action),
        onSuccess: (rows) => rows.length === 0 ? Effect.succeedNone : decoded(action, () => Option.some(decode(rows[0]!)))
      })

    /** A `count(*)` read as `total`: one row. */
    const countOf = (action: string, statement: Effect.Effect<ReadonlyArray<Row>, SqlError>): Effect.Effect<number, StoreError> =>
      readRows(action, statement, (rows) => (rows.length === 0 ? 0 : read.integer(rows[0]!, "total")))

    const versionOf = (row: Row) => read.integer(row, "version")

    const notFound = (resourceType: string, id: string) => new ResourceNotFound({ resourceType, id })

    /**
     * A versioned write changed nothing: tells not-found from a version mismatch by reading the
     * version (the write itself checked `version = expected`, so check and write are one step).
     */
    const unchanged = (
      resourceType: "User" | "Group",
      table: "scimkit_users" | "scimkit_projects",
      platform: PlatformId,
      id: string,
      expected: number
    ): Effect.Effect<never, ResourceNotFound | VersionMismatch | StoreError> =>
      first(
        versionOf,
        `read the version of ${resourceType} ${id}`,
        sql`select version from ${sql(table)} where platform = ${platform} and id = ${d.text(id)}`,
        () => notFound(resourceType, id)
      ).pipe(
        Effect.flatMap((actual) => Effect.fail(new VersionMismatch({ resourceType, id, expected: String(expected), actual: String(actual) })))
      )

    // ---- queries (filter, sort and paging in SQL)

    /**
     * One list page. Index paging reads page and exact total in one statement (the total rides on
     * every row; only a page past the end, which has no row, counts apart); cursor paging reads the
     * keyset-bounded page and the total of the whole result side by side, in two.
     */
    const runQuery = <A>(
      view: FilterSql.View,
      table: "scimkit_users" | "scimkit_projects",
      columns: string,
      decode: (row: Row) => A,
      platform: PlatformId,
      query: StoreQuery.StoreQuery
    ): Effect.Effect<StoreQuery.Page<A>, StoreError> => {
      const action = `list ${view.rt.name}s`
      let planned: QuerySql.QueryPlan
      try {
        planned = QuerySql.plan(c, view, table, columns, platform, query)
      } catch (e) {
        return Effect.die(
          e instanceof FilterSql.UnsupportedFilter ? new Error(`The query reached the store without being checked: ${e.message}`) : e
        )
      }
      const total = countOf(action, planned.total)
      if (planned._tag === "Index") {
        const { count, rows, start } = planned
        const page = (items: ReadonlyArray<A>, matches: number): StoreQuery.Page<A> => ({
          items,
          total: matches,
          hasMore: start + count < matches
        })
        if (rows === undefined) return Effect.map(total, (matches) => page([], matches))
        return Effect.matchEffect(rows, {
          onFailure: sqlFailure(action),
          onSuccess: (found) =>
            found.length > 0
              ? decoded(action, () => page(found.map((row) => decode(row)), read.integer(found[0]!, QuerySql.totalColumn)))
              : start === 0
              ? Effect.succeed(page([], 0))
              : Effect.map(total, (matches) => page([], matches))
        })
      }
      const { backward, count } = planned
      return Effect.map(
        Effect.all([total, many(decode, action, planned.rows)], { concurrency: "unbounded" }),
        ([matches, found]) => {
          const items = found.slice(0, count)
          return { items: backward ? items.reverse() : items, total: matches, hasMore: found.length > count }
        }
      )
    }

    // ---- users

    const userSelect = sql.literal(userColumns)
    const refsOrder = sql`${d.exact(sql`p.display_name`)}, p.id`
    /**
     * The projects of one user, in the order of `listUserProjects`, as one JSON array: a correlated
     * subquery, evaluated per user on the membership index whatever the planner thinks of the tables'
     * sizes (a join of every asked user's memberships can be planned as a scan when statistics are
     * missing, as right after a bulk load).
     */
    const projectsOf = (platform: Fragment, user: Fragment) =>
      sql`(select ${d.jsonArrayAgg([["id", sql`p.id`], ["displayName", sql`p.display_name`]], refsOrder)}
        from scimkit_project_members m join scimkit_projects p on p.platform = m.platform and p.id = m.project_id
        where m.platform = ${platform} and m.user_id = ${user})`
    const userProjects = projectsOf(sql`t.platform`, sql`t.id`)
    const userWithProjects = (row: Row) => ({ user: read.user(row), projects: read.projectRefs(row, "projects") })

    const userStore = UserStore.of({
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
          sql`select ${userSelect}, ${userProjects} as projects from scimkit_users t where t.platform = ${platform} and t.id = ${d.text(id)}`,
          () => notFound("User", id)
        ).pipe(traced("UserStore.getWithProjects")),
      getMany: (platform, ids) =>
        ids.length === 0
          ? Effect.succeed([])
          : many(
            read.user,
            "read users",
            sql`select ${userSelect} from scimkit_users t where t.platform = ${platform} and ${d.oneOf(sql`t.id`, Array.from(new Set(ids)))}`
          ).pipe(traced("UserStore.getMany")),
      findByUserName: (platform, userName) =>
        many(
          read.user,
          "find a user by userName",
          sql`select ${userSelect} from scimkit_users t
            where t.platform = ${platform} and ${d.folded(sql`t.user_name`)} = ${d.folded(d.text(userName))}`
        ).pipe(traced("UserStore.findByUserName")),
      query: (platform, query) => runQuery(users, "scimkit_users", userColumns, read.user, platform, query).pipe(traced("UserStore.query")),
      insert: (platform, user) =>
        sql`insert into scimkit_users
            (platform, id, user_name, external_id, external_id_key, display_name, active, platform_role, document, version, created, last_modified)
          values (${platform}, ${user.id}, ${user.userName}, ${Option.getOrNull(user.externalId)},
            ${externalIdKey(platform, user.externalId)}, ${Option.getOrNull(user.displayName)},
            ${user.active}, ${user.platformRole}, ${d.document(user.document)}, ${user.version},
            ${ts(user.created)}, ${ts(user.lastModified)})`.pipe(
          Effect.matchEffect({
            onFailure: uniqueOr(errors, `create user ${user.userName}`, "user", userTarget(user)),
            onSuccess: () => Effect.succeed(user)
          }),
          traced("UserStore.insert")
        ),
      update: (platform, user, expectedVersion) =>
        sql`update scimkit_users set user_name = ${user.userName}, external_id = ${Option.getOrNull(user.externalId)},
              external_id_key = ${externalIdKey(platform, user.externalId)},
              display_name = ${Option.getOrNull(user.displayName)}, active = ${user.active}, platform_role = ${user.platformRole},
              document = ${d.document(user.document)}, version = ${user.version},
              created = ${ts(user.created)}, last_modified = ${ts(user.lastModified)}
            where platform = ${platform} and id = ${user.id} and version = ${expectedVersion}
            returning 1 as changed`.pipe(
          Effect.matchEffect({
            onFailure: uniqueOr(errors, `update user ${user.id}`, "user", userTarget(user)),
            onSuccess: (changed) =>
              changed.length > 0 ? Effect.succeed(user) : unchanged("User", "scimkit_users", platform, user.id, expectedVersion)
          }),
          traced("UserStore.update")
        ),
      remove: (platform, id, expectedVersion) =>
        sql`delete from scimkit_users where platform = ${platform} and id = ${d.text(id)} and version = ${expectedVersion}
          returning 1 as changed`.pipe(
          Effect.matchEffect({
            onFailure: sqlFailure(`delete user ${id}`),
            onSuccess: (changed) => changed.length > 0 ? Effect.void : unchanged("User", "scimkit_users", platform, id, expectedVersion)
          }),
          traced("UserStore.remove")
        )
    })

    // ---- projects and memberships

    /** A foreign key failure when adding members: tells which of the group and the users is missing. */
    const addFailure = (platform: PlatformId, id: ProjectId, action: string) => (e: SqlError) => {
      if (!errors.isForeignKeyViolation(e)) return Effect.fail(failure(action)(e))
      return optional(versionOf, action, sql`select version from scimkit_projects where platform = ${platform} and id = ${d.text(id)}`).pipe(
        Effect.flatMap((project) =>
          Effect.fail(
            new StoreError({
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

    const insertMembers = (platform: PlatformId, id: ProjectId, pairs: ReadonlyArray<readonly [string, string]>) =>
      sql`insert into scimkit_project_members (platform, project_id, user_id, role)
        select ${platform}, ${d.text(id)}, a.user_id, a.role from ${d.pairs("a", pairs)}
        where true
        on conflict do nothing
        returning 1 as added`.pipe(Effect.map((inserted) => inserted.length))

    const projectSelect = sql.literal(projectColumns)

    const projectStore = ProjectStore.of({
      get: (platform, id) =>
        first(
          read.project,
          `read group ${id}`,
          sql`select ${projectSelect} from scimkit_projects t where t.platform = ${platform} and t.id = ${d.text(id)}`,
          () => notFound("Group", id)
        ).pipe(traced("ProjectStore.get")),
      query: (platform, query) =>
        runQuery(projects, "scimkit_projects", projectColumns, read.project, platform, query).pipe(traced("ProjectStore.query")),
      insert: (platform, project) =>
        sql`insert into scimkit_projects (platform, id, display_name, external_id, external_id_key, document, version, created, last_modified)
          values (${platform}, ${project.id}, ${project.displayName}, ${Option.getOrNull(project.externalId)},
            ${externalIdKey(platform, project.externalId)},
            ${d.document(project.document)}, ${project.version}, ${ts(project.created)}, ${ts(project.lastModified)})`.pipe(
          Effect.matchEffect({
            onFailure: uniqueOr(errors, `create group ${project.displayName}`, "group", projectTarget(project)),
            onSuccess: () => Effect.succeed(project)
          }),
          traced("ProjectStore.insert")
        ),
      update: (platform, project, expectedVersion) =>
        sql`update scimkit_projects set display_name = ${project.displayName}, external_id = ${Option.getOrNull(project.externalId)},
              external_id_key = ${externalIdKey(platform, project.externalId)},
              document = ${d.document(project.document)}, version = ${project.version},
              created = ${ts(project.created)}, last_modified = ${ts(project.lastModified)}
            where platform = ${platform} and id = ${project.id} and version = ${expectedVersion}
            returning 1 as changed`.pipe(
          Effect.matchEffect({
            onFailure: uniqueOr(errors, `update group ${project.id}`, "group", projectTarget(project)),
            onSuccess: (changed) =>
              changed.length > 0 ? Effect.succeed(project) : unchanged("Group", "scimkit_projects", platform, project.id, expectedVersion)
          }),
          traced("ProjectStore.update")
        ),
      remove: (platform, id, expectedVersion) =>
        sql`delete from scimkit_projects where platform = ${platform} and id = ${d.text(id)} and version = ${expectedVersion}
          returning 1 as changed`.pipe(
          Effect.matchEffect({
            onFailure: sqlFailure(`delete group ${id}`),
            onSuccess: (changed) => changed.length > 0 ? Effect.void : unchanged("Group", "scimkit_projects", platform, id, expectedVersion)
          }),
          traced("ProjectStore.remove")
        ),
      touch: (platform, id, lastModified) =>
        first(
          read.project,
          `record a membership change of group ${id}`,
          sql`update scimkit_projects set version = version + 1, last_modified = ${ts(lastModified)}
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
        countOf(
          `count the members of group ${id}`,
          sql`select cast(count(*) as integer) as total from scimkit_project_members where platform = ${platform} and project_id = ${d.text(id)}`
        ).pipe(traced("ProjectStore.countMembers")),
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
            Effect.map(Effect.forEach(chunks, (chunk) => insertMembers(platform, id, chunk)), (added) => added.reduce((a, b) => a + b, 0))
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
              where platform = ${platform} and project_id = ${d.text(id)} and ${d.oneOf(sql`user_id`, Array.from(new Set(userIds)))}
              returning 1 as removed`.pipe(
            Effect.matchEffect({ onFailure: sqlFailure(`remove members from group ${id}`), onSuccess: (deleted) => Effect.succeed(deleted.length) }),
            traced("ProjectStore.removeMembers")
          ),
      removeAllMembers: (platform, id) =>
        sql`delete from scimkit_project_members where platform = ${platform} and project_id = ${d.text(id)} returning 1 as removed`.pipe(
          Effect.matchEffect({ onFailure: sqlFailure(`remove all members from group ${id}`), onSuccess: (deleted) => Effect.succeed(deleted.length) }),
          traced("ProjectStore.removeAllMembers")
        ),
      listUserProjects: (platform, user) =>
        many(
          read.projectRef,
          `list the groups of user ${user}`,
          sql`select p.id, p.display_name
            from scimkit_project_members m join scimkit_projects p on p.platform = m.platform and p.id = m.project_id
            where m.platform = ${platform} and m.user_id = ${d.text(user)}
            order by ${refsOrder}`
        ).pipe(traced("ProjectStore.listUserProjects")),
      listUsersProjects: (platform, users) => {
        if (users.length === 0) return Effect.succeed(new Map())
        // one row per asked id (unknown ones too, with []), each with its groups
        return readRows(
          "list the groups of users",
          sql`select u.value as user_id, ${projectsOf(sql`${platform}`, sql`u.value`)} as projects
            from ${d.texts("u", Array.from(new Set(users)))}`,
          (rows) => {
            const out = new Map<UserId, ReadonlyArray<ProjectRef>>()
            for (const row of rows) out.set(Rows.text(row, "user_id") as UserId, read.projectRefs(row, "projects"))
            return out as ReadonlyMap<UserId, ReadonlyArray<ProjectRef>>
          }
        ).pipe(traced("ProjectStore.listUsersProjects"))
      }
    })

    // ---- API keys

    const apiKeySelect = sql.literal(apiKeyColumns)

    const apiKeyStore = ApiKeyStore.of({
      insert: (key) =>
        sql`insert into scimkit_api_keys (id, platform, name, hash, prefix, created, last_used, revoked)
          values (${key.id}, ${key.platform}, ${key.name}, ${key.hash}, ${key.prefix}, ${ts(key.created)},
            ${tsOrNull(key.lastUsed)}, ${tsOrNull(key.revoked)})`.pipe(
          Effect.matchEffect({
            onFailure: (e) => {
              const index = errors.uniqueIndex(e)
              return Effect.fail(
                index === "scimkit_api_keys_pkey"
                  ? new StoreError({ message: `An API key with id ${key.id} already exists`, cause: e })
                  : index === "scimkit_api_keys_hash_key"
                  ? new StoreError({ message: "An API key with the same hash already exists; generate a new secret", cause: e })
                  : failure("store an API key")(e)
              )
            },
            onSuccess: () => Effect.succeed(key)
          }),
          traced("ApiKeyStore.insert")
        ),
      findByHash: (hash) =>
        optional(read.apiKey, "find an API key", sql`select ${apiKeySelect} from scimkit_api_keys where hash = ${d.text(hash)}`).pipe(
          traced("ApiKeyStore.findByHash")
        ),
      get: (id) =>
        first(
          read.apiKey,
          `read API key ${id}`,
          sql`select ${apiKeySelect} from scimkit_api_keys where id = ${d.text(id)}`,
          () => notFound("ApiKey", id)
        ).pipe(traced("ApiKeyStore.get")),
      list: (platform) =>
        many(
          read.apiKey,
          "list API keys",
          sql`select ${apiKeySelect} from scimkit_api_keys where platform = ${platform} order by created, id`
        ).pipe(traced("ApiKeyStore.list")),
      revoke: (id, at) =>
        first(
          read.apiKey,
          `revoke API key ${id}`,
          sql`update scimkit_api_keys set revoked = coalesce(revoked, ${ts(at)}) where id = ${d.text(id)}
            returning ${apiKeySelect}`,
          () => notFound("ApiKey", id)
        ).pipe(traced("ApiKeyStore.revoke")),
      // written only when it moves forward, so verifying a key on every request rarely writes
      touch: (id, at) =>
        sql`update scimkit_api_keys set last_used = ${ts(at)}
          where id = ${d.text(id)} and (last_used is null or last_used < ${ts(at)})`.pipe(
          Effect.matchEffect({ onFailure: sqlFailure(`record the use of API key ${id}`), onSuccess: () => Effect.void }),
          traced("ApiKeyStore.touch")
        )
    })

    // ---- platforms

    const platformSelect = sql.literal(platformColumns)

    const platformStore = PlatformStore.of({
      insert: (platform) =>
        sql`insert into scimkit_platforms (id, name, owner_id, compatibility, created, unique_external_id, cursor_secret)
          values (${platform.id}, ${platform.name}, ${Option.getOrNull(platform.ownerId)}, ${platform.compatibility},
            ${ts(platform.created)}, ${platform.uniqueExternalId ? 1 : 0}, ${secretOf(platform)})`.pipe(
          Effect.matchEffect({
            onFailure: uniqueOr(errors, `create platform ${platform.name}`, "platform", (index) =>
              index === "scimkit_platforms_pkey"
                ? { attribute: "id", value: platform.id }
                : index === "scimkit_platforms_name_key"
                ? { attribute: "name", value: platform.name }
                : undefined),
            onSuccess: () => Effect.succeed(platform)
          }),
          traced("PlatformStore.insert")
        ),
      get: (id) =>
        first(
          read.platform,
          `read platform ${id}`,
          sql`select ${platformSelect} from scimkit_platforms where id = ${d.text(id)}`,
          () => notFound("Platform", id)
        ).pipe(traced("PlatformStore.get")),
      findByName: (name) =>
        optional(
          read.platform,
          "find a platform by name",
          sql`select ${platformSelect} from scimkit_platforms where lower(name) = lower(${d.text(name)})`
        ).pipe(traced("PlatformStore.findByName")),
      list: () =>
        many(read.platform, "list platforms", sql`select ${platformSelect} from scimkit_platforms order by created, id`).pipe(
          traced("PlatformStore.list")
        ),
      update: (platform) =>
        sql.withTransaction(Effect.gen(function*() {
          const before = yield* first(
            read.platform,
            `read platform ${platform.id}`,
            sql`select ${platformSelect} from scimkit_platforms where id = ${d.text(platform.id)}`,
            () => notFound("Platform", platform.id)
          )
          yield* sql`update scimkit_platforms set name = ${platform.name}, owner_id = ${Option.getOrNull(platform.ownerId)},
              compatibility = ${platform.compatibility}, created = ${ts(platform.created)},
              unique_external_id = ${platform.uniqueExternalId ? 1 : 0}, cursor_secret = ${secretOf(platform)}
            where id = ${platform.id}`.pipe(
            Effect.catchTag("SqlError", (e) =>
              Effect.fail(
                errors.uniqueIndex(e) === "scimkit_platforms_name_key"
                  ? new StoreError({
                    message: `Cannot rename platform ${platform.id} to ${JSON.stringify(platform.name)}: another platform has that name`,
                    cause: e
                  })
                  : failure(`update platform ${platform.id}`)(e)
              ))
          )
          if (before.uniqueExternalId !== platform.uniqueExternalId) {
            // the unique index on external_id_key now decides: filling it in fails on duplicates, so nothing changes
            for (const [table, what] of [["scimkit_users", "user"], ["scimkit_projects", "group"]] as const) {
              yield* sql`update ${sql(table)} set external_id_key = ${platform.uniqueExternalId ? sql`external_id` : null}
                where platform = ${platform.id}`.pipe(
                Effect.catchTag("SqlError", (e): Effect.Effect<never, Uniqueness | StoreError> =>
                  errors.uniqueIndex(e) === undefined
                    ? Effect.fail(failure(`update platform ${platform.id}`)(e))
                    : Effect.fail(new Uniqueness({
                      attribute: "externalId",
                      value: "",
                      detail: `Some ${what}s of this platform share an externalId; give them distinct externalIds before making externalId unique`
                    })))
              )
            }
          }
          return platform
        })).pipe(
          Effect.catchTag("SqlError", failure(`update platform ${platform.id}`)),
          traced("PlatformStore.update")
        )
    })

    // ---- transactions

    const transactions = Transactions.of({
      run: <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
        sql.withTransaction(effect).pipe(
          // only BEGIN and COMMIT themselves fail with SqlError here (statements map their own errors);
          // the port has no error channel for them, so they become defects carrying a StoreError
          Effect.catchIf(isSqlError, (e) => Effect.die(failure("run a transaction")(e))),
          Effect.catchDefect((defect) => Effect.die(isSqlError(defect) ? failure("commit a transaction")(defect) : defect))
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
export const layer = (dialect: Dialect): Layer.Layer<Stores, never, SqlClient.SqlClient> => Layer.effectContext(make(dialect))

// ---------------------------------------------------------------------------------------------
// migrations

/**
 * Runs the migrations (table `scimkit_migrations`) and returns those applied now. Idempotent, and
 * safe when several processes start at once: the whole run is one transaction that first takes
 * the dialect's migration lock, so one process migrates while the others wait and then find
 * nothing to do.
 *
 * @since 0.1.0
 */
export const migrate = (
  dialect: Dialect
): Effect.Effect<ReadonlyArray<readonly [id: number, name: string]>, StoreError, SqlClient.SqlClient> =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    return yield* sql.withTransaction(
      Effect.gen(function*() {
        yield* dialect.beforeMigrate(migrationsTable)
        return yield* Migrator.make({})({ loader: Migrator.fromRecord(dialect.migrations), table: migrationsTable })
      })
    )
  }).pipe(
    Effect.catchTags({
      SqlError: (e: SqlError) => Effect.fail(storeErrorOf(dialect.errors, "migrate the database")(e)),
      MigrationError: (e) => Effect.fail(new StoreError({ message: `Cannot migrate the database: ${e.message}`, cause: e }))
    }),
    Effect.catchDefect((defect) =>
      Predicate.isTagged(defect, "MigrationError") || Predicate.isTagged(defect, "SqlError")
        ? Effect.fail(new StoreError({ message: `Cannot migrate the database: ${String(defect)}`, cause: defect }))
        : Effect.die(defect)
    ),
    Effect.withSpan(`Store${dialect.name}.migrate`)
  )

/**
 * Migrates the database when the layer is built (see {@link migrate}).
 *
 * @since 0.1.0
 */
export const layerMigrations = (dialect: Dialect): Layer.Layer<never, StoreError, SqlClient.SqlClient> =>
  Layer.effectDiscard(migrate(dialect))

/**
 * The ports over the `SqlClient` in context, after migrating it.
 *
 * @since 0.1.0
 */
export const layerMigrated = (dialect: Dialect): Layer.Layer<Stores, StoreError, SqlClient.SqlClient> =>
  Layer.merge(layer(dialect), layerMigrations(dialect))

/**
 * Fails unless the database was migrated by this version (every migration applied), for a client
 * that must not migrate (read-only).
 *
 * @since 0.1.0
 */
export const checkMigrated = (dialect: Dialect): Effect.Effect<void, StoreError, SqlClient.SqlClient> =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const latest = Math.max(...Object.keys(dialect.migrations).map((key) => Number.parseInt(key, 10)))
    const rows = yield* sql`select max(migration_id) as latest from ${sql(migrationsTable)}`.pipe(
      Effect.catchTag("SqlError", (e) =>
        Effect.fail(
          new StoreError({ message: `The database has no scimkit schema (${e.message}); start the server once to create it`, cause: e })
        ))
    )
    const found = Number(rows[0]?.["latest"] ?? 0)
    if (found < latest) {
      return yield* Effect.fail(
        new StoreError({ message: `The database is at migration ${found}, this version needs ${latest}; start the server once to migrate it` })
      )
    }
  })
