import { assert, describe, it } from "@effect/vitest"
import * as Result from "effect/Result"
import { type Command, defaultAuditLimit, defaultKeyName, defaultPlatform, parse, usage } from "../src/CliArgs.js"

const ok = (argv: ReadonlyArray<string>): Command => {
  const result = parse(argv)
  if (Result.isFailure(result)) throw new Error(`expected ${argv.join(" ")} to parse: ${result.failure.message}`)
  return result.success
}

const usageError = (argv: ReadonlyArray<string>): string => {
  const result = parse(argv)
  if (Result.isSuccess(result)) throw new Error(`expected ${argv.join(" ")} to be refused, got ${result.success._tag}`)
  return result.failure.message
}

describe("CliArgs.parse", () => {
  it("platform create takes a name and --owner, in any order and in --opt=value form", () => {
    assert.deepStrictEqual(ok(["platform", "create", "acme", "--owner", "it@acme.com"]), {
      _tag: "PlatformCreate",
      name: "acme",
      owner: "it@acme.com",
      json: false
    })
    assert.deepStrictEqual(ok(["platform", "create", "--owner=it@acme.com", "--json", "acme"]), {
      _tag: "PlatformCreate",
      name: "acme",
      owner: "it@acme.com",
      json: true
    })
  })

  it("platform create refuses a missing name or owner, saying what to add", () => {
    assert.include(usageError(["platform", "create", "--owner", "it@acme.com"]), "needs a name")
    assert.include(usageError(["platform", "create", "acme"]), "--owner")
    assert.include(usageError(["platform", "create", "acme", "--owner"]), "--owner needs a value")
  })

  it("keys commands default to the default platform and the cli label", () => {
    assert.deepStrictEqual(ok(["keys", "create"]), {
      _tag: "KeysCreate",
      platform: defaultPlatform,
      name: defaultKeyName,
      json: false
    })
    assert.deepStrictEqual(ok(["keys", "create", "--platform", "acme", "--name", "Entra ID", "--json"]), {
      _tag: "KeysCreate",
      platform: "acme",
      name: "Entra ID",
      json: true
    })
    assert.deepStrictEqual(ok(["keys", "list", "--json"]), { _tag: "KeysList", platform: defaultPlatform, json: true })
    assert.deepStrictEqual(ok(["keys", "revoke", "0b6e", "--json"]), { _tag: "KeysRevoke", id: "0b6e", json: true })
    assert.deepStrictEqual(ok(["platform", "list"]), { _tag: "PlatformList", json: false })
  })

  it("refuses unknown commands, unknown or misplaced options and stray arguments", () => {
    assert.include(usageError(["users"]), "Unknown command")
    assert.include(usageError(["keys", "delete", "x"]), "Unknown subcommand")
    assert.include(usageError(["keys", "list", "--verbose"]), "Unknown option --verbose")
    assert.include(usageError(["keys", "list", "--name", "x"]), "does not take --name")
    assert.include(usageError(["keys", "revoke"]), "needs a key id")
    assert.include(usageError(["keys", "revoke", "a", "b"]), "unexpected argument")
    assert.include(usageError(["keys", "create", "--name", "a", "--name", "b"]), "given twice")
    assert.include(usageError(["keys"]), "create, list or revoke")
  })

  it("--help, -h and help show the usage, for the whole CLI or one command group", () => {
    for (const argv of [[], ["--help"], ["-h"], ["help"]]) {
      const command = ok(argv)
      assert.strictEqual(command._tag, "Help")
      if (command._tag === "Help") assert.strictEqual(command.text, usage)
    }
    const keysHelp = ok(["keys", "revoke", "--help"])
    assert.strictEqual(keysHelp._tag, "Help")
    if (keysHelp._tag === "Help") assert.include(keysHelp.text, "keys revoke <key id>")
    const platformHelp = ok(["help", "platform"])
    assert.strictEqual(platformHelp._tag, "Help")
    if (platformHelp._tag === "Help") assert.include(platformHelp.text, "platform create <name> --owner <email>")
  })

  it("audit takes the platform, a position, a limit and event types (case-insensitive, each once)", () => {
    assert.deepStrictEqual(ok(["audit"]), {
      _tag: "Audit",
      platform: defaultPlatform,
      after: 0,
      limit: defaultAuditLimit,
      types: [],
      json: false
    })
    assert.deepStrictEqual(
      ok([
        "audit",
        "--platform",
        "acme",
        "--after=41",
        "--limit",
        "1000",
        "--type",
        "User.Created, member.added,user.created",
        "--json"
      ]),
      {
        _tag: "Audit",
        platform: "acme",
        after: 41,
        limit: 1000,
        types: ["user.created", "member.added"],
        json: true
      }
    )
  })

  it("audit refuses an unknown type, a limit out of range, a negative position and stray arguments", () => {
    assert.include(
      usageError(["audit", "--type", "user.exploded"]),
      "unknown event type \"user.exploded\"; the types are"
    )
    assert.include(usageError(["audit", "--limit", "0"]), "--limit must be a whole number from 1 to 1000")
    assert.include(usageError(["audit", "--limit", "1001"]), "--limit")
    assert.include(usageError(["audit", "--after", "-1"]), "--after must be a whole number")
    assert.include(usageError(["audit", "--after", "1.5"]), "--after")
    assert.include(usageError(["audit", "everything"]), "unexpected argument")
    assert.include(usageError(["audit", "--name", "x"]), "audit does not take --name")
    const help = ok(["audit", "--help"])
    assert.strictEqual(help._tag, "Help")
    if (help._tag === "Help") assert.include(help.text, "--type <types>")
  })
})
