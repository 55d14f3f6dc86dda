import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { GroveError } from '../errors';
import { allSettledOrThrow } from '../util/settled';
import { gitOutput, runGit } from '../git/run';
import { refuseOperationInProgress } from './checkouts';
import { landApply, readMainWorktree } from './apply';
import { landBranch } from './branch';
import type { LandContext } from './context';
import { landIntoBranch, planInto } from './integrate';
import { snapshotMessage } from './message';
import { landPush } from './push';
import { snapshotWorktree, sweepScratch } from './snapshot';
import { landStep } from './steps';
import { LandRefusal, listFiles, type LandOptions, type LandRecord, type LandSource } from './types';

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
  await checkFolders(source);
  switch (options.how) {
    case 'apply': {
      // The main worktree's tree is taken alongside the result's snapshot: both scan a whole checkout.
      const [context, main] = await allSettledOrThrow([prepare(source, options), readMainWorktree(source.repoRoot)]);
      return landApply(context, main);
    }
    case 'branch':
      return landBranch(await prepare(source, options));
    case 'squash':
    case 'merge': {
      const [context, plan] = await allSettledOrThrow([prepare(source, options), planInto(path.resolve(source.repoRoot), options.into)]);
      return landIntoBranch(context, options.how, plan);
    }
    case 'push':
      return landPush(await prepare(source, options));
  }
}

/** Before any git runs: both folders exist and are not the same one. */
async function checkFolders(source: LandSource): Promise<void> {
  const repo = path.resolve(source.repoRoot);
  const worktree = path.resolve(source.worktreePath);
  await mustBeFolder(repo, 'main worktree');
  await mustBeFolder(worktree, "result's worktree");
  if ((await fs.realpath(repo)) === (await fs.realpath(worktree))) {
    throw new GroveError('usage', `the result's worktree is the main worktree (${repo})`, 'Land a result from a pool worktree.');
  }
}

async function prepare(source: LandSource, options: LandOptions): Promise<LandContext> {
  const repo = path.resolve(source.repoRoot);
  const worktree = path.resolve(source.worktreePath);
  const { base, baseTree, scratchDir } = await repositoryFacts(repo, source.baseCommit);
  const now = (options.now ?? (() => new Date()))();
  await sweepScratch(scratchDir, now);
  await landStep('start');
  // A refusal (unfinished merge) must not leave the snapshot's git still writing in the scratch folder.
  const [snapshot] = await allSettledOrThrow([snapshotWorktree(worktree, scratchDir, snapshotMessage(source)), refuseUnfinishedResult(worktree)]);
  await landStep('snapshot');
  if (snapshot.tree === baseTree) {
    throw new LandRefusal('nothing-to-land', `nothing to land: ${worktree} holds no changes since its base ${base.slice(0, 12)}`,
      'Nothing was changed. Discard the result to return its worktree to the pool.');
  }
  return { source: { ...source, repoRoot: repo, worktreePath: worktree }, options, repo, base, snapshot, scratchDir, now };
}

/**
 * A result worktree mid-merge or with unresolved conflicts would be landed with its conflict
 * markers (the snapshot's `git add -A` takes files as they are): refused, for the agent to finish.
 */
async function refuseUnfinishedResult(worktree: string): Promise<void> {
  await refuseOperationInProgress(worktree);
  const unmerged = await gitOutput(worktree, ['ls-files', '--unmerged', '-z']);
  if (unmerged) {
    const files = [...new Set(unmerged.split('\0').filter(Boolean).map((entry) => entry.slice(entry.indexOf('\t') + 1)))];
    throw new LandRefusal('conflict', `the result's worktree ${worktree} has unresolved conflicts in ${listFiles(files)}`,
      'Nothing was changed. Resolve them there (or ask the agent to), then land again.', files);
  }
}

/** The base as a commit and a tree, and where scratch files go, in one git call. */
async function repositoryFacts(repo: string, baseCommit: string): Promise<{ base: string; baseTree: string; scratchDir: string }> {
  if (!/^[0-9a-f]{4,64}$/i.test(baseCommit)) {
    throw new GroveError('usage', `the result's base ${JSON.stringify(baseCommit)} is not a commit id`, 'Pass the commit the result started from (the result record has it).');
  }
  const result = await runGit(repo, ['rev-parse', '--git-common-dir', `${baseCommit}^{commit}`, `${baseCommit}^{tree}`], { allowFailure: true });
  const [commonDir, base, baseTree] = result.stdout.trim().split('\n');
  if (result.code !== 0 || !base || !baseTree) {
    throw new GroveError('usage', `the result's base commit ${baseCommit} is not in this repository`, 'Check the result record; land with --branch from its worktree by hand.');
  }
  return { base, baseTree, scratchDir: path.join(path.resolve(repo, commonDir), 'grove', 'land-tmp') };
}

async function mustBeFolder(folder: string, what: string): Promise<void> {
  const stat = await fs.stat(folder).catch(() => null);
  if (!stat?.isDirectory()) throw new GroveError('usage', `the ${what} ${folder} does not exist`, 'Check the result record; a worktree removed by hand may have been parked (grove parked).');
}
