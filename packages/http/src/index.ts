/**
 * @since 0.1.0
 */
export { parseRateLimit, type RateLimit, ScimHttpOptions, type ScimHttpOptionsShape } from "./ScimHttpOptions.js"
export { ScimHttpApp, type ScimHttpRequirements } from "./ScimHttpApp.js"
export { requestId, requestIdHeader, withRequestLog } from "./RequestLog.js"
export { toWebHandler, type WebHandler } from "./WebHandler.js"
export * as ScimResponse from "./ScimResponse.js"
export * as Bulk from "./Bulk.js"
