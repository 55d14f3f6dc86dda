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
