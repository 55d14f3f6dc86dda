import type { Command } from 'commander';
import { printJson, printLine } from '../io';
import { poolFor, wantsJson, withPoolOptions } from '../pool';

/** `grove du`: measure every worktree's size now (checkout and ignored files apart) into the cache `grove status` shows. */
export function register(program: Command): void {
  withPoolOptions(program.command('du')
    .description('Measure each worktree\'s disk use now (checkout and ignored files apart); grove status shows the last measurement'))
    .action(async (_options: unknown, command: Command) => {
      const usages = await (await poolFor(command)).measureDisk();
      if (wantsJson(command)) {
        printJson(usages);
        return;
      }
      const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`.padStart(10);
      printLine(`${'NAME'.padEnd(12)}${'CHECKOUT'.padStart(10)}${'IGNORED'.padStart(10)}`);
      for (const usage of usages) printLine(`${usage.name.padEnd(12)}${mb(usage.checkoutBytes)}${mb(usage.ignoredBytes)}`);
      printLine(`${'total'.padEnd(12)}${mb(usages.reduce((sum, usage) => sum + usage.checkoutBytes + usage.ignoredBytes, 0))}`);
    });
}
