import type { Command } from 'commander';
import { EXIT_CODES, GroveError, type GroveErrorKind } from '../../core/errors';
import { bindArguments, loadChainFile, resolveChainPath } from '../../core/engine/chains/parse';
import type { ChainRunSnapshot, StepProgress } from '../../core/engine/chains/types';
import { formatUsd } from '../../core/money';
import { cancelOnInterrupt, engineFor } from '../engineContext';
import { note, printLine } from '../io';
import { repositoryFor } from '../context';

interface ChainOptions {
  arg: Record<string, string>;
  agent?: string;
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command('chain')
    .description('run a chain of agent steps from a JSON file (a path, or a name in .grove/chains/)')
    .argument('<file>', 'the chain file, or its name under .grove/chains/')
    .option('--arg <name=value>', 'a chain argument (repeatable)', collectArgument, {})
    .option('--agent <command>', 'the agent CLI to run (default: GROVE_AGENT_COMMAND, else claude)')
    .option('--json', 'print one JSON line per step change, then the chain run')
    .action(async (file: string, options: ChainOptions, command: Command) => {
      process.exitCode = await runChain(command, file, options);
    });
}

function collectArgument(value: string, previous: Record<string, string>): Record<string, string> {
  const equals = value.indexOf('=');
  if (equals <= 0) throw new GroveError('usage', `--arg expects name=value, got "${value}"`, 'For example: --arg issue=42');
  const name = value.slice(0, equals);
  if (name in previous) throw new GroveError('usage', `--arg ${name} is given twice`);
  return { ...previous, [name]: value.slice(equals + 1) };
}

async function runChain(command: Command, file: string, options: ChainOptions): Promise<number> {
  const repo = await repositoryFor(command);
  const chain = await loadChainFile(await resolveChainPath(file, repo.mainWorktree), { repoRoot: repo.mainWorktree });
  const args = bindArguments(chain, options.arg);
  const opened = await engineFor(command, {}, options.agent);
  const lastStatus = new Map<number, string>();
  opened.engine.events.on((event) => {
    if (event.type !== 'chain-step-changed' || lastStatus.get(event.step.index) === event.step.status) return;
    lastStatus.set(event.step.index, event.step.status);
    if (options.json) printLine(JSON.stringify({ type: 'step', chainRunId: event.chainRunId, step: withoutOutput(event.step) }));
    else printLine(stepLine(event.step, chain.steps.length));
  });
  let result: ChainRunSnapshot;
  try {
    const run = await opened.chains.start(chain, args);
    note(`grove: chain ${chain.name} is run ${run.id}`);
    const stopListening = cancelOnInterrupt(() => run.cancel());
    result = await run.done.finally(stopListening);
  } finally {
    await opened.results.recorder?.flush(); // the chain's result is on disk before the process exits
    opened.close();
  }
  for (const step of result.steps) {
    if (step.status === 'skipped' && lastStatus.get(step.index) !== 'skipped') {
      if (options.json) printLine(JSON.stringify({ type: 'step', chainRunId: result.id, step: withoutOutput(step) }));
      else printLine(stepLine(step, chain.steps.length));
    }
  }
  if (options.json) {
    printLine(JSON.stringify({ type: 'chain', chain: result }));
  } else {
    const last = [...result.steps].reverse().find((step) => step.status === 'succeeded');
    if (result.status === 'succeeded' && last) printLine(`\n${last.output}`);
    note(`grove: chain ${result.name} ${result.status}, ${formatUsd(result.costMicros)}${result.error ? `: ${result.error}` : ''}`);
    if (result.worktree) note(`grove: its work is in ${result.worktree.path} (leased to ${result.worktree.holder}; grove return ${result.worktree.name} when done)`);
  }
  if (result.status === 'succeeded') return EXIT_CODES.ok;
  if (result.status === 'cancelled') return EXIT_CODES.internal;
  return EXIT_CODES[(result.errorKind as GroveErrorKind | null) ?? 'agent-failed'] ?? EXIT_CODES['agent-failed'];
}

function withoutOutput(step: StepProgress): Omit<StepProgress, 'output'> & { output?: string } {
  return step.status === 'running' ? { ...step, output: undefined } : step;
}

function stepLine(step: StepProgress, total: number): string {
  const parts = [`[${step.index + 1}/${total}] ${step.name}: ${step.status}`];
  if (step.status !== 'running' && step.status !== 'pending' && step.status !== 'skipped') parts.push(formatUsd(step.costMicros));
  if (step.retriesUsed) parts.push(`${step.retriesUsed} retr${step.retriesUsed === 1 ? 'y' : 'ies'}`);
  if (step.recovered) parts.push('saved by its recovery prompt');
  if (step.status === 'failed' && step.error) parts.push(step.error);
  return parts.join(', ');
}
