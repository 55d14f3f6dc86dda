import { cachedDiskUsage, type DiskUsage } from './diskUsage';
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
