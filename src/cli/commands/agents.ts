import type { Command } from 'commander';
import { agentInventory } from '../../core/agents/agentInventory';
import { printJson, printLine } from '../io';

export function register(program: Command): void {
  program
    .command('agents')
    .description('list the agent kinds: command, version, found or not, and whether cost is reported by the agent or metered by Grove')
    .option('--json', 'print [{kind, command, path, found, version, cost, ownCap}]')
    .action(async (options: { json?: boolean }) => {
      const kinds = await agentInventory({ cwd: process.cwd(), env: process.env, claudeCommand: process.env.GROVE_AGENT_COMMAND });
      if (options.json) {
        printJson(kinds);
        return;
      }
      for (const k of kinds) {
        printLine([k.kind, k.command, k.found ? (k.version ?? 'found (no version)') : 'not found', k.cost === 'reported' ? 'cost reported' : 'cost metered'].join('\t'));
      }
    });
}
