import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

/** The test double of the Claude CLI (see its header for the knobs). Its folder can go on PATH. */
export const DOUBLE_DIR = path.resolve(__dirname, '../fixtures/claude-double');
export const DOUBLE = path.join(DOUBLE_DIR, 'claude');

/** What one run of the double saw, from GROVE_DOUBLE_RECORD_DIR. */
export interface DoubleRecord {
  argv: string[];
  stdin: string;
  cwd: string;
  pid: number;
  ppid: number;
  startedAt: number;
  endedAt: number | null;
  childPid: number | null;
  runId: string | null;
}

export function doubleRecords(dir: string): DoubleRecord[] {
  return readdirSync(dir).filter((name) => name.endsWith('.json'))
    .map((name) => JSON.parse(readFileSync(path.join(dir, name), 'utf8')) as DoubleRecord);
}

export function onlyDoubleRecord(dir: string): DoubleRecord {
  const records = doubleRecords(dir);
  if (records.length !== 1) throw new Error(`expected one run of the double, found ${records.length}`);
  return records[0];
}

/** Whether a pid runs (a zombie does not count). */
export function pidRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

export async function waitFor<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
