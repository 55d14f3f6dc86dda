import { GroveError } from '../../errors';
import { claudeAdapter } from './claude';
import { codexAdapter } from './codex';
import { geminiAdapter } from './gemini';
import { openCodeAdapter } from './opencode';
import { AGENT_KINDS, type AgentAdapter, type AgentKind } from './types';

export * from './types';

const ADAPTERS: Record<AgentKind, AgentAdapter> = { claude: claudeAdapter, codex: codexAdapter, gemini: geminiAdapter, opencode: openCodeAdapter };

export function isAgentKind(value: unknown): value is AgentKind {
  return typeof value === 'string' && (AGENT_KINDS as readonly string[]).includes(value);
}

/** The adapter of a kind; a missing kind (an entry written before kinds existed) is Claude. */
export function adapterFor(kind: AgentKind | null | undefined): AgentAdapter {
  return ADAPTERS[kind ?? 'claude'];
}

/** A kind typed by a person (flag, setting, chain file): checked, with what to write instead. */
export function parseAgentKind(raw: string, where = 'the agent kind'): AgentKind {
  const value = raw.trim().toLowerCase();
  if (!isAgentKind(value)) throw new GroveError('usage', `${where}: "${raw}" is not an agent kind`, `Use one of ${AGENT_KINDS.join(', ')}.`);
  return value;
}

/**
 * Which command runs a kind: its override (setting `grove.agent.commands.<kind>` or
 * `GROVE_<KIND>_COMMAND`), else for Claude the general agent command, else the kind's name.
 */
export function commandForKind(kind: AgentKind, o: { overrides?: Partial<Record<AgentKind, string>>; env?: NodeJS.ProcessEnv; claudeCommand?: string }): string {
  const override = o.overrides?.[kind]?.trim() || o.env?.[`GROVE_${kind.toUpperCase()}_COMMAND`]?.trim();
  if (override) return override;
  if (kind === 'claude' && o.claudeCommand?.trim()) return o.claudeCommand.trim();
  return ADAPTERS[kind].defaultCommand;
}
