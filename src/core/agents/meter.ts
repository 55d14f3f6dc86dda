import type { AgentEvent } from './adapters/types';
import { priceFor, type MicroPrice } from './prices';

/** What a run is metered with: stored in its entry, so a finisher in another process meters it the same. */
export interface MeterSpec {
  /** The model asked for; a usage event naming its own model is priced by that one when known. */
  model: string | null;
  prices: Record<string, MicroPrice>;
  /** The run's hold in microdollars (its part of the cap); null: meter, never stop. */
  holdMicros: number | null;
}

const MILLION = 1_000_000n;

/**
 * Usage events to integer microdollars. Token costs add up exactly as a BigInt of
 * token·µ$/MTok and are rounded up once (ceil), so the sum of a run never drifts and never
 * under-counts by more than nothing; a dollar figure the agent reported (OpenCode) is taken as
 * it is. `add` says when the hold is used up.
 */
export class CostMeter {
  private tokenCost = 0n;
  private reported = 0;
  events = 0;
  unpriced = 0;

  constructor(readonly spec: MeterSpec) {}

  get spentMicros(): number {
    return this.reported + Number((this.tokenCost + MILLION - 1n) / MILLION);
  }

  get exhausted(): boolean {
    return this.spec.holdMicros !== null && this.spentMicros >= this.spec.holdMicros;
  }

  /** Feeds one event (anything but usage is ignored); true when this one used the hold up. */
  add(event: AgentEvent): boolean {
    if (event.type !== 'usage') return false;
    const before = this.exhausted;
    this.events++;
    if (event.costMicros !== null) {
      this.reported += event.costMicros;
    } else {
      const price = (event.model && this.spec.prices[event.model]) || priceFor(this.spec.prices, event.model)?.price || priceFor(this.spec.prices, this.spec.model)?.price;
      if (!price) {
        this.unpriced++;
        return false;
      }
      const u = event.usage;
      this.tokenCost += BigInt(u.inputTokens) * BigInt(price.input) + BigInt(u.outputTokens) * BigInt(price.output)
        + BigInt(u.cacheReadTokens) * BigInt(price.cacheRead) + BigInt(u.cacheWriteTokens) * BigInt(price.cacheWrite);
    }
    return !before && this.exhausted;
  }
}
