import { promises as fs } from 'node:fs';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { statFieldsAfterName } from './procfs';

const execFileAsync = promisify(execFile);

/**
 * Who owns something, precisely enough to tell later whether that owner still runs: a pid
 * alone is reused by the OS, so it comes with the process's start time and the boot it ran in.
 */
export interface ProcessIdentity {
  pid: number;
  /** Opaque start-time token (Linux: clock ticks since boot; macOS: `ps lstart`); null if unknown. */
  startTime: string | null;
  /** The boot the process ran in; null where it cannot be read. */
  bootId: string | null;
}

export type Liveness = 'alive' | 'dead' | 'unknown';

let cachedBootId: string | null | undefined;

export async function currentBootId(): Promise<string | null> {
  if (cachedBootId !== undefined) return cachedBootId;
  cachedBootId = await readBootId();
  return cachedBootId;
}

async function readBootId(): Promise<string | null> {
  try {
    return (await fs.readFile('/proc/sys/kernel/random/boot_id', 'utf8')).trim();
  } catch {
    // macOS has no boot_id: the boot time stands in for it.
    try {
      const { stdout } = await execFileAsync('sysctl', ['-n', 'kern.boottime']);
      return stdout.trim() || null;
    } catch {
      return null;
    }
  }
}

/**
 * The start time of a running process, or null when it does not exist (or cannot be read).
 * A zombie (exited, not yet reaped by its parent) counts as not running.
 */
export async function processStartTime(pid: number): Promise<string | null> {
  if (process.platform === 'linux') {
    try {
      const afterName = statFieldsAfterName(await fs.readFile(`/proc/${pid}/stat`, 'utf8'));
      if (afterName[0] === 'Z' || afterName[0] === 'X') return ZOMBIE;
      return afterName[19] ?? null;
    } catch {
      return null;
    }
  }
  try {
    const { stdout } = await execFileAsync('ps', ['-o', 'lstart=', '-p', String(pid)]);
    return stdout.trim() || null;
  } catch {
    return null;
  }
}

const ZOMBIE = 'zombie';

export async function identify(pid: number): Promise<ProcessIdentity> {
  const [startTime, bootId] = await Promise.all([processStartTime(pid), currentBootId()]);
  return { pid, startTime, bootId };
}

let selfIdentity: Promise<ProcessIdentity> | undefined;

/** This process's identity, computed once. */
export function identifySelf(): Promise<ProcessIdentity> {
  selfIdentity ??= identify(process.pid);
  return selfIdentity;
}

/**
 * alive: the same process still runs. dead: provably gone (same boot and the pid is gone or
 * now another process, or a different boot). unknown: we cannot tell, so nobody reaps it.
 */
export async function liveness(owner: ProcessIdentity): Promise<Liveness> {
  // Our own holds (every reservation and claim the engine has out) are checked on each locked
  // step: this process is alive by definition, no need to read /proc for it.
  if (owner.pid === process.pid && selfIdentity && sameIdentity(owner, await selfIdentity)) return 'alive';
  const bootId = await currentBootId();
  if (owner.bootId && bootId) {
    if (owner.bootId !== bootId) return 'dead';
  } else {
    return 'unknown';
  }
  if (!Number.isInteger(owner.pid) || owner.pid <= 0) return 'unknown';
  const startTime = await processStartTime(owner.pid);
  if (startTime === ZOMBIE) return 'dead';
  if (startTime === null) return pidExists(owner.pid) ? 'unknown' : 'dead';
  if (owner.startTime === null) return 'unknown';
  return startTime === owner.startTime ? 'alive' : 'dead';
}

function sameIdentity(a: ProcessIdentity, b: ProcessIdentity): boolean {
  return a.pid === b.pid && a.startTime !== null && a.startTime === b.startTime && a.bootId !== null && a.bootId === b.bootId;
}

function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
