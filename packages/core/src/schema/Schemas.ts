/**
 * The schemas this server speaks, as data: RFC 7643 §4.1 User, §4.2 Group, §4.3 Enterprise User,
 * the common attributes of §3.1, the platform's `CustomUserAttributes` extension (the default
 * domain model's; a host declares its own through `DomainModel`) and the read-only `Role` resource
 * type that lists the assignable roles for identity governance. Characteristics follow RFC 7643
 * §8.7.1.
 */
import * as A from "./Attribute.js"
import type { AttributeDef, SchemaDef } from "./Attribute.js"

export const UserUrn = "urn:ietf:params:scim:schemas:core:2.0:User"
export const GroupUrn = "urn:ietf:params:scim:schemas:core:2.0:Group"
export const EnterpriseUserUrn = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
/** The platform's extension carrying `platformRole`. */
export const CustomUserAttributesUrn = "urn:ietf:params:scim:schemas:activepieces:1.0:CustomUserAttributes"
/** The group schema URI older Entra ID / Azure AD clients send instead of {@link GroupUrn}. */
export const LegacyGroupUrn = "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"
export const ListResponseUrn = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
export const PatchOpUrn = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
export const SearchRequestUrn = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"
export const ErrorUrn = "urn:ietf:params:scim:api:messages:2.0:Error"
export const BulkRequestUrn = "urn:ietf:params:scim:api:messages:2.0:BulkRequest"
export const BulkResponseUrn = "urn:ietf:params:scim:api:messages:2.0:BulkResponse"
export const ServiceProviderConfigUrn = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
export const ResourceTypeUrn = "urn:ietf:params:scim:schemas:core:2.0:ResourceType"
export const SchemaUrn = "urn:ietf:params:scim:schemas:core:2.0:Schema"
/**
 * The schema of the `Role` resource type: the URN Okta Identity Governance recognises for roles
 * ("Build a SCIM 2.0 server with entitlements"), so it lists them without asking `/Schemas`.
 */
export const RoleUrn = "urn:okta:scim:schemas:core:1.0:Role"

/** The platform roles, in increasing order of power. */
export const PlatformRoles = ["MEMBER", "OPERATOR", "ADMIN"] as const

/** RFC 7643 §3.1 `id`. */
export const id: AttributeDef = A.string(
  "id",
  "Unique identifier for the SCIM resource as defined by the service provider.",
  {
    caseExact: true,
    mutability: "readOnly",
    returned: "always",
    uniqueness: "server"
  }
)

/** RFC 7643 §3.1 `externalId`. */
export const externalId: AttributeDef = A.string(
  "externalId",
  "Identifier for the resource as defined by the provisioning client.",
  {
    caseExact: true
  }
)

/** RFC 7643 §3.1 `meta`. */
export const meta: AttributeDef = A.complex("meta", "Resource metadata.", [
  A.string("resourceType", "The name of the resource type of the resource.", {
    caseExact: true,
    mutability: "readOnly"
  }),
  A.dateTime("created", "The date and time the resource was added to the service provider.", {
    mutability: "readOnly"
  }),
  A.dateTime("lastModified", "The most recent date and time the resource was modified.", { mutability: "readOnly" }),
  A.reference("location", "The URI of the resource being returned.", ["uri"], { mutability: "readOnly" }),
  A.string("version", "The version of the resource being returned (an entity tag).", {
    caseExact: true,
    mutability: "readOnly"
  })
], { mutability: "readOnly" })

/** Attributes every resource has (RFC 7643 §3.1); they belong to no schema URN. */
export const commonAttributes: ReadonlyArray<AttributeDef> = [id, externalId, meta]

const typed = (
  name: string,
  description: string,
  types: ReadonlyArray<string>,
  value: AttributeDef = A.string("value", `The ${name} value.`)
): AttributeDef =>
  A.complex(name, description, [
    value,
    A.string("display", "A human-readable name, primarily used for display purposes."),
    A.string(
      "type",
      "A label indicating the attribute's function.",
      types.length > 0 ? { canonicalValues: types } : {}
    ),
    A.boolean("primary", "A Boolean value indicating the 'primary' or preferred attribute value for this attribute.")
  ], { multiValued: true })

/** RFC 7643 §4.1 and §8.7.1: the core User schema. */
export const User: SchemaDef = {
  id: UserUrn,
  name: "User",
  description: "User Account",
  attributes: [
    A.string(
      "userName",
      "Unique identifier for the User, typically used by the user to directly authenticate to the service provider. Here: the user's email.",
      {
        required: true,
        uniqueness: "server"
      }
    ),
    A.complex("name", "The components of the user's real name.", [
      A.string(
        "formatted",
        "The full name, including all middle names, titles, and suffixes as appropriate, formatted for display."
      ),
      A.string("familyName", "The family name of the User."),
      A.string("givenName", "The given name of the User."),
      A.string("middleName", "The middle name(s) of the User."),
      A.string("honorificPrefix", "The honorific prefix(es) of the User."),
      A.string("honorificSuffix", "The honorific suffix(es) of the User.")
    ]),
    A.string("displayName", "The name of the User, suitable for display to end-users."),
    A.string("nickName", "The casual way to address the user in real life."),
    A.reference("profileUrl", "A fully qualified URL pointing to a page representing the User's online profile.", [
      "external"
    ]),
    A.string("title", "The user's title, such as \"Vice President\"."),
    A.string("userType", "Used to identify the relationship between the organization and the user."),
    A.string("preferredLanguage", "Indicates the User's preferred written or spoken language."),
    A.string("locale", "Used to indicate the User's default location for purposes of localizing items."),
    A.string("timezone", "The User's time zone in the 'Olson' time zone database format."),
    A.boolean("active", "A Boolean value indicating the User's administrative status."),
    A.string("password", "The User's cleartext password. Accepted, never stored in clear and never returned.", {
      mutability: "writeOnly",
      returned: "never"
    }),
    typed("emails", "Email addresses for the user.", ["work", "home", "other"]),
    typed("phoneNumbers", "Phone numbers for the User.", ["work", "home", "mobile", "fax", "pager", "other"]),
    typed("ims", "Instant messaging addresses for the User.", [
      "aim",
      "gtalk",
      "icq",
      "xmpp",
      "msn",
      "skype",
      "qq",
      "yahoo"
    ]),
    typed(
      "photos",
      "URLs of photos of the User.",
      ["photo", "thumbnail"],
      A.reference("value", "URL of a photo of the User.", ["external"])
    ),
    A.complex("addresses", "A physical mailing address for this User.", [
      A.string("formatted", "The full mailing address, formatted for display or use with a mailing label."),
      A.string("streetAddress", "The full street address component."),
      A.string("locality", "The city or locality component."),
      A.string("region", "The state or region component."),
      A.string("postalCode", "The zip code or postal code component."),
      A.string("country", "The country name component."),
      A.string("type", "A label indicating the attribute's function.", { canonicalValues: ["work", "home", "other"] }),
      A.boolean("primary", "A Boolean value indicating the 'primary' or preferred address.")
    ], { multiValued: true }),
    A.complex(
      "groups",
      "A list of groups to which the user belongs. Read-only: change membership through the Group resource.",
      [
        A.string("value", "The identifier of the User's group.", { mutability: "readOnly" }),
        A.reference("$ref", "The URI of the corresponding 'Group' resource.", ["User", "Group"], {
          mutability: "readOnly"
        }),
        A.string("display", "A human-readable name, primarily used for display purposes.", { mutability: "readOnly" }),
        A.string("type", "A label indicating the attribute's function.", {
          mutability: "readOnly",
          canonicalValues: ["direct", "indirect"]
        })
      ],
      { multiValued: true, mutability: "readOnly" }
    ),
    typed("entitlements", "A list of entitlements for the User.", []),
    typed("roles", "A list of roles for the User.", []),
    typed(
      "x509Certificates",
      "A list of certificates issued to the User.",
      [],
      A.binary("value", "The value of an X.509 certificate.")
    )
  ]
}

/** RFC 7643 §4.2 and §8.7.1: the Group schema. Here a group is a project. */
export const Group: SchemaDef = {
  id: GroupUrn,
  name: "Group",
  description: "Group (a project of the platform)",
  attributes: [
    A.string("displayName", "A human-readable name for the Group: the project's display name. Unique per platform.", {
      required: true,
      uniqueness: "server"
    }),
    A.complex("members", "A list of members of the Group (project members).", [
      A.string("value", "Identifier of the member of this Group.", { mutability: "immutable" }),
      A.reference(
        "$ref",
        "The URI corresponding to a SCIM resource that is a member of this Group.",
        ["User", "Group"],
        {
          mutability: "immutable"
        }
      ),
      A.string("display", "A human-readable name of the member.", { mutability: "readOnly" }),
      A.string("type", "A label indicating the type of resource.", {
        mutability: "immutable",
        canonicalValues: ["User", "Group"],
        enforceCanonicalValues: true
      })
    ], { multiValued: true })
  ]
}

/** RFC 7643 §4.3: the Enterprise User extension. */
export const EnterpriseUser: SchemaDef = {
  id: EnterpriseUserUrn,
  name: "EnterpriseUser",
  description: "Enterprise User",
  attributes: [
    A.string("employeeNumber", "Numeric or alphanumeric identifier assigned to a person."),
    A.string("costCenter", "Identifies the name of a cost center."),
    A.string("organization", "Identifies the name of an organization."),
    A.string("division", "Identifies the name of a division."),
    A.string("department", "Identifies the name of a department."),
    A.complex("manager", "The User's manager.", [
      A.string("value", "The id of the SCIM resource representing the User's manager."),
      A.reference("$ref", "The URI of the SCIM resource representing the User's manager.", ["User"]),
      A.string("displayName", "The displayName of the User's manager.", { mutability: "readOnly" })
    ])
  ]
}

/** The platform's extension: `platformRole` is one of MEMBER, OPERATOR, ADMIN; absent means MEMBER. */
export const CustomUserAttributes: SchemaDef = {
  id: CustomUserAttributesUrn,
  name: "CustomUserAttributes",
  description: "Platform attributes of a user",
  attributes: [
    A.string("platformRole", "The user's role on the platform: MEMBER, OPERATOR or ADMIN (absent means MEMBER).", {
      canonicalValues: PlatformRoles,
      enforceCanonicalValues: true
    })
  ]
}

/**
 * The attributes of these schemas whose `canonicalValues` the server enforces (their definitions
 * carry `enforceCanonicalValues`: matched case-insensitively, stored in canonical case), as
 * `urn:…:attribute[.subAttribute]`. Everywhere else canonical values are suggestions (RFC 7643
 * §2.3.1 lets a service provider accept other values). A host's domain model enforces its own role
 * attribute the same way.
 */
export const enforcedCanonicalValues: ReadonlyArray<string> = [
  `${CustomUserAttributesUrn}:platformRole`,
  `${GroupUrn}:members.type`
]

/** Where a user resource shows the role the stored user's `platformRole` column holds. */
export interface RoleAttribute {
  /** The URN of the extension that carries the role. */
  readonly schema: string
  /** The role attribute's name in that extension. */
  readonly name: string
}

/** A resource type (RFC 7643 §6) with the schemas its resources carry. */
export interface ResourceTypeDef {
  readonly id: "User" | "Group" | "Role"
  readonly name: string
  readonly endpoint: string
  readonly description: string
  readonly schema: SchemaDef
  readonly extensions: ReadonlyArray<{ readonly schema: SchemaDef; readonly required: boolean }>
  /**
   * Users only: the extension attribute rendered from the stored role column (always present, the
   * domain model's default when the document has none), which filters read from that column.
   */
  readonly roleAttribute?: RoleAttribute
}

const topLevelCache = new WeakMap<ResourceTypeDef, ReadonlyArray<AttributeDef>>()

/**
 * The attributes at the top level of a normalized document of the resource type: the common ones
 * (RFC 7643 §3.1), then the core schema's (extension attributes sit under their URN). One list
 * per resource type, so indexes built on it (`Attribute.indexAttributes`) are built once.
 */
export const topLevelAttributes = (rt: ResourceTypeDef): ReadonlyArray<AttributeDef> => {
  let defs = topLevelCache.get(rt)
  if (defs === undefined) {
    defs = [...commonAttributes, ...rt.schema.attributes]
    topLevelCache.set(rt, defs)
  }
  return defs
}

const readOnlyCache = new WeakMap<ResourceTypeDef, ReadonlyArray<string>>()

/**
 * The names of the read-only attributes at the top level of the resource type's documents (`id`,
 * `meta`, a user's `groups`): values only the server sets, which decoding drops from a request.
 */
export const readOnlyTopLevel = (rt: ResourceTypeDef): ReadonlyArray<string> => {
  let names = readOnlyCache.get(rt)
  if (names === undefined) {
    names = topLevelAttributes(rt).filter((a) => a.mutability === "readOnly").map((a) => a.name)
    readOnlyCache.set(rt, names)
  }
  return names
}

export const UserResourceType: ResourceTypeDef = {
  id: "User",
  name: "User",
  endpoint: "/Users",
  description: "User Account",
  schema: User,
  extensions: [
    { schema: EnterpriseUser, required: false },
    { schema: CustomUserAttributes, required: false }
  ],
  roleAttribute: { schema: CustomUserAttributesUrn, name: "platformRole" }
}

export const GroupResourceType: ResourceTypeDef = {
  id: "Group",
  name: "Group",
  endpoint: "/Groups",
  description: "Group (a project of the platform)",
  schema: Group,
  extensions: []
}

const readOnly = { mutability: "readOnly" } as const

/**
 * The schema of a role an administrator can assign (Okta Identity Governance reads `id`,
 * `displayName` and `description`; `value`, `type` and `supported` follow the IETF draft "SCIM
 * Roles and Entitlements Extension"). Every attribute is read-only: the roles come from the
 * server's domain model.
 */
export const Role: SchemaDef = {
  id: RoleUrn,
  name: "Role",
  description: "A role an administrator can assign to a user (read-only: the server's domain model defines them)",
  attributes: [
    A.string("displayName", "The role's name as an administrator picks it.", readOnly),
    A.string(
      "value",
      "The value that assigns the role: of the user's role attribute for a platform role, of a membership for a project role.",
      readOnly
    ),
    A.string("type", "Whose role it is: a user's role on the platform, or a member's role in a project (group).", {
      ...readOnly,
      canonicalValues: ["platform", "project"]
    }),
    A.string("description", "What the role is and how to assign it.", readOnly),
    A.boolean("supported", "Whether the role can be assigned (always true).", readOnly)
  ]
}

/** `/Roles`: the roles of the domain model as a read-only resource type, for identity governance. */
export const RoleResourceType: ResourceTypeDef = {
  id: "Role",
  name: "Role",
  endpoint: "/Roles",
  description: "The roles an administrator can assign: platform roles and project roles (read-only)",
  schema: Role,
  extensions: []
}

/** The resource types of the default domain model (see `DomainModel.resourceTypes`). */
export const resourceTypes: ReadonlyArray<ResourceTypeDef> = [UserResourceType, GroupResourceType, RoleResourceType]

/** Every schema the default domain model serves under `/Schemas` (see `DomainModel.schemas`). */
export const schemas: ReadonlyArray<SchemaDef> = [User, Group, EnterpriseUser, CustomUserAttributes, Role]
