import { GroveError } from '../errors';
import type { EngineEvents } from './events';
import type { SlotSnapshot } from './types';

/** A slot's live record; `SlotSnapshot` is the copy handed out. */
export type Slot = SlotSnapshot;

/**
 * The engine's slots in this process: how many, which are idle, and scaling. Scaling down takes
 * idle slots away at once and lets busy ones finish their task first (`stopping`); scaling up
 * revives stopping slots before it adds new ones with fresh numbers. Every change goes out as a
 * `slot-changed` event.
 */
export class SlotSet {
  private readonly list: Slot[] = [];
  private readonly waiters = new Map<Slot, (() => void)[]>();

  constructor(private readonly events: EngineEvents, readonly min: number, readonly max: number, count: number) {
    this.check(count, 'Change the grove.slots setting.');
    for (let index = 1; index <= count; index++) this.list.push(newSlot(index));
  }

  get size(): number {
    return this.list.length;
  }

  snapshots(): SlotSnapshot[] {
    return this.list.map(snapshotOf);
  }

  idle(): Slot[] {
    return this.list.filter((slot) => slot.state === 'idle');
  }

  /** The idle slot of that name: null when it was scaled away or set stopping meanwhile. */
  idleNamed(name: string): Slot | null {
    return this.list.find((slot) => slot.name === name && slot.state === 'idle') ?? null;
  }

  anyBusy(): boolean {
    return this.list.some((slot) => slot.taskId);
  }

  emit(slot: Slot): void {
    this.events.emit({ type: 'slot-changed', slot: snapshotOf(slot) });
  }

  /** Its task is over (and recorded): idle again, or gone when it was being stopped. */
  freed(slot: Slot): void {
    if (slot.state === 'stopping') this.remove(slot);
    else {
      slot.state = 'idle';
      this.emit(slot);
    }
  }

  /** Sets the count within min/max; resolves once the surplus busy slots finished. `grown` runs when there are more. */
  async scale(count: number, grown: () => void): Promise<number> {
    this.check(count, 'Pick a count inside the range.');
    const active = this.list.filter((slot) => slot.state !== 'stopping');
    if (count > active.length) {
      this.grow(count);
      grown();
      return count;
    }
    const surplus = [...active].sort((a, b) => slotNumber(b.name) - slotNumber(a.name)).slice(0, active.length - count);
    const waits: Promise<void>[] = [];
    for (const slot of surplus) {
      if (slot.state === 'idle') {
        this.remove(slot);
      } else {
        slot.state = 'stopping';
        this.emit(slot);
        waits.push(new Promise((resolve) => this.waiters.set(slot, [...(this.waiters.get(slot) ?? []), resolve])));
      }
    }
    await Promise.all(waits);
    return count;
  }

  private grow(count: number): void {
    const activeCount = () => this.list.filter((slot) => slot.state !== 'stopping').length;
    for (const slot of this.list) {
      if (slot.state === 'stopping' && activeCount() < count) {
        slot.state = slot.taskId ? 'busy' : 'idle';
        this.emit(slot);
      }
    }
    let next = Math.max(0, ...this.list.map((slot) => slotNumber(slot.name))) + 1;
    while (activeCount() < count) {
      const slot = newSlot(next++);
      this.list.push(slot);
      this.emit(slot);
    }
  }

  private remove(slot: Slot): void {
    const index = this.list.indexOf(slot);
    if (index >= 0) this.list.splice(index, 1);
    this.events.emit({ type: 'slot-changed', slot: { ...snapshotOf(slot), state: 'stopping' } });
    for (const waiter of this.waiters.get(slot) ?? []) waiter();
    this.waiters.delete(slot);
  }

  private check(count: number, hint: string): void {
    if (!Number.isSafeInteger(count) || count < this.min || count > this.max) {
      throw new GroveError('usage', `slots must be a whole number from ${this.min} to ${this.max}, got ${count}`, hint);
    }
  }
}

function newSlot(index: number): Slot {
  return { name: `slot-${index}`, state: 'idle', taskId: null, worktree: null, costMicros: 0, tasksDone: 0 };
}

function snapshotOf(slot: Slot): SlotSnapshot {
  return { name: slot.name, state: slot.state, taskId: slot.taskId, worktree: slot.worktree, costMicros: slot.costMicros, tasksDone: slot.tasksDone };
}

function slotNumber(name: string): number {
  return Number(name.replace(/^slot-/, '')) || 0;
}
