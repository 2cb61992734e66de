/**
 * The host's domain model as configuration: the user extension schema (its URN, the role attribute
 * with its allowed values and default, and any further attributes the host keeps on a user) and the
 * project roles. Discovery (`/Schemas`, `/ResourceTypes`, `/Roles`), validation, filters and PATCH
 * all follow it. {@link defaults} is today's model: the
 * `urn:ietf:params:scim:schemas:activepieces:1.0:CustomUserAttributes` extension with `platformRole`
 * ∈ MEMBER, OPERATOR, ADMIN (default MEMBER) and the project roles Admin, Editor, Viewer.
 *
 * A host declares its own with {@link make} and hands it to `ScimOptions.layer({ model })`; an
 * invalid model fails at construction with every problem named ({@link InvalidDomainModel}).
 * The stored user's `platformRole` column keeps holding the value of the model's role attribute.
 */
import * as Option from "effect/Option"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import * as A from "../schema/Attribute.js"
import type { AttributeDef, SchemaDef } from "../schema/Attribute.js"
import {
  CustomUserAttributes,
  CustomUserAttributesUrn,
  EnterpriseUser,
  EnterpriseUserUrn,
  Group,
  GroupResourceType,
  GroupUrn,
  PlatformRoles,
  Role,
  RoleResourceType,
  RoleUrn,
  User,
  UserResourceType,
  UserUrn
} from "../schema/Schemas.js"
import type { ResourceTypeDef } from "../schema/Schemas.js"

/** A role value with what `/Roles` shows of it. */
export interface RoleDetail {
  /** The canonical spelling: what is stored and rendered. */
  readonly value: string
  readonly displayName: string
  readonly description: string
}

/** A closed set of roles: the values in declared order and the one used when none is given. */
export interface RoleSet {
  /** The canonical spellings, in declared order; input is matched case-insensitively. */
  readonly values: ReadonlyArray<string>
  readonly default: string
  /** One entry per value, in the same order. */
  readonly details: ReadonlyArray<RoleDetail>
}

/** The user's role: a {@link RoleSet} carried by one attribute of the user extension. */
export interface PlatformRoleSet extends RoleSet {
  /** The URN of the user extension that carries the role. */
  readonly schema: string
  /** The role attribute's name in that extension. */
  readonly attribute: string
  /**
   * The role the platform's owner must keep (through SCIM the owner cannot lose it; `Platforms`
   * gives it to a new owner). None: the owner's role is not protected.
   */
  readonly ownerRole: Option.Option<string>
}

/** A domain model, checked (see {@link make}). */
export interface DomainModel {
  readonly platformRoles: PlatformRoleSet
  readonly projectRoles: RoleSet
  /** The user extension schema: the role attribute, then the host's further attributes. */
  readonly userExtension: SchemaDef
  /** The User resource type: the core schema, Enterprise User and {@link userExtension}. */
  readonly userResourceType: ResourceTypeDef
  /** Whether `/Roles` lists the roles (and `/ResourceTypes`, `/Schemas` advertise it). */
  readonly exposeRoles: boolean
}

/** A role as a host declares it: its value, or the value with what `/Roles` shows. */
export type RoleInput = string | {
  readonly value: string
  readonly displayName?: string
  readonly description?: string
}

/** The types a host's further user attributes may have (RFC 7643 §2.3; complex ones are not offered). */
export type ExtensionAttributeType = "string" | "boolean" | "integer" | "decimal" | "dateTime" | "reference"

/** A further attribute of the user extension (stored in the document, filterable, PATCHable). */
export interface ExtensionAttributeInput {
  /** RFC 7643 §2.1 ATTRNAME: a letter, then letters, digits, `-` or `_`. */
  readonly name: string
  readonly type: ExtensionAttributeType
  readonly description?: string
  readonly multiValued?: boolean
  /** Strings and references only: compare case-sensitively (default false; references always are). */
  readonly caseExact?: boolean
  /** Strings only: the only values accepted (case-insensitively; stored in the spelling given here). */
  readonly allowedValues?: ReadonlyArray<string>
}

/** What {@link make} reads; every part left out is today's. */
export interface DomainModelInput {
  readonly userExtension?: {
    /** The extension's schema URN (RFC 8141 syntax), e.g. `urn:acme:scim:1.0:User`. */
    readonly urn: string
    /** The schema's name in `/Schemas` (default: the URN's last segment). */
    readonly name?: string
    readonly description?: string
    readonly role: {
      readonly attribute: string
      readonly values: ReadonlyArray<RoleInput>
      /** The role of a user whose document carries none (default: the first value). */
      readonly default?: string
      /** The role the platform's owner must keep (default: none, not protected). */
      readonly ownerRole?: string
      readonly description?: string
    }
    readonly attributes?: ReadonlyArray<ExtensionAttributeInput>
  }
  readonly projectRoles?: {
    readonly values: ReadonlyArray<RoleInput>
    /** The role of a member SCIM adds when `ScimOptions.defaultProjectRole` is not given (default: the first value). */
    readonly default?: string
  }
  /** Whether `/Roles` lists the roles (default true). */
  readonly exposeRoles?: boolean
}

/**
 * A domain model that cannot be used, with every problem found (a default that is not among the
 * values, a repeated name, a malformed URN…).
 */
export class InvalidDomainModel extends Schema.TaggedError<InvalidDomainModel>()("InvalidDomainModel", {
  problems: Schema.Array(Schema.String)
}) {
  override get message(): string {
    return `Invalid domain model: ${this.problems.join("; ")}`
  }
}

const projectRoleDetails: ReadonlyArray<RoleDetail> = [
  { value: "Admin", displayName: "Project Admin", description: "Administers a project (a SCIM group)." },
  { value: "Editor", displayName: "Project Editor", description: "Edits a project's content (a SCIM group)." },
  { value: "Viewer", displayName: "Project Viewer", description: "Views a project's content (a SCIM group)." }
]

/** The input of today's model (see {@link defaults}). */
export const defaultInput: DomainModelInput = {
  userExtension: {
    urn: CustomUserAttributesUrn,
    name: CustomUserAttributes.name,
    description: CustomUserAttributes.description,
    role: {
      attribute: "platformRole",
      values: [
        { value: "MEMBER", displayName: "Platform Member", description: "A user of the platform." },
        { value: "OPERATOR", displayName: "Platform Operator", description: "Operates the platform." },
        { value: "ADMIN", displayName: "Platform Admin", description: "Administers the platform." }
      ],
      default: "MEMBER",
      ownerRole: "ADMIN",
      description: CustomUserAttributes.attributes[0]!.description
    }
  },
  projectRoles: { values: projectRoleDetails, default: "Editor" }
}

/**
 * Today's model, built on the constants of `Schemas` (`CustomUserAttributes`, `UserResourceType`)
 * so that every cache keyed by them keeps working; `make(defaultInput)` equals it.
 */
export const defaults: DomainModel = {
  platformRoles: {
    schema: CustomUserAttributesUrn,
    attribute: "platformRole",
    values: PlatformRoles,
    default: "MEMBER",
    details: [
      { value: "MEMBER", displayName: "Platform Member", description: "A user of the platform." },
      { value: "OPERATOR", displayName: "Platform Operator", description: "Operates the platform." },
      { value: "ADMIN", displayName: "Platform Admin", description: "Administers the platform." }
    ],
    ownerRole: Option.some("ADMIN")
  },
  projectRoles: { values: ["Admin", "Editor", "Viewer"], default: "Editor", details: projectRoleDetails },
  userExtension: CustomUserAttributes,
  userResourceType: UserResourceType,
  exposeRoles: true
}

// RFC 8141: "urn:" NID ":" NSS; the NSS may not be empty. Whitespace would break paths and filters.
const urnPattern = /^urn:[A-Za-z0-9][A-Za-z0-9-]{0,30}[A-Za-z0-9]:[^\s]+$/
// RFC 7643 §2.1 ATTRNAME
const attrNamePattern = /^[A-Za-z][A-Za-z0-9_-]*$/
const attributeTypes: ReadonlyArray<ExtensionAttributeType> = [
  "string",
  "boolean",
  "integer",
  "decimal",
  "dateTime",
  "reference"
]
// Schema URNs the extension may neither be nor extend (a path is split at the longest known URN prefix).
const reservedUrns: ReadonlyArray<string> = [UserUrn, GroupUrn, EnterpriseUserUrn, RoleUrn]

const roleDetail = (input: RoleInput): RoleDetail => {
  const value = typeof input === "string" ? input : input.value
  return {
    value,
    displayName: typeof input === "string" ? value : input.displayName ?? value,
    description: typeof input === "string" ? "" : input.description ?? ""
  }
}

/** The canonical spelling of `input` among `values`, matched case-insensitively after trimming. */
const find = (values: ReadonlyArray<string>, input: string): string | undefined => {
  const lower = input.trim().toLowerCase()
  return values.find((v) => v.toLowerCase() === lower)
}

const quoted = (values: ReadonlyArray<string>): string => values.map((v) => JSON.stringify(v)).join(", ")

/** The details of a role list, or the problems with it (`what` names the list in messages). */
const roleSet = (
  what: string,
  inputs: ReadonlyArray<RoleInput>,
  defaultValue: string | undefined,
  problems: Array<string>
): RoleSet => {
  const details = inputs.map(roleDetail)
  const values = details.map((d) => d.value)
  if (values.length === 0) problems.push(`${what} must list at least one value`)
  const seen = new Map<string, string>()
  for (const value of values) {
    if (typeof value !== "string" || value.trim() === "" || value.trim() !== value) {
      problems.push(
        `${what}: ${JSON.stringify(value)} is not a role value (a non-empty string without surrounding spaces)`
      )
      continue
    }
    const earlier = seen.get(value.toLowerCase())
    if (earlier !== undefined) {
      problems.push(
        `${what}: ${JSON.stringify(value)} repeats ${JSON.stringify(earlier)} (values are case-insensitive)`
      )
    }
    seen.set(value.toLowerCase(), value)
  }
  let chosen = values[0] ?? ""
  if (defaultValue !== undefined) {
    const found = find(values, defaultValue)
    if (found === undefined) {
      problems.push(`${what}: the default ${JSON.stringify(defaultValue)} is not among the values ${quoted(values)}`)
    } else {
      chosen = found
    }
  }
  return { values, default: chosen, details }
}

const attributeDef = (
  input: ExtensionAttributeInput,
  problems: Array<string>
): AttributeDef | undefined => {
  const where = `attribute ${JSON.stringify(input.name)}`
  if (!attributeTypes.includes(input.type)) {
    problems.push(`${where}: type ${JSON.stringify(input.type)} is not one of ${attributeTypes.join(", ")}`)
    return undefined
  }
  const allowed = input.allowedValues
  if (allowed !== undefined) {
    if (input.type !== "string") problems.push(`${where}: allowedValues apply to string attributes only`)
    const before = problems.length
    roleSet(`${where} allowedValues`, allowed, undefined, problems)
    if (problems.length > before) return undefined
  }
  const description = input.description ?? `${input.name} (an attribute of the host's user extension)`
  const options = {
    multiValued: input.multiValued ?? false,
    ...(input.caseExact !== undefined && input.type === "string" ? { caseExact: input.caseExact } : {}),
    ...(allowed !== undefined && allowed.length > 0
      ? { canonicalValues: allowed, enforceCanonicalValues: true }
      : {})
  }
  switch (input.type) {
    case "string":
      return A.string(input.name, description, options)
    case "boolean":
      return A.boolean(input.name, description, options)
    case "integer":
      return A.integer(input.name, description, options)
    case "decimal":
      return A.decimal(input.name, description, options)
    case "dateTime":
      return A.dateTime(input.name, description, options)
    case "reference":
      return A.reference(input.name, description, ["external"], options)
  }
}

const checkUrn = (urn: string, problems: Array<string>): void => {
  if (typeof urn !== "string" || !urnPattern.test(urn) || urn.endsWith(":")) {
    problems.push(
      `the user extension URN ${
        JSON.stringify(urn)
      } is not a URN (RFC 8141: "urn:" namespace ":" name, no spaces), e.g. "urn:acme:scim:1.0:User"`
    )
    return
  }
  const lower = urn.toLowerCase()
  for (const reserved of reservedUrns) {
    const r = reserved.toLowerCase()
    if (lower === r || lower.startsWith(r + ":") || r.startsWith(lower + ":")) {
      problems.push(`the user extension URN ${JSON.stringify(urn)} collides with the schema ${reserved}`)
    }
  }
}

const checkName = (what: string, name: string, problems: Array<string>): boolean => {
  if (typeof name === "string" && attrNamePattern.test(name)) return true
  problems.push(
    `${what} ${
      JSON.stringify(name)
    } is not an attribute name (RFC 7643 §2.1: a letter, then letters, digits, "-" or "_")`
  )
  return false
}

/**
 * Checks a domain model: the URN's syntax (and that it is no core schema's), attribute names (RFC
 * 7643 §2.1, unique case-insensitively), role values (non-empty, unique case-insensitively) and
 * that each default (and the owner's role) is among its values. Fails with every problem found.
 */
export const validate = (input: DomainModelInput): Result.Result<DomainModel, InvalidDomainModel> => {
  const problems: Array<string> = []
  const exposeRoles = input.exposeRoles ?? true
  const ext = input.userExtension
  let platformRoles = defaults.platformRoles
  let userExtension = defaults.userExtension
  let userResourceType = defaults.userResourceType
  if (ext !== undefined) {
    checkUrn(ext.urn, problems)
    const role = ext.role
    const roleNameOk = checkName("the role attribute", role.attribute, problems)
    const roles = roleSet(`the role attribute ${JSON.stringify(role.attribute)}`, role.values, role.default, problems)
    let ownerRole = Option.none<string>()
    if (role.ownerRole !== undefined) {
      const found = find(roles.values, role.ownerRole)
      if (found === undefined) {
        problems.push(
          `the owner's role ${JSON.stringify(role.ownerRole)} is not among the values ${quoted(roles.values)}`
        )
      } else {
        ownerRole = Option.some(found)
      }
    }
    const names = new Map<string, string>()
    if (roleNameOk) names.set(role.attribute.toLowerCase(), role.attribute)
    const extras: Array<AttributeDef> = []
    for (const attribute of ext.attributes ?? []) {
      if (!checkName("the attribute", attribute.name, problems)) continue
      const earlier = names.get(attribute.name.toLowerCase())
      if (earlier !== undefined) {
        problems.push(
          `the attribute ${JSON.stringify(attribute.name)} repeats ${
            JSON.stringify(earlier)
          } (names are case-insensitive)`
        )
        continue
      }
      names.set(attribute.name.toLowerCase(), attribute.name)
      const def = attributeDef(attribute, problems)
      if (def !== undefined) extras.push(def)
    }
    const roleDef = A.string(
      role.attribute,
      role.description ??
        `The user's role: one of ${roles.values.join(", ")} (absent means ${roles.default}).`,
      { canonicalValues: roles.values, enforceCanonicalValues: true }
    )
    userExtension = {
      id: ext.urn,
      name: ext.name ?? ext.urn.slice(ext.urn.lastIndexOf(":") + 1),
      description: ext.description ?? "Attributes of a user defined by the host",
      attributes: [roleDef, ...extras]
    }
    platformRoles = { ...roles, schema: ext.urn, attribute: role.attribute, ownerRole }
    userResourceType = {
      ...UserResourceType,
      extensions: [{ schema: EnterpriseUser, required: false }, { schema: userExtension, required: false }],
      roleAttribute: { schema: ext.urn, name: role.attribute }
    }
  }
  const projectRoles = input.projectRoles === undefined
    ? defaults.projectRoles
    : roleSet("the project roles", input.projectRoles.values, input.projectRoles.default, problems)
  if (problems.length > 0) return Result.fail(new InvalidDomainModel({ problems }))
  return Result.succeed({ platformRoles, projectRoles, userExtension, userResourceType, exposeRoles })
}

/**
 * A checked domain model; throws {@link InvalidDomainModel} naming every problem (as a Schema
 * class constructor does), so that a bad model stops the app where it is declared.
 *
 * @example
 * ScimOptions.layer({ model: DomainModel.make({
 *   userExtension: {
 *     urn: "urn:acme:scim:1.0:User",
 *     role: { attribute: "tier", values: ["FREE", "PRO"], default: "FREE" },
 *     attributes: [{ name: "costCenter", type: "string" }, { name: "seats", type: "integer" }]
 *   }
 * }) })
 */
export const make = (input: DomainModelInput): DomainModel => {
  const result = validate(input)
  if (Result.isFailure(result)) throw result.failure
  return result.success
}

/** The User resource type of the model (what the services resolve paths and filters against). */
export const userResourceType = (model: DomainModel): ResourceTypeDef => model.userResourceType

/** The resource types `/ResourceTypes` lists: User (with the model's extension), Group, and Role when exposed. */
export const resourceTypes = (model: DomainModel): ReadonlyArray<ResourceTypeDef> =>
  model.exposeRoles
    ? [model.userResourceType, GroupResourceType, RoleResourceType]
    : [model.userResourceType, GroupResourceType]

/** The schemas `/Schemas` lists: User, Group, Enterprise User, the model's extension, and Role when exposed. */
export const schemas = (model: DomainModel): ReadonlyArray<SchemaDef> =>
  model.exposeRoles
    ? [User, Group, EnterpriseUser, model.userExtension, Role]
    : [User, Group, EnterpriseUser, model.userExtension]

/** The canonical spelling of a platform role given in any case, or None. */
export const platformRole = (model: DomainModel, input: string): Option.Option<string> =>
  Option.fromUndefinedOr(find(model.platformRoles.values, input))

/** The canonical spelling of a project role given in any case, or None. */
export const projectRole = (model: DomainModel, input: string): Option.Option<string> =>
  Option.fromUndefinedOr(find(model.projectRoles.values, input))
