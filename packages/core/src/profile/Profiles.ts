/**
 * Compatibility profiles: named sets of non-RFC request forms ("quirks") that real identity
 * providers send and that the server may accept. `rfc` accepts none, `entra` the forms Microsoft
 * Entra ID sends, `okta` the forms Okta sends, and `lenient` (the default) all of them; a few
 * forms are {@link tolerated} by every profile, `rfc` included. Whenever a quirk is accepted, its
 * name is reported so the server can log and count it.
 *
 * This registry is the one place a non-RFC form is named and the one place a profile decides on
 * it: PATCH (`Patch`, `MemberPlan`), POST/PUT bodies (`Resource`), filters and projections all
 * ask {@link accepts} (or a {@link QuirkLog}) and report the quirk by its name.
 */
import type { CompatibilityProfile } from "../domain/Model.js"

/** The PatchOp body has no `schemas`, or it lacks `urn:ietf:params:scim:api:messages:2.0:PatchOp`. */
export const PatchSchemaMissing = "patch-schema-missing" as const
/** `Operations` is an empty list (RFC 7644 §3.5.2 wants one or more); nothing changes. */
export const EmptyOperations = "empty-operations" as const
/** `op` written in another case (`Add`, `Replace`, `Remove`: Entra ID). */
export const OpCaseInsensitive = "op-case-insensitive" as const
/** A boolean attribute sent as the string `"True"` / `"False"`, in a PATCH value or a POST/PUT body (Entra ID). */
export const BooleanAsString = "boolean-as-string" as const
/** A path-less value object whose keys are `attr.subAttr` paths (`{"name.givenName": …}`: Entra ID). */
export const DottedValueKey = "dotted-value-key" as const
/** A path-less value object whose keys are URN-qualified attribute paths (`{"urn:…:User:department": …}`: Entra ID). */
export const UrnValueKey = "urn-value-key" as const
/** An `add`/`replace` through a value filter that matches nothing creates the element the `eq` filter describes (Entra ID). */
export const FilterCreatesElement = "filter-creates-element" as const
/** `remove` of a multi-valued attribute with a `value` listing the elements to remove (`path: "members"`: Entra ID). */
export const RemoveWithValue = "remove-with-value" as const
/** A path that is a schema URN alone (`urn:…:enterprise:2.0:User`) with an object of that schema's attributes. */
export const SchemaUrnPath = "schema-urn-path" as const
/** A read-only attribute (`id`) repeated in a path-less value object is ignored (Okta group rename). */
export const ReadOnlyValueIgnored = "read-only-value-ignored" as const
/**
 * A complex attribute with a `value` sub-attribute given a bare string: `"<id>"` for `{"value": "<id>"}`
 * (Entra ID's `manager`; group members in the Microsoft SCIM validator collection).
 */
export const BareStringValue = "bare-string-value" as const
/** A multi-valued attribute given one element instead of an array of elements, in a PATCH value or a POST/PUT body. */
export const SingleValueForMultiValued = "single-value-for-multi-valued" as const
/**
 * A filter comparison value that is not quoted (`userName sw O`, `meta.created gt 2015-10-10T14:38:21Z`):
 * read as a string unless it is a JSON number, `true`, `false` or `null` (clients of Microsoft's
 * SCIM reference server).
 */
export const BareFilterValue = "bare-filter-value" as const
/**
 * An `attributes` / `excludedAttributes` entry with a value filter (`emails[type eq "work"]`,
 * `emails[type eq "work"].value`): the attribute is projected and the filter dropped (clients of
 * Microsoft's SCIM reference server).
 */
export const FilteredProjection = "filtered-projection" as const

/**
 * A number sent for a string attribute (`"employeeNumber": 701984`), stored as its decimal text.
 * No sender identified (neither the Entra ID nor the Okta request sequences of the tests send it);
 * only `lenient` accepts it.
 */
export const NumberForString = "number-for-string" as const
/**
 * A one-element array sent for a single-valued attribute (`"displayName": ["Ann"]`): its element
 * is used. No sender identified; only `lenient` accepts it.
 */
export const ArrayForSingleValued = "array-for-single-valued" as const
/**
 * More than one element of a multi-valued attribute marked `"primary": true` (RFC 7643 §2.4 allows
 * one): the first stays primary, the others lose the flag. No sender identified; every profile
 * but `rfc` accepts it.
 */
export const SeveralPrimaries = "several-primaries" as const
/**
 * A POST/PUT body without `schemas` (or with `null` or `[]`; RFC 7643 §3 requires it): read as the
 * resource type's core schema. No sender identified; every profile but `rfc` accepts it. (The
 * PatchOp body's own `schemas` is {@link PatchSchemaMissing}.)
 */
export const SchemasMissing = "schemas-missing" as const
/** `schemas` sent as one string instead of an array of strings. No sender identified; every profile but `rfc` accepts it. */
export const SchemasAsString = "schemas-as-string" as const
/**
 * `schemas` lists extension URNs but not the resource type's core schema URN: the body is read as
 * that core schema anyway. No sender identified; every profile but `rfc` accepts it.
 */
export const CoreSchemaUnlisted = "core-schema-unlisted" as const

/**
 * A group's `schemas` lists `http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group`,
 * the group schema URI of older Entra ID (Azure AD) clients, read as the core Group schema.
 * Tolerated by every profile.
 */
export const LegacyGroupSchema = "legacy-group-schema" as const
/**
 * Extension attributes (an `urn:…:enterprise:2.0:User` object, or `urn:…:User:department` keys)
 * sent without their URN in `schemas` (Entra ID). Tolerated by every profile.
 */
export const UndeclaredExtension = "undeclared-extension" as const
/**
 * Core attributes sent nested under the core schema URN (`{"urn:…:core:2.0:User": {"userName": …}}`)
 * instead of at the top level of the body. No sender identified; tolerated by every profile.
 */
export const CoreAttributesUnderUrn = "core-attributes-under-urn" as const

/** The quirks a profile chooses to accept or refuse (`rfc` refuses all, `lenient` accepts all). */
export const quirks = [
  PatchSchemaMissing,
  EmptyOperations,
  OpCaseInsensitive,
  BooleanAsString,
  DottedValueKey,
  UrnValueKey,
  FilterCreatesElement,
  RemoveWithValue,
  SchemaUrnPath,
  ReadOnlyValueIgnored,
  BareStringValue,
  SingleValueForMultiValued,
  BareFilterValue,
  FilteredProjection,
  NumberForString,
  ArrayForSingleValued,
  SeveralPrimaries,
  SchemasMissing,
  SchemasAsString,
  CoreSchemaUnlisted
] as const

/**
 * Non-RFC forms every profile accepts, `rfc` included. Their meaning is unambiguous and every
 * profile has always read them, so refusing them in `rfc` would change what that profile accepts;
 * they are named and reported like the other quirks.
 */
export const tolerated = [LegacyGroupSchema, UndeclaredExtension, CoreAttributesUnderUrn] as const

/** A quirk every profile accepts (see {@link tolerated}). */
export type Tolerated = typeof tolerated[number]

/** A quirk name: one a profile chooses (see {@link quirks}) or one every profile tolerates. */
export type Quirk = typeof quirks[number] | Tolerated

/** A named profile and the quirks it accepts. */
export interface Profile {
  readonly name: CompatibilityProfile
  readonly description: string
  readonly accepts: ReadonlySet<Quirk>
}

const entraQuirks: ReadonlyArray<Quirk> = [
  OpCaseInsensitive,
  BooleanAsString,
  DottedValueKey,
  UrnValueKey,
  FilterCreatesElement,
  RemoveWithValue,
  BareStringValue,
  SeveralPrimaries,
  SchemasMissing,
  SchemasAsString,
  CoreSchemaUnlisted,
  ...tolerated
]

const oktaQuirks: ReadonlyArray<Quirk> = [
  ReadOnlyValueIgnored,
  SeveralPrimaries,
  SchemasMissing,
  SchemasAsString,
  CoreSchemaUnlisted,
  ...tolerated
]

/** RFC 7644 only: every non-RFC form is an error, but for the {@link tolerated} ones. */
export const rfc: Profile = { name: "rfc", description: "RFC 7643/7644 only", accepts: new Set(tolerated) }

/** RFC 7644 plus what Microsoft Entra ID's provisioning service sends. */
export const entra: Profile = {
  name: "entra",
  description: "RFC 7644 plus the Microsoft Entra ID dialect",
  accepts: new Set(entraQuirks)
}

/** RFC 7644 plus what Okta's provisioning sends. */
export const okta: Profile = {
  name: "okta",
  description: "RFC 7644 plus the Okta dialect",
  accepts: new Set(oktaQuirks)
}

/** Every known dialect (the default). */
export const lenient: Profile = {
  name: "lenient",
  description: "every known IdP dialect",
  accepts: new Set([...quirks, ...tolerated])
}

/** The profiles by name. */
export const profiles: { readonly [K in CompatibilityProfile]: Profile } = { rfc, entra, okta, lenient }

/** The profile of a name. */
export const get = (name: CompatibilityProfile): Profile => profiles[name]

/** Whether the profile accepts the quirk. */
export const accepts = (name: CompatibilityProfile, quirk: Quirk): boolean => profiles[name].accepts.has(quirk)

/** The profiles that accept a quirk, for error details ("accepted by the entra and lenient profiles"). */
export const acceptedBy = (quirk: Quirk): ReadonlyArray<CompatibilityProfile> =>
  (["rfc", "entra", "okta", "lenient"] as const).filter((name) => profiles[name].accepts.has(quirk))

/**
 * The quirks one request needed under a profile: {@link allow} asks the profile whether a quirk is
 * accepted and records it when it is; {@link tolerate} records a quirk every profile accepts. Each
 * quirk is listed once in {@link fired}, in the order it first fired.
 */
export class QuirkLog {
  private readonly accepted: ReadonlySet<Quirk>
  /** The quirks accepted so far, each once. */
  readonly fired: Array<Quirk> = []

  constructor(readonly profile: CompatibilityProfile) {
    this.accepted = profiles[profile].accepts
  }

  /** Whether the profile accepts the quirk; records it when it does. */
  allow(quirk: Quirk): boolean {
    if (!this.accepted.has(quirk)) return false
    if (!this.fired.includes(quirk)) this.fired.push(quirk)
    return true
  }

  /** Records a quirk every profile accepts. */
  tolerate(quirk: Tolerated): void {
    this.allow(quirk)
  }
}
