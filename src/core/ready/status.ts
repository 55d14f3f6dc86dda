import type { PoolCore } from '../pool/core';
import { cachedDiskUsage, overBudget, type DiskSuggestion, type DiskUsage } from './diskUsage';
import { commitReadiness } from './fingerprint';
import { portBlock, type PortBlock } from './ports';
import type { ReadyContext } from './prepare';
import { readReadyRecord, readyDir, readyLogFile, type ReadyRecord } from './readyStore';

/** What `grove status` and the Worktrees view show about a worktree's readiness. */
export interface WorktreeReadiness {
  ports: PortBlock | null;
  /** warm: its dependencies match the base's fingerprint; stale: they do not (a lease refreshes it); unknown: never made ready by Grove. */
  dependencies: 'warm' | 'stale' | 'unknown';
  fingerprint: string | null;
  baseFingerprint: string | null;
  setupRuns: number;
  refreshRuns: number;
  failed: ReadyRecord['failed'];
  configSource: string | null;
  log: string;
  /** The last background measurement, or null before one. */
  disk: DiskUsage | null;
}

/** Adds readiness to status rows; from cached files only (no walking, no measuring). */
export async function addReadiness<T extends { name: string; ready?: WorktreeReadiness }>(ctx: ReadyContext, rows: T[], base: Promise<{ commit: string }>): Promise<T[]> {
  const baseFingerprint = await base
    .then((resolved) => commitReadiness(ctx.mainWorktree, readyDir(ctx.groveDir), resolved.commit))
    .then((readiness) => readiness.fingerprint, () => null);
  await Promise.all(rows.map(async (row) => {
    const [record, disk] = await Promise.all([readReadyRecord(ctx.groveDir, row.name), cachedDiskUsage(ctx.groveDir, row.name)]);
    row.ready = {
      ports: portBlock(row.name, ctx.options.ports),
      dependencies: record.fingerprint === null || baseFingerprint === null ? 'unknown' : record.fingerprint === baseFingerprint ? 'warm' : 'stale',
      fingerprint: record.fingerprint, baseFingerprint,
      setupRuns: record.setupRuns, refreshRuns: record.refreshRuns, failed: record.failed, configSource: record.source,
      log: readyLogFile(ctx.groveDir, row.name), disk,
    };
  }));
  return rows;
}

/** With a disk budget set and the cached sizes over it: which available worktrees to prune, biggest first. */
export async function pruneSuggestion(core: PoolCore): Promise<DiskSuggestion | null> {
  const budgetGb = core.ready.options.diskBudgetGb;
  if (typeof budgetGb !== 'number' || !(budgetGb > 0)) return null;
  const state = await core.readOnly();
  const records = Object.values(state.worktrees);
  const usages = (await Promise.all(records.map((record) => cachedDiskUsage(core.repo.groveDir, record.name)))).filter((usage): usage is DiskUsage => usage !== null);
  const available = new Set(records.filter((record) => !record.lease && !record.reservation && !record.claim && !record.damaged).map((record) => record.name));
  return overBudget(usages, available, Math.round(budgetGb * 1e9));
}
