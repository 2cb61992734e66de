/**
 * The change feed's events of one memory store. Events only ever grow at the end, so they live in
 * mutable maps beside the immutable state rather than in it (a persistent structure would copy on
 * every append): the state holds only `eventsLatest`, the highest position it contains, and every
 * read is bounded by its state's `eventsLatest`. A transaction appends past the committed position;
 * if it rolls back, its events stay unreachable (past every committed `eventsLatest`) until the
 * next append overwrites their positions. Writers are serialised by the store, so two appends never
 * interleave.
 */
import { ChangeEvent as Events, type EventStore, type Model } from "@scimkit/core"
import * as DateTime from "effect/DateTime"

type ChangeEvent = Events.ChangeEvent

export class EventLog {
  /** position → event */
  private readonly events = new Map<number, ChangeEvent>()
  /** platform → its positions, ascending (may end with unreachable ones a rollback left) */
  private readonly byPlatform = new Map<Model.PlatformId, Array<number>>()
  /** every position below this one has been pruned */
  private oldest = 1

  /** Writes `events` at the positions after `latest` (the writer's state's); returns them with their positions. */
  append(latest: number, events: ReadonlyArray<Events.NewEvent>): ReadonlyArray<ChangeEvent> {
    const out: Array<ChangeEvent> = []
    let position = latest
    for (const event of events) {
      position++
      const committed = new Events.ChangeEvent({ ...event, position }, { disableChecks: true })
      this.events.set(position, committed)
      let positions = this.byPlatform.get(event.platform)
      if (positions === undefined) {
        positions = []
        this.byPlatform.set(event.platform, positions)
      }
      // drop what a rolled-back transaction left at or after this position
      while (positions.length > 0 && positions[positions.length - 1]! >= position) positions.pop()
      positions.push(position)
      out.push(committed)
    }
    return out
  }

  /** The events after `query.after` up to `latest`, oldest first, at most `query.limit`. */
  read(latest: number, query: EventStore.EventQuery): ReadonlyArray<ChangeEvent> {
    const out: Array<ChangeEvent> = []
    const limit = Math.max(0, query.limit)
    const types = query.types === undefined ? undefined : new Set<string>(query.types)
    const matches = (event: ChangeEvent | undefined): event is ChangeEvent =>
      event !== undefined &&
      (query.platform === undefined || event.platform === query.platform) &&
      (types === undefined || types.has(event.type)) &&
      (query.resourceId === undefined || event.resourceId === query.resourceId)
    if (query.platform !== undefined) {
      const positions = this.byPlatform.get(query.platform) ?? []
      for (let i = firstAfter(positions, query.after); i < positions.length && out.length < limit; i++) {
        const position = positions[i]!
        if (position > latest) break
        const event = this.events.get(position)
        if (matches(event)) out.push(event)
      }
      return out
    }
    for (let position = Math.max(query.after + 1, this.oldest); position <= latest && out.length < limit; position++) {
      const event = this.events.get(position)
      if (matches(event)) out.push(event)
    }
    return out
  }

  /**
   * Deletes the events up to `latest` written before `before`, and whatever a rollback left past
   * `latest`; the number of events deleted. Called with no transaction running.
   */
  prune(latest: number, before: DateTime.Utc): number {
    let deleted = 0
    for (const [position, event] of this.events) {
      if (position > latest) this.events.delete(position)
      else if (DateTime.isLessThan(event.at, before)) {
        this.events.delete(position)
        deleted++
      }
    }
    while (this.oldest <= latest && !this.events.has(this.oldest)) this.oldest++
    for (const [platform, positions] of this.byPlatform) {
      const kept = positions.filter((position) => this.events.get(position)?.platform === platform)
      if (kept.length === 0) this.byPlatform.delete(platform)
      else this.byPlatform.set(platform, kept)
    }
    return deleted
  }
}

/** The index of the first position greater than `after` (binary search). */
const firstAfter = (positions: ReadonlyArray<number>, after: number): number => {
  let low = 0
  let high = positions.length
  while (low < high) {
    const middle = (low + high) >>> 1
    if (positions[middle]! <= after) low = middle + 1
    else high = middle
  }
  return low
}
