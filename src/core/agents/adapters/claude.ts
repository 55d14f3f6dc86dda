import { buildAgentArgs } from '../agentArgs';
import type { AgentFlags } from '../agentArgs';
import { assistantText, toResult } from '../streamParser';
import { isObject } from '../../util/objects';
import { JsonLinesLog, lastStderr, str, tokens } from './jsonLines';
import type { AgentAdapter, AgentEvent, AgentLog, Denial } from './types';

/**
 * `claude -p --output-format stream-json --verbose`: today's runner, unchanged (the argv is
 * `buildAgentArgs`, the result is `streamParser.toResult`). On top it reads the tool calls,
 * per-message usage (each assistant message once: the CLI repeats a message's usage on every
 * content block it streams), `permission_denials` and `rate_limit_event`.
 */
export class ClaudeLog extends JsonLinesLog {
  private readonly meteredMessages = new Set<string>();

  protected onMessage(message: Record<string, unknown>, events: AgentEvent[]): void {
    if (message.type === 'system' && message.subtype === 'init' && typeof message.session_id === 'string') {
      this.emit(events, { type: 'session', sessionId: message.session_id, model: str(message.model) });
    } else if (message.type === 'assistant') {
      const text = assistantText(message);
      if (text) this.emit(events, { type: 'text', text });
      this.assistantExtras(message, events);
    } else if (message.type === 'user') {
      this.toolResults(message, events);
    } else if (message.type === 'rate_limit_event') {
      this.rateLimitEvent(message, events);
    } else if (message.type === 'result') {
      const base = toResult(message, this.sessionId);
      const denials = toDenials(message.permission_denials);
      this.emit(events, {
        type: 'result',
        result: {
          ...base,
          reportedMicros: base.costMicros,
          denials,
          errorText: base.success ? null : base.resultText,
        },
      });
    }
  }

  private assistantExtras(message: Record<string, unknown>, events: AgentEvent[]): void {
    const body = isObject(message.message) ? message.message : undefined;
    if (!body) return;
    if (Array.isArray(body.content)) {
      for (const part of body.content) {
        if (isObject(part) && part.type === 'tool_use' && typeof part.name === 'string') {
          this.emit(events, { type: 'toolStart', id: str(part.id), name: part.name, input: part.input ?? null });
        }
      }
    }
    const id = str(body.id);
    if (isObject(body.usage) && (id === null || !this.meteredMessages.has(id))) {
      if (id !== null) this.meteredMessages.add(id);
      const u = body.usage;
      this.emit(events, {
        type: 'usage', model: str(body.model) ?? this.model, costMicros: null,
        usage: { inputTokens: tokens(u.input_tokens), outputTokens: tokens(u.output_tokens), cacheReadTokens: tokens(u.cache_read_input_tokens), cacheWriteTokens: tokens(u.cache_creation_input_tokens) },
      });
    }
  }

  private toolResults(message: Record<string, unknown>, events: AgentEvent[]): void {
    const content = isObject(message.message) ? message.message.content : undefined;
    if (!Array.isArray(content)) return;
    for (const part of content) {
      if (isObject(part) && part.type === 'tool_result') {
        this.emit(events, { type: 'toolEnd', id: str(part.tool_use_id), name: null, ok: part.is_error !== true });
      }
    }
  }

  private rateLimitEvent(message: Record<string, unknown>, events: AgentEvent[]): void {
    const info = isObject(message.rate_limit_info) ? message.rate_limit_info : {};
    // "allowed" and "allowed_warning" are informational; only a rejection means waiting.
    if (info.status !== 'rejected') return;
    const resetsAt = typeof info.resetsAt === 'number' && Number.isFinite(info.resetsAt) ? new Date(info.resetsAt * 1000).toISOString() : null;
    this.emit(events, { type: 'rateLimit', resetAt: resetsAt, message: `Claude rate limit reached (${str(info.rateLimitType) ?? 'limit'})` });
  }
}

function toDenials(value: unknown): Denial[] {
  if (!Array.isArray(value)) return [];
  return value.filter(isObject).map((d) => ({ tool: str(d.tool_name) ?? 'unknown tool', input: d.tool_input ?? null }));
}

export const claudeAdapter: AgentAdapter = {
  kind: 'claude',
  defaultCommand: 'claude',
  cost: 'reported',
  ownCap: true,
  buildArgs: ({ flags }) => ({ args: buildAgentArgs(flags), promptOn: 'stdin' }),
  createLog: (): AgentLog => new ClaudeLog(),
  describeExit: (_code, stderrTail) => lastStderr(stderrTail),
  allowFlags: (denials: Denial[]): AgentFlags => ({ allowedTools: denials.map((d) => claudeToolPattern(d)) }),
};

/** `Bash(npm test)` for a denied shell command, the bare tool name otherwise: Claude's --allowedTools syntax. */
export function claudeToolPattern(denial: Denial): string {
  const command = isObject(denial.input) ? str(denial.input.command) : null;
  return denial.tool === 'Bash' && command ? `Bash(${command})` : denial.tool;
}
