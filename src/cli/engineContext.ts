import type { Command } from 'commander';
import { agentCommandFrom } from '../core/agents/agentCommand';
import type { RunRegistry } from '../core/agents/runRegistry';
import { openEngine, openRunRegistry, type OpenedEngine } from '../core/engine/open';
import type { AgentSettings } from '../core/engine/settings';
import { repositoryFor } from './context';
import { note, stderrLogger } from './io';
import { integerFromEnv, nonNegativeNumber } from './options';
import { agentKindFromEnv, cliPrices } from './agentOptions';

/** The engine for a CLI command: slots from GROVE_SLOTS (default 4), agent from --agent or GROVE_AGENT_COMMAND, pool root and size from GROVE_ROOT and GROVE_MAX. */
export async function engineFor(command: Command, settings: AgentSettings = {}, agent?: string): Promise<OpenedEngine> {
  const repo = await repositoryFor(command);
  return openEngine({
    repo,
    root: process.env.GROVE_ROOT || undefined,
    max: integerFromEnv('GROVE_MAX'),
    slots: integerFromEnv('GROVE_SLOTS') ?? 4,
    agentCommand: agentCommandFrom({ option: agent, env: process.env }),
    prices: await cliPrices(repo.mainWorktree),
    settings: { ...agentKindFromEnv(), ...settings },
    logger: stderrLogger(),
    ready: { ports: { base: integerFromEnv('GROVE_POOL_PORT_BASE'), size: integerFromEnv('GROVE_POOL_PORT_BLOCK') }, progress: (message) => note(`grove: ${message}`), forwardInterrupts: true },
    memory: { minFreeGb: process.env.GROVE_MIN_FREE_MEMORY_GB ? nonNegativeNumber('GROVE_MIN_FREE_MEMORY_GB')(process.env.GROVE_MIN_FREE_MEMORY_GB) : undefined },
    origin: 'cli',
  });
}

/** The run registry for a command that looks at runs: recording a run whose engine died also keeps its work (pool root from GROVE_ROOT). */
export async function registryFor(command: Command): Promise<RunRegistry> {
  return openRunRegistry({ repo: await repositoryFor(command), root: process.env.GROVE_ROOT || undefined, max: integerFromEnv('GROVE_MAX'), logger: stderrLogger() });
}

/** Ctrl-C cancels the work (the agents run detached, so leaving them would spend unseen); a second one exits at once. */
export function cancelOnInterrupt(cancel: () => Promise<unknown>): () => void {
  let interrupted = false;
  const handler = () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    process.stderr.write('grove: cancelling (press Ctrl-C again to leave the agents running)\n');
    void cancel();
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}
