/**
 * The metrics the services record, for a host's metrics endpoint (Effect's `Metric` registry,
 * exported by OpenTelemetry or a Prometheus handler).
 */
import * as Metric from "effect/Metric"

/**
 * `scimkit_quirks_total`: how many times a request needed a non-RFC form the compatibility
 * profile accepts (one per quirk of the `Profiles` registry per request), with the attributes
 * `quirk` (its name), `platform` (the platform id) and `profile` (the platform's profile). Tells an
 * operator which IdP dialects are in use, and what a switch to the `rfc` profile would break.
 */
export const quirksTotal: Metric.Counter<number> = Metric.counter("scimkit_quirks_total", {
  description: "Non-RFC request forms accepted, by quirk, platform and compatibility profile",
  incremental: true
})
