import { GroveError } from '../../errors';
import { isObject } from '../../util/objects';
import type { AgentFlags } from '../agentArgs';
import { checkedValue } from './argChecks';
import { baseResult, JsonLinesLog, lastStderr, str, tokens } from './jsonLines';
import type { AgentAdapter, AgentEvent, AgentLog, Denial } from './types';

/**
 * `codex exec --json` (checked on @openai/codex 0.171.0; events from codex-rs/exec/src/exec_events.rs):
 * thread.started, turn.started, item.started/updated/completed, turn.completed {usage},
 * turn.failed {error}, request_user_input, error. Codex prints no dollars: Grove meters
 * `turn.completed.usage` (input_tokens includes cached_input_tokens, OpenAI's convention).
 * Without network it prints `error` "Reconnecting..." lines forever: notices, never progress,
 * so the stall limit ends it in its own words.
 */
export class CodexLog extends JsonLinesLog {
  private turns = 0;
  private lastMessage: string | null = null;

  protected onMessage(m: Record<string, unknown>, events: AgentEvent[]): void {
    switch (m.type) {
      case 'thread.started':
        if (typeof m.thread_id === 'string') this.emit(events, { type: 'session', sessionId: m.thread_id, model: null });
        return;
      case 'item.started':
      case 'item.updated':
      case 'item.completed':
        if (isObject(m.item)) this.item(m.type, m.item, events);
        return;
      case 'request_user_input':
        this.emit(events, { type: 'needsInput', kind: 'question', tool: 'request_user_input', input: m.questions ?? null, message: questionText(m.questions) });
        return;
      case 'turn.completed':
        this.turnCompleted(m, events);
        return;
      case 'turn.failed': {
        const message = isObject(m.error) ? str(m.error.message) : null;
        this.emit(events, { type: 'result', result: baseResult({ success: false, subtype: 'turn_failed', sessionId: this.sessionId, numTurns: this.turns, errorText: message, resultText: message }) });
        return;
      }
      case 'error': {
        const message = str(m.message) ?? 'error';
        if (/\b429\b|rate.?limit|too many requests/i.test(message)) this.emit(events, { type: 'rateLimit', resetAt: null, message });
        else this.emit(events, { type: 'notice', message });
        return;
      }
    }
  }

  private item(phase: string, item: Record<string, unknown>, events: AgentEvent[]): void {
    const id = str(item.id);
    const done = phase === 'item.completed';
    switch (item.type) {
      case 'agent_message':
        if (done && typeof item.text === 'string') {
          this.lastMessage = item.text;
          this.emit(events, { type: 'text', text: item.text });
        }
        return;
      case 'command_execution':
        if (phase === 'item.started') this.emit(events, { type: 'toolStart', id, name: 'shell', input: { command: item.command ?? null } });
        else if (done) {
          if (item.status === 'declined') {
            this.emit(events, { type: 'needsInput', kind: 'permission', tool: 'shell', input: { command: item.command ?? null }, message: `wanted to run ${String(item.command)}` });
          }
          this.emit(events, { type: 'toolEnd', id, name: 'shell', ok: item.status === 'completed' && item.exit_code === 0 });
        }
        return;
      case 'mcp_tool_call':
        if (phase === 'item.started') this.emit(events, { type: 'toolStart', id, name: `${String(item.server)}.${String(item.tool)}`, input: item.arguments ?? null });
        else if (done) this.emit(events, { type: 'toolEnd', id, name: `${String(item.server)}.${String(item.tool)}`, ok: item.status === 'completed' });
        return;
      case 'file_change':
        if (done && Array.isArray(item.changes)) {
          for (const change of item.changes.filter(isObject)) {
            const kind = change.kind === 'add' || change.kind === 'update' || change.kind === 'delete' ? change.kind : 'unknown';
            if (typeof change.path === 'string') this.emit(events, { type: 'fileChange', path: change.path, change: kind });
          }
        }
        return;
      case 'error':
        if (typeof item.message === 'string') this.emit(events, { type: 'notice', message: item.message });
        return;
    }
  }

  private turnCompleted(m: Record<string, unknown>, events: AgentEvent[]): void {
    this.turns++;
    const u = isObject(m.usage) ? m.usage : {};
    const input = tokens(u.input_tokens);
    const cached = Math.min(tokens(u.cached_input_tokens), input);
    this.emit(events, { type: 'usage', model: this.model, costMicros: null, usage: { inputTokens: input - cached, outputTokens: tokens(u.output_tokens), cacheReadTokens: cached, cacheWriteTokens: 0 } });
    // `codex exec` runs one turn and exits: its completion is the run's result.
    this.emit(events, { type: 'result', result: baseResult({ success: true, subtype: 'success', sessionId: this.sessionId, numTurns: this.turns, resultText: this.lastMessage, usage: m.usage ?? null }) });
  }
}

function questionText(questions: unknown): string {
  if (!Array.isArray(questions)) return 'the agent asked a question';
  const texts = questions.filter(isObject).map((q) => str(q.question) ?? str(q.header)).filter((t): t is string => t !== null);
  return texts.length ? texts.join(' / ') : 'the agent asked a question';
}

/** Claude's permission modes in Codex's terms (Codex's own sandbox names pass through). */
function sandboxFor(mode: string | undefined): { sandbox?: string; bypass?: boolean } {
  switch (mode) {
    case undefined: return {};
    case 'plan': case 'read-only': return { sandbox: 'read-only' };
    case 'default': case 'acceptEdits': case 'workspace-write': return { sandbox: 'workspace-write' };
    case 'bypassPermissions': case 'danger-full-access': return { bypass: true };
    default:
      throw new GroveError('usage', `codex has no permission mode "${mode}"`, 'Use read-only, workspace-write or danger-full-access (or plan, acceptEdits, bypassPermissions).');
  }
}

export function buildCodexArgs(flags: AgentFlags): string[] {
  // `exec resume` takes the same -c overrides and --json, but not --sandbox: -c covers both.
  const args = flags.resume ? ['exec', 'resume', '--json'] : ['exec', '--json'];
  // Non-interactive: an approval prompt would wait forever on a stdin that is a file.
  args.push('-c', 'approval_policy="never"');
  if (flags.model !== undefined) args.push(`--model=${checkedValue('--model', flags.model)}`);
  if (flags.effort !== undefined) args.push('-c', `model_reasoning_effort=${JSON.stringify(checkedValue('--effort', flags.effort))}`);
  const mode = sandboxFor(flags.permissionMode);
  if (mode.sandbox) args.push('-c', `sandbox_mode="${mode.sandbox}"`);
  if (mode.bypass) args.push('--dangerously-bypass-approvals-and-sandbox');
  if (flags.resume) args.push(checkedValue('--resume', flags.resume));
  // `-`: the prompt is read from stdin (a file), never an argument.
  args.push('-');
  return args;
}

export const codexAdapter: AgentAdapter = {
  kind: 'codex',
  defaultCommand: 'codex',
  cost: 'metered',
  ownCap: false,
  buildArgs: ({ flags }) => ({ args: buildCodexArgs(flags), promptOn: 'stdin' }),
  createLog: (): AgentLog => new CodexLog(),
  describeExit: (_code, stderrTail, log) => log.lastNotice ?? lastStderr(stderrTail.filter((line) => !line.startsWith('WARNING: proceeding')), /error/i),
  // Codex has no per-tool allow list: a denied command needs a wider sandbox.
  allowFlags: (_denials: Denial[]): AgentFlags => ({ permissionMode: 'danger-full-access' }),
};
