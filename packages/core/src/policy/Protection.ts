/**
 * Protection of the platform owner: through SCIM the owner cannot be deactivated, deleted or lose
 * the domain model's owner role (`ADMIN` today; none when the model protects no role); every other
 * change to the owner works. The functions take the model last and default to today's.
 */
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as DomainModel from "../domain/DomainModel.js"
import type { Platform, StoredUser } from "../domain/Model.js"
import { Forbidden } from "../errors/ScimError.js"

/** Whether the user is the platform's owner. */
export const isOwner = (platform: Platform, user: StoredUser): boolean =>
  Option.exists(platform.ownerId, (owner) => owner === user.id)

/**
 * Whether an update from `current` to `next` could touch a protected property (so the caller only
 * loads the platform when it has to).
 */
export const updateNeedsCheck = (
  current: StoredUser,
  next: StoredUser,
  model: DomainModel.DomainModel = DomainModel.defaults
): boolean =>
  (current.active && !next.active) ||
  Option.exists(model.platformRoles.ownerRole, (role) => current.platformRole === role && next.platformRole !== role)

/** Fails with `Forbidden` when the update would deactivate the owner or take away the owner role (`ADMIN`). */
export const checkUpdate = (
  platform: Platform,
  current: StoredUser,
  next: StoredUser,
  model: DomainModel.DomainModel = DomainModel.defaults
): Effect.Effect<void, Forbidden> => {
  if (!isOwner(platform, current)) return Effect.void
  if (!next.active) {
    return Effect.fail(
      new Forbidden({
        detail:
          `User ${current.userName} is the owner of platform "${platform.name}" and cannot be deactivated through SCIM; ` +
          `transfer the platform's ownership to another user first`
      })
    )
  }
  const ownerRole = model.platformRoles.ownerRole
  if (Option.isSome(ownerRole) && next.platformRole !== ownerRole.value) {
    return Effect.fail(
      new Forbidden({
        detail:
          `User ${current.userName} is the owner of platform "${platform.name}" and must keep ${model.platformRoles.attribute} ${ownerRole.value}; ` +
          `transfer the platform's ownership to another user before changing their role to ${next.platformRole}`
      })
    )
  }
  return Effect.void
}

/** Fails with `Forbidden` when `user` is the platform owner. */
export const checkRemove = (platform: Platform, user: StoredUser): Effect.Effect<void, Forbidden> =>
  isOwner(platform, user)
    ? Effect.fail(
      new Forbidden({
        detail:
          `User ${user.userName} is the owner of platform "${platform.name}" and cannot be deleted through SCIM; ` +
          `transfer the platform's ownership to another user first`
      })
    )
    : Effect.void
