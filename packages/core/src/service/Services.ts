/**
 * The domain services as tags. Their canonical implementations (the `layer`s in `Users.ts`,
 * `Projects.ts`, `ApiKeys.ts`, `Platforms.ts`) need the storage ports and `ScimOptions`.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import type { ApiKeysApi, PlatformsApi, ResourceApi } from "./Types.js"

/** SCIM Users of a platform. @since 0.1.0 */
export class Users extends Context.Service<Users, ResourceApi>()("@scimkit/core/Users") {}

/** SCIM Groups, which are the platform's projects. @since 0.1.0 */
export class Projects extends Context.Service<Projects, ResourceApi>()("@scimkit/core/Projects") {}

/** @since 0.1.0 */
export class ApiKeys extends Context.Service<ApiKeys, ApiKeysApi>()("@scimkit/core/ApiKeys") {}

/** @since 0.1.0 */
export class Platforms extends Context.Service<Platforms, PlatformsApi>()("@scimkit/core/Platforms") {}
