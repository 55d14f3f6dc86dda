import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { procPids } from '../util/procfs';

/**
 * Which processes have their working directory inside each folder (Linux, from
 * /proc/<pid>/cwd). A shell or dev server still sitting in a worktree means it is in use even
 * with no lease. Elsewhere /proc does not exist and every list is empty.
 * `folders` must be real paths (symlinks resolved), as /proc reports them.
 *
 * Not counted: git processes. Those are short-lived tool runs (the git commands Grove itself
 * runs there while looking, another grove call's status, an editor's git integration);
 * counting them would make a worktree look taken for the instant anyone inspects it. A person
 * or agent working there has a shell or a program whose own cwd is inside, and that is counted.
 */
export async function processesInside(folders: string[], ignorePids: number[] = [process.pid]): Promise<Map<string, number[]>> {
  const found = new Map<string, number[]>(folders.map((folder) => [folder, []]));
  if (folders.length === 0) return found;
  const pids = (await procPids())?.filter((pid) => !ignorePids.includes(pid));
  if (!pids) return found;
  await Promise.all(pids.map(async (pid) => {
    let cwd: string;
    try {
      cwd = await fs.readlink(`/proc/${pid}/cwd`);
    } catch {
      return; // gone meanwhile, or another user's process we may not look into
    }
    const matching = folders.filter((folder) => cwd === folder || cwd.startsWith(folder + path.sep));
    if (matching.length === 0 || (await isGit(pid))) return;
    for (const folder of matching) found.get(folder)!.push(pid);
  }));
  for (const list of found.values()) list.sort((a, b) => a - b);
  return found;
}

async function isGit(pid: number): Promise<boolean> {
  try {
    const stat = await fs.readFile(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')) === 'git';
  } catch {
    return true; // already gone
  }
}
