import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { pidRunning, type DoubleRecord } from './claudeDouble';

/**
 * The double's records while it may still be writing them (it rewrites its file at the end):
 * a file caught mid-write is left out until it is readable. For crash tests that look while
 * agents run.
 */
export function liveRecords(dir: string): DoubleRecord[] {
  const records: DoubleRecord[] = [];
  for (const name of readdirSync(dir).filter((file) => file.endsWith('.json'))) {
    try {
      records.push(JSON.parse(readFileSync(path.join(dir, name), 'utf8')) as DoubleRecord);
    } catch {
      // Being written right now.
    }
  }
  return records;
}

const dirs: string[] = [];

/** Remembers a record folder so that `killLeftoverAgents` can stop its agents after a failed test. */
export function trackAgents(dir: string): string {
  dirs.push(dir);
  return dir;
}

/** For `afterEach`: a failing crash test must not leave agents waiting at a gate forever. */
export function killLeftoverAgents(): void {
  for (const dir of dirs.splice(0)) {
    let records: DoubleRecord[];
    try {
      records = liveRecords(dir);
    } catch {
      continue;
    }
    for (const record of records) {
      if (!pidRunning(record.pid)) continue;
      try {
        process.kill(-record.pid, 'SIGKILL'); // the agent leads its own group
      } catch {
        // gone meanwhile
      }
    }
  }
}
