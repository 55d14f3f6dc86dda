import { promises as fs } from 'node:fs';
import { isObject } from '../util/objects';

/** One readable step of a run, from its raw stream-json log. */
export type TranscriptEntry =
  | { kind: 'text'; text: string }
  | { kind: 'tool'; tool: string; detail: string | null }
  | { kind: 'tool-error'; text: string }
  | { kind: 'result'; text: string; isError: boolean };

export interface Transcript {
  model: string | null;
  entries: TranscriptEntry[];
  filesTouched: string[];
  unreadableLines: number;
}

const DETAIL_KEYS = ['file_path', 'path', 'command', 'pattern', 'url', 'description'];

/** Reads a run log (`<run>.jsonl`); a missing log reads as an empty transcript. */
export async function readTranscript(logFile: string): Promise<Transcript> {
  let text = '';
  try {
    text = await fs.readFile(logFile, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  return parseTranscript(text);
}

export function parseTranscript(text: string): Transcript {
  const transcript: Transcript = { model: null, entries: [], filesTouched: [], unreadableLines: 0 };
  const files = new Set<string>();
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      transcript.unreadableLines++;
      continue;
    }
    if (!isObject(value)) continue;
    readLine(value, transcript, files);
  }
  transcript.filesTouched = [...files].sort();
  return transcript;
}

function readLine(line: Record<string, unknown>, transcript: Transcript, files: Set<string>): void {
  if (line.type === 'system' && line.subtype === 'init' && typeof line.model === 'string') transcript.model = line.model;
  if (line.type === 'result') {
    const text = typeof line.result === 'string' ? line.result : String(line.subtype ?? 'finished');
    transcript.entries.push({ kind: 'result', text, isError: line.is_error === true });
    return;
  }
  const message = isObject(line.message) ? line.message : null;
  const content = message && Array.isArray(message.content) ? message.content : [];
  for (const part of content) {
    if (!isObject(part)) continue;
    if (part.type === 'text' && typeof part.text === 'string' && line.type === 'assistant') transcript.entries.push({ kind: 'text', text: part.text });
    if (part.type === 'tool_use' && typeof part.name === 'string') {
      const input = isObject(part.input) ? part.input : {};
      const key = DETAIL_KEYS.find((candidate) => typeof input[candidate] === 'string');
      const detail = key ? String(input[key]) : null;
      if (typeof input.file_path === 'string') files.add(input.file_path);
      transcript.entries.push({ kind: 'tool', tool: part.name, detail });
    }
    if (part.type === 'tool_result' && part.is_error === true) {
      const body = typeof part.content === 'string' ? part.content : JSON.stringify(part.content);
      transcript.entries.push({ kind: 'tool-error', text: body.slice(0, 2000) });
    }
  }
}

/** The transcript as Markdown, for the Show Agent Output document. */
export function transcriptMarkdown(transcript: Transcript): string {
  const lines: string[] = [];
  for (const entry of transcript.entries) {
    if (entry.kind === 'text') lines.push(entry.text, '');
    else if (entry.kind === 'tool') lines.push(`- **${entry.tool}**${entry.detail ? ` \`${entry.detail.replace(/`/g, "'")}\`` : ''}`, '');
    else if (entry.kind === 'tool-error') lines.push(`> **error:** ${entry.text.replace(/\n/g, '\n> ')}`, '');
    else lines.push(`**${entry.isError ? 'Failed' : 'Finished'}:** ${entry.text}`, '');
  }
  if (transcript.filesTouched.length) lines.push('Files touched: ' + transcript.filesTouched.map((file) => `\`${file}\``).join(', '), '');
  if (transcript.unreadableLines) lines.push(`(${transcript.unreadableLines} unreadable lines in the log were skipped)`, '');
  return lines.join('\n');
}
