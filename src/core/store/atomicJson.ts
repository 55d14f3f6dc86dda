import { promises as fs } from 'node:fs';
import writeFileAtomic from 'write-file-atomic';

/**
 * JSON files that are never seen half-written: write-file-atomic writes a temp file in the
 * same folder, fsyncs it and renames it over the target, so a reader (or a process killed
 * mid-write) sees the old content or the new one, never a mix.
 */
export async function writeJsonAtomic(file: string, value: unknown): Promise<void> {
  await writeFileAtomic(file, JSON.stringify(value, null, 2) + '\n', { fsync: true });
}

export type JsonRead<T> = { kind: 'missing' } | { kind: 'ok'; value: T } | { kind: 'corrupt'; error: Error };

/** Reads a JSON file, telling a missing file apart from an unreadable one. */
export async function readJson<T>(file: string): Promise<JsonRead<T>> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' };
    throw error;
  }
  try {
    return { kind: 'ok', value: JSON.parse(text) as T };
  } catch (error) {
    return { kind: 'corrupt', error: error as Error };
  }
}

/** Appends one line with O_APPEND and fsyncs it: lines from racing processes never interleave. */
export async function appendLine(file: string, line: string): Promise<void> {
  const handle = await fs.open(file, 'a');
  try {
    await handle.write(line.endsWith('\n') ? line : line + '\n');
    await handle.sync();
  } finally {
    await handle.close();
  }
}
