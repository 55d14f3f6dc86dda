import { GroveError } from '../../errors';
import { isObject } from '../../util/objects';
import type { AgentFlags } from '../agentArgs';
import { checkedValue } from './argChecks';
import { baseResult, JsonLinesLog, lastStderr, str, tokens } from './jsonLines';
import type { AgentAdapter, AgentEvent, AgentLog, Denial } from './types';

/**
 * `gemini -p "" --output-format stream-json` (checked on @google/gemini-cli 0.61.0; shapes from
 * packages/core/src/output/types.ts): init, message, tool_use, tool_result, error, result {stats}.
 * Gemini prints no dollars and its tokens only in the final `result.stats` (per model, `input`
 * is the non-cached part of `input_tokens`): Grove meters that, so its cap holds at the end of a
 * run, not mid-run. The prompt goes on stdin; `-p ""` appends nothing to it.
 */
export class GeminiLog extends JsonLinesLog {
  protected onMessage(m: Record<string, unknown>, events: AgentEvent[]): void {
    switch (m.type) {
      case 'init':
        if (typeof m.session_id === 'string') this.emit(events, { type: 'session', sessionId: m.session_id, model: str(m.model) });
        return;
      case 'message':
        if (m.role === 'assistant' && typeof m.content === 'string' && m.content) this.emit(events, { type: 'text', text: m.content });
        return;
      case 'tool_use':
        this.emit(events, { type: 'toolStart', id: str(m.tool_id), name: str(m.tool_name) ?? 'tool', input: m.parameters ?? null });
        return;
      case 'tool_result':
        this.emit(events, { type: 'toolEnd', id: str(m.tool_id), name: null, ok: m.status === 'success' });
        return;
      case 'error': {
        const message = str(m.message) ?? 'error';
        if (/\b429\b|RESOURCE_EXHAUSTED|quota/i.test(message)) this.emit(events, { type: 'rateLimit', resetAt: null, message });
        else this.emit(events, { type: 'notice', message });
        return;
      }
      case 'result':
        this.result_(m, events);
        return;
    }
  }

  private result_(m: Record<string, unknown>, events: AgentEvent[]): void {
    const stats = isObject(m.stats) ? m.stats : null;
    const models = stats && isObject(stats.models) ? Object.entries(stats.models) : [];
    for (const [model, s] of models) {
      if (!isObject(s)) continue;
      const cached = tokens(s.cached);
      // `input` is the non-cached part; older builds only have input_tokens (cached included).
      const input = typeof s.input === 'number' ? tokens(s.input) : Math.max(0, tokens(s.input_tokens) - cached);
      this.emit(events, { type: 'usage', model, costMicros: null, usage: { inputTokens: input, outputTokens: tokens(s.output_tokens), cacheReadTokens: cached, cacheWriteTokens: 0 } });
    }
    const error = isObject(m.error) ? str(m.error.message) : null;
    const success = m.status === 'success';
    this.emit(events, {
      type: 'result',
      result: baseResult({
        success, subtype: success ? 'success' : (isObject(m.error) ? str(m.error.type) : null) ?? 'error', sessionId: this.sessionId,
        durationMs: stats && typeof stats.duration_ms === 'number' ? stats.duration_ms : null, usage: stats, errorText: error, resultText: error,
      }),
    });
  }
}

/** Gemini's fatal exit codes (FatalError subclasses in the bundle). */
const EXIT_MEANING: Record<number, string> = {
  41: 'not logged in', 42: 'bad input', 44: 'sandbox error', 52: 'configuration error', 53: 'turn limit reached', 54: 'a tool failed', 55: 'untrusted folder',
};

export function geminiExitMeaning(code: number | null): string | null {
  return code === null ? null : EXIT_MEANING[code] ?? null;
}

function approvalFor(mode: string | undefined): string | undefined {
  switch (mode) {
    case undefined: return undefined;
    case 'plan': case 'default': case 'auto_edit': case 'yolo': return mode;
    case 'acceptEdits': return 'auto_edit';
    case 'bypassPermissions': return 'yolo';
    default:
      throw new GroveError('usage', `gemini has no permission mode "${mode}"`, 'Use default, auto_edit, yolo or plan (or acceptEdits, bypassPermissions).');
  }
}

export function buildGeminiArgs(flags: AgentFlags): string[] {
  // --skip-trust: Grove only runs agents in a workspace the editor trusts, and a pool worktree
  // is a fresh folder Gemini has never seen (it would exit 55).
  const args = ['-p', '', '--output-format', 'stream-json', '--skip-trust'];
  if (flags.model !== undefined) args.push(`--model=${checkedValue('--model', flags.model)}`);
  const approval = approvalFor(flags.permissionMode);
  if (approval) args.push(`--approval-mode=${approval}`);
  if (flags.allowedTools?.length) for (const tool of flags.allowedTools) args.push(`--allowed-tools=${checkedValue('--allowed-tools', tool)}`);
  if (flags.resume !== undefined) args.push(`--resume=${checkedValue('--resume', flags.resume)}`);
  return args;
}

export const geminiAdapter: AgentAdapter = {
  kind: 'gemini',
  defaultCommand: 'gemini',
  cost: 'metered',
  ownCap: false,
  buildArgs: ({ flags }) => ({ args: buildGeminiArgs(flags), promptOn: 'stdin' }),
  createLog: (): AgentLog => new GeminiLog(),
  describeExit: (code, stderrTail, log) => {
    const words = lastStderr(stderrTail.filter((line) => !/^\s+at /.test(line))) ?? log.lastNotice;
    const meaning = geminiExitMeaning(code);
    return meaning && words ? `${meaning}: ${words}` : words ?? meaning;
  },
  allowFlags: (denials: Denial[]): AgentFlags => ({ allowedTools: denials.map((d) => d.tool) }),
};
