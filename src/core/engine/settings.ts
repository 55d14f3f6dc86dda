import type { AgentKind } from '../agents/agentKind';

/**
 * How a task's agent settings come together: global (the editor's settings or the CLI's
 * flags) -> the slot's own settings -> the task's. A later level overrides a scalar; tool
 * lists and environment variables merge, because a slot that adds a tool should not have to
 * repeat the global list to keep it.
 */
export interface AgentSettings {
  model?: string;
  effort?: string;
  maxTurns?: number;
  permissionMode?: string;
  allowedTools?: string[];
  disallowedTools?: string[];
  /** Extra instructions; the levels' texts are all kept, in order (global, slot, task). */
  systemPrompt?: string;
  /** Per-task timeout; the runner's default (30 minutes) when unset. */
  timeoutMs?: number;
  /** The task's own spend cap in microdollars; default: the pool cap divided by the slot count. */
  maxBudgetMicros?: number;
  /** The agent CLI to run (default `claude`). */
  agentCommand?: string;
  /** Which kind of agent CLI (default claude): setting grove.agent.kind, --agent-kind, a chain's "agent". */
  agentKind?: AgentKind;
  /** No progress for this long stops a run as stalled (default 5 minutes; 0: never). */
  stallMs?: number;
  env?: Record<string, string>;
}

/** Who a slot is, told to the agent so that parallel agents can be given different jobs. */
export interface SlotIdentity {
  name?: string;
  role?: string;
  description?: string;
}

export interface SlotSettings extends AgentSettings, SlotIdentity {}

const SCALARS = ['model', 'effort', 'maxTurns', 'permissionMode', 'timeoutMs', 'maxBudgetMicros', 'agentCommand', 'agentKind', 'stallMs'] as const;

export function resolveSettings(...levels: (AgentSettings | undefined)[]): AgentSettings {
  const resolved: AgentSettings = {};
  for (const level of levels) {
    if (!level) continue;
    for (const key of SCALARS) {
      if (level[key] !== undefined) (resolved as Record<string, unknown>)[key] = level[key];
    }
    resolved.allowedTools = mergeLists(resolved.allowedTools, level.allowedTools);
    resolved.disallowedTools = mergeLists(resolved.disallowedTools, level.disallowedTools);
    if (level.systemPrompt?.trim()) {
      resolved.systemPrompt = resolved.systemPrompt ? `${resolved.systemPrompt}\n\n${level.systemPrompt.trim()}` : level.systemPrompt.trim();
    }
    if (level.env) resolved.env = { ...resolved.env, ...level.env };
  }
  if (!resolved.allowedTools?.length) delete resolved.allowedTools;
  if (!resolved.disallowedTools?.length) delete resolved.disallowedTools;
  return resolved;
}

function mergeLists(a: string[] | undefined, b: string[] | undefined): string[] | undefined {
  if (!b?.length) return a;
  return [...new Set([...(a ?? []), ...b])];
}

/**
 * The text given to `--append-system-prompt`: the slot's identity, the resolved system
 * prompt, and the shared context key/values. Undefined when there is nothing to say.
 */
export function buildAppendSystemPrompt(o: { slot: string; identity?: SlotIdentity; systemPrompt?: string; context?: Record<string, string> }): string | undefined {
  const parts: string[] = [];
  const identity = o.identity ?? {};
  if (identity.name || identity.role || identity.description) {
    let line = `You are ${identity.name ?? o.slot}`;
    if (identity.role) line += `, working as ${identity.role}`;
    line += ` (Grove slot ${o.slot}).`;
    if (identity.description) line += ` ${identity.description}`;
    parts.push(line);
  }
  if (o.systemPrompt?.trim()) parts.push(o.systemPrompt.trim());
  const context = Object.entries(o.context ?? {});
  if (context.length) {
    parts.push(['## Shared context', ...context.map(([key, value]) => `- ${key}: ${value}`)].join('\n'));
  }
  return parts.length ? parts.join('\n\n') : undefined;
}
