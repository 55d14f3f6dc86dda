import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { readJson, writeJsonAtomic } from '../store/atomicJson';
import { runGit } from '../git/run';

/**
 * How much disk each worktree takes, the checkout (tracked and untracked files) and the
 * ignored files (node_modules, build outputs: what the warm pool keeps) apart. Walking a
 * worktree takes seconds, so it is measured in the background and cached under
 * `grove/ready/disk/`, and read from there; the lease path never measures.
 */
export interface DiskUsage {
  name: string;
  checkoutBytes: number;
  ignoredBytes: number;
  measuredAt: string;
}

export function diskCacheFile(groveDir: string, name: string): string {
  return path.join(groveDir, 'ready', 'disk', `${name}.json`);
}

export async function cachedDiskUsage(groveDir: string, name: string): Promise<DiskUsage | null> {
  const read = await readJson<DiskUsage>(diskCacheFile(groveDir, name));
  return read.kind === 'ok' && read.value.name === name ? read.value : null;
}

/** Measures one worktree now (blocks on disk, hard links and symlinks not followed) and caches it. */
export async function measureDiskUsage(groveDir: string, name: string, worktreePath: string, now = new Date()): Promise<DiskUsage> {
  const ignored = await ignoredPaths(worktreePath);
  let checkoutBytes = 0;
  let ignoredBytes = 0;
  for (const entry of ignored) ignoredBytes += await treeBytes(path.join(worktreePath, entry));
  checkoutBytes = (await treeBytes(worktreePath, new Set(['.git', ...ignored.map((entry) => entry.replace(/\/$/, ''))]), worktreePath)) ;
  const usage: DiskUsage = { name, checkoutBytes, ignoredBytes, measuredAt: now.toISOString() };
  await fs.mkdir(path.dirname(diskCacheFile(groveDir, name)), { recursive: true });
  await writeJsonAtomic(diskCacheFile(groveDir, name), usage);
  return usage;
}

/** Measures the given worktrees one after another (one walk at a time keeps the disk and CPU calm), skipping any that fail. */
export async function measureAll(groveDir: string, worktrees: { name: string; path: string }[]): Promise<DiskUsage[]> {
  const measured: DiskUsage[] = [];
  for (const worktree of worktrees) {
    try {
      measured.push(await measureDiskUsage(groveDir, worktree.name, worktree.path));
    } catch {
      /* a worktree that vanished or cannot be read has no size to report */
    }
  }
  return measured;
}

/** Ignored files and folders (folders whole, with a trailing slash), relative to the worktree. */
async function ignoredPaths(worktreePath: string): Promise<string[]> {
  const result = await runGit(worktreePath, ['ls-files', '-z', '--others', '--ignored', '--exclude-standard', '--directory']);
  return result.stdout.split('\0').filter(Boolean);
}

/** Bytes on disk under `target`, leaving out paths (relative to `base`) in `skip`. */
async function treeBytes(target: string, skip?: Set<string>, base?: string): Promise<number> {
  let stat;
  try {
    stat = await fs.lstat(target);
  } catch {
    return 0;
  }
  if (!stat.isDirectory()) return stat.blocks * 512;
  let total = stat.blocks * 512;
  const entries = await fs.readdir(target).catch(() => [] as string[]);
  for (const entry of entries) {
    const child = path.join(target, entry);
    if (skip && base && skip.has(path.relative(base, child))) continue;
    total += await treeBytes(child, skip, base);
  }
  return total;
}

/**
 * Over the budget, the available worktrees to prune first, biggest first, until the pool
 * would fit; null when within the budget (or no budget, or nothing measured).
 */
export interface DiskSuggestion {
  totalBytes: number;
  budgetBytes: number;
  suggest: string[];
}

export function overBudget(usages: DiskUsage[], available: Set<string>, budgetBytes: number | null): DiskSuggestion | null {
  if (budgetBytes === null || usages.length === 0) return null;
  const size = (usage: DiskUsage): number => usage.checkoutBytes + usage.ignoredBytes;
  let totalBytes = usages.reduce((sum, usage) => sum + size(usage), 0);
  if (totalBytes <= budgetBytes) return null;
  const reported = totalBytes;
  const suggest: string[] = [];
  for (const usage of usages.filter((candidate) => available.has(candidate.name)).sort((a, b) => size(b) - size(a))) {
    if (totalBytes <= budgetBytes) break;
    suggest.push(usage.name);
    totalBytes -= size(usage);
  }
  return { totalBytes: reported, budgetBytes, suggest };
}
