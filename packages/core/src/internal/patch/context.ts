/**
 * What one PATCH/PUT evaluation carries: the resource type, the compatibility profile and the
 * quirks that fired. Failures are thrown as {@link PatchFailure} (no stack trace is captured) and
 * turned into a `Result` by the public entry points, so the engine reads as straight-line code.
 *
 * @internal
 */
import type { CompatibilityProfile, Json } from "../../domain/Model.js"
import type { PatchError } from "../../patch/Patch.js"
import type { Quirk } from "../../profile/Profiles.js"
import { acceptedBy, QuirkLog } from "../../profile/Profiles.js"
import type { ResourceTypeDef } from "../../schema/Schemas.js"

/** Thrown inside the engine; caught at the entry points. */
export class PatchFailure {
  constructor(readonly error: PatchError) {}
}

/** Throws the error as a {@link PatchFailure}. */
export const fail = (error: PatchError): never => {
  throw new PatchFailure(error)
}

/** The error a caught {@link PatchFailure} carries; anything else is a defect and is thrown again. */
export const unwrap = (e: unknown): PatchError => {
  if (e instanceof PatchFailure) return e.error
  throw e
}

/** The evaluation context: resource type, and the profile with the quirks fired so far ({@link QuirkLog}). */
export class PatchContext extends QuirkLog {
  private made_: Set<Json> | undefined
  private readonly owned: Array<object> = []
  /** Top-level keys (attribute names, extension URNs) this PATCH wrote. */
  readonly touched: Array<string> = []

  constructor(readonly rt: ResourceTypeDef, profile: CompatibilityProfile) {
    super(profile)
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

  /** A sentence for error details: which profiles would have accepted the form. */
  hint(quirk: Quirk): string {
    const names = acceptedBy(quirk)
    return ` (this platform uses the "${this.profile}" compatibility profile; the ${
      names.map((n) => `"${n}"`).join(" and ")
    } profile${names.length > 1 ? "s accept" : " accepts"} this form as quirk "${quirk}")`
  }
}
