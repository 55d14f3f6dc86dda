import { GroveError } from '../errors';
import { microsToUsdString, usdToMicros } from '../money';

/** The Claude CLI flags Grove resolves (global -> slot -> task) and passes to every run. */
export interface AgentFlags {
  model?: string;
  effort?: string;
  maxTurns?: number;
  maxBudgetUsd?: number;
  permissionMode?: string;
  allowedTools?: string[];
  disallowedTools?: string[];
  appendSystemPrompt?: string;
  resume?: string;
}

/** Linux refuses one argument longer than MAX_ARG_STRLEN (32 pages): say so before exec does. */
export const MAX_ARGUMENT_BYTES = 128 * 1024 - 1;

/** Always first: print-mode, streamed JSON (which needs --verbose); the prompt comes on stdin. */
export const BASE_ARGS: readonly string[] = ['-p', '--output-format', 'stream-json', '--verbose'];

/**
 * The argv after the command. Values are attached with `=` (`--model=x`) so that a value
 * starting with `-` (an appended system prompt, say) is never taken for a flag.
 */
export function buildAgentArgs(flags: AgentFlags = {}): string[] {
  const args = [...BASE_ARGS];
  const valued = (flag: string, value: string | undefined) => {
    if (value === undefined) return;
    args.push(`${flag}=${checkedText(flag, value)}`);
  };
  valued('--model', flags.model);
  valued('--effort', flags.effort);
  if (flags.maxTurns !== undefined) {
    if (!Number.isSafeInteger(flags.maxTurns) || flags.maxTurns < 1) {
      throw new GroveError('usage', `--max-turns expects a whole number of at least 1, got ${flags.maxTurns}`);
    }
    args.push(`--max-turns=${flags.maxTurns}`);
  }
  if (flags.maxBudgetUsd !== undefined) args.push(`--max-budget-usd=${microsToUsdString(budgetMicros(flags.maxBudgetUsd))}`);
  valued('--permission-mode', flags.permissionMode);
  toolList(args, '--allowedTools', flags.allowedTools);
  toolList(args, '--disallowedTools', flags.disallowedTools);
  valued('--append-system-prompt', flags.appendSystemPrompt);
  valued('--resume', flags.resume);
  return args;
}

/** A budget must be a positive amount of at least one microdollar. */
export function budgetMicros(usd: number): number {
  const micros = usdToMicros(usd);
  if (micros === null || micros < 1) {
    throw new GroveError('usage', `--max-budget-usd expects a positive amount in USD, got ${usd}`,
      'Give an amount such as 0.50 (at least 0.000001).');
  }
  return micros;
}

function toolList(args: string[], flag: string, tools: string[] | undefined): void {
  if (!tools || tools.length === 0) return;
  // One flag, then each tool as its own argument (the CLI's documented variadic form): tool
  // patterns such as `Bash(git log:*)` contain spaces and must not be split or joined.
  args.push(flag);
  for (const tool of tools) {
    const checked = checkedText(flag, tool);
    if (!checked.trim() || checked.startsWith('-')) {
      throw new GroveError('usage', `${flag}: "${tool}" is not a tool name`, 'Tool names look like Read, Edit or Bash(git log:*).');
    }
    args.push(checked);
  }
}

function checkedText(flag: string, value: string): string {
  if (typeof value !== 'string') throw new GroveError('usage', `${flag} expects text, got ${typeof value}`);
  if (value.includes('\0')) throw new GroveError('usage', `${flag} contains a NUL character`, 'Remove it; no process argument can carry one.');
  if (Buffer.byteLength(value) + flag.length + 1 > MAX_ARGUMENT_BYTES) {
    throw new GroveError('usage', `${flag} is ${Buffer.byteLength(value)} bytes: one argument is capped at 128 KiB on Linux`,
      'Shorten it (put long context in a file in the worktree and refer to it in the prompt).');
  }
  return value;
}
