import { microsToUsd } from '../money';
import type { AgentFlags } from './ports';
import { buildAppendSystemPrompt, type AgentSettings, type SlotSettings } from './settings';

/** The agent CLI's flags for one task: resolved settings, the slot's identity and context in the system prompt, and the budget hold. */
export function agentFlags(settings: AgentSettings, o: {
  slot: string;
  identity: SlotSettings | undefined;
  context: Record<string, string>;
  budgetMicros: number | null;
  resume: string | undefined;
}): AgentFlags {
  return dropUndefined({
    model: settings.model,
    effort: settings.effort,
    maxTurns: settings.maxTurns,
    permissionMode: settings.permissionMode,
    allowedTools: settings.allowedTools,
    disallowedTools: settings.disallowedTools,
    appendSystemPrompt: buildAppendSystemPrompt({ slot: o.slot, identity: o.identity, systemPrompt: settings.systemPrompt, context: o.context }),
    maxBudgetUsd: o.budgetMicros === null ? undefined : microsToUsd(o.budgetMicros),
    resume: o.resume,
  });
}

function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as T;
}
