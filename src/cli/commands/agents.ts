import type { Command } from 'commander';
import { agentInventory } from '../../core/agents/agentInventory';
import { pausedKinds } from '../../core/agents/rateLimits';
import { repositoryFor } from '../context';
import { printJson, printLine } from '../io';

export function register(program: Command): void {
  program
    .command('agents')
    .description('list the agent kinds: command, version, found or not, whether cost is reported by the agent or metered by Grove, and any rate-limit pause')
    .option('--json', 'print [{kind, command, path, found, version, cost, ownCap, pausedUntil}]')
    .action(async (options: { json?: boolean }, command: Command) => {
      const kinds = await agentInventory({ cwd: process.cwd(), env: process.env, claudeCommand: process.env.GROVE_AGENT_COMMAND });
      // Outside a repository there is no pool, so nothing is paused.
      const repo = await repositoryFor(command).catch(() => null);
      const paused = repo ? await pausedKinds(repo.groveDir) : {};
      const rows = kinds.map((k) => ({ ...k, pausedUntil: paused[k.kind]?.until ?? null }));
      if (options.json) {
        printJson(rows);
        return;
      }
      for (const k of rows) {
        printLine([k.kind, k.command, k.found ? (k.version ?? 'found (no version)') : 'not found', k.cost === 'reported' ? 'cost reported' : 'cost metered',
          ...(k.pausedUntil ? [`rate limited until ${k.pausedUntil}`] : [])].join('\t'));
      }
    });
}
