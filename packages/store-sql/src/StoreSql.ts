/**
 * The SQL store: every port of `@scimkit/core` over an Effect `SqlClient`, with the schema as
 * migrations and the SCIM filter, sort and paging pushed down to SQL — written once, over the
 * {@link Dialect.Dialect} of the engine (Postgres, SQLite) a driver package provides.
 *
 * This module wires the ports together; each port's body is an internal module named after it
 * (`internal/userStore.ts`, `internal/projectStore.ts`, `internal/apiKeyStore.ts`,
 * `internal/platformStore.ts`, `internal/eventStore.ts`, `internal/deliveryLog.ts`,
 * `internal/transactions.ts`), over what they share
 * (`internal/store/`: the client, row reading, errors) and the list queries (`internal/query/`:
 * the SCIM views of the tables, the filter compiler, sorting and keyset paging, the statements).
 *
 * Every store call is observed in two metrics (Effect `Metric`s, in the registry of the fiber that
 * calls, attribute `operation` such as `UserStore.get`): the histogram
 * `scimkit_store_statement_seconds` of its duration and the counter `scimkit_store_errors_total`
 * of its failures with a `StoreError` or a defect.
 */
import {
  ApiKeyStore,
  DeliveryLog,
  EventStore,
  PlatformStore,
  ProjectStore,
  Transactions,
  UserStore,
  type Model,
  type ScimError,
  type StoreQuery,
  type Stores
} from "@scimkit/core"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as SqlClient from "effect/sql/SqlClient"
import type { SqlError } from "effect/sql/SqlError"
import type { Row } from "effect/sql/SqlConnection"
import type { Statement } from "effect/sql/Statement"
import type { Dialect } from "./Dialect.js"
import * as ApiKeyStoreSql from "./internal/apiKeyStore.js"
import * as DeliveryLogSql from "./internal/deliveryLog.js"
import * as EventStoreSql from "./internal/eventStore.js"
import * as Migrations from "./internal/migrations.js"
import * as PlatformStoreSql from "./internal/platformStore.js"
import * as ProjectStoreSql from "./internal/projectStore.js"
import { plan } from "./internal/query/plan.js"
import { projectView, userView } from "./internal/query/views.js"
import * as StoreClient from "./internal/store/client.js"
import * as Errors from "./internal/store/errors.js"
import * as Tables from "./internal/store/tables.js"
import * as TransactionsSql from "./internal/transactions.js"
import * as UserStoreSql from "./internal/userStore.js"

/** The table of applied migrations. */
export const migrationsTable = Migrations.migrationsTable

/** The name of the histogram of store call durations in seconds (attribute `operation`). */
export const statementSecondsMetric: string = StoreClient.statementSecondsName

/** The name of the counter of store calls failed with a `StoreError` or a defect (attribute `operation`). */
export const storeErrorsMetric: string = StoreClient.storeErrorsName

/**
 * The migration, the same on every engine, that gives each platform a random secret of its own for
 * its pagination cursors (a column of `scimkit_platforms`, filled for the platforms that exist).
 */
export const migrateCursorSecrets: Effect.Effect<void, unknown, SqlClient.SqlClient> = Migrations.migrateCursorSecrets

/**
 * A `StoreError` for a failed statement or connection, saying what was being done; retryable when
 * the dialect says the database is unreachable or busy.
 */
export const storeError = (dialect: Dialect, action: string): (error: SqlError) => ScimError.StoreError =>
  Errors.storeError(dialect.errors, action)

/**
 * The statements of a list query over users or groups, as the store runs them (for `EXPLAIN` in
 * the drivers' tests). Throws for a filter or sort the core would reject.
 * @internal
 */
export const queryStatements = (
  dialect: Dialect,
  sql: SqlClient.SqlClient,
  resource: "User" | "Group",
  platform: Model.PlatformId,
  query: StoreQuery.StoreQuery
): { readonly total: Statement<Row>; readonly rows: Statement<Row> | undefined } => {
  const c = { sql, d: dialect.sql(sql) }
  const planned = resource === "User"
    ? plan(c, userView(c, query.resourceType), "scimkit_users", Tables.userColumns, platform, query)
    : plan(c, projectView(c), "scimkit_projects", Tables.projectColumns, platform, query)
  return { total: planned.total, rows: planned.rows }
}

/**
 * The statements that read a user's groups as the store runs them — with the user
 * (`UserStore.getWithProjects`), alone (`ProjectStore.listUserProjects`) and for several users
 * (`ProjectStore.listUsersProjects`) — for `EXPLAIN` in the drivers' tests.
 * @internal
 */
export const groupsStatements = (
  dialect: Dialect,
  sql: SqlClient.SqlClient,
  platform: Model.PlatformId,
  users: ReadonlyArray<string>
): { readonly withUser: Statement<Row>; readonly ofUser: Statement<Row>; readonly ofUsers: Statement<Row> } => {
  const client = StoreClient.make(dialect, sql)
  return {
    withUser: Tables.userWithProjectsStatement(client, platform, users[0] ?? ""),
    ofUser: Tables.userProjectsStatement(client, platform, users[0] ?? ""),
    ofUsers: Tables.usersProjectsStatement(client, platform, users)
  }
}

/**
 * Builds the ports over the `SqlClient` in context and returns them as one context (they share the
 * client, so `Transactions.run` spans all of them). Expects the schema of {@link migrate}.
 */
export const make = (dialect: Dialect): Effect.Effect<Context.Context<Stores.Stores>, never, SqlClient.SqlClient> =>
  Effect.map(SqlClient.SqlClient, (sql) => {
    const client = StoreClient.make(dialect, sql)
    return Context.make(UserStore.UserStore, UserStoreSql.make(client)).pipe(
      Context.add(ProjectStore.ProjectStore, ProjectStoreSql.make(client)),
      Context.add(ApiKeyStore.ApiKeyStore, ApiKeyStoreSql.make(client)),
      Context.add(PlatformStore.PlatformStore, PlatformStoreSql.make(client)),
      Context.add(EventStore.EventStore, EventStoreSql.make(client)),
      Context.add(DeliveryLog.DeliveryLog, DeliveryLogSql.make(client)),
      Context.add(Transactions.Transactions, TransactionsSql.make(client))
    )
  })

/**
 * Every port over the `SqlClient` in context (the schema must be migrated: see {@link layerMigrations}).
 */
export const layer = (dialect: Dialect): Layer.Layer<Stores.Stores, never, SqlClient.SqlClient> =>
  Layer.effectContext(make(dialect))

/**
 * Runs the migrations (table `scimkit_migrations`) and returns those applied now. Idempotent, and
 * safe when several processes start at once: the whole run is one transaction that first takes
 * the dialect's migration lock, so one process migrates while the others wait and then find
 * nothing to do.
 */
export const migrate: (
  dialect: Dialect
) => Effect.Effect<ReadonlyArray<readonly [id: number, name: string]>, ScimError.StoreError, SqlClient.SqlClient> =
  Migrations.migrate

/**
 * Migrates the database when the layer is built (see {@link migrate}).
 */
export const layerMigrations = (dialect: Dialect): Layer.Layer<never, ScimError.StoreError, SqlClient.SqlClient> =>
  Layer.effectDiscard(migrate(dialect))

/**
 * The ports over the `SqlClient` in context, after migrating it.
 */
export const layerMigrated = (
  dialect: Dialect
): Layer.Layer<Stores.Stores, ScimError.StoreError, SqlClient.SqlClient> =>
  Layer.merge(layer(dialect), layerMigrations(dialect))

/**
 * Fails unless the database was migrated by this version (every migration applied), for a client
 * that must not migrate (read-only).
 */
export const checkMigrated: (dialect: Dialect) => Effect.Effect<void, ScimError.StoreError, SqlClient.SqlClient> =
  Migrations.checkMigrated
