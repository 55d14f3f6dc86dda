import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { NestedWork } from './nestedWork';
import { PARKING_IDENTITY, refTime, treeOfWorkingTree } from './park';
import { gitOutput, runGit } from './run';

export interface ParkedNested {
  /** Everything of it is under `<prefix>/`: `work` (its files, untracked ones included; parent: its HEAD) and `heads/*`, `tags/*`. */
  prefix: string;
  restoreHint: string;
}

/**
 * Parks a nested repository (an untracked one, or a submodule) into the pool's repository
 * before a forced destroy deletes it: a commit of its working tree is made in its own
 * repository, then that commit and its branches and tags are fetched under
 * `refs/grove/parked/<name>/<time>-nested-<n>/`, so its commits and files outlive it.
 */
export async function parkNested(superproject: string, nested: NestedWork, name: string, now: Date, index: number, scratchDir: string, commonDir: string): Promise<ParkedNested> {
  const dir = path.join(superproject, nested.path);
  const prefix = `refs/grove/parked/${name}/${refTime(now)}-nested-${index}`;
  const head = (await runGit(dir, ['rev-parse', '--verify', '-q', 'HEAD'], { allowFailure: true })).stdout.trim();
  const { tree, scratchIndex } = await treeOfWorkingTree(dir, scratchDir);
  await fs.rm(scratchIndex, { force: true });
  const commit = await gitOutput(dir, ['commit-tree', tree, ...(head ? ['-p', head] : []), '-m', `grove: parked work of ${nested.path} in ${name}`], { env: PARKING_IDENTITY });
  // fetch takes refs, not bare ids (uploadpack may refuse unadvertised ones): a short-lived ref in the nested repository.
  const handle = `refs/grove/parking-${randomBytes(6).toString('hex')}`;
  await runGit(dir, ['update-ref', handle, commit]);
  try {
    await runGit(superproject, ['-c', 'protocol.file.allow=always', 'fetch', '--quiet', '--no-tags', '--no-write-fetch-head', dir,
      `+${handle}:${prefix}/work`, `+refs/heads/*:${prefix}/heads/*`, `+refs/tags/*:${prefix}/tags/*`]);
  } finally {
    await runGit(dir, ['update-ref', '-d', handle], { allowFailure: true });
  }
  const kind = nested.kind === 'repository' ? 'Nested repository' : 'Submodule';
  const restoreHint = [
    `${kind} ${nested.path} parked under ${prefix}/ (work: its files, untracked ones included; heads/*: its branches). To get it back:`,
    `  git init ${nested.path} && cd ${nested.path}`,
    `  git fetch ${commonDir} '+${prefix}/*:refs/remotes/parked/*'`,
    `  git checkout --detach parked/work      # its files as they were (parked/work^1: its HEAD)`,
  ].join('\n');
  return { prefix, restoreHint };
}
