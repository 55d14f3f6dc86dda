import { usdToMicros } from '../../money';
import { isObject } from '../../util/objects';
import type { AgentFlags } from '../agentArgs';
import { checkedValue } from './argChecks';
import { baseResult, JsonLinesLog, lastStderr, str, stripAnsi, tokens } from './jsonLines';
import type { AgentAdapter, AgentEvent, AgentLog, Denial } from './types';

/**
 * A tool call `run` auto-rejected (its PermissionRejectedError; "... with the following feedback"
 * is the same rejection with words). A call a config rule denies ("The user has specified a
 * rule which prevents you ...") is not one: `--auto` would not allow it, and the agent goes on.
 */
const REJECTED = /^The user rejected permission to use this specific tool call\b/;

/** `run`'s stderr line (colour codes stripped) for a permission it is about to reject. */
const STDERR_REJECTED = /^! permission requested: (\S+) \((.*)\); auto-rejecting$/;

/**
 * `opencode run --format json` (checked on opencode-ai 1.18.33, from the run command in its
 * binary): every line is `{type, timestamp, sessionID, ...}` with type step_start, text,
 * reasoning, tool_use (a finished tool part), step_finish (`part.cost` in USD and
 * `part.tokens` {input, output, reasoning, cache {read, write}}) or error. OpenCode prints no
 * result line: the run's verdict is decided when its stream ends. It auto-rejects permission
 * requests in `run` unless `--auto`: the tool's `tool_use` line ends in error with REJECTED's
 * words, and stderr says "! permission requested: bash (npm test); auto-rejecting" (recorded in
 * test/fixtures/opencode-cli/permission-rejected.*). Either makes a denial, so the run ends blocked.
 */
export class OpenCodeLog extends JsonLinesLog {
  private reported = 0;
  private steps = 0;
  private lastText: string | null = null;
  private error: string | null = null;
  private readonly denials: Denial[] = [];

  protected onMessage(m: Record<string, unknown>, events: AgentEvent[]): void {
    if (this.sessionId === null && typeof m.sessionID === 'string') this.emit(events, { type: 'session', sessionId: m.sessionID, model: null });
    const part = isObject(m.part) ? m.part : {};
    switch (m.type) {
      case 'text':
        if (typeof part.text === 'string' && part.text) {
          this.lastText = part.text;
          this.emit(events, { type: 'text', text: part.text });
        }
        return;
      case 'tool_use': {
        const state = isObject(part.state) ? part.state : {};
        const name = str(part.tool) ?? 'tool';
        if (state.status === 'error' && REJECTED.test(str(state.error) ?? '')) this.denials.push({ tool: name, input: state.input ?? null });
        this.emit(events, { type: 'toolStart', id: str(part.callID), name, input: state.input ?? null });
        this.emit(events, { type: 'toolEnd', id: str(part.callID), name, ok: state.status === 'completed' });
        return;
      }
      case 'step_finish': {
        this.steps++;
        const t = isObject(part.tokens) ? part.tokens : {};
        const cache = isObject(t.cache) ? t.cache : {};
        const cost = usdToMicros(part.cost);
        if (cost !== null) this.reported += cost;
        this.emit(events, {
          type: 'usage', model: this.model, costMicros: cost,
          usage: { inputTokens: tokens(t.input), outputTokens: tokens(t.output) + tokens(t.reasoning), cacheReadTokens: tokens(cache.read), cacheWriteTokens: tokens(cache.write) },
        });
        return;
      }
      case 'error': {
        const error = isObject(m.error) ? m.error : {};
        const data = isObject(error.data) ? error.data : {};
        const message = str(data.message) ?? str(error.message) ?? str(error.name) ?? 'error';
        this.error = message;
        if (/\b429\b|rate.?limit|too many requests/i.test(message)) this.emit(events, { type: 'rateLimit', resetAt: null, message });
        else this.emit(events, { type: 'notice', message });
        return;
      }
    }
  }

  override end(): AgentEvent[] {
    const events = super.end();
    if (this.result || (this.readableLines === 0 && this.unreadableLines === 0)) return events;
    // A run stopped at a rejected permission did not fail: it is blocked (agentOutcome), whether or not a step finished.
    const success = this.error === null && (this.steps > 0 || this.denials.length > 0);
    this.emit(events, {
      type: 'result',
      result: baseResult({
        success, subtype: success ? 'success' : 'error', sessionId: this.sessionId, numTurns: this.steps, costMicros: this.reported,
        reportedMicros: this.steps > 0 ? this.reported : null, resultText: success ? this.lastText : this.error, errorText: this.error,
        denials: [...this.denials],
      }),
    });
    return events;
  }
}

/** The permissions `run` said on stderr it auto-rejected (the outcome adds those the stream did not show). */
export function openCodeStderrDenials(stderrTail: string[]): Denial[] {
  const denials: Denial[] = [];
  for (const line of stderrTail) {
    const match = STDERR_REJECTED.exec(stripAnsi(line).trim());
    if (match) denials.push({ tool: match[1], input: { requested: match[2] } });
  }
  return denials;
}

export function buildOpenCodeArgs(flags: AgentFlags): string[] {
  // No message argument: `run` reads the prompt from stdin when it is not a terminal.
  const args = ['run', '--format', 'json'];
  if (flags.model !== undefined) args.push(`--model=${checkedValue('--model', flags.model)}`);
  if (flags.resume !== undefined) args.push(`--session=${checkedValue('--session', flags.resume)}`);
  if (flags.permissionMode === 'bypassPermissions' || flags.permissionMode === 'auto') args.push('--auto');
  return args;
}

export const openCodeAdapter: AgentAdapter = {
  kind: 'opencode',
  defaultCommand: 'opencode',
  cost: 'reported',
  ownCap: false,
  buildArgs: ({ flags }) => ({ args: buildOpenCodeArgs(flags), promptOn: 'stdin' }),
  createLog: (): AgentLog => new OpenCodeLog(),
  describeExit: (_code, stderrTail, log) => log.lastNotice ?? lastStderr(stderrTail),
  stderrDenials: openCodeStderrDenials,
  // OpenCode's run has one switch: approve everything not explicitly denied.
  allowFlags: (_denials: Denial[]): AgentFlags => ({ permissionMode: 'bypassPermissions' }),
};
