import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { GroveError } from '../errors';
import { listWorktrees } from '../git/worktrees';
import type { PoolCore } from './core';
import { processesInside } from './processes';
import { printable } from './names';
import type { WorktreeRecord } from './state';

/**
 * Proof that a record's folder is one of the pool's own worktrees before anything in it is
 * reset, cleaned or removed. Nothing read from state.json is trusted for this (a hand-edited or
 * damaged file could point a record at the main worktree's `src/`): the folder must resolve
 * (real paths) directly inside the pool root this process was configured with, carry the
 * record's name, and be listed by `git worktree list` as a worktree of this repository other
 * than the main one. Returns its real path, or null when the folder is gone.
 */
export async function provenPoolWorktree(core: PoolCore, record: WorktreeRecord): Promise<string | null> {
  const real = await fs.realpath(record.path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    throw error;
  });
  if (real === null) return null;
  const rootReal = await fs.realpath(core.root).catch(() => core.root);
  if (path.dirname(real) !== rootReal || path.basename(real) !== record.name) {
    throw new GroveError('refused', `${record.name} resolves to ${printable(real)}, which is not a folder of the pool root ${rootReal}; not touching it`,
      'Grove only resets or removes its own worktrees. If it was made under another pool root, pass that one (--root DIR or GROVE_ROOT); ' +
      'otherwise look at that folder and deal with it yourself.');
  }
  if (!(await listedByGit(core, real))) {
    throw new GroveError('refused', `git does not list ${real} as a worktree of this repository; not touching what might be someone's files`,
      `Look at ${real} and remove it yourself if it is junk; \`git worktree list\` shows what git knows.`);
  }
  return real;
}

async function listedByGit(core: PoolCore, real: string): Promise<boolean> {
  const mainReal = await fs.realpath(core.repo.mainWorktree).catch(() => core.repo.mainWorktree);
  if (real === mainReal) return false;
  for (const entry of await listWorktrees(core.repo.mainWorktree)) {
    if (entry.bare) continue;
    const entryReal = await fs.realpath(entry.path).catch(() => entry.path);
    if (entryReal === real) return true;
  }
  return false;
}

/**
 * Refuses (exit 4) while a process other than this one and the ones waiting on it (the shell
 * that ran `grove`) has its working directory inside: a shell, dev server or agent there may
 * be writing, and a reset or removal would take its files from under it.
 */
export async function refuseIfProcessesInside(name: string, real: string, action: 'destroy' | 'return --force'): Promise<void> {
  const ignore = [process.pid, ...(await ancestorsOfSelf())];
  const pids = (await processesInside([real], ignore)).get(real) ?? [];
  if (pids.length === 0) return;
  throw new GroveError('refused', `${name} has ${pids.length === 1 ? 'a process' : 'processes'} inside (pid ${pids.join(', ')}); refusing to ${action} it`,
    `Stop ${pids.length === 1 ? 'it' : 'them'} or leave the folder (ps -o pid,args -p ${pids.join(',')} shows what they are), then retry.`);
}

/**
 * This process's parent chain. They wait for this command to finish, so they write nothing
 * meanwhile; `cd wt-1 && grove destroy --force .` must not refuse because of its own shell.
 */
async function ancestorsOfSelf(): Promise<number[]> {
  const found: number[] = [];
  let pid = process.ppid;
  while (pid > 1 && found.length < 64) {
    found.push(pid);
    try {
      const stat = await fs.readFile(`/proc/${pid}/stat`, 'utf8');
      pid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    } catch {
      break;
    }
  }
  return found;
}
