/**
 * A small bounded cache with a time to live, for what a request needs before it can do anything
 * and that changes rarely: the API key behind a bearer token and the platform's settings. Entries
 * are dropped when they expire or, past `capacity`, oldest first (a `Map` keeps insertion order).
 * Pure data structure: the caller passes the current time, so the services read the clock once.
 *
 * @internal
 */

/** The cached value of a key, or `undefined` when absent or expired. */
export interface TtlCache<K, V> {
  readonly get: (key: K, now: number) => V | undefined
  readonly set: (key: K, value: V, now: number) => void
  readonly delete: (key: K) => void
  /** Drops every entry whose value matches (a revoked key under any of its secrets). */
  readonly deleteWhere: (predicate: (value: V) => boolean) => void
  readonly size: () => number
}

/** A cache keeping at most `capacity` entries for `ttlMillis` each; a ttl of 0 caches nothing. */
export const make = <K, V>(ttlMillis: number, capacity: number): TtlCache<K, V> => {
  const entries = new Map<K, { readonly value: V; readonly expires: number }>()
  return {
    get: (key, now) => {
      const entry = entries.get(key)
      if (entry === undefined) return undefined
      if (entry.expires <= now) {
        entries.delete(key)
        return undefined
      }
      return entry.value
    },
    set: (key, value, now) => {
      if (ttlMillis <= 0) return
      entries.delete(key)
      if (entries.size >= capacity) {
        const oldest = entries.keys().next()
        if (oldest.done !== true) entries.delete(oldest.value)
      }
      entries.set(key, { value, expires: now + ttlMillis })
    },
    delete: (key) => {
      entries.delete(key)
    },
    deleteWhere: (predicate) => {
      for (const [key, entry] of entries) {
        if (predicate(entry.value)) entries.delete(key)
      }
    },
    size: () => entries.size
  }
}
