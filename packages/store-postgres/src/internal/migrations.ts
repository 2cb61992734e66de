/**
 * The Postgres schema, as `effect/sql` migrations. One statement per `sql` call (PGlite's extended protocol
 * takes one statement at a time). Text keys compare in the "C" collation (byte order, which is code
 * point order) so that sorting and keyset paging agree with the core's code-unit comparison on
 * every server, whatever its default collation.
 *
 * @internal
 */
import { StoreSql } from "@scimkit/store-sql"
import * as SqlClient from "effect/sql/SqlClient"
import * as Effect from "effect/Effect"

const statements = (sqls: ReadonlyArray<string>) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) => Effect.forEach(sqls, (text) => sql.unsafe(text), { discard: true }))

const createTables = statements([
  `create table scimkit_platforms (
    id text collate "C" primary key,
    name text not null,
    owner_id text collate "C",
    compatibility text not null,
    created timestamptz not null
  )`,
  // platform names are unique regardless of case
  `create unique index scimkit_platforms_name_key on scimkit_platforms (lower(name))`,
  `create table scimkit_users (
    platform text collate "C" not null,
    id text collate "C" not null,
    user_name text not null,
    external_id text collate "C",
    display_name text,
    active boolean not null,
    platform_role text not null,
    document jsonb not null,
    version integer not null,
    created timestamptz not null,
    last_modified timestamptz not null,
    constraint scimkit_users_pkey primary key (platform, id)
  )`,
  // userName is unique per platform regardless of case (RFC 7643 §4.1: caseExact false); the same
  // index serves lookups, sorting and keyset paging by userName, hence the "C" collation.
  `create unique index scimkit_users_user_name_key on scimkit_users (platform, (lower(user_name)) collate "C")`,
  `create unique index scimkit_users_external_id_key on scimkit_users (platform, external_id) where external_id is not null`,
  `create index scimkit_users_created_idx on scimkit_users (platform, created, id)`,
  `create table scimkit_projects (
    platform text collate "C" not null,
    id text collate "C" not null,
    display_name text not null,
    external_id text collate "C",
    document jsonb not null,
    version integer not null,
    created timestamptz not null,
    last_modified timestamptz not null,
    constraint scimkit_projects_pkey primary key (platform, id)
  )`,
  `create unique index scimkit_projects_display_name_key on scimkit_projects (platform, (lower(display_name)) collate "C")`,
  `create unique index scimkit_projects_external_id_key on scimkit_projects (platform, external_id) where external_id is not null`,
  `create index scimkit_projects_created_idx on scimkit_projects (platform, created, id)`,
  // one row per membership: adding or removing a member never rewrites the others
  `create table scimkit_project_members (
    platform text collate "C" not null,
    project_id text collate "C" not null,
    user_id text collate "C" not null,
    role text not null,
    constraint scimkit_project_members_pkey primary key (platform, project_id, user_id),
    constraint scimkit_project_members_project_fkey foreign key (platform, project_id)
      references scimkit_projects (platform, id) on delete cascade,
    constraint scimkit_project_members_user_fkey foreign key (platform, user_id)
      references scimkit_users (platform, id) on delete cascade
  )`,
  `create index scimkit_project_members_user_idx on scimkit_project_members (platform, user_id)`,
  // SCIM compares member values case-insensitively (members.value is not caseExact): "which
  // groups is this user in" (members[value eq "…"]) probes this index
  `create index scimkit_project_members_user_lower_idx on scimkit_project_members (platform, (lower(user_id)) collate "C")`,
  `create table scimkit_api_keys (
    id text collate "C" primary key,
    platform text collate "C" not null,
    name text not null,
    hash text collate "C" not null,
    prefix text not null,
    created timestamptz not null,
    last_used timestamptz,
    revoked timestamptz
  )`,
  `create unique index scimkit_api_keys_hash_key on scimkit_api_keys (hash)`,
  `create index scimkit_api_keys_platform_idx on scimkit_api_keys (platform, created, id)`
])

// SQL twins of the core's `Value.isPresent` and `Value.parseInstant`, so that pushed-down filters
// and sorts decide exactly as the core evaluator does.
const createFunctions = statements([
  `create function scimkit_present(v jsonb) returns boolean language plpgsql immutable as $fn$
  begin
    case jsonb_typeof(v)
      when 'string' then return v <> '""'::jsonb;
      when 'array' then return exists (select 1 from jsonb_array_elements(v) e where scimkit_present(e));
      when 'object' then return exists (select 1 from jsonb_each(v) e where scimkit_present(e.value));
      when 'null' then return false;
      else return v is not null;
    end case;
  end
  $fn$`,
  `create function scimkit_instant(t text) returns timestamptz language plpgsql immutable strict as $fn$
  declare
    m text[];
    y int; mo int; d int; h int := 0; mi int := 0; s numeric := 0; off int := 0;
  begin
    m := regexp_match(t, '^([0-9]{4})-([0-9]{2})-([0-9]{2})(?:[Tt ]([0-9]{2}):([0-9]{2})(?::([0-9]{2})([.][0-9]+)?)?([Zz]|([+-])([0-9]{2})(?::?([0-9]{2}))?)?)?$');
    if m is null then return null; end if;
    y := m[1]::int; mo := m[2]::int; d := m[3]::int;
    if y < 1 or mo < 1 or mo > 12 or d < 1
      or d > extract(day from (make_date(y, mo, 1) + interval '1 month' - interval '1 day')) then
      return null;
    end if;
    if m[4] is not null then
      h := m[4]::int; mi := m[5]::int;
      if h > 23 or mi > 59 then return null; end if;
      if m[6] is not null then
        s := m[6]::int;
        if s > 59 then return null; end if;
        if m[7] is not null then s := s + ('0' || m[7])::numeric; end if;
      end if;
      if m[9] is not null then
        if m[10]::int > 23 or coalesce(m[11], '0')::int > 59 then return null; end if;
        off := (m[10]::int * 60 + coalesce(m[11], '0')::int) * (case when m[9] = '-' then -1 else 1 end);
      end if;
    end if;
    return make_timestamptz(y, mo, d, h, mi, s, 'UTC') - make_interval(mins => off);
  end
  $fn$`,
  // the element a multi-valued attribute sorts by: its primary element, else its first (RFC 7644 §3.4.2.3)
  `create function scimkit_sort_element(x jsonb) returns jsonb language plpgsql immutable as $fn$
  begin
    if jsonb_typeof(x) = 'array' then
      return coalesce(
        (select a.e from jsonb_array_elements(x) with ordinality a(e, n)
          where jsonb_typeof(a.e) = 'object' and a.e -> 'primary' = 'true'::jsonb order by a.n limit 1),
        x -> 0);
    end if;
    return x;
  end
  $fn$`
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
  `alter table scimkit_users add column external_id_key text collate "C"`,
  `alter table scimkit_projects add column external_id_key text collate "C"`,
  `create index scimkit_users_external_id_idx on scimkit_users (platform, external_id) where external_id is not null`,
  `create index scimkit_projects_external_id_idx on scimkit_projects (platform, external_id) where external_id is not null`,
  `create unique index scimkit_users_external_id_key on scimkit_users (platform, external_id_key) where external_id_key is not null`,
  `create unique index scimkit_projects_external_id_key on scimkit_projects (platform, external_id_key) where external_id_key is not null`
])

const countTriggers = (table: "scimkit_users" | "scimkit_projects", column: "users" | "projects") => [
  // the schema the migration runs in, whatever the search_path of the session that writes later
  `create function ${table}_counted() returns trigger language plpgsql set search_path from current as $fn$
  begin
    if tg_op = 'INSERT' then
      insert into scimkit_platform_counts as n (platform, ${column})
        select c.platform, cast(count(*) as integer) from changed c group by c.platform
        on conflict (platform) do update set ${column} = n.${column} + excluded.${column};
    elsif tg_op = 'DELETE' then
      update scimkit_platform_counts n set ${column} = n.${column} - c.removed
        from (select platform, cast(count(*) as integer) as removed from changed group by platform) c
        where n.platform = c.platform;
    else
      update scimkit_platform_counts set ${column} = 0;
    end if;
    return null;
  end
  $fn$`,
  `create trigger ${table}_count_inserted after insert on ${table}
    referencing new table as changed for each statement execute function ${table}_counted()`,
  `create trigger ${table}_count_deleted after delete on ${table}
    referencing old table as changed for each statement execute function ${table}_counted()`,
  `create trigger ${table}_count_truncated after truncate on ${table}
    for each statement execute function ${table}_counted()`
]

/**
 * The number of users and of projects of each platform, kept exact by the database in the
 * transaction of every insert and delete (and truncate), so that an unfiltered list reads its
 * total from one row instead of counting every row of the platform. A table of its own, not
 * columns of `scimkit_platforms`: users and projects are stored under a platform id whether or
 * not a platform row exists, and bumping a counter never rewrites (nor locks) the platform row.
 *
 * Statement-level triggers over transition tables: a statement that inserts or deletes many rows
 * updates each platform's counter once (row triggers would update the one row as many times, every
 * version of it alive until commit). Concurrent writers of one platform queue on its counter row
 * from their insert or delete to their commit, as they would on any shared row; the store's writes
 * are single statements or short transactions. Creating the triggers locks both tables until the
 * migration commits, so the counts filled in here miss no concurrent write.
 */
const platformCounts = statements([
  `create table scimkit_platform_counts (
    platform text collate "C" primary key,
    users integer not null default 0,
    projects integer not null default 0
  )`,
  ...countTriggers("scimkit_users", "users"),
  ...countTriggers("scimkit_projects", "projects"),
  `insert into scimkit_platform_counts (platform, users, projects)
    select platform, cast(sum(users) as integer), cast(sum(projects) as integer) from (
      select platform, count(*) as users, 0 as projects from scimkit_users group by platform
      union all
      select platform, 0, count(*) from scimkit_projects group by platform
    ) c group by platform`
])

/**
 * Who manages each membership (`ProjectStore`): `scim` (the IdP sees and changes it) and `host`
 * (the host's own API); every membership that exists was made through SCIM. Columns with a
 * constant default: adding them rewrites no row. SCIM's reads filter on `scim` after the lookup by
 * key, so no index changes.
 */
const memberSources = statements([
  `alter table scimkit_project_members add column scim boolean not null default true`,
  `alter table scimkit_project_members add column host boolean not null default false`
])

/**
 * The change feed (`EventStore`) and the webhook delivery log (`DeliveryLog`).
 *
 * - `scimkit_events`: one row per event, `position` its key. Positions come from the one row of
 *   `scimkit_event_counter`: the write's transaction bumps it just before it inserts its events, as
 *   its last statements, and keeps the row locked until it commits. Writers therefore take positions
 *   one transaction at a time, each after the previous holder committed: positions are consecutive
 *   (a rollback undoes its bump) and in commit order, so a reader that saw position p has seen every
 *   event before p. The lock is held only from a write's last statements to its commit.
 * - `scimkit_event_checkpoints`: the last position each named consumer handled.
 * - `scimkit_event_leases`: which owner holds each named lease, until when.
 * - `scimkit_deliveries`: every attempt to post a batch of events, `id` increasing.
 */
const changeFeed = statements([
  `create table scimkit_events (
    position bigint primary key,
    platform text collate "C" not null,
    type text not null,
    resource_type text not null,
    resource_id text collate "C" not null,
    version integer not null,
    changed jsonb not null,
    before jsonb,
    after jsonb,
    member jsonb,
    at timestamptz not null,
    credential text,
    request_id text
  )`,
  `create index scimkit_events_platform_idx on scimkit_events (platform, position)`,
  `create index scimkit_events_resource_idx on scimkit_events (platform, resource_id, position)`,
  `create index scimkit_events_at_idx on scimkit_events (at)`,
  `create table scimkit_event_counter (
    id integer primary key check (id = 1),
    position bigint not null
  )`,
  `insert into scimkit_event_counter (id, position) values (1, 0)`,
  `create table scimkit_event_checkpoints (
    name text collate "C" primary key,
    position bigint not null
  )`,
  `create table scimkit_event_leases (
    name text collate "C" primary key,
    owner text collate "C" not null,
    expires_at timestamptz not null
  )`,
  `create table scimkit_deliveries (
    id bigint generated always as identity primary key,
    endpoint text collate "C" not null,
    batch_id text not null,
    first_position bigint not null,
    last_position bigint not null,
    events integer not null,
    attempt integer not null,
    at timestamptz not null,
    status integer,
    ok boolean not null,
    error text,
    duration_millis integer not null
  )`,
  `create index scimkit_deliveries_endpoint_idx on scimkit_deliveries (endpoint, id)`,
  `create index scimkit_deliveries_at_idx on scimkit_deliveries (at)`
])

/**
 * Every migration, keyed `<id>_<name>` for `Migrator.fromRecord`.
 *
 * @internal
 */
export const migrations: Record<string, Effect.Effect<void, unknown, SqlClient.SqlClient>> = {
  "0001_create_tables": createTables,
  "0002_create_functions": createFunctions,
  "0003_external_id_per_platform": externalIdPerPlatform,
  "0004_cursor_secret_per_platform": StoreSql.migrateCursorSecrets,
  "0005_platform_counts": platformCounts,
  "0006_member_sources": memberSources,
  "0007_change_feed": changeFeed
}
