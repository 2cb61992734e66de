/**
 * The SQLite schema, as `effect/sql` migrations: the tables and indexes of the Postgres schema in
 * SQLite's types. Instants are integers (milliseconds since the epoch, so that comparing and
 * ordering them is numeric and exact), documents JSON text, booleans 0/1. Text compares in
 * SQLite's default binary collation (code point order); the case-insensitive unique indexes are on
 * `lower(…)`, the expression lookups use.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import { StoreSql } from "@scimkit/store-sql"
import * as SqlClient from "effect/sql/SqlClient"

const statements = (sqls: ReadonlyArray<string>) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) => Effect.forEach(sqls, (text) => sql.unsafe(text), { discard: true }))

const createTables = statements([
  `create table scimkit_platforms (
    id text primary key,
    name text not null,
    owner_id text,
    compatibility text not null,
    created integer not null
  )`,
  // platform names are unique regardless of case
  `create unique index scimkit_platforms_name_key on scimkit_platforms (lower(name))`,
  `create table scimkit_users (
    platform text not null,
    id text not null,
    user_name text not null,
    external_id text,
    display_name text,
    active integer not null,
    platform_role text not null,
    document text not null,
    version integer not null,
    created integer not null,
    last_modified integer not null,
    primary key (platform, id)
  )`,
  // userName is unique per platform regardless of case (RFC 7643 §4.1: caseExact false); the same
  // index serves lookups, sorting and keyset paging by userName
  `create unique index scimkit_users_user_name_key on scimkit_users (platform, lower(user_name))`,
  `create unique index scimkit_users_external_id_key on scimkit_users (platform, external_id) where external_id is not null`,
  `create index scimkit_users_created_idx on scimkit_users (platform, created, id)`,
  `create table scimkit_projects (
    platform text not null,
    id text not null,
    display_name text not null,
    external_id text,
    document text not null,
    version integer not null,
    created integer not null,
    last_modified integer not null,
    primary key (platform, id)
  )`,
  `create unique index scimkit_projects_display_name_key on scimkit_projects (platform, lower(display_name))`,
  `create unique index scimkit_projects_external_id_key on scimkit_projects (platform, external_id) where external_id is not null`,
  `create index scimkit_projects_created_idx on scimkit_projects (platform, created, id)`,
  // one row per membership: adding or removing a member never rewrites the others
  `create table scimkit_project_members (
    platform text not null,
    project_id text not null,
    user_id text not null,
    role text not null,
    primary key (platform, project_id, user_id),
    foreign key (platform, project_id) references scimkit_projects (platform, id) on delete cascade,
    foreign key (platform, user_id) references scimkit_users (platform, id) on delete cascade
  ) without rowid`,
  `create index scimkit_project_members_user_idx on scimkit_project_members (platform, user_id)`,
  // SCIM compares member values case-insensitively (members.value is not caseExact)
  `create index scimkit_project_members_user_lower_idx on scimkit_project_members (platform, lower(user_id))`,
  `create table scimkit_api_keys (
    id text primary key,
    platform text not null,
    name text not null,
    hash text not null,
    prefix text not null,
    created integer not null,
    last_used integer,
    revoked integer
  )`,
  `create unique index scimkit_api_keys_hash_key on scimkit_api_keys (hash)`,
  `create index scimkit_api_keys_platform_idx on scimkit_api_keys (platform, created, id)`
])

/**
 * RFC 7643 §3.1 gives `externalId` no uniqueness and Entra ID maps it from `mailNickname`, which
 * can repeat: it is unique only on platforms that ask for it. `external_id_key` holds the
 * externalId exactly when the platform's `unique_external_id` is on, under a unique index; lookups
 * by externalId use the plain index.
 */
const externalIdPerPlatform = statements([
  `alter table scimkit_platforms add column unique_external_id integer not null default 0`,
  `drop index scimkit_users_external_id_key`,
  `drop index scimkit_projects_external_id_key`,
  `alter table scimkit_users add column external_id_key text`,
  `alter table scimkit_projects add column external_id_key text`,
  `create index scimkit_users_external_id_idx on scimkit_users (platform, external_id) where external_id is not null`,
  `create index scimkit_projects_external_id_idx on scimkit_projects (platform, external_id) where external_id is not null`,
  `create unique index scimkit_users_external_id_key on scimkit_users (platform, external_id_key) where external_id_key is not null`,
  `create unique index scimkit_projects_external_id_key on scimkit_projects (platform, external_id_key) where external_id_key is not null`
])

const countTriggers = (table: "scimkit_users" | "scimkit_projects", column: "users" | "projects") => [
  `create trigger ${table}_count_inserted after insert on ${table} begin
    insert into scimkit_platform_counts (platform, ${column}) values (new.platform, 1)
      on conflict (platform) do update set ${column} = ${column} + 1;
  end`,
  `create trigger ${table}_count_deleted after delete on ${table} begin
    update scimkit_platform_counts set ${column} = ${column} - 1 where platform = old.platform;
  end`
]

/**
 * The number of users and of projects of each platform, kept exact by row triggers in the
 * transaction of every insert and delete, so that an unfiltered list reads its total from one row
 * instead of counting every row of the platform. A table of its own, not columns of
 * `scimkit_platforms`: users and projects are stored under a platform id whether or not a platform
 * row exists. (SQLite has one writer at a time: the counter row adds no contention.)
 */
const platformCounts = statements([
  `create table scimkit_platform_counts (
    platform text primary key,
    users integer not null default 0,
    projects integer not null default 0
  )`,
  ...countTriggers("scimkit_users", "users"),
  ...countTriggers("scimkit_projects", "projects"),
  `insert into scimkit_platform_counts (platform, users, projects)
    select platform, sum(users), sum(projects) from (
      select platform, count(*) as users, 0 as projects from scimkit_users group by platform
      union all
      select platform, 0, count(*) from scimkit_projects group by platform
    ) group by platform`
])

/**
 * Who manages each membership (`ProjectStore`): `scim` (the IdP sees and changes it) and `host`
 * (the host's own API), 0/1 each; every membership that exists was made through SCIM.
 *
 * A user's groups (read with every user) are the user's memberships with `scim`: the user index
 * holds `scim` too, so it still covers that read. Without it, SQLite (no statistics: nothing runs
 * ANALYZE) reads the memberships by the primary key's `platform` alone — every membership of the
 * platform, per user read.
 */
const memberSources = statements([
  `alter table scimkit_project_members add column scim integer not null default 1`,
  `alter table scimkit_project_members add column host integer not null default 0`,
  `drop index scimkit_project_members_user_idx`,
  `create index scimkit_project_members_user_idx on scimkit_project_members (platform, user_id, scim)`
])

/**
 * The change feed (`EventStore`) and the webhook delivery log (`DeliveryLog`).
 *
 * - `scimkit_events`: one row per event, `position` its key (the rowid, so rows are kept in
 *   position order). Positions come from the one row of `scimkit_event_counter`, taken by the
 *   write's transaction just before it inserts its events: SQLite has one writer at a time, so
 *   positions are consecutive and in commit order without further locking.
 * - `scimkit_event_checkpoints`: the last position each named consumer handled.
 * - `scimkit_event_leases`: which owner holds each named lease, until when (milliseconds).
 * - `scimkit_deliveries`: every attempt to post a batch of events, `id` increasing (autoincrement:
 *   ids are never reused, even after the newest rows are pruned).
 */
const changeFeed = statements([
  `create table scimkit_events (
    position integer primary key,
    platform text not null,
    type text not null,
    resource_type text not null,
    resource_id text not null,
    version integer not null,
    changed text not null,
    before text,
    after text,
    member text,
    at integer not null,
    credential text,
    request_id text
  )`,
  `create index scimkit_events_platform_idx on scimkit_events (platform, position)`,
  `create index scimkit_events_resource_idx on scimkit_events (platform, resource_id, position)`,
  `create index scimkit_events_at_idx on scimkit_events (at)`,
  `create table scimkit_event_counter (
    id integer primary key check (id = 1),
    position integer not null
  )`,
  `insert into scimkit_event_counter (id, position) values (1, 0)`,
  `create table scimkit_event_checkpoints (
    name text primary key,
    position integer not null
  )`,
  `create table scimkit_event_leases (
    name text primary key,
    owner text not null,
    expires_at integer not null
  )`,
  `create table scimkit_deliveries (
    id integer primary key autoincrement,
    endpoint text not null,
    batch_id text not null,
    first_position integer not null,
    last_position integer not null,
    events integer not null,
    attempt integer not null,
    at integer not null,
    status integer,
    ok integer not null,
    error text,
    duration_millis integer not null
  )`,
  `create index scimkit_deliveries_endpoint_idx on scimkit_deliveries (endpoint, id)`,
  `create index scimkit_deliveries_at_idx on scimkit_deliveries (at)`
])

/**
 * Every migration, keyed `<id>_<name>` for `Migrator.fromRecord`. (The Postgres schema's
 * migration 2 creates SQL functions; SQLite has none to create, the dialect writes them inline.)
 *
 * @internal
 */
export const migrations: Record<string, Effect.Effect<void, unknown, SqlClient.SqlClient>> = {
  "0001_create_tables": createTables,
  "0002_external_id_per_platform": externalIdPerPlatform,
  "0003_cursor_secret_per_platform": StoreSql.migrateCursorSecrets,
  "0004_platform_counts": platformCounts,
  "0005_member_sources": memberSources,
  "0006_change_feed": changeFeed
}
