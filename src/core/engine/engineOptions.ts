import type { Logger } from '../logger';
import type { MemoryGateOptions } from '../ready/memory';
import type { AgentLauncher, WorktreeProvider } from './ports';
import type { AgentSettings, SlotSettings } from './settings';

/** What an Engine is told: everything from outside core comes in here (see design: core is told, never asks). */
export interface EngineOptions {
  groveDir: string;
  worktrees: WorktreeProvider;
  agents: AgentLauncher;
  /** Slots (setting `grove.slots`, default 4), bounded by minSlots/maxSlots when scaling. */
  slots?: number;
  minSlots?: number;
  maxSlots?: number;
  /** Global settings, then each slot's own (by slot name, e.g. "slot-2"). */
  settings?: AgentSettings;
  slotSettings?: Record<string, SlotSettings>;
  /** Shared context key/values told to every agent. */
  context?: Record<string, string>;
  logger?: Logger;
  now?: () => Date;
  /** How often to look again for a slot that another Grove process holds. */
  slotPollMs?: number;
  /** Finished tasks kept for `result()`; older ones are forgotten so memory stays flat. */
  keepFinished?: number;
  /** A queued task waits while available memory is below `minFreeGb` (src/core/ready/memory.ts). */
  memory?: MemoryGateOptions;
  /** Who starts this engine's runs ("cli", "vscode:<window>"), recorded on each run entry. */
  origin?: string;
}
