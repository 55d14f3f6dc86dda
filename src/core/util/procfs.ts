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
