/**
 * What one PATCH/PUT evaluation carries: the resource type, the compatibility profile and the
 * quirks that fired. Failures are thrown as {@link PatchFailure} (no stack trace is captured) and
 * turned into an `Either` by the public entry points, so the engine reads as straight-line code.
 *
 * @internal
 */
import type { CompatibilityProfile, Json } from "../../domain/Model.js"
import type { InvalidPath, InvalidSyntax, InvalidValue, Mutability, NoTarget } from "../../errors/ScimError.js"
import type { Quirk } from "../../profile/Profiles.js"
import { acceptedBy, get } from "../../profile/Profiles.js"
import type { ResourceTypeDef } from "../../schema/Schemas.js"

/** Every error a PATCH can end with. */
export type PatchError = InvalidSyntax | InvalidPath | InvalidValue | NoTarget | Mutability

/** Thrown inside the engine; caught at the entry points. */
export class PatchFailure {
  constructor(readonly error: PatchError) {}
}

/** Throws the error as a {@link PatchFailure}. */
export const fail = (error: PatchError): never => {
  throw new PatchFailure(error)
}

/** The evaluation context: resource type, profile, quirks fired so far. */
export class PatchContext {
  private readonly accepted: ReadonlySet<Quirk>
  readonly fired: Array<Quirk> = []
  private made_: Set<Json> | undefined
  private readonly owned: Array<object> = []
  /** Top-level keys (attribute names, extension URNs) this PATCH wrote. */
  readonly touched: Array<string> = []

  constructor(readonly rt: ResourceTypeDef, readonly profile: CompatibilityProfile) {
    this.accepted = get(profile).accepts
  }

  /** Registers a new or changed element and returns it. */
  made<A extends Json>(element: A): A {
    ;(this.made_ ??= new Set()).add(element)
    return element
  }

  /** Registers an object this PATCH allocated: later writes may change it in place. */
  own<A extends object>(object: A): A {
    this.owned.push(object)
    return object
  }

  /** Whether this PATCH allocated the object (so nothing else can see it yet). */
  owns(object: object): boolean {
    return this.owned.includes(object)
  }

  /** Records a top-level key written. */
  touch(key: string): void {
    if (!this.touched.includes(key)) this.touched.push(key)
  }

  /** Whether this PATCH created or changed the element (the others are the input's own objects). */
  created(element: Json): boolean {
    return this.made_ !== undefined && this.made_.has(element)
  }

  /** Whether the profile accepts the quirk; records it when it does. */
  allow(quirk: Quirk): boolean {
    if (!this.accepted.has(quirk)) return false
    if (!this.fired.includes(quirk)) this.fired.push(quirk)
    return true
  }

  /** A sentence for error details: which profiles would have accepted the form. */
  hint(quirk: Quirk): string {
    const names = acceptedBy(quirk)
    return ` (this platform uses the "${this.profile}" compatibility profile; the ${names.map((n) => `"${n}"`).join(" and ")} profile${names.length > 1 ? "s accept" : " accepts"} this form as quirk "${quirk}")`
  }
}
