import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { GroveError } from '../errors';
import { runGit } from '../git/run';
import type { PoolCore } from '../pool/core';
import { targetAsPath } from '../pool/paths';
import { identifySelf } from '../util/liveness';
import { cachedDiskUsage, diskCacheFile } from './diskUsage';
import { commitReadiness } from './fingerprint';
import { readyDir } from './readyStore';
import { DEFAULT_TRIM } from './worktreeConfig';
import { writeJsonAtomic } from '../store/atomicJson';

export interface TrimOutcome {
  name: string;
  removed: string[];
  /** Listed outputs left alone, and why (tracked or untracked files in them, a symlink, missing). */
  kept: { path: string; why: string }[];
  freedBytes: number;
}

/**
 * `grove trim <name>`: deletes the build outputs the repository lists (`trim` in
 * .grove/worktree.json; default dist, target, .next/cache) and keeps everything else,
 * dependencies included. Only what git ignores entirely goes: a listed folder holding a tracked
 * or untracked-but-not-ignored file is kept (that would be someone's work). Decided: an
 * available worktree may be trimmed by anyone; a leased one only by its holder (`ifLeaseId`);
 * never one a task or another grove process is working in. While it trims, it holds a
 * reservation, so no lease or task takes the worktree half-trimmed.
 */
export async function trimWorktree(core: PoolCore, target: string, options: { ifLeaseId?: string } = {}): Promise<TrimOutcome> {
  const targetPath = await targetAsPath(target);
  const identity = await identifySelf();
  const held = await core.mutate(async (state) => {
    const record = core.findRecord(state, target, targetPath);
    core.refuseIfBusy(record);
    if (record.reservation) throw new GroveError('unavailable', `${record.name} is reserved by ${record.reservation.owner}`, 'Trim it when that task is done.');
    if (record.damaged) throw new GroveError('refused', `${record.name} is damaged: ${record.damaged}`, `Look at it, or destroy it: grove destroy ${record.name}`);
    if (record.lease && record.lease.leaseId !== options.ifLeaseId) {
      throw new GroveError('refused', `${record.name} is leased by ${record.lease.holder}; only its holder may trim it`,
        `If it is yours: grove trim ${record.name} --if-lease-id <its lease id> (see grove status).`);
    }
    const reservation = core.reserve(record, 'grove trim', identity, record.lease?.head ?? record.head ?? '');
    return { name: record.name, path: record.path, head: record.head, reservationId: reservation.reservationId };
  });
  try {
    const list = held.head ? (await commitReadiness(core.repo.mainWorktree, readyDir(core.repo.groveDir), held.head)).config.trim ?? DEFAULT_TRIM : DEFAULT_TRIM;
    const outcome = await trimPaths(held.path, list);
    await lowerCachedSize(core.repo.groveDir, held.name, outcome.freedBytes);
    core.logger.info(`trimmed ${held.name}: ${outcome.removed.join(', ') || 'nothing'} (${outcome.freedBytes} bytes)`);
    return { name: held.name, ...outcome };
  } finally {
    await core.mutate(async (state) => {
      const record = state.worktrees[held.name];
      if (record?.reservation?.reservationId === held.reservationId) record.reservation = null;
    });
  }
}

async function trimPaths(worktree: string, list: string[]): Promise<Omit<TrimOutcome, 'name'>> {
  const removed: string[] = [];
  const kept: TrimOutcome['kept'] = [];
  let freedBytes = 0;
  for (const entry of list) {
    const full = path.join(worktree, entry);
    const why = await whyKeep(worktree, entry, full);
    if (why) {
      if (why !== 'missing') kept.push({ path: entry, why });
      continue;
    }
    freedBytes += await bytesUnder(full);
    await fs.rm(full, { recursive: true, force: true });
    removed.push(entry);
  }
  return { removed, kept, freedBytes };
}

async function whyKeep(worktree: string, entry: string, full: string): Promise<string | null> {
  if (path.relative(worktree, full).startsWith('..')) return 'outside the worktree';
  const stat = await fs.lstat(full).catch(() => null);
  if (!stat) return 'missing';
  if (stat.isSymbolicLink()) return 'a symlink (its target is not Grove\'s to delete)';
  // Walk up: a symlinked parent would lead the delete outside the worktree.
  if ((await fs.realpath(full)) !== path.join(await fs.realpath(worktree), entry)) return 'reached through a symlink';
  const [tracked, untracked] = await Promise.all([
    runGit(worktree, ['ls-files', '-z', '--', entry]),
    runGit(worktree, ['ls-files', '-z', '--others', '--exclude-standard', '--', entry]),
  ]);
  if (tracked.stdout) return 'holds files git tracks';
  if (untracked.stdout) return 'holds untracked files git does not ignore (work?)';
  return null;
}

async function bytesUnder(target: string): Promise<number> {
  const stat = await fs.lstat(target).catch(() => null);
  if (!stat) return 0;
  if (!stat.isDirectory()) return stat.blocks * 512;
  let total = stat.blocks * 512;
  for (const child of await fs.readdir(target).catch(() => [] as string[])) total += await bytesUnder(path.join(target, child));
  return total;
}

async function lowerCachedSize(groveDir: string, name: string, freed: number): Promise<void> {
  const cached = await cachedDiskUsage(groveDir, name);
  if (!cached || freed === 0) return;
  await writeJsonAtomic(diskCacheFile(groveDir, name), { ...cached, ignoredBytes: Math.max(0, cached.ignoredBytes - freed) });
}
