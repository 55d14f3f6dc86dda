import * as os from 'node:os';
import type { Command } from 'commander';
import { note, printJson, printLine } from '../io';
import { poolFor, wantsJson, withPoolOptions } from '../pool';

export function register(program: Command): void {
  withPoolOptions(program.command('lease')
    .description('Lease a worktree from the pool and print its path (exit 3 when the pool is full)')
    .option('--holder <name>', 'who holds the lease (also GROVE_HOLDER); the same holder gets its lease back')
    .option('--base <ref>', 'branch, tag or commit to start from (default: the default branch\'s tip)'))
    .action(async (options: { holder?: string; base?: string }, command: Command) => {
      const pool = await poolFor(command);
      const holder = options.holder ?? (process.env.GROVE_HOLDER || defaultHolder());
      const lease = await pool.lease({ holder, base: options.base });
      if (wantsJson(command)) {
        printJson(lease);
        return;
      }
      printLine(lease.path);
      note(`grove: ${lease.name} leased to ${lease.holder} (lease id ${lease.leaseId})${lease.reused ? '' : ', newly created'}` +
        (lease.ports ? `; ports ${lease.ports.ports[0]}-${lease.ports.ports[lease.ports.ports.length - 1]}` : ''));
    });
}

/** Without a holder, each call is its own holder, so two plain `grove lease` calls get two worktrees. */
function defaultHolder(): string {
  let user = process.env.USER ?? 'user';
  try {
    user = os.userInfo().username;
  } catch {
    // no passwd entry (containers): keep $USER
  }
  return `${user}@${os.hostname()} pid ${process.pid}`;
}
