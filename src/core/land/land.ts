import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { GroveError } from '../errors';
import { gitOutput } from '../git/run';
import { resolveCommit } from '../git/worktreeState';
import { landApply } from './apply';
import { landBranch } from './branch';
import { treeOf } from './commits';
import type { LandContext } from './context';
import { landIntoBranch } from './integrate';
import { snapshotMessage } from './message';
import { landPush } from './push';
import { snapshotWorktree, sweepScratch } from './snapshot';
import { landStep } from './steps';
import { LandRefusal, type LandOptions, type LandRecord, type LandSource } from './types';

const HOWS = new Set(['apply', 'branch', 'squash', 'merge', 'push']);

/**
 * Lands a result: the one entry the CLI and the editor call. Every way starts from a snapshot of
 * the result's worktree (its commits plus its uncommitted and untracked work, made without
 * touching that worktree), checks everything it can before changing anything, and then makes its
 * change with one git command. Refusals are LandRefusal (a GroveError: exit 4 for "refused to
 * protect work", 2 for bad input) with the reason and, for conflicts and local changes, the files.
 * The result's worktree is never written to: returning it to the pool is the caller's next step.
 */
export async function land(source: LandSource, options: LandOptions): Promise<LandRecord> {
  if (!HOWS.has(options.how)) throw new GroveError('usage', `unknown way to land: ${String(options.how)}`, 'Use apply, branch, squash, merge or push.');
  const context = await prepare(source, options);
  switch (options.how) {
    case 'apply':
      return landApply(context);
    case 'branch':
      return landBranch(context);
    case 'squash':
    case 'merge':
      return landIntoBranch(context, options.how);
    case 'push':
      return landPush(context);
  }
}

async function prepare(source: LandSource, options: LandOptions): Promise<LandContext> {
  const repo = path.resolve(source.repoRoot);
  const worktree = path.resolve(source.worktreePath);
  await mustBeFolder(repo, 'main worktree');
  await mustBeFolder(worktree, "result's worktree");
  if ((await fs.realpath(repo)) === (await fs.realpath(worktree))) {
    throw new GroveError('usage', `the result's worktree is the main worktree (${repo})`, 'Land a result from a pool worktree.');
  }
  const base = await resolveCommit(repo, source.baseCommit);
  if (!base) {
    throw new GroveError('usage', `the result's base commit ${source.baseCommit} is not in this repository`, 'Check the result record; land with --branch from its worktree by hand.');
  }
  const now = (options.now ?? (() => new Date()))();
  const scratchDir = path.join(path.resolve(repo, await gitOutput(repo, ['rev-parse', '--git-common-dir'])), 'grove', 'land-tmp');
  await sweepScratch(scratchDir, now);
  await landStep('start');
  const snapshot = await snapshotWorktree(worktree, scratchDir, snapshotMessage(source));
  await landStep('snapshot');
  if (snapshot.tree === (await treeOf(repo, base))) {
    throw new LandRefusal('nothing-to-land', `nothing to land: ${worktree} holds no changes since its base ${base.slice(0, 12)}`,
      'Nothing was changed. Discard the result to return its worktree to the pool.');
  }
  return { source: { ...source, repoRoot: repo, worktreePath: worktree }, options, repo, base, snapshot, scratchDir, now };
}

async function mustBeFolder(folder: string, what: string): Promise<void> {
  const stat = await fs.stat(folder).catch(() => null);
  if (!stat?.isDirectory()) throw new GroveError('usage', `the ${what} ${folder} does not exist`, 'Check the result record; a worktree removed by hand may have been parked (grove parked).');
}
