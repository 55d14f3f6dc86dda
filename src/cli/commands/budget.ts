import type { Command } from 'commander';
import { Budget } from '../../core/engine/budget';
import { formatUsd, parseUsdToMicros } from '../../core/money';
import { RegistryLauncher } from '../../core/engine/registryLauncher';
import { registryFor } from '../engineContext';
import { repositoryFor } from '../context';
import { note, printJson, printLine } from '../io';

export function register(program: Command): void {
  program
    .command('budget')
    .description('show the pool spend cap, what was spent and what running tasks hold; --set changes the cap')
    .option('--set <usd>', 'set the cap in US dollars (e.g. 5 or 12.50)')
    .option('--clear', 'remove the cap')
    .option('--json', 'print {capMicros, spentMicros, reservedMicros}')
    .action(async (options: { set?: string; clear?: boolean; json?: boolean }, command: Command) => {
      const capMicros = options.set === undefined ? undefined : parseUsdToMicros(options.set, '--set');
      const repo = await repositoryFor(command);
      const registry = await registryFor(command);
      const launcher = new RegistryLauncher(registry);
      // Runs whose host died are recorded first, so what is shown as spent is complete.
      await launcher.reconcile().catch((error: Error) => note(`grove: could not look at earlier runs: ${error.message}`));
      launcher.close();
      const budget = new Budget({ groveDir: repo.groveDir, runs: launcher });
      const status = capMicros !== undefined ? await budget.setCap(capMicros) : options.clear ? await budget.setCap(null) : await budget.status();
      if (options.json) {
        printJson({ capMicros: status.capMicros, spentMicros: status.spentMicros, reservedMicros: status.reservedMicros });
        return;
      }
      if (status.capMicros === null) {
        printLine(`no cap; spent ${formatUsd(status.spentMicros)}${status.reservedMicros ? `, ${formatUsd(status.reservedMicros)} held by running tasks` : ''}`);
        return;
      }
      printLine(`spent ${formatUsd(status.spentMicros)} of ${formatUsd(status.capMicros)}; ${formatUsd(status.reservedMicros)} held by running tasks; ${formatUsd(Math.max(0, status.remainingMicros ?? 0))} left`);
    });
}
