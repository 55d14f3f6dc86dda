import type { Command } from 'commander';
import { loadPriceTable } from '../../core/agents/prices';
import { microsToUsdString } from '../../core/money';
import { repositoryFor } from '../context';
import { printJson, printLine } from '../io';

export function register(program: Command): void {
  program
    .command('prices')
    .description('show the price table metering uses (shipped, then .grove/prices.json, then GROVE_PRICES_JSON), USD per million tokens')
    .option('--json', 'print {date, source, models: {<model>: {inputPerMTok, outputPerMTok, cacheReadPerMTok, cacheWritePerMTok, from}}}')
    .action(async (options: { json?: boolean }, command: Command) => {
      const repo = await repositoryFor(command).catch(() => null);
      const settings = process.env.GROVE_PRICES_JSON ? JSON.parse(process.env.GROVE_PRICES_JSON) as unknown : undefined;
      const table = await loadPriceTable({ repoRoot: repo?.mainWorktree, settings });
      const usd = (micros: number) => Number(microsToUsdString(micros));
      const models = Object.fromEntries(Object.entries(table.models).sort(([a], [b]) => a.localeCompare(b)).map(([model, { price, from }]) => [model, {
        inputPerMTok: usd(price.input), outputPerMTok: usd(price.output), cacheReadPerMTok: usd(price.cacheRead), cacheWritePerMTok: usd(price.cacheWrite), from,
      }]));
      if (options.json) {
        printJson({ date: table.date, source: table.source, models });
        return;
      }
      printLine(`prices of ${table.date} (${table.source})`);
      printLine(['model', 'input', 'output', 'cache read', 'cache write', 'from'].join('\t'));
      for (const [model, p] of Object.entries(models)) printLine([model, p.inputPerMTok, p.outputPerMTok, p.cacheReadPerMTok, p.cacheWritePerMTok, p.from].join('\t'));
    });
}
