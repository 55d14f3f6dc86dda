import { promises as fs } from 'node:fs';
import * as path from 'node:path';

/** Small file-system questions the pool asks about worktree folders. */

export async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(() => true, () => false);
}

export async function realOrSelf(file: string): Promise<string> {
  return fs.realpath(file).catch(() => file);
}

export function isInside(child: string, parent: string): boolean {
  const relative = path.relative(parent, child);
  return relative === '' || (relative !== '..' && !relative.startsWith('..' + path.sep) && !path.isAbsolute(relative));
}

/** A target with a path separator (or "." ) is a path, resolved to a real path; otherwise a name. */
export async function targetAsPath(target: string): Promise<string | null> {
  if (!target.includes('/') && !target.includes('\\') && target !== '.') return null;
  const absolute = path.resolve(target);
  return fs.realpath(absolute).catch(() => absolute);
}

/** Kernel file systems: nothing can be created there, and Node's recursive mkdir spins forever under /proc. */
const VIRTUAL_ROOTS = ['/proc', '/sys', '/dev'];

export function onVirtualFileSystem(folder: string): string | null {
  return VIRTUAL_ROOTS.find((root) => isInside(path.resolve(folder), root)) ?? null;
}

/**
 * mkdir -p, one level at a time: fails with the first level's error instead of looping the
 * way `fs.mkdir(…, { recursive: true })` can on odd file systems.
 */
export async function makeFolders(folder: string): Promise<void> {
  const missing: string[] = [];
  for (let dir = path.resolve(folder); !(await exists(dir)); dir = path.dirname(dir)) {
    missing.unshift(dir);
    if (path.dirname(dir) === dir) break;
  }
  for (const dir of missing) {
    await fs.mkdir(dir).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
    });
  }
}
