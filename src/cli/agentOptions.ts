import { AGENT_KINDS, parseAgentKind, type AgentKind } from '../core/agents/adapters';
import { loadPriceTable, priceMap, type MicroPrice } from '../core/agents/prices';
import { GroveError } from '../core/errors';
import type { AgentSettings } from '../core/engine/settings';

/** `--fan-out 3` (copies) or `--fan-out claude,codex,gemini` (one per kind). */
export type FanOut = number | AgentKind[];

export function agentKindOption(value: string): AgentKind {
  return parseAgentKind(value, '--agent-kind');
}

export function fanOutOption(value: string): FanOut {
  if (/^\d+$/.test(value.trim())) {
    const count = Number(value);
    if (count >= 1 && Number.isSafeInteger(count)) return count;
  }
  if (/^[a-z,\s]+$/i.test(value) && value.includes(',') || AGENT_KINDS.includes(value.trim().toLowerCase() as AgentKind)) {
    return value.split(',').map((kind) => parseAgentKind(kind, '--fan-out'));
  }
  throw new GroveError('usage', `--fan-out expects a whole number of at least 1 or a list of agent kinds, got "${value}"`, `For example --fan-out 3 or --fan-out ${AGENT_KINDS.slice(0, 3).join(',')}.`);
}

export function stallMinutesOption(value: string): number {
  const minutes = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value.trim()) || !Number.isFinite(minutes)) {
    throw new GroveError('usage', `--stall-minutes expects a number of minutes (0 turns it off), got "${value}"`);
  }
  return minutes;
}

/** GROVE_AGENT_KIND, the CLI's twin of the grove.agent.kind setting. */
export function agentKindFromEnv(env: NodeJS.ProcessEnv = process.env): AgentSettings {
  const raw = env.GROVE_AGENT_KIND;
  return raw && raw.trim() ? { agentKind: parseAgentKind(raw, 'GROVE_AGENT_KIND') } : {};
}

/** The price table for the CLI: shipped, then the repository's .grove/prices.json, then GROVE_PRICES_JSON. */
export async function cliPrices(repoRoot: string, env: NodeJS.ProcessEnv = process.env): Promise<Record<string, MicroPrice>> {
  let settings: unknown;
  if (env.GROVE_PRICES_JSON) {
    try {
      settings = JSON.parse(env.GROVE_PRICES_JSON);
    } catch (error) {
      throw new GroveError('usage', `GROVE_PRICES_JSON is not JSON (${(error as Error).message})`);
    }
  }
  return priceMap(await loadPriceTable({ repoRoot, settings }));
}
