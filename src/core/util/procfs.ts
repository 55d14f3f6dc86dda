import { promises as fs } from 'node:fs';

/** Every pid in /proc (Linux); undefined where there is no /proc to read. */
export async function procPids(): Promise<number[] | undefined> {
  if (process.platform !== 'linux') return undefined;
  try {
    return (await fs.readdir('/proc')).filter((name) => /^\d+$/.test(name)).map(Number);
  } catch {
    return undefined;
  }
}

/**
 * The fields of a `/proc/<pid>/stat` line after the parenthesised command name, which may
 * itself contain spaces and parentheses: [0] is the state (field 3), [1] the ppid, [2] the
 * process group, [19] the start time (field 22).
 */
export function statFieldsAfterName(stat: string): string[] {
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}
