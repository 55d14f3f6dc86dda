import type { BudgetStatus } from './budget';
import type { ChainRunSnapshot, StepProgress } from './chains/types';
import type { SlotSnapshot, TaskSnapshot } from './types';

/**
 * The one stream of everything the engine does, for the editor and the CLI to render.
 * Views redraw from these events; nobody polls files for them.
 */
export type EngineEvent =
  | { type: 'slot-changed'; slot: SlotSnapshot }
  | { type: 'task-queued'; task: TaskSnapshot }
  | { type: 'task-started'; task: TaskSnapshot }
  /** Assistant text as it arrives (`text` is the new piece, not the whole output). */
  | { type: 'task-progress'; taskId: string; text: string; sessionId: string | null }
  | { type: 'task-finished'; task: TaskSnapshot }
  | { type: 'chain-step-changed'; chainRunId: string; step: StepProgress; chain: ChainRunSnapshot }
  | { type: 'chain-finished'; chain: ChainRunSnapshot }
  | { type: 'spend-changed'; budget: BudgetStatus };

export type EngineEventType = EngineEvent['type'];
export type EngineListener = (event: EngineEvent) => void;

export interface Subscription {
  dispose(): void;
}

/**
 * A small typed emitter. A listener that throws is logged by the caller's `onListenerError`
 * and never stops the engine or the other listeners.
 */
export class EngineEvents {
  private readonly listeners = new Set<EngineListener>();

  constructor(private readonly onListenerError: (error: unknown) => void = () => undefined) {}

  on(listener: EngineListener): Subscription {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /** Only the events of one type, typed as such. */
  onType<T extends EngineEventType>(type: T, listener: (event: Extract<EngineEvent, { type: T }>) => void): Subscription {
    return this.on((event) => {
      if (event.type === type) listener(event as Extract<EngineEvent, { type: T }>);
    });
  }

  emit(event: EngineEvent): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch (error) {
        this.onListenerError(error);
      }
    }
  }
}
