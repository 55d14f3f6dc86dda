import { promises as fs, readFileSync } from 'node:fs';
import { procPids, statFieldsAfterName } from '../util/procfs';

/**
 * A run is a process group: the agent is started as its leader (`detached`, i.e. setsid), and
 * everything it starts (shells, test runners, dev servers) stays in the group unless it
 * deliberately leaves. Cancel and timeout signal the whole group.
 */

export const DEFAULT_KILL_GRACE_MS = 5_000;
const POLL_MS = 25;
const AFTER_KILL_WAIT_MS = 3_000;

/** Pids of the group's members that still run (zombies excluded); undefined where /proc is missing. */
export async function groupMembers(pgid: number): Promise<number[] | undefined> {
  const pids = await procPids();
  if (!pids) return undefined;
  const members: number[] = [];
  await Promise.all(pids.map(async (pid) => {
    try {
      const fields = statFieldsAfterName(await fs.readFile(`/proc/${pid}/stat`, 'utf8'));
      if (Number(fields[2]) === pgid && fields[0] !== 'Z' && fields[0] !== 'X') members.push(pid);
    } catch {
      // The process ended while we looked.
    }
  }));
  return members;
}

/** Whether any process of the group still runs. */
export async function groupAlive(pgid: number): Promise<boolean> {
  // Fast path: no process at all in the group. Otherwise look closer, since zombies count for kill(0).
  try {
    process.kill(-pgid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
  }
  const members = await groupMembers(pgid);
  if (members) return members.length > 0;
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

function checkedGroup(pgid: number): number {
  if (!Number.isInteger(pgid) || pgid <= 1) throw new Error(`refusing to signal process group ${pgid}`);
  return pgid;
}

/**
 * Stops every member where it stands (SIGSTOP cannot be caught): a run over its hold must not
 * spend another token while the kill is being recorded, which waits for the pool lock and can
 * take seconds when many processes contend. `killGroup` resumes the members to let TERM through.
 */
export function freezeGroup(pgid: number): void {
  signalGroup(checkedGroup(pgid), 'SIGSTOP');
}

/**
 * TERM to the whole group (and CONT, so a frozen member acts on it), then KILL to whatever is
 * left after `graceMs`; resolves once no member runs (or it gave up waiting after the KILL,
 * which only a process stuck in the kernel survives). Returns whether KILL was needed.
 */
export async function killGroup(pgid: number, graceMs = DEFAULT_KILL_GRACE_MS): Promise<{ escalated: boolean; survivors: number[] }> {
  checkedGroup(pgid);
  signalGroup(pgid, 'SIGTERM');
  signalGroup(pgid, 'SIGCONT');
  if (await waitForGroupExit(pgid, graceMs)) return { escalated: false, survivors: [] };
  signalGroup(pgid, 'SIGKILL');
  await waitForGroupExit(pgid, AFTER_KILL_WAIT_MS);
  return { escalated: true, survivors: (await groupMembers(pgid)) ?? [] };
}

async function waitForGroupExit(pgid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!(await groupAlive(pgid))) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/**
 * The start-time token of a process we just spawned, read synchronously before the event loop
 * can reap it: even a child that already exited is still a zombie here, so its identity is
 * never lost. Same token format as `liveness.processStartTime` (Linux: field 22 of stat).
 */
export function startTimeNow(pid: number): string | null | undefined {
  if (process.platform !== 'linux') return undefined;
  try {
    return statFieldsAfterName(readFileSync(`/proc/${pid}/stat`, 'utf8'))[19] ?? null;
  } catch {
    return null;
  }
}
