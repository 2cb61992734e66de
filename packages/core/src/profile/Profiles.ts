/**
 * Compatibility profiles: named sets of non-RFC request forms ("quirks") that real identity
 * providers send and that the server may accept. `rfc` accepts none, `entra` the forms Microsoft
 * Entra ID sends, `okta` the forms Okta sends, and `lenient` (the default) all of them. Whenever a
 * quirk is accepted, its name is reported so the server can log and count it.
 *
 * @since 0.1.0
 */
import type { CompatibilityProfile } from "../domain/Model.js"

/** The PatchOp body has no `schemas`, or it lacks `urn:ietf:params:scim:api:messages:2.0:PatchOp`. @since 0.1.0 */
export const PatchSchemaMissing = "patch-schema-missing" as const
/** `Operations` is an empty list (RFC 7644 §3.5.2 wants one or more); nothing changes. @since 0.1.0 */
export const EmptyOperations = "empty-operations" as const
/** `op` written in another case (`Add`, `Replace`, `Remove`: Entra ID). @since 0.1.0 */
export const OpCaseInsensitive = "op-case-insensitive" as const
/** A boolean attribute sent as the string `"True"` / `"False"` (Entra ID). @since 0.1.0 */
export const BooleanAsString = "boolean-as-string" as const
/** A path-less value object whose keys are `attr.subAttr` paths (`{"name.givenName": …}`: Entra ID). @since 0.1.0 */
export const DottedValueKey = "dotted-value-key" as const
/** A path-less value object whose keys are URN-qualified attribute paths (`{"urn:…:User:department": …}`: Entra ID). @since 0.1.0 */
export const UrnValueKey = "urn-value-key" as const
/** An `add`/`replace` through a value filter that matches nothing creates the element the `eq` filter describes (Entra ID). @since 0.1.0 */
export const FilterCreatesElement = "filter-creates-element" as const
/** `remove` of a multi-valued attribute with a `value` listing the elements to remove (`path: "members"`: Entra ID). @since 0.1.0 */
export const RemoveWithValue = "remove-with-value" as const
/** A path that is a schema URN alone (`urn:…:enterprise:2.0:User`) with an object of that schema's attributes. @since 0.1.0 */
export const SchemaUrnPath = "schema-urn-path" as const
/** A read-only attribute (`id`) repeated in a path-less value object is ignored (Okta group rename). @since 0.1.0 */
export const ReadOnlyValueIgnored = "read-only-value-ignored" as const
/**
 * A complex attribute with a `value` sub-attribute given a bare string: `"<id>"` for `{"value": "<id>"}`
 * (Entra ID's `manager`; group members in the Microsoft SCIM validator collection).
 *
 * @since 0.1.0
 */
export const BareStringValue = "bare-string-value" as const
/** A multi-valued attribute given one element instead of an array of elements. @since 0.1.0 */
export const SingleValueForMultiValued = "single-value-for-multi-valued" as const
/**
 * A filter comparison value that is not quoted (`userName sw O`, `meta.created gt 2015-10-10T14:38:21Z`):
 * read as a string unless it is a JSON number, `true`, `false` or `null` (clients of Microsoft's
 * SCIM reference server).
 *
 * @since 0.1.0
 */
export const BareFilterValue = "bare-filter-value" as const
/**
 * An `attributes` / `excludedAttributes` entry with a value filter (`emails[type eq "work"]`,
 * `emails[type eq "work"].value`): the attribute is projected and the filter dropped (clients of
 * Microsoft's SCIM reference server).
 *
 * @since 0.1.0
 */
export const FilteredProjection = "filtered-projection" as const

/** Every quirk name. @since 0.1.0 */
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
  FilteredProjection
] as const

/** A quirk name. @since 0.1.0 */
export type Quirk = typeof quirks[number]

/** A named profile and the quirks it accepts. @since 0.1.0 */
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
  BareStringValue
]

const oktaQuirks: ReadonlyArray<Quirk> = [ReadOnlyValueIgnored]

/** RFC 7644 only: every non-RFC form is an error. @since 0.1.0 */
export const rfc: Profile = { name: "rfc", description: "RFC 7643/7644 only", accepts: new Set() }

/** RFC 7644 plus what Microsoft Entra ID's provisioning service sends. @since 0.1.0 */
export const entra: Profile = { name: "entra", description: "RFC 7644 plus the Microsoft Entra ID dialect", accepts: new Set(entraQuirks) }

/** RFC 7644 plus what Okta's provisioning sends. @since 0.1.0 */
export const okta: Profile = { name: "okta", description: "RFC 7644 plus the Okta dialect", accepts: new Set(oktaQuirks) }

/** Every known dialect (the default). @since 0.1.0 */
export const lenient: Profile = { name: "lenient", description: "every known IdP dialect", accepts: new Set(quirks) }

/** The profiles by name. @since 0.1.0 */
export const profiles: { readonly [K in CompatibilityProfile]: Profile } = { rfc, entra, okta, lenient }

/** The profile of a name. @since 0.1.0 */
export const get = (name: CompatibilityProfile): Profile => profiles[name]

/** Whether the profile accepts the quirk. @since 0.1.0 */
export const accepts = (name: CompatibilityProfile, quirk: Quirk): boolean => profiles[name].accepts.has(quirk)

/** The profiles that accept a quirk, for error details ("accepted by the entra and lenient profiles"). @since 0.1.0 */
export const acceptedBy = (quirk: Quirk): ReadonlyArray<CompatibilityProfile> =>
  (["rfc", "entra", "okta", "lenient"] as const).filter((name) => profiles[name].accepts.has(quirk))
