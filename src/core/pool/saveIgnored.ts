import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { IGNORED_LIST_LIMIT, type IgnoredFile } from '../git/ignoredFiles';
import { refTime } from '../git/park';
import type { PoolCore } from './core';

/** Ignored files bigger than this are not saved by a forced destroy (they are named as deleted). */
const MAX_FILE_BYTES = 1024 * 1024;
const MAX_TOTAL_BYTES = 64 * 1024 * 1024;

export interface SavedIgnored {
  folder: string;
  saved: string[];
  deleted: string[];
  restoreHint: string;
}

/**
 * Before a forced destroy: copies the ignored files that are work (see ignoredFiles.ts), up to
 * 1 MiB each, into `<git-common-dir>/grove/parked-files/<name>/<time>/`. A plain folder, not
 * git objects: these are often secrets (`.env`), and anything under refs/ could be pushed by
 * a `git push --mirror`. The folder is private to the user (mode 700).
 */
export async function saveIgnored(core: PoolCore, worktree: string, name: string, files: IgnoredFile[]): Promise<SavedIgnored> {
  const folder = path.join(core.repo.groveDir, 'parked-files', name, refTime(core.now()));
  const saved: string[] = [];
  const deleted: string[] = [];
  let total = 0;
  for (const file of files) {
    if (file.size > MAX_FILE_BYTES || total + file.size > MAX_TOTAL_BYTES) {
      deleted.push(file.path);
      continue;
    }
    const destination = path.join(folder, file.path);
    await fs.mkdir(path.dirname(destination), { recursive: true, mode: 0o700 });
    await fs.cp(path.join(worktree, file.path), destination, { preserveTimestamps: true, verbatimSymlinks: true, errorOnExist: true });
    total += file.size;
    saved.push(file.path);
  }
  await fs.chmod(folder, 0o700).catch(() => undefined);
  const lines = [];
  if (saved.length) {
    lines.push(`Ignored files saved to ${folder} (${saved.length}: ${shortList(saved)}; not in git, so never pushed).`,
      `  To get them back into a worktree: cp -a '${folder}/.' "$(grove lease)/"`);
  }
  if (deleted.length) lines.push(`Deleted without saving (over 1 MiB each, or past 64 MiB in all): ${shortList(deleted)}`);
  if (files.length >= IGNORED_LIST_LIMIT) lines.push(`Only the first ${IGNORED_LIST_LIMIT} ignored files were looked at; any further ones were deleted unsaved.`);
  return { folder, saved, deleted, restoreHint: lines.join('\n') };
}

export function shortList(paths: string[], count = 5): string {
  return paths.length <= count ? paths.join(', ') : `${paths.slice(0, count).join(', ')} and ${paths.length - count} more`;
}
