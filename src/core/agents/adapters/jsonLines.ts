import { StringDecoder } from 'node:string_decoder';
import { isObject } from '../../util/objects';
import type { AdapterResult, AgentEvent, AgentLog } from './types';

const KEPT_UNREADABLE = 3;
const MAX_KEPT_LINE = 200;

/**
 * The part every adapter shares: bytes in (a read may end mid-line or mid-character), one
 * JSON object per complete line out to `onMessage`. Lines that are not JSON objects with a
 * string `type` are counted and kept (the last few) but never thrown on: an agent's output
 * must not crash the host reading it.
 */
export abstract class JsonLinesLog implements AgentLog {
  private readonly decoder = new StringDecoder('utf8');
  private pending = '';
  sessionId: string | null = null;
  model: string | null = null;
  result: AdapterResult | null = null;
  readableLines = 0;
  unreadableLines = 0;
  readonly lastUnreadable: string[] = [];
  lastNotice: string | null = null;
  needsInput: Extract<AgentEvent, { type: 'needsInput' }>[] = [];
  rateLimit: Extract<AgentEvent, { type: 'rateLimit' }> | null = null;

  push(chunk: Buffer | string): AgentEvent[] {
    this.pending += typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
    const events: AgentEvent[] = [];
    let start = 0;
    let newline = this.pending.indexOf('\n');
    while (newline !== -1) {
      this.line(this.pending.slice(start, newline), events);
      start = newline + 1;
      newline = this.pending.indexOf('\n', start);
    }
    this.pending = this.pending.slice(start);
    return events;
  }

  end(): AgentEvent[] {
    this.pending += this.decoder.end();
    const events: AgentEvent[] = [];
    if (this.pending.length) this.line(this.pending, events);
    this.pending = '';
    return events;
  }

  /** One parsed line; push the events it means. */
  protected abstract onMessage(message: Record<string, unknown>, events: AgentEvent[]): void;

  /** A line that is not JSON: a CLI may print plain warnings on stdout (OpenCode prints its auto-rejected permissions on stderr: opencode.ts). */
  protected onPlainLine(_line: string, _events: AgentEvent[]): boolean {
    return false;
  }

  protected emit(events: AgentEvent[], event: AgentEvent): void {
    if (event.type === 'session') {
      this.sessionId = event.sessionId;
      this.model = event.model ?? this.model;
    } else if (event.type === 'notice') this.lastNotice = event.message;
    else if (event.type === 'needsInput') this.needsInput.push(event);
    else if (event.type === 'rateLimit') this.rateLimit = event;
    else if (event.type === 'result') {
      this.result = event.result;
      this.sessionId ??= event.result.sessionId;
    }
    events.push(event);
  }

  private line(raw: string, events: AgentEvent[]): void {
    const line = raw.trim();
    if (!line) return;
    let message: unknown;
    try {
      message = line.charCodeAt(0) === 123 /* { */ ? JSON.parse(line) : undefined;
    } catch {
      message = undefined;
    }
    if (!isObject(message) || typeof message.type !== 'string') {
      if (!this.onPlainLine(line, events)) this.noteUnreadable(line);
      return;
    }
    this.readableLines++;
    this.onMessage(message, events);
  }

  private noteUnreadable(line: string): void {
    this.unreadableLines++;
    this.lastUnreadable.push(line.length > MAX_KEPT_LINE ? line.slice(0, MAX_KEPT_LINE) + '…' : line);
    if (this.lastUnreadable.length > KEPT_UNREADABLE) this.lastUnreadable.shift();
  }
}

export function str(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/** A token count: a finite non-negative whole number, else 0 (a CLI's odd value must not poison a sum). */
export function tokens(value: unknown): number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? value : 0;
}

export function finiteOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** The last non-empty stderr line, without ANSI colour codes (Gemini colours its errors). */
export function lastStderr(stderrTail: string[], pattern?: RegExp): string | null {
  const clean = stderrTail.map(stripAnsi).filter((line) => line.trim());
  const hit = pattern ? [...clean].reverse().find((line) => pattern.test(line)) : undefined;
  return hit ?? clean.at(-1) ?? null;
}

export function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;]*[A-Za-z]/g, '');
}

export function baseResult(over: Partial<AdapterResult> & { success: boolean }): AdapterResult {
  return {
    subtype: null, sessionId: null, costMicros: 0, numTurns: null, durationMs: null, usage: null, resultText: null,
    reportedMicros: null, denials: [], errorText: null, ...over,
  };
}
