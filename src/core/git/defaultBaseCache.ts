import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { defaultBase } from './worktreeState';

type Base = { ref: string; commit: string };

/**
 * The default base (see `defaultBase`), remembered while the ref files it is read from stay
 * as they were. Resolving it costs a git process, the engine needs it for every task, and it
 * seldom changes between two. Git updates a loose ref, or packed-refs, by renaming a new file
 * over the old one (a new inode), so the inode, size and mtime of every file the answer could
 * come from tell a changed ref apart. With the reftable backend nothing is remembered.
 */
export class DefaultBaseCache {
  private cached: { fingerprint: string; base: Base } | null = null;

  constructor(private readonly mainWorktree: string, private readonly commonDir: string) {}

  async get(): Promise<Base> {
    // Taken before git runs: a ref that changes meanwhile only makes the next call look again.
    const fingerprint = await this.fingerprint();
    if (fingerprint !== null && this.cached?.fingerprint === fingerprint) return this.cached.base;
    const base = await defaultBase(this.mainWorktree);
    this.cached = fingerprint === null ? null : { fingerprint, base };
    return base;
  }

  /** The state of every file `defaultBase` may read; null where that cannot be told from files. */
  private async fingerprint(): Promise<string | null> {
    if (await statOf(path.join(this.commonDir, 'reftable')) !== '-') return null;
    const refs = ['refs/remotes/origin/HEAD', 'refs/heads/main', 'refs/heads/master', 'HEAD'];
    // The branches origin/HEAD and HEAD point at decide the answer in their cases.
    for (const symref of ['refs/remotes/origin/HEAD', 'HEAD']) {
      const target = await symrefTarget(path.join(this.commonDir, symref));
      if (target === undefined) return null;
      if (target === null) continue;
      refs.push(target);
      // origin's default branch is used through its local branch when there is one.
      if (target.startsWith('refs/remotes/origin/')) refs.push(`refs/heads/${target.slice('refs/remotes/origin/'.length)}`);
    }
    const files = ['packed-refs', ...refs].map((ref) => path.join(this.commonDir, ref));
    return (await Promise.all(files.map(statOf))).join('|');
  }
}

async function statOf(file: string): Promise<string> {
  try {
    const stat = await fs.stat(file, { bigint: true });
    return `${stat.ino}:${stat.size}:${stat.mtimeNs}:${stat.ctimeNs}`;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return '-';
    throw error;
  }
}

/** The ref a symbolic ref file names; null when the file is missing or holds a commit; undefined when unreadable. */
async function symrefTarget(file: string): Promise<string | null | undefined> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? null : undefined;
  }
  const match = /^ref: (refs\/[^\s]+)\s*$/.exec(text);
  if (match && !match[1].split('/').includes('..')) return match[1];
  return /^[0-9a-f]{40,64}\s*$/.test(text) ? null : undefined;
}
