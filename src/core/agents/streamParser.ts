import { StringDecoder } from 'node:string_decoder';
import { usdToMicros } from '../money';
import { isObject } from '../util/objects';

/**
 * An incremental parser of `claude -p --output-format stream-json --verbose` output. Bytes go in
 * as they arrive (a read may end mid-line or mid-character); complete lines come out as
 * events. Lines that are not JSON, or JSON of an unknown shape, are counted and skipped: an
 * agent's output must never crash the host reading it.
 */
export type StreamEvent =
  | { type: 'init'; sessionId: string }
  | { type: 'text'; text: string }
  | { type: 'result'; result: AgentResult };

export interface AgentResult {
  /** `is_error === false`, and nothing else: the CLI prints `subtype: success` with `is_error: true` when not logged in. */
  success: boolean;
  subtype: string | null;
  sessionId: string | null;
  costMicros: number;
  numTurns: number | null;
  durationMs: number | null;
  usage: unknown | null;
  resultText: string | null;
}

/** How many unreadable lines to remember, for the failure message of an agent that printed garbage. */
const KEPT_UNREADABLE = 3;
const MAX_KEPT_LINE = 200;

export class StreamJsonParser {
  private readonly decoder = new StringDecoder('utf8');
  private pending = '';
  sessionId: string | null = null;
  result: AgentResult | null = null;
  readableLines = 0;
  unreadableLines = 0;
  readonly lastUnreadable: string[] = [];

  /** Feeds a chunk; returns the events of the lines it completed. */
  push(chunk: Buffer | string): StreamEvent[] {
    this.pending += typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
    const events: StreamEvent[] = [];
    let newline = this.pending.indexOf('\n');
    while (newline !== -1) {
      this.parseLine(this.pending.slice(0, newline), events);
      this.pending = this.pending.slice(newline + 1);
      newline = this.pending.indexOf('\n');
    }
    return events;
  }

  /** The stream ended: a last line without a newline still counts (a truncated one is unreadable). */
  end(): StreamEvent[] {
    this.pending += this.decoder.end();
    const events: StreamEvent[] = [];
    if (this.pending.length) this.parseLine(this.pending, events);
    this.pending = '';
    return events;
  }

  /** Bytes of an unfinished line held back, for callers that want to know a line is in flight. */
  get pendingLength(): number {
    return this.pending.length;
  }

  private parseLine(raw: string, events: StreamEvent[]): void {
    const line = raw.trim();
    if (!line) return;
    let message: unknown;
    try {
      message = JSON.parse(line);
    } catch {
      this.noteUnreadable(line);
      return;
    }
    if (!isObject(message) || typeof message.type !== 'string') {
      this.noteUnreadable(line);
      return;
    }
    this.readableLines++;
    if (message.type === 'system' && message.subtype === 'init' && typeof message.session_id === 'string') {
      this.sessionId = message.session_id;
      events.push({ type: 'init', sessionId: message.session_id });
    } else if (message.type === 'assistant') {
      const text = assistantText(message);
      if (text) events.push({ type: 'text', text });
    } else if (message.type === 'result') {
      this.result = toResult(message, this.sessionId);
      this.sessionId ??= this.result.sessionId;
      events.push({ type: 'result', result: this.result });
    }
  }

  private noteUnreadable(line: string): void {
    this.unreadableLines++;
    this.lastUnreadable.push(line.length > MAX_KEPT_LINE ? line.slice(0, MAX_KEPT_LINE) + '…' : line);
    if (this.lastUnreadable.length > KEPT_UNREADABLE) this.lastUnreadable.shift();
  }
}

/** Parses a whole log at once (finishing a run from its file). */
export function parseStreamJson(text: string | Buffer): StreamJsonParser {
  const parser = new StreamJsonParser();
  parser.push(text);
  parser.end();
  return parser;
}

export function toResult(message: Record<string, unknown>, sessionId: string | null): AgentResult {
  const cost = usdToMicros(message.total_cost_usd ?? message.cost_usd);
  return {
    success: message.is_error === false,
    subtype: typeof message.subtype === 'string' ? message.subtype : null,
    sessionId: typeof message.session_id === 'string' ? message.session_id : sessionId,
    costMicros: cost ?? 0,
    numTurns: finiteOrNull(message.num_turns),
    durationMs: finiteOrNull(message.duration_ms),
    usage: message.usage ?? null,
    resultText: typeof message.result === 'string' ? message.result : null,
  };
}

export function assistantText(message: Record<string, unknown>): string {
  const content = isObject(message.message) ? message.message.content : undefined;
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .filter((part): part is { type: 'text'; text: string } => isObject(part) && part.type === 'text' && typeof part.text === 'string')
    .map((part) => part.text)
    .join('');
}

function finiteOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}
