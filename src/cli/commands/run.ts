import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { EXIT_CODES, GroveError } from '../../core/errors';
import { formatUsd } from '../../core/money';
import type { AgentSettings } from '../../core/engine/settings';
import type { TaskResult } from '../../core/engine/types';
import { cancelOnInterrupt, engineFor } from '../engineContext';
import { note, printJson, printLine } from '../io';
import { positiveInteger } from '../options';

interface RunOptions {
  fanOut?: number;
  model?: string;
  maxTurns?: number;
  timeout?: number;
  agent?: string;
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command('run')
    .description('run agent tasks on the pool: each argument is one prompt ("-" reads one from stdin); several run in parallel')
    .argument('<prompt...>', 'the prompts (quote each one)')
    .option('--fan-out <n>', 'run each prompt N times in parallel, each in its own worktree', positiveInteger('--fan-out'))
    .option('--model <model>', 'the model for these tasks')
    .option('--max-turns <n>', 'stop each agent after N turns', positiveInteger('--max-turns'))
    .option('--timeout <minutes>', 'fail a task that runs longer than this (default 30)', positiveInteger('--timeout'))
    .option('--agent <command>', 'the agent CLI to run (default: GROVE_AGENT_COMMAND, else claude)')
    .option('--json', 'print the task results as JSON')
    .action(async (prompts: string[], options: RunOptions, command: Command) => {
      process.exitCode = await runTasks(command, await readPrompts(prompts), options);
    });
}

async function readPrompts(prompts: string[]): Promise<string[]> {
  const resolved: string[] = [];
  for (const prompt of prompts) {
    // "-" is the way to give a prompt that starts with "-", or one too long for an argument.
    const text = prompt === '-' ? readFileSync(0, 'utf8') : prompt;
    if (!text.trim()) throw new GroveError('usage', 'a prompt is empty', 'Give the agent something to do.');
    resolved.push(text);
  }
  return resolved;
}

async function runTasks(command: Command, prompts: string[], options: RunOptions): Promise<number> {
  const settings: AgentSettings = {};
  if (options.model) settings.model = options.model;
  if (options.maxTurns) settings.maxTurns = options.maxTurns;
  if (options.timeout) settings.timeoutMs = options.timeout * 60_000;
  const opened = await engineFor(command, settings, options.agent);
  const { engine } = opened;
  const all = prompts.flatMap((prompt) => Array.from({ length: options.fanOut ?? 1 }, () => prompt));
  let results: TaskResult[];
  const stopListening = cancelOnInterrupt(() => Promise.all(engine.list().map((task) => engine.cancel(task.id).catch(() => undefined))));
  try {
    if (!options.json) {
      engine.events.on((event) => {
        if (event.type === 'task-started') note(`grove: ${event.task.id} started in ${event.task.slot} (${event.task.worktreePath})`);
      });
    }
    results = await engine.fanOut(all);
  } finally {
    stopListening();
    await opened.results.recorder?.flush(); // each task's result is on disk before the process exits
    opened.close();
  }
  const budget = await engine.budgetStatus();
  if (options.json) {
    const resultIds = results.map((result) => opened.results.recorder?.resultIdOf(result.id) ?? null);
    printJson({ tasks: results, budget: { capMicros: budget.capMicros, spentMicros: budget.spentMicros, reservedMicros: budget.reservedMicros }, resultIds });
  } else {
    for (const [index, result] of results.entries()) report(result, index, results.length);
    const resultIds = results.map((result) => opened.results.recorder?.resultIdOf(result.id)).filter(Boolean);
    if (resultIds.length) note(`grove: review with grove result ${resultIds.join(' / ')} (grove results lists them all)`);
  }
  return exitCodeOf(results);
}

function report(result: TaskResult, index: number, count: number): void {
  const cost = formatUsd(result.costMicros);
  if (result.status === 'succeeded') {
    if (count > 1) printLine(`--- task ${index + 1} of ${count} (${result.id}) ---`);
    printLine(result.resultText ?? '');
    note(`grove: ${result.id} succeeded, ${cost}`);
  } else {
    note(`grove: ${result.id} ${result.status}: ${result.error ?? ''}${result.errorHint ? `\n${result.errorHint}` : ''}`);
    if (result.costMicros) note(`grove: it cost ${cost}`);
  }
  if (result.leftWork) note(`grove: work left in ${result.leftWork.path} (leased to ${result.leftWork.holder}; grove return ${result.leftWork.name} when done)`);
}

/** 5 when any task was refused for budget, else the first failure's code (6: the agent failed), else 0. */
export function exitCodeOf(results: TaskResult[]): number {
  if (results.some((result) => result.errorKind === 'budget')) return EXIT_CODES.budget;
  const failed = results.find((result) => result.status !== 'succeeded');
  if (!failed) return EXIT_CODES.ok;
  if (failed.status === 'cancelled') return EXIT_CODES.internal;
  return EXIT_CODES[failed.errorKind ?? 'agent-failed'];
}
