import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { GroveError } from '../../core/errors';
import { formatUsd } from '../../core/money';
import { cancelOnInterrupt, engineFor } from '../engineContext';
import { note, printJson, printLine } from '../io';
import { exitCodeOf } from './run';

export function register(program: Command): void {
  program.command('continue')
    .description('send a follow-up to a finished task: it runs in the task\'s session and worktree, under the budget')
    .argument('<id>', 'a result id, a task id or a worktree name')
    .argument('[prompt]', 'the follow-up ("-" reads it from stdin); with --allow-denied, your answer or extra words (optional)')
    .option('--allow-denied', 're-run a blocked result allowing what its agent was denied (in its CLI\'s terms)')
    .option('--only <tool...>', 'with --allow-denied: allow only these of the denied tools, as grove result shows them')
    .option('--json', 'print the updated result and the task as JSON')
    .action(async (id: string, prompt: string | undefined, options: { json?: boolean; allowDenied?: boolean; only?: string[] }, command: Command) => {
      const text = prompt === '-' ? readFileSync(0, 'utf8') : prompt ?? '';
      if (!options.allowDenied && !text.trim()) throw new GroveError('usage', 'the follow-up is empty', 'Say what the agent should do next.');
      if (options.only && !options.allowDenied) throw new GroveError('usage', '--only goes with --allow-denied', 'grove continue <id> --allow-denied --only "Bash(npm test)"');
      const opened = await engineFor(command);
      const stop = cancelOnInterrupt(() => Promise.all(opened.engine.list().map((task) => opened.engine.cancel(task.id).catch(() => undefined))));
      try {
        const service = opened.results.service;
        const { record, task } = options.allowDenied
          ? await service.rerunAllowing(id, { only: options.only, answer: text })
          : await service.continue(id, text);
        if (options.json) printJson({ result: record, task });
        else if (task.status === 'succeeded') printLine(task.resultText ?? '');
        else note(`grove: the follow-up ${task.status}: ${task.error ?? ''}`);
        note(`grove: ${record.id} now has ${record.runs.length} runs, ${formatUsd(record.costMicros)} in all`);
        process.exitCode = exitCodeOf([task]);
      } finally {
        stop();
        opened.close();
      }
    });
}
