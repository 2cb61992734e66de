/**
 * Signed webhooks (off by default): a delivery worker that follows the change feed and POSTs its
 * events, in batches and in order, to one URL as `{"events": [...]}` (each event as
 * {@link EventJson}), signed with HMAC-SHA-256 in a `Scimkit-Signature` header, with an
 * `Idempotency-Key` that stays the same across the retries of a batch.
 *
 * - At least once, in order, never skipping: a batch is retried with exponential, jittered, capped
 *   backoff until the receiver answers 2xx; the next batch waits for it. The position of the last
 *   delivered batch is a checkpoint in the store, so a restart resumes after it.
 * - Every attempt (status, error, duration) goes to the `DeliveryLog`, and counts in the metric
 *   {@link deliveries}.
 * - With several server processes on one store, one delivers at a time: the worker holds a lease
 *   in the `EventStore`, renewed while it runs; the others wait and take over when it is released
 *   (the holder stops) or expires (the holder died).
 *
 * A receiver checks the signature with {@link verify} (or the plain `node:crypto` recipe of the
 * embedding guide), then dedupes by event `position`: a batch may arrive again after a timeout or
 * a takeover.
 */
import { type ChangeEvent, ChangeFeed, Crypto, DeliveryLog, EventStore, Model } from "@scimkit/core"
import * as Clock from "effect/Clock"
import * as Mac from "effect/crypto/Mac"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Hex from "effect/encoding/Hex"
import * as FetchHttpClient from "effect/http/FetchHttpClient"
import * as HttpClient from "effect/http/HttpClient"
import type * as HttpClientError from "effect/http/HttpClientError"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as Layer from "effect/Layer"
import * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as Random from "effect/Random"
import * as Redacted from "effect/Redacted"

/** The header carrying the signature: `t=<unix seconds>,v1=<hex HMAC-SHA-256 of "<t>.<raw body>">`. */
export const signatureHeader = "scimkit-signature"

/** The header carrying the batch's idempotency key, the same on every retry of the batch. */
export const idempotencyKeyHeader = "idempotency-key"

/** The header carrying the attempt number of this POST (1 for the first). */
export const attemptHeader = "scimkit-attempt"

/**
 * One event as a webhook posts it (and as {@link toJson} renders it). Absent values are `null`.
 * - `position`: unique and increasing in commit order: dedupe and order by it.
 * - `type`: `user.created`, `user.deactivated`, `member.added`… (see `ChangeEvent.EventTypes`).
 * - `resourceType` / `resourceId`: the user or group (for member events, the group).
 * - `version`: the resource's `meta.version` after the change.
 * - `changed`: the SCIM attribute paths whose value changed.
 * - `before` / `after`: the SCIM documents (without `meta`) when small enough, else `null`.
 * - `member`: the member of a `member.added` / `member.removed` event.
 * - `at`: the commit time (ISO 8601, UTC).
 * - `actor`: the credential (the API key's id) and request id that caused the change.
 */
export interface EventJson {
  readonly position: number
  readonly type: ChangeEvent.EventType
  readonly platform: string
  readonly resourceType: "User" | "Group"
  readonly resourceId: string
  readonly version: number
  readonly changed: ReadonlyArray<string>
  readonly before: Record<string, unknown> | null
  readonly after: Record<string, unknown> | null
  readonly member: { readonly userId: string; readonly role: string } | null
  readonly at: string
  readonly actor: { readonly credential: string | null; readonly requestId: string | null }
}

/** An event in its webhook JSON shape ({@link EventJson}). */
export const toJson = (event: ChangeEvent.ChangeEvent): EventJson => ({
  position: event.position,
  type: event.type,
  platform: event.platform,
  resourceType: event.resourceType,
  resourceId: event.resourceId,
  version: event.version,
  changed: event.changed,
  before: Option.getOrNull(event.before),
  after: Option.getOrNull(event.after),
  member: Option.match(event.member, {
    onNone: () => null,
    onSome: (member) => ({ userId: member.userId, role: member.role })
  }),
  at: DateTime.formatIso(event.at),
  actor: {
    credential: Option.getOrNull(event.actor.credential),
    requestId: Option.getOrNull(event.actor.requestId)
  }
})

/** A signing secret, plain or redacted. */
export type Secret = string | Redacted.Redacted<string>

const secretValue = (secret: Secret): string => typeof secret === "string" ? secret : Redacted.value(secret)

/** The host's `Mac` when there is one, else the runtime's Web Crypto: signing needs nothing from the caller. */
const withMac = <A, E>(effect: Effect.Effect<A, E, Mac.Mac>): Effect.Effect<A, E> =>
  Effect.flatMap(Effect.serviceOption(Mac.Mac), (mac) =>
    Option.isSome(mac)
      ? Effect.provideService(effect, Mac.Mac, mac.value)
      : Effect.provide(effect, Crypto.layerWebCrypto))

const hmacHex = (secret: string, timestamp: number, rawBody: string): Effect.Effect<string> =>
  withMac(Effect.map(Crypto.hmacSha256(secret, `${timestamp}.${rawBody}`), Hex.encode))

/**
 * The `Scimkit-Signature` value of `rawBody` sent at `timestamp` (unix seconds):
 * `t=<timestamp>,v1=<hex HMAC-SHA-256(secret, "<timestamp>.<rawBody>")>`.
 */
export const sign = (secret: Secret, rawBody: string, timestamp: number): Effect.Effect<string> => {
  const key = secretValue(secret)
  if (key === "") return Effect.die(new Error("A webhook signing secret must not be empty"))
  return Effect.map(hmacHex(key, timestamp, rawBody), (hex) => `t=${timestamp},v1=${hex}`)
}

/** The timestamp and the `v1` signatures of a header value; undefined when it is not one. */
const parseHeader = (
  header: string
): { readonly timestamp: number; readonly signatures: ReadonlyArray<string> } | undefined => {
  let timestamp: number | undefined
  const signatures: Array<string> = []
  for (const part of header.split(",")) {
    const eq = part.indexOf("=")
    if (eq < 0) continue
    const name = part.slice(0, eq).trim()
    const value = part.slice(eq + 1).trim()
    if (name === "t" && /^\d{1,15}$/.test(value)) timestamp = Number(value)
    else if (name === "v1" && value !== "") signatures.push(value.toLowerCase())
  }
  return timestamp === undefined || signatures.length === 0 ? undefined : { timestamp, signatures }
}

/** How far a signature's timestamp may be from now (Stripe's default): replays of old requests fail. */
export const defaultToleranceSeconds = 300

/**
 * The receiver's check: true when `header` (the `Scimkit-Signature` value) carries a `v1`
 * signature of `rawBody` (the bytes as received, before any JSON parsing) under `secret`, made at
 * most `toleranceSeconds` (default 300; `Infinity` turns the check off) from now. Compares in
 * constant time; a missing or malformed header is false.
 */
export const verify = (
  secret: Secret,
  header: string | null | undefined,
  rawBody: string | Uint8Array,
  options?: { readonly toleranceSeconds?: number | undefined }
): Effect.Effect<boolean> => {
  const key = secretValue(secret)
  const parsed = header === null || header === undefined ? undefined : parseHeader(header)
  if (key === "" || parsed === undefined) return Effect.succeed(false)
  const body = typeof rawBody === "string" ? rawBody : new TextDecoder().decode(rawBody)
  const tolerance = options?.toleranceSeconds ?? defaultToleranceSeconds
  return Effect.flatMap(Clock.currentTimeMillis, (now) => {
    if (Math.abs(now / 1000 - parsed.timestamp) > tolerance) return Effect.succeed(false)
    return Effect.map(
      hmacHex(key, parsed.timestamp, body),
      (expected) => parsed.signatures.some((signature) => Crypto.constantTimeEquals(signature, expected))
    )
  })
}

/** How the worker delivers. Durations are `Duration.Input`s (`"10 seconds"`, `Duration.millis(500)`, …). */
export interface Options {
  /** Where batches are POSTed (http or https). Redirects are not followed: configure the final URL. */
  readonly url: string
  /** The signing secret the receiver shares. */
  readonly secret: Redacted.Redacted<string>
  /**
   * Names the endpoint in the delivery log, the checkpoint and the lease (default: the URL's origin
   * and path). Give one when two webhooks share a URL path.
   */
  readonly name?: string | undefined
  /** Only this platform's events (default: every platform's). */
  readonly platform?: string | undefined
  /** Only events of these types (default: all). */
  readonly types?: ReadonlyArray<ChangeEvent.EventType> | undefined
  /** Where a new endpoint (no checkpoint yet) starts: after this position, or `"latest"`. Default 0: every event kept. */
  readonly after?: number | "latest" | undefined
  /** Most events per POST. Default 100. */
  readonly batchSize?: number | undefined
  /** How long one attempt may take, response included. Default 10 seconds. */
  readonly timeout?: Duration.Input | undefined
  /** The wait after a first failed attempt; doubled at each failure up to `maxBackoff`. Default 1 second. */
  readonly initialBackoff?: Duration.Input | undefined
  /** The longest wait between two attempts. Default 5 minutes. */
  readonly maxBackoff?: Duration.Input | undefined
  /** How often to look for new events when there were none. Default 1 second. */
  readonly pollInterval?: Duration.Input | undefined
  /** How long the lease lasts unless renewed (a dead holder is replaced after it). Default 30 seconds. */
  readonly leaseTtl?: Duration.Input | undefined
}

/** What the worker needs: the feed and its store, the delivery log, an HTTP client and the crypto services. */
export type Requirements =
  | ChangeFeed.ChangeFeed
  | EventStore.EventStore
  | DeliveryLog.DeliveryLog
  | HttpClient.HttpClient
  | Crypto.Services

/**
 * Attempts to deliver a batch, by outcome (`delivered`: a 2xx; `failed`: anything else, a timeout
 * or no connection).
 */
export const deliveries: Metric.Counter<number> = Metric.counter("scimkit_webhook_deliveries_total", {
  description: "Webhook delivery attempts, by outcome (delivered or failed)",
  incremental: true
})
const delivered = Metric.withAttributes(deliveries, { outcome: "delivered" })
const failed = Metric.withAttributes(deliveries, { outcome: "failed" })

/** Events delivered (acknowledged with a 2xx) by the webhook worker. */
export const eventsDelivered: Metric.Counter<number> = Metric.counter("scimkit_webhook_events_delivered_total", {
  description: "Change-feed events acknowledged by a webhook receiver",
  incremental: true
})

// Defaults: guesses, not measurements. 100 events keep a POST well under a megabyte even with the
// documents; 10 s is what common webhook senders allow a receiver; a 5 minute cap keeps a receiver
// that was down for an hour from waiting long after it is back; a 30 s lease means a crashed holder
// is replaced within half a minute at the cost of one store write every 10 s.
const defaults = {
  batchSize: 100,
  timeout: Duration.seconds(10),
  initialBackoff: Duration.seconds(1),
  maxBackoff: Duration.minutes(5),
  pollInterval: Duration.seconds(1),
  leaseTtl: Duration.seconds(30)
}

/** Most characters of a failed response's body kept in the delivery log. */
const maxErrorBody = 200

interface Resolved {
  readonly url: string
  readonly secret: string
  readonly endpoint: string
  readonly follow: ChangeFeed.FollowOptions
  readonly timeout: Duration.Duration
  readonly initialBackoffMillis: number
  readonly maxBackoffMillis: number
  readonly leaseTtlMillis: number
}

const resolve = (options: Options): Resolved => {
  let url: URL
  try {
    url = new URL(options.url)
  } catch {
    throw new Error(`Webhooks: url ${JSON.stringify(options.url)} is not an absolute URL`)
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new Error(`Webhooks: url must be http or https, got ${url.protocol}`)
  }
  const secret = Redacted.value(options.secret)
  if (secret === "") throw new Error("Webhooks: the signing secret must not be empty")
  const batchSize = options.batchSize ?? defaults.batchSize
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new Error(`Webhooks: batchSize must be a positive integer, got ${batchSize}`)
  }
  const millis = (input: Duration.Input | undefined, fallback: Duration.Duration, what: string) => {
    const value = Duration.toMillis(Duration.fromInputUnsafe(input ?? fallback))
    if (!(value > 0) || !Number.isFinite(value)) throw new Error(`Webhooks: ${what} must be a positive duration`)
    return value
  }
  const pollInterval = millis(options.pollInterval, defaults.pollInterval, "pollInterval")
  return {
    url: url.href,
    secret,
    endpoint: options.name ?? `${url.origin}${url.pathname}`,
    follow: {
      after: options.after,
      platform: options.platform === undefined ? undefined : Model.PlatformId.make(options.platform),
      types: options.types,
      batchSize,
      pollInterval: Duration.millis(pollInterval)
    },
    timeout: Duration.millis(millis(options.timeout, defaults.timeout, "timeout")),
    initialBackoffMillis: millis(options.initialBackoff, defaults.initialBackoff, "initialBackoff"),
    maxBackoffMillis: millis(options.maxBackoff, defaults.maxBackoff, "maxBackoff"),
    leaseTtlMillis: millis(options.leaseTtl, defaults.leaseTtl, "leaseTtl")
  }
}

/**
 * The wait after failed attempt `attempt` (1, 2, …): `initial · 2^(attempt-1)` capped at `max`,
 * then a random half of it taken off ("equal jitter"), so that senders that failed together do not
 * retry together.
 */
export const backoffMillis = (attempt: number, initial: number, max: number, random: number): number => {
  const capped = Math.min(max, initial * 2 ** Math.min(attempt - 1, 52))
  return Math.round(capped / 2 + (capped / 2) * random)
}

/** The messages of an error and its causes, outermost first. */
const messagesOf = (error: unknown): ReadonlyArray<string> => {
  const messages: Array<string> = []
  for (let current = error, depth = 0; current instanceof Error && depth < 4; current = current.cause, depth++) {
    if (current.message !== "") messages.push(current.message)
  }
  return messages
}

/** Why a request got no response, without its URL (whose query string may hold a token). */
const describeFailure = (error: HttpClientError.HttpClientError): string => {
  const reason = error.reason
  const description = Predicate.hasProperty(reason, "description") && typeof reason.description === "string"
    ? [reason.description]
    : []
  const messages = [...description, ...messagesOf(Predicate.hasProperty(reason, "cause") ? reason.cause : undefined)]
  return messages.length === 0 ? reason._tag : `${reason._tag}: ${messages.join(": ")}`
}

/**
 * The delivery worker: delivers while it holds the endpoint's lease, waits while another process
 * does, and never returns (interrupt it to stop; it releases the lease). Its failures (a store that
 * cannot be reached) are logged and retried.
 */
export const run = (options: Options): Effect.Effect<never, never, Requirements> =>
  Effect.gen(function*() {
    const config = yield* Effect.try({ try: () => resolve(options), catch: (error) => error }).pipe(Effect.orDie)
    const feed = yield* ChangeFeed.ChangeFeed
    const store = yield* EventStore.EventStore
    const log = yield* DeliveryLog.DeliveryLog
    const client = yield* HttpClient.HttpClient
    const crypto = yield* Crypto.bind
    const mac = yield* Mac.Mac
    const owner = yield* crypto.randomUUID
    // a redirect is an answer to retry, not to follow: a POST redirected would become a GET elsewhere
    const requestInit: RequestInit = {
      ...Option.getOrUndefined(yield* Effect.serviceOption(FetchHttpClient.RequestInit)),
      redirect: "manual"
    }
    const name = `webhook:${config.endpoint}`
    const renewEvery = Duration.millis(Math.max(1, Math.floor(config.leaseTtlMillis / 3)))

    /** A key the same for every retry of this batch, and different for another batch or store. */
    const idempotencyKey = (batch: ReadonlyArray<ChangeEvent.ChangeEvent>) => {
      const first = batch[0]!
      const last = batch[batch.length - 1]!
      const at = DateTime.formatIso(first.at)
      return Effect.map(
        crypto.sha256Hex(`${config.endpoint}\n${first.position}\n${last.position}\n${at}`),
        (hex) => hex.slice(0, 32)
      )
    }

    /** One POST of the batch; the attempt as recorded. */
    const attemptOnce = (
      batch: ReadonlyArray<ChangeEvent.ChangeEvent>,
      body: string,
      batchId: string,
      attempt: number
    ) =>
      Effect.gen(function*() {
        const started = yield* Clock.currentTimeMillis
        const timestamp = Math.floor(started / 1000)
        const signature = yield* Effect.provideService(sign(config.secret, body, timestamp), Mac.Mac, mac)
        const request = HttpClientRequest.post(config.url).pipe(
          HttpClientRequest.setHeaders({
            [signatureHeader]: signature,
            [idempotencyKeyHeader]: batchId,
            [attemptHeader]: String(attempt),
            "user-agent": "scimkit-webhooks"
          }),
          HttpClientRequest.bodyText(body, "application/json")
        )
        const outcome = yield* client.execute(request).pipe(
          Effect.flatMap((response) => Effect.map(response.text, (text) => ({ status: response.status, text }))),
          Effect.provideService(FetchHttpClient.RequestInit, requestInit),
          Effect.timeoutOption(config.timeout),
          Effect.result
        )
        const ended = yield* Clock.currentTimeMillis
        const status = outcome._tag === "Success" && Option.isSome(outcome.success)
          ? Option.some(outcome.success.value.status)
          : Option.none<number>()
        const ok = Option.isSome(status) && status.value >= 200 && status.value < 300
        const error: Option.Option<string> = ok
          ? Option.none()
          : outcome._tag === "Failure"
          ? Option.some(describeFailure(outcome.failure))
          : Option.isNone(outcome.success)
          ? Option.some(`timed out after ${Duration.format(config.timeout)}`)
          : Option.some(
            `HTTP ${outcome.success.value.status}${
              outcome.success.value.text === "" ? "" : `: ${outcome.success.value.text.slice(0, maxErrorBody)}`
            }`
          )
        yield* Metric.update(ok ? delivered : failed, 1)
        if (ok) yield* Metric.update(eventsDelivered, batch.length)
        return yield* log.record({
          endpoint: config.endpoint,
          batchId,
          first: batch[0]!.position,
          last: batch[batch.length - 1]!.position,
          events: batch.length,
          attempt,
          at: DateTime.makeUnsafe(started),
          status,
          ok,
          error,
          durationMillis: Math.max(0, Math.round(ended - started))
        })
      })

    /** Posts the batch until the receiver takes it. */
    const deliverBatch = (batch: ReadonlyArray<ChangeEvent.ChangeEvent>) =>
      Effect.gen(function*() {
        const body = JSON.stringify({ events: batch.map(toJson) })
        const batchId = yield* idempotencyKey(batch)
        for (let attempt = 1;; attempt++) {
          const recorded = yield* attemptOnce(batch, body, batchId, attempt)
          if (recorded.ok) return
          const wait = backoffMillis(attempt, config.initialBackoffMillis, config.maxBackoffMillis, yield* Random.next)
          yield* Effect.logWarning(
            `webhook delivery failed (${Option.getOrElse(recorded.error, () => "")}); attempt ${
              attempt + 1
            } in ${wait}ms`
          ).pipe(Effect.annotateLogs({ batchId, first: recorded.first, last: recorded.last }))
          yield* Effect.sleep(Duration.millis(wait))
        }
      })

    /** Renews the lease until it is lost (another process took it after it expired). */
    const keepLease = Effect.gen(function*() {
      while (true) {
        yield* Effect.sleep(renewEvery)
        if (!(yield* store.acquireLease(name, owner, config.leaseTtlMillis))) {
          return yield* Effect.logWarning("webhook lease lost to another process; delivery stops here")
        }
      }
    })

    const deliver = feed.consume(name, deliverBatch, config.follow)

    const round = Effect.gen(function*() {
      if (!(yield* store.acquireLease(name, owner, config.leaseTtlMillis))) return
      yield* Effect.logDebug("webhook lease acquired; delivering")
      yield* Effect.raceFirst(deliver, keepLease)
    }).pipe(
      Effect.catchCause((cause) => Effect.logWarning("webhook worker failed; trying again", cause))
    )

    return yield* round.pipe(
      Effect.andThen(Effect.sleep(renewEvery)),
      Effect.forever,
      Effect.ensuring(Effect.ignore(store.releaseLease(name, owner))),
      Effect.annotateLogs({ webhook: config.endpoint })
    )
  })

/**
 * The delivery worker as a layer: forks {@link run} in the layer's scope (stopping it, and
 * releasing the lease, when the scope closes). Off unless a host adds it. Throws at once when an
 * option is invalid (not an http(s) URL, an empty secret, a batch size or duration that is not
 * positive).
 */
export const layer = (options: Options): Layer.Layer<never, never, Requirements> => {
  resolve(options)
  return Layer.effectDiscard(Effect.forkScoped(run(options)))
}
