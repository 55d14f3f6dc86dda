import { promises as fs } from 'node:fs';
import { GroveError } from '../errors';
import type { Logger } from '../logger';
import { commitReadiness, type CommitReadiness } from './fingerprint';
import { busyPorts, describeBusy, portBlock, worktreeEnv, type PortBlock, type PortSettings } from './ports';
import { readReadyRecord, readyDir, readyLogFile, readyRecordFile, writeReadyRecord, type ReadyRecord } from './readyStore';
import { diskCacheFile } from './diskUsage';
import { runSteps } from './steps';

/** What the pool is told about making worktrees ready (the editor and the CLI fill it in). */
export interface ReadyOptions {
  ports?: PortSettings;
  /** False in an untrusted editor workspace: no setup, refresh or teardown runs (and none is recorded as done). */
  runSteps?: boolean | (() => boolean);
  /** Hears "refreshing wt-3: npm ci" before each step, for a progress display. */
  progress?: (message: string) => void;
  /** `grove.pool.diskBudgetGb`: over it, prune suggests the biggest available worktrees first. */
  diskBudgetGb?: number | null;
  /**
   * The CLI: SIGINT and SIGTERM are passed on to a running step's process group (it runs
   * detached, so Ctrl-C would not reach it). Off in the editor: a listener there would keep the
   * extension host from exiting on SIGTERM while an `npm ci` runs.
   */
  forwardInterrupts?: boolean;
}

export interface ReadyContext {
  mainWorktree: string;
  groveDir: string;
  logger: Logger;
  options: ReadyOptions;
}

/** What a lease or reservation learns from making its worktree ready. */
export interface ReadyReport {
  ports: PortBlock | null;
  env: Record<string, string>;
  /** Where setup/refresh/teardown output goes. */
  log: string;
  /** Which step list ran, if any. */
  ran: 'setup' | 'refresh' | null;
  /** Where the config came from (.grove/worktree.json, or an imported one), or null. */
  source: string | null;
  warnings: string[];
  /** Set when setup or refresh failed: the worktree must not be used as if it were ready. */
  failure: string | null;
}

/**
 * The one call on the lease path: after the worktree is at `commit`, run setup (new) or
 * refresh (its fingerprint differs from the one it was last made ready with), and check its
 * ports. Nothing here measures sizes or walks the checkout; with a matching fingerprint it
 * costs a cached file read, a record read and twenty loopback binds.
 */
export async function makeReady(ctx: ReadyContext, worktree: { name: string; path: string; commit: string; created: boolean }): Promise<ReadyReport> {
  const log = readyLogFile(ctx.groveDir, worktree.name);
  try {
    return await prepare(ctx, worktree, log);
  } catch (error) {
    // A bad .grove/worktree.json, an unreadable commit: not ready either, and said so.
    return { ports: null, env: worktreeEnv(worktree.name, null), log, ran: null, source: null, warnings: [], failure: `${worktree.name} could not be made ready: ${(error as Error).message}` };
  }
}

type Worktree = { name: string; path: string; commit: string; created: boolean };

async function prepare(ctx: ReadyContext, worktree: Worktree, log: string): Promise<ReadyReport> {
  const ports = portBlock(worktree.name, ctx.options.ports);
  const env = stepEnv(ctx, worktree.name, ports);
  const [readiness, record, busy] = await Promise.all([
    commitReadiness(ctx.mainWorktree, readyDir(ctx.groveDir), worktree.commit),
    readReadyRecord(ctx.groveDir, worktree.name),
    ports ? busyPorts(ports) : Promise.resolve([]),
  ]);
  const report: ReadyReport = { ports, env: worktreeEnv(worktree.name, ports), log, ran: null, source: readiness.source, warnings: [], failure: null };
  const portWarning = describeBusy(worktree.name, busy);
  if (portWarning) {
    report.warnings.push(portWarning);
    ctx.logger.warn(portWarning);
  }
  // A setup that failed runs again (not refresh) on the next lease: it never completed.
  const phase = worktree.created || record.failed?.phase === 'setup' ? 'setup' : record.fingerprint !== readiness.fingerprint ? 'refresh' : null;
  if (phase === null) return report;
  const steps = readiness.config[phase];
  if (steps.length > 0 && !stepsAllowed(ctx)) {
    const warning = `${worktree.name}: ${phase} from ${readiness.source} not run: the workspace is not trusted; its dependencies may be stale`;
    report.warnings.push(warning);
    ctx.logger.warn(warning);
    // Not done, so not recorded as ready: a setup left out runs at the first lease that may run it.
    if (phase === 'setup') await record_(ctx, record, null, readiness, { at: new Date().toISOString(), phase, step: '', error: 'not run: the workspace was not trusted' });
    return report;
  }
  if (steps.length > 0) {
    ctx.logger.info(`${worktree.name}: ${phase} from ${readiness.source} (${steps.length} step(s)); output in ${log}`);
    const outcome = await runSteps(phase, steps, {
      cwd: worktree.path, env, logFile: log, forwardInterrupts: ctx.options.forwardInterrupts,
      progress: (step) => ctx.options.progress?.(`${phase === 'setup' ? 'setting up' : 'refreshing'} ${worktree.name} (${readiness.source}): ${step}`),
    });
    report.ran = phase;
    if (!outcome.ok) {
      report.failure = `${phase} step "${outcome.failedStep}" failed in ${worktree.name} (${outcome.error})`;
      await record_(ctx, record, phase, readiness, { at: new Date().toISOString(), phase, step: outcome.failedStep ?? '', error: outcome.error ?? '' });
      return report;
    }
  }
  await record_(ctx, record, steps.length > 0 ? phase : null, readiness, null);
  return report;
}

async function record_(ctx: ReadyContext, record: ReadyRecord, ran: 'setup' | 'refresh' | null, readiness: CommitReadiness, failed: ReadyRecord['failed']): Promise<void> {
  const next: ReadyRecord = {
    ...record,
    setupRuns: record.setupRuns + (ran === 'setup' ? 1 : 0),
    refreshRuns: record.refreshRuns + (ran === 'refresh' ? 1 : 0),
    source: readiness.source,
    failed,
    ...(failed ? { fingerprint: null } : { fingerprint: readiness.fingerprint, commit: readiness.commit, readyAt: new Date().toISOString() }),
  };
  await writeReadyRecord(ctx.groveDir, next);
}

/** Teardown before a worktree is destroyed; a failure is logged, never a reason to keep it (its work is protected elsewhere). */
export async function tearDown(ctx: ReadyContext, worktree: { name: string; path: string; commit: string | null }): Promise<void> {
  // A later worktree of the same name starts afresh: no stale fingerprint, no old size (the log stays, for reading).
  await Promise.all([readyRecordFile(ctx.groveDir, worktree.name), diskCacheFile(ctx.groveDir, worktree.name)].map((file) => fs.rm(file, { force: true }).catch(() => undefined)));
  if (!worktree.commit || !stepsAllowed(ctx)) return;
  try {
    const readiness = await commitReadiness(ctx.mainWorktree, readyDir(ctx.groveDir), worktree.commit);
    if (readiness.config.teardown.length === 0) return;
    const log = readyLogFile(ctx.groveDir, worktree.name);
    const outcome = await runSteps('teardown', readiness.config.teardown, { cwd: worktree.path, env: stepEnv(ctx, worktree.name, portBlock(worktree.name, ctx.options.ports)), logFile: log, forwardInterrupts: ctx.options.forwardInterrupts });
    if (!outcome.ok) ctx.logger.warn(`${worktree.name}: teardown step "${outcome.failedStep}" failed (${outcome.error}); see ${log}`);
  } catch (error) {
    ctx.logger.warn(`${worktree.name}: teardown skipped: ${(error as Error).message}`);
  }
}

/** The error a lease or reservation throws when its worktree could not be made ready (after keeping it for the asker). */
export function notReadyError(report: ReadyReport, heldBy: string): GroveError {
  return new GroveError('internal', `${report.failure}; the worktree is kept leased to ${heldBy}, not handed out half-ready`,
    `Read the log: ${report.log}. Fix the step (or the repository), then \`grove return\` it; the next lease runs it again.`);
}

function stepEnv(ctx: ReadyContext, name: string, ports: PortBlock | null): Record<string, string> {
  // ROOT_WORKTREE_PATH: what Cursor's imported setup scripts expect for copying from the main checkout.
  return { ...worktreeEnv(name, ports), GROVE_MAIN_WORKTREE: ctx.mainWorktree, ROOT_WORKTREE_PATH: ctx.mainWorktree };
}

/** The editor passes a live check (trust can be granted while it runs); the CLI leaves it unset (allowed). */
function stepsAllowed(ctx: ReadyContext): boolean {
  const allowed = ctx.options.runSteps;
  return typeof allowed === 'function' ? allowed() : allowed !== false;
}
