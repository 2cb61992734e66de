/**
 * The operators' command line, parsed by hand (no argument-parsing dependency): `platform create`,
 * `platform list`, `platform set`, `keys create`, `keys list`, `keys revoke`, `migrate`, `doctor`
 * and `audit`, each with `--json` and `--help`.
 */
import { ChangeEvent } from "@scimkit/core"
import * as Data from "effect/Data"
import * as Option from "effect/Option"
import * as Result from "effect/Result"

export type Command = Data.TaggedEnum<{
  Help: { readonly text: string }
  PlatformCreate: { readonly name: string; readonly owner: string; readonly json: boolean }
  PlatformList: { readonly json: boolean }
  PlatformSet: { readonly platform: string; readonly uniqueExternalId: boolean; readonly json: boolean }
  KeysCreate: { readonly platform: string; readonly name: string; readonly json: boolean }
  KeysList: { readonly platform: string; readonly json: boolean }
  KeysRevoke: { readonly id: string; readonly json: boolean }
  Migrate: { readonly from: StoreSpec; readonly to: Option.Option<StoreSpec>; readonly json: boolean }
  Doctor: { readonly platform: Option.Option<string>; readonly fix: boolean; readonly json: boolean }
  Audit: {
    readonly platform: string
    readonly after: number
    readonly limit: number
    readonly types: ReadonlyArray<ChangeEvent.EventType>
    readonly json: boolean
  }
}>

/**
 * A store named on the command line: `sqlite:<data directory>`, `pglite:<data directory>` (the
 * embedded Postgres of earlier versions) or a `postgres://…` URL. Paths are as typed (the runner
 * resolves them against the directory the command was run from).
 */
export type StoreSpec =
  | { readonly _tag: "Sqlite"; readonly path: string }
  | { readonly _tag: "Pglite"; readonly path: string }
  | { readonly _tag: "Postgres"; readonly url: string }

export const Command = Data.taggedEnum<Command>()

/** Wrong arguments: the message says what to type instead. */
export class UsageError extends Data.TaggedError("UsageError")<{ readonly message: string }> {}

/** The platform `keys` commands use when `--platform` is not given. */
export const defaultPlatform = "default"

/** The label of a key created without `--name`. */
export const defaultKeyName = "cli"

/** Events `audit` prints when `--limit` is not given. */
export const defaultAuditLimit = 50

/** Most events one `audit` prints (the change feed's largest audit page). */
export const maxAuditLimit = 1000

const program = "pnpm scimkit"

export const usage = `Usage: ${program} <command> [options]

Manage platforms (tenants) and their API keys. Uses the same store as the server:
DATABASE_URL if set, else the embedded store in SCIMKIT_DATA_DIR (default .scimkit/).

Commands:
  platform create <name> --owner <email>   Create a platform with its owner; prints its id and a new API key
  platform list                            List platforms
  platform set <platform> --unique-external-id | --no-unique-external-id
                                           Make externalId unique on the platform, or not (the default)
  keys create [--platform <id or name>] [--name <label>]
                                           Create an API key (default platform: ${defaultPlatform}); prints the secret once
  keys list [--platform <id or name>]      List keys: id, name, prefix, created, last used, revoked (never secrets)
  keys revoke <key id>                     Revoke a key; requests with it fail from the next one on
  migrate --from <store> [--to <store>]    Copy every platform, key, user, group and member into an empty store
                                           (default --to: the configured store); <store> is sqlite:<dir>,
                                           pglite:<dir> (the embedded store before SQLite) or postgres://…
  doctor [--platform <id or name>] [--fix] Find stored users and groups past today's limits; --fix repairs them
  audit [--platform <id or name>] [--after <position>] [--limit <n>] [--type <type,…>]
                                           The platform's audit log: who changed what, when, through which key

Options:
  --json    Machine-readable output on stdout (use \`pnpm -s scimkit …\` so pnpm prints nothing else)
  --help    Show help for a command

Exit codes: 0 success, 1 failure (for example the embedded store is in use by a running server), 2 wrong usage.`

const help: Record<string, string> = {
  platform: `Usage:
  ${program} platform create <name> --owner <email> [--json]
  ${program} platform list [--json]
  ${program} platform set <id or name> --unique-external-id | --no-unique-external-id [--json]

platform create  creates a platform (tenant) and its owner, an ADMIN user whose userName is <email>,
                 and prints the platform id and a first API key (shown once).
platform list    lists the platforms: id, name, owner, created, unique externalId.
platform set     makes externalId unique among the platform's users and among its groups, or not.
                 RFC 7643 gives externalId no uniqueness, and Entra ID maps it from mailNickname,
                 which can repeat, so it is off by default; turning it on fails while duplicates exist.`,
  keys: `Usage:
  ${program} keys create [--platform <id or name>] [--name <label>] [--json]
  ${program} keys list [--platform <id or name>] [--json]
  ${program} keys revoke <key id> [--json]

keys create   creates an API key for the platform (default: ${defaultPlatform}) and prints the secret once:
              it is the Bearer token (Entra ID "Secret Token", Okta "API Token").
keys list     lists the platform's keys: id, name, prefix, created, last used, revoked. Never secrets.
keys revoke   revokes a key by id (see keys list); the next request with it gets 401.`,
  audit: `Usage:
  ${program} audit [--platform <id or name>] [--after <position>] [--limit <n>] [--type <type,…>] [--json]

Prints the platform's audit log (default platform: ${defaultPlatform}), oldest first: every committed
change of a user, group or membership with its position, time, type, resource, the attributes
that changed, the API key that made it and the request id (the server's X-Request-Id log field).
Events are kept for SCIMKIT_EVENT_RETENTION (default 30d).

  --after <position>  only events after this position (the next page: the last position printed)
  --limit <n>         at most n events, 1 to ${maxAuditLimit} (default ${defaultAuditLimit})
  --type <types>      only these types, comma-separated: ${ChangeEvent.EventTypes.join(", ")}
  --json              the events as the webhooks post them (with the documents before and after)

Works while the server runs, on either store.`,
  doctor: `Usage:
  ${program} doctor [--platform <id or name>] [--fix] [--json]

Scans every platform's (or one platform's) users and groups for documents that break the limits
every write is now held to: written by an earlier version or edited by hand (NUL characters, lone
surrogates, values nested too deep). Such a resource is left out of lists and answers its own GET
with a 500 naming this command. With --fix, each is repaired: the offending attributes (or
extension sub-attributes) are dropped, the rest is kept and the version bumped. A resource whose
userName or displayName is itself broken is reported for a hand edit. Stop the server first on
the embedded store.`,
  migrate: `Usage:
  ${program} migrate --from <store> [--to <store>] [--json]

Copies every platform, API key (hash, prefix, dates, revocation), user, group and membership (with
its role) from one store into another, keeping ids, versions and timestamps: keys keep working,
ETags and meta stay the same. The target must be empty (it is refused otherwise, and nothing is
written); the copy runs in one transaction of the target, so it is complete or not done at all.
Stop the server of either store first.

<store> is one of:
  sqlite:<dir>        the embedded SQLite store in a data directory (as SCIMKIT_DATA_DIR), created if missing
  pglite:<dir>        the embedded Postgres (PGlite) data directory of earlier versions
  postgres://…        a Postgres server (as DATABASE_URL)
--to defaults to the store the server uses (DATABASE_URL, else SCIMKIT_DATA_DIR).

Example, moving the data of an earlier version to SQLite:
  mv .scimkit .scimkit-pglite
  ${program} migrate --from pglite:.scimkit-pglite --to sqlite:.scimkit`
}

interface Parsed {
  readonly positionals: ReadonlyArray<string>
  readonly options: ReadonlyMap<string, string>
  readonly flags: ReadonlySet<string>
}

const valueOptions = new Set(["owner", "platform", "name", "from", "to", "after", "limit", "type"])
const booleanFlags = new Set(["json", "help", "unique-external-id", "no-unique-external-id", "fix"])

const split = (argv: ReadonlyArray<string>): Result.Result<Parsed, UsageError> => {
  const positionals: Array<string> = []
  const options = new Map<string, string>()
  const flags = new Set<string>()
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg === "-h") {
      flags.add("help")
      continue
    }
    if (arg === "--") {
      for (const item of argv.slice(i + 1)) positionals.push(item)
      break
    }
    if (!arg.startsWith("--")) {
      positionals.push(arg)
      continue
    }
    const eq = arg.indexOf("=")
    const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq)
    if (booleanFlags.has(name)) {
      if (eq !== -1) return Result.fail(new UsageError({ message: `--${name} takes no value` }))
      flags.add(name)
      continue
    }
    if (!valueOptions.has(name)) {
      return Result.fail(new UsageError({ message: `Unknown option --${name}` }))
    }
    const value = eq === -1 ? argv[++i] : arg.slice(eq + 1)
    if (value === undefined || value.trim() === "" || (eq === -1 && value.startsWith("--"))) {
      return Result.fail(new UsageError({ message: `--${name} needs a value` }))
    }
    if (options.has(name)) return Result.fail(new UsageError({ message: `--${name} given twice` }))
    options.set(name, value)
  }
  return Result.succeed({ positionals, options, flags })
}

const allowOnly = (
  parsed: Parsed,
  command: string,
  allowed: ReadonlyArray<string>
): Result.Result<void, UsageError> => {
  for (const name of parsed.options.keys()) {
    if (!allowed.includes(name)) {
      return Result.fail(new UsageError({ message: `${command} does not take --${name}` }))
    }
  }
  return Result.succeed(undefined)
}

const noExtra = (extra: ReadonlyArray<string>, command: string): Result.Result<void, UsageError> =>
  extra.length === 0
    ? Result.succeed(undefined)
    : Result.fail(new UsageError({ message: `${command}: unexpected argument ${JSON.stringify(extra[0])}` }))

/** An option's whole number within [min, max], or `fallback` when it is not given. */
const wholeNumber = (
  option: string,
  text: string | undefined,
  fallback: number,
  min: number,
  max: number
): Result.Result<number, UsageError> => {
  if (text === undefined) return Result.succeed(fallback)
  const value = Number(text.trim())
  return /^\d+$/.test(text.trim()) && Number.isSafeInteger(value) && value >= min && value <= max
    ? Result.succeed(value)
    : Result.fail(
      new UsageError({ message: `${option} must be a whole number from ${min} to ${max}, got ${JSON.stringify(text)}` })
    )
}

/** `--type user.created,member.added`: each one of the event types (case-insensitive). */
const eventTypes = (text: string | undefined): Result.Result<ReadonlyArray<ChangeEvent.EventType>, UsageError> => {
  if (text === undefined) return Result.succeed([])
  const types: Array<ChangeEvent.EventType> = []
  for (const part of text.split(",")) {
    const name = part.trim().toLowerCase()
    if (name === "") continue
    const found = ChangeEvent.EventTypes.find((type) => type.toLowerCase() === name)
    if (found === undefined) {
      return Result.fail(
        new UsageError({
          message: `--type: unknown event type ${JSON.stringify(part.trim())}; the types are ${
            ChangeEvent.EventTypes.join(", ")
          }`
        })
      )
    }
    if (!types.includes(found)) types.push(found)
  }
  return Result.succeed(types)
}

/** Parses a `--from`/`--to` value. */
export const storeSpec = (option: string, text: string): Result.Result<StoreSpec, UsageError> => {
  const value = text.trim()
  if (/^postgres(ql)?:\/\//i.test(value)) return Result.succeed({ _tag: "Postgres", url: value })
  const match = /^(sqlite|pglite):(.+)$/i.exec(value)
  if (match !== null) {
    const path = match[2]!.trim()
    if (path !== "") return Result.succeed({ _tag: match[1]!.toLowerCase() === "sqlite" ? "Sqlite" : "Pglite", path })
  }
  return Result.fail(
    new UsageError({
      message: `${option} must be sqlite:<data directory>, pglite:<data directory> or a postgres:// URL, got ${
        JSON.stringify(text)
      }`
    })
  )
}

/** Parses `process.argv.slice(2)`. */
export const parse = (argv: ReadonlyArray<string>): Result.Result<Command, UsageError> =>
  Result.gen(function*() {
    const parsed = yield* split(argv)
    const [group, action, ...rest] = parsed.positionals
    const json = parsed.flags.has("json")
    if (group === undefined || group === "help") {
      if (group === "help" && action !== undefined && help[action] !== undefined) {
        return Command.Help({ text: help[action] })
      }
      return parsed.flags.has("help") || group === "help" || parsed.options.size === 0
        ? Command.Help({ text: usage })
        : yield* Result.fail(new UsageError({ message: "Missing command" }))
    }
    if (group === "doctor") {
      if (parsed.flags.has("help")) return Command.Help({ text: help.doctor! })
      yield* allowOnly(parsed, "doctor", ["platform"])
      yield* noExtra(action === undefined ? rest : [action, ...rest], "doctor")
      return Command.Doctor({
        platform: Option.fromUndefinedOr(parsed.options.get("platform")),
        fix: parsed.flags.has("fix"),
        json
      })
    }
    if (group === "audit") {
      if (parsed.flags.has("help")) return Command.Help({ text: help.audit! })
      yield* allowOnly(parsed, "audit", ["platform", "after", "limit", "type"])
      yield* noExtra(action === undefined ? rest : [action, ...rest], "audit")
      return Command.Audit({
        platform: parsed.options.get("platform") ?? defaultPlatform,
        after: yield* wholeNumber("--after", parsed.options.get("after"), 0, 0, Number.MAX_SAFE_INTEGER),
        limit: yield* wholeNumber("--limit", parsed.options.get("limit"), defaultAuditLimit, 1, maxAuditLimit),
        types: yield* eventTypes(parsed.options.get("type")),
        json
      })
    }
    if (group === "migrate") {
      if (parsed.flags.has("help")) return Command.Help({ text: help.migrate! })
      yield* allowOnly(parsed, "migrate", ["from", "to"])
      yield* noExtra(action === undefined ? rest : [action, ...rest], "migrate")
      const from = parsed.options.get("from")
      if (from === undefined) {
        return yield* Result.fail(
          new UsageError({ message: "migrate needs --from <store>: sqlite:<dir>, pglite:<dir> or postgres://…" })
        )
      }
      const to = parsed.options.get("to")
      return Command.Migrate({
        from: yield* storeSpec("--from", from),
        to: to === undefined ? Option.none() : Option.some(yield* storeSpec("--to", to)),
        json
      })
    }
    if (group !== "platform" && group !== "keys") {
      return yield* Result.fail(new UsageError({ message: `Unknown command ${JSON.stringify(group)}` }))
    }
    if (parsed.flags.has("help")) return Command.Help({ text: help[group]! })
    if (group === "platform") {
      if (action === "create") {
        yield* allowOnly(parsed, "platform create", ["owner"])
        const [name, ...extra] = rest
        if (name === undefined || name.trim() === "") {
          return yield* Result.fail(
            new UsageError({ message: "platform create needs a name: platform create <name> --owner <email>" })
          )
        }
        yield* noExtra(extra, "platform create")
        const owner = parsed.options.get("owner")
        if (owner === undefined) {
          return yield* Result.fail(
            new UsageError({ message: "platform create needs --owner <email> (the platform's first admin)" })
          )
        }
        return Command.PlatformCreate({ name, owner, json })
      }
      if (action === "list") {
        yield* allowOnly(parsed, "platform list", [])
        yield* noExtra(rest, "platform list")
        return Command.PlatformList({ json })
      }
      if (action === "set") {
        yield* allowOnly(parsed, "platform set", [])
        const [platform, ...extra] = rest
        if (platform === undefined || platform.trim() === "") {
          return yield* Result.fail(
            new UsageError({ message: "platform set needs a platform: platform set <id or name> --unique-external-id" })
          )
        }
        yield* noExtra(extra, "platform set")
        const on = parsed.flags.has("unique-external-id")
        const off = parsed.flags.has("no-unique-external-id")
        if (on === off) {
          return yield* Result.fail(
            new UsageError({
              message: "platform set needs exactly one of --unique-external-id or --no-unique-external-id"
            })
          )
        }
        return Command.PlatformSet({ platform, uniqueExternalId: on, json })
      }
      return yield* Result.fail(
        new UsageError({
          message: action === undefined
            ? "platform needs a subcommand: create, list or set"
            : `Unknown subcommand platform ${action}`
        })
      )
    }
    const platform = parsed.options.get("platform") ?? defaultPlatform
    if (action === "create") {
      yield* allowOnly(parsed, "keys create", ["platform", "name"])
      yield* noExtra(rest, "keys create")
      return Command.KeysCreate({ platform, name: parsed.options.get("name") ?? defaultKeyName, json })
    }
    if (action === "list") {
      yield* allowOnly(parsed, "keys list", ["platform"])
      yield* noExtra(rest, "keys list")
      return Command.KeysList({ platform, json })
    }
    if (action === "revoke") {
      yield* allowOnly(parsed, "keys revoke", [])
      const [id, ...extra] = rest
      if (id === undefined || id.trim() === "") {
        return yield* Result.fail(
          new UsageError({ message: "keys revoke needs a key id (see keys list): keys revoke <key id>" })
        )
      }
      yield* noExtra(extra, "keys revoke")
      return Command.KeysRevoke({ id, json })
    }
    return yield* Result.fail(
      new UsageError({
        message: action === undefined
          ? "keys needs a subcommand: create, list or revoke"
          : `Unknown subcommand keys ${action}`
      })
    )
  })
