import { promises as fs } from 'node:fs';
import { procPids, statFieldsAfterName } from '../util/procfs';

/**
 * Finding a run's agent when its host died before writing down the agent's pid. Two marks
 * lead to it, both set before the agent runs any code of its own:
 * - its environment holds `GROVE_RUN_ID=<id>` (set by execve, so it is there from the first
 *   instruction, and inherited by everything it starts);
 * - it holds the run's log open (its stdout): the fork has that file open from the fork on,
 *   before the exec, which closes the one window the environment leaves.
 * The agent itself leads its own process group (it is spawned detached).
 */
export interface RunProcesses {
  /** The agent: carries the run id and leads its group; null when none runs. */
  leader: { pid: number; startTime: string } | null;
  /** Groups of processes that carry the run id but whose leader is gone (what the agent left behind). */
  orphanGroups: number[];
  /** Processes holding the log open without the run id: a fork not yet exec'd, or a reader. */
  logHolders: number[];
}

/** What runs of the run now; undefined where processes cannot be listed (no /proc). */
export async function findRunProcesses(runId: string, logFile: string): Promise<RunProcesses | undefined> {
  const pids = await procPids();
  if (!pids) return undefined;
  const log = await fs.stat(logFile).catch(() => undefined);
  const needle = `GROVE_RUN_ID=${runId}`;
  const leaders: { pid: number; startTime: string; stdoutIsLog: boolean }[] = [];
  const groups = new Set<number>();
  const logHolders: number[] = [];
  await Promise.all(pids.map(async (pid) => {
    if (pid === process.pid) return;
    const fields = await fs.readFile(`/proc/${pid}/stat`, 'utf8').then(statFieldsAfterName, () => undefined);
    if (!fields || fields[0] === 'Z' || fields[0] === 'X') return;
    const pgid = Number(fields[2]);
    if (await carries(pid, needle)) {
      if (pgid === pid) leaders.push({ pid, startTime: fields[19], stdoutIsLog: log ? await sameFile(`/proc/${pid}/fd/1`, log) : false });
      else groups.add(pgid);
    } else if (log && (await holdsOpen(pid, log))) {
      logHolders.push(pid);
    }
  }));
  // A process the agent started may lead a session of its own: the agent is the one writing the log, else the oldest.
  leaders.sort((a, b) => Number(b.stdoutIsLog) - Number(a.stdoutIsLog) || Number(a.startTime) - Number(b.startTime));
  const leader = leaders[0] ?? null;
  const orphanGroups = [...groups].filter((pgid) => !leaders.some((candidate) => candidate.pid === pgid));
  return { leader: leader && { pid: leader.pid, startTime: leader.startTime }, orphanGroups, logHolders };
}

async function carries(pid: number, needle: string): Promise<boolean> {
  try {
    return (await fs.readFile(`/proc/${pid}/environ`, 'latin1')).split('\0').includes(needle);
  } catch {
    return false; // another user's process, or gone
  }
}

async function holdsOpen(pid: number, file: { dev: number; ino: number }): Promise<boolean> {
  let fds: string[];
  try {
    fds = await fs.readdir(`/proc/${pid}/fd`);
  } catch {
    return false;
  }
  const hits = await Promise.all(fds.map((fd) => sameFile(`/proc/${pid}/fd/${fd}`, file)));
  return hits.includes(true);
}

async function sameFile(link: string, file: { dev: number; ino: number }): Promise<boolean> {
  const stat = await fs.stat(link).catch(() => undefined);
  return stat !== undefined && stat.dev === file.dev && stat.ino === file.ino;
}
