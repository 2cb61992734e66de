/**
 * The CLI's commands over the `Platforms` and `ApiKeys` services. Each returns the text to print on
 * stdout (a table or JSON); failures are core errors, which `explain` turns into a sentence.
 */
import {
  ApiKeys,
  type ChangeEvent,
  ChangeFeed,
  Platforms,
  UserStore,
  type Model,
  type ProjectStore,
  type ScimError,
  type ScimOptions
} from "@scimkit/core"
import { Webhooks } from "@scimkit/http"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type { Command } from "./CliArgs.js"
import * as Doctor from "./Doctor.js"
import { withCauses } from "./Failure.js"

const iso = (value: DateTime.Utc): string => DateTime.formatIso(value)
const isoOrNull = (value: Option.Option<DateTime.Utc>): string | null => Option.getOrNull(Option.map(value, iso))

const keyJson = (key: Model.StoredApiKey) => ({
  id: key.id,
  name: key.name,
  prefix: key.prefix,
  platform: key.platform,
  created: iso(key.created),
  lastUsed: isoOrNull(key.lastUsed),
  revoked: isoOrNull(key.revoked)
})

/** Left-aligned columns, two spaces apart, with a header row. */
export const table = (header: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>): string => {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? "").length)))
  const line = (cells: ReadonlyArray<string>) =>
    cells.map((cell, column) => column === cells.length - 1 ? cell : cell.padEnd(widths[column]!)).join("  ").trimEnd()
  return [line(header), ...rows.map(line)].join("\n")
}

const json = (value: unknown): string => JSON.stringify(value, null, 2)

const ownerName = (platform: Model.Platform) =>
  Effect.gen(function*() {
    const users = yield* UserStore.UserStore
    if (Option.isNone(platform.ownerId)) return null
    return yield* users.get(platform.id, platform.ownerId.value).pipe(
      Effect.map((user): string | null => user.userName),
      Effect.catchTag("ResourceNotFound", () => Effect.succeed(null))
    )
  })

/** Runs one command; the result is what goes to stdout. */
export const run = (
  command: Exclude<Command, { readonly _tag: "Help" | "Migrate" }>
): Effect.Effect<
  string,
  ScimError.CoreError,
  | Platforms.Platforms
  | ApiKeys.ApiKeys
  | ChangeFeed.ChangeFeed
  | UserStore.UserStore
  | ProjectStore.ProjectStore
  | ScimOptions.ScimOptions
> =>
  Effect.gen(function*() {
    const platforms = yield* Platforms.Platforms
    const keys = yield* ApiKeys.ApiKeys
    switch (command._tag) {
      case "PlatformCreate": {
        const created = yield* platforms.create({ name: command.name, ownerEmail: command.owner })
        const owner = Option.getOrNull(Option.map(created.owner, (user) => user.userName))
        const result = {
          platform: {
            id: created.platform.id,
            name: created.platform.name,
            owner,
            created: iso(created.platform.created)
          },
          key: { ...keyJson(created.key.key), secret: created.key.secret }
        }
        return command.json ? json(result) : [
          `Created platform "${created.platform.name}" (id ${created.platform.id}) ${
            owner === null ? "without an owner" : `owned by ${owner}`
          }.`,
          `API key (id ${created.key.key.id}), shown only this once:`,
          "",
          `  ${created.key.secret}`,
          "",
          "Use it as the Bearer token (Entra ID: Secret Token; Okta: API token)."
        ].join("\n")
      }
      case "PlatformList": {
        const all = yield* platforms.list()
        const rows = yield* Effect.forEach(all, (platform) =>
          Effect.map(ownerName(platform), (owner) => ({
            id: platform.id,
            name: platform.name,
            owner,
            created: iso(platform.created),
            uniqueExternalId: platform.uniqueExternalId
          })))
        return command.json ? json(rows) : rows.length === 0
          ? "No platforms yet. Start the server once (it creates \"default\") or run `pnpm scimkit platform create <name> --owner <email>`."
          : table(
            ["ID", "NAME", "OWNER", "CREATED", "UNIQUE EXTERNALID"],
            rows.map((row) => [row.id, row.name, row.owner ?? "-", row.created, row.uniqueExternalId ? "yes" : "no"])
          )
      }
      case "PlatformSet": {
        const found = yield* platforms.find(command.platform)
        const updated = yield* platforms.setUniqueExternalId(found.id, command.uniqueExternalId)
        return command.json
          ? json({ id: updated.id, name: updated.name, uniqueExternalId: updated.uniqueExternalId })
          : `Platform "${updated.name}": externalId is ${
            updated.uniqueExternalId ? "now unique among its users and among its groups" : "not unique (RFC 7643 §3.1)"
          }.`
      }
      case "Doctor": {
        const findings = yield* Doctor.run(command.platform, command.fix)
        if (command.json) return json(findings)
        if (findings.length === 0) return "No stored user or group breaks today's limits."
        const lines = findings.map((f) =>
          `${f.resourceType} ${f.id} (platform "${f.platform}"): ${f.problem}` +
          (f.fixed
            ? `\n  repaired: dropped ${f.dropped.join(", ")}`
            : command.fix
            ? "\n  NOT repaired: its userName or displayName itself needs a hand edit"
            : "")
        )
        const open = findings.filter((f) => !f.fixed).length
        return [
          ...lines,
          "",
          command.fix
            ? `${findings.length - open} repaired, ${open} left for a hand edit.`
            : `${findings.length} found; run \`pnpm scimkit doctor --fix\` to repair them.`
        ].join("\n")
      }
      case "KeysCreate": {
        const platform = yield* platforms.find(command.platform)
        const created = yield* keys.create(platform.id, command.name)
        return command.json ? json({ ...keyJson(created.key), secret: created.secret }) : [
          `Created API key "${created.key.name}" (id ${created.key.id}) for platform "${platform.name}", shown only this once:`,
          "",
          `  ${created.secret}`,
          "",
          "Use it as the Bearer token (Entra ID: Secret Token; Okta: API token)."
        ].join("\n")
      }
      case "KeysList": {
        const platform = yield* platforms.find(command.platform)
        const list = yield* keys.list(platform.id)
        return command.json ? json(list.map(keyJson)) : list.length === 0
          ? `Platform "${platform.name}" has no API keys.`
          : table(
            ["ID", "NAME", "PREFIX", "CREATED", "LAST USED", "REVOKED"],
            list.map((key) => {
              const row = keyJson(key)
              return [row.id, row.name, `${row.prefix}…`, row.created, row.lastUsed ?? "never", row.revoked ?? "-"]
            })
          )
      }
      case "Audit": {
        const platform = yield* platforms.find(command.platform)
        const feed = yield* ChangeFeed.ChangeFeed
        const events = yield* feed.audit(platform.id, {
          after: command.after,
          limit: command.limit,
          ...(command.types.length > 0 ? { types: command.types } : {})
        })
        if (command.json) return json(events.map(Webhooks.toJson))
        if (events.length === 0) {
          return command.after > 0
            ? `No events of platform "${platform.name}" after position ${command.after}.`
            : `No events of platform "${platform.name}" (kept for SCIMKIT_EVENT_RETENTION, default 30d).`
        }
        const lines = table(
          ["POSITION", "TIME", "TYPE", "RESOURCE", "CHANGED", "KEY", "REQUEST ID"],
          events.map((event) => [
            String(event.position),
            iso(event.at),
            event.type,
            `${event.resourceType} ${event.resourceId}`,
            changedOf(event),
            Option.getOrElse(event.actor.credential, () => "-"),
            Option.getOrElse(event.actor.requestId, () => "-")
          ])
        )
        const last = events[events.length - 1]!.position
        return events.length < command.limit ? lines : [
          lines,
          "",
          `More may follow: pnpm scimkit audit --platform ${JSON.stringify(platform.name)} --after ${last}${
            command.types.length > 0 ? ` --type ${command.types.join(",")}` : ""
          }`
        ].join("\n")
      }
      case "KeysRevoke": {
        const key = yield* keys.revoke(command.id)
        const revokedAt = isoOrNull(key.revoked) ?? "now"
        return command.json ?
          json(keyJson(key)) :
          `Revoked API key "${key.name}" (id ${key.id}) at ${revokedAt}; requests with it now get 401.`
      }
    }
  })

/** What an audit line shows as changed: the attributes, or the member and role of a member event. */
const changedOf = (event: ChangeEvent.ChangeEvent): string =>
  Option.match(event.member, {
    onNone: () => event.changed.length === 0 ? "-" : event.changed.join(","),
    onSome: (member) => `member ${member.userId} (${member.role})`
  })

/** One sentence for a failed command, saying what to do. */
export const explain = (error: ScimError.CoreError): string => {
  switch (error._tag) {
    case "ResourceNotFound":
      return error.resourceType === "Platform"
        ? `No platform ${
          JSON.stringify(error.id)
        }: see \`pnpm scimkit platform list\` (the server creates "default" on its first start).`
        : `No ${error.resourceType === "ApiKey" ? "API key" : error.resourceType} ${
          JSON.stringify(error.id)
        }: see \`pnpm scimkit keys list\`.`
    case "StoreError": {
      const text = withCauses(error)
      return text.charAt(0).toUpperCase() + text.slice(1)
    }
    default:
      return error.message
  }
}
