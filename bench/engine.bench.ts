/**
 * The engine's own cost: 1,000 tasks of the zero-delay claude double through 8 slots on the
 * real pool and run registry, against the same 1,000 double runs started bare (8 at a time,
 * no engine). Also peak memory while running 100 tasks against 1,000 (it must stay flat).
 */
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import * as os from 'node:os';
import { openEngine } from '../src/core/engine/open';
import { locateRepository } from '../src/core/git/repository';
import { cleanupTempDirs, createRepo } from '../test/helpers/tempRepo';
import { DOUBLE } from '../test/helpers/engineHarness';
import { installCounters, type Counter, type Counts } from './counters';
import type { BenchReport } from './run';

export const title = 'Engine: tasks through slots';

const SLOTS = 8;

function runBare(cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(DOUBLE, ['-p', '--output-format', 'stream-json', '--verbose'], { cwd, stdio: ['pipe', 'ignore', 'ignore'] });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`double exited ${code}`))));
    child.stdin.end('bench task');
  });
}

async function bare(count: number, cwds: string[]): Promise<number> {
  const started = performance.now();
  let next = 0;
  await Promise.all(cwds.slice(0, SLOTS).map(async (cwd) => {
    while (next < count) {
      next++;
      await runBare(cwd);
    }
  }));
  return performance.now() - started;
}

interface Peak {
  rss: number;
  heap: number;
}

function sampleMemory(): { stop(): Peak } {
  const peak: Peak = { rss: 0, heap: 0 };
  const sample = () => {
    const usage = process.memoryUsage();
    peak.rss = Math.max(peak.rss, usage.rss);
    peak.heap = Math.max(peak.heap, usage.heapUsed);
  };
  sample();
  const timer = setInterval(sample, 20);
  return { stop: () => (clearInterval(timer), sample(), peak) };
}

async function engineRun(count: number, counter: Counter) {
  const repo = createRepo();
  const location = await locateRepository(repo);
  const opened = openEngine({ repo: location, slots: SLOTS, agentCommand: DOUBLE, settings: { env: { GROVE_DOUBLE_DELAY_MS: '0' } } });
  // Warm the pool first (worktree creation is the pool's cost, measured in its own benchmark).
  await opened.engine.fanOut({ prompt: 'warm up', count: SLOTS });
  (globalThis as { gc?: () => void }).gc?.();
  const memory = sampleMemory();
  counter.reset();
  const started = performance.now();
  const results = await opened.engine.fanOut({ prompt: 'bench task', count });
  const wall = performance.now() - started;
  const counts = counter.read();
  const peak = memory.stop();
  const failed = results.filter((result) => result.status !== 'succeeded').length;
  if (failed) throw new Error(`${failed} of ${count} tasks failed: ${results.find((r) => r.status !== 'succeeded')?.error}`);
  const worktrees = (await opened.pool.status()).map((worktree) => worktree.path);
  opened.close();
  return { wall, peak, worktrees, counts };
}

export async function run(): Promise<BenchReport> {
  const counter = await installCounters();
  try {
    const load = os.loadavg();
    const small = await engineRun(100, counter);
    const large = await engineRun(1000, counter);
    for (const dir of large.worktrees) mkdirSync(dir, { recursive: true });
    const bareWall = await bare(1000, large.worktrees);
    const enginePerTask = large.wall / 1000;
    const barePerTask = bareWall / 1000;
    // Slot-time per task the engine adds: (engine wall - bare wall) spread over 8 parallel lanes.
    const overheadMs = ((large.wall - bareWall) * SLOTS) / 1000;
    const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
    const data = {
      slots: SLOTS,
      tasksPerSecondEngine: 1000 / (large.wall / 1000),
      tasksPerSecondBare: 1000 / (bareWall / 1000),
      engineWallMs: large.wall,
      bareWallMs: bareWall,
      overheadMsPerTask: overheadMs,
      peak100: small.peak,
      peak1000: large.peak,
      perTask: perTask(large.counts, 1000),
      loadAverage: { before: load, after: os.loadavg() },
    };
    const per = data.perTask;
    const markdown = [
      `Repository: the two-file test repository; ${SLOTS} slots on ${SLOTS} pooled worktrees (created before timing); the claude double with no delay; real pool, real run registry, real spend ledger, budget check per task (no cap).`,
      '',
      '| | 1,000 tasks wall | tasks / s | per task |',
      '|---|---|---|---|',
      `| bare double, 8 at a time | ${(bareWall / 1000).toFixed(1)} s | ${data.tasksPerSecondBare.toFixed(1)} | ${barePerTask.toFixed(1)} ms |`,
      `| through the engine, 8 slots | ${(large.wall / 1000).toFixed(1)} s | ${data.tasksPerSecondEngine.toFixed(1)} | ${enginePerTask.toFixed(1)} ms |`,
      `| ratio engine / bare | ${(large.wall / bareWall).toFixed(2)}× | | |`,
      '',
      `Engine overhead per task (slot time over the bare agent): ${overheadMs.toFixed(0)} ms.`,
      '',
      `Per task (1,000-task run): ${per.git.toFixed(2)} git processes (${Object.entries(per.gitByCommand).map(([command, n]) => `${command} ${n.toFixed(2)}`).join(', ')}), ` +
        `${per.locks.toFixed(2)} pool-lock acquisitions (held ${per.lockHeldMs.toFixed(1)} ms each on average), ${per.fsyncs.toFixed(2)} fsyncs.`,
      `Load average (1/5/15 min): ${load.map((n) => n.toFixed(2)).join(' / ')} at the start, ${data.loadAverage.after.map((n) => n.toFixed(2)).join(' / ')} at the end.`,
      '',
      '| peak memory while running | RSS | heap used |',
      '|---|---|---|',
      `| 100 tasks | ${mb(small.peak.rss)} MiB | ${mb(small.peak.heap)} MiB |`,
      `| 1,000 tasks | ${mb(large.peak.rss)} MiB | ${mb(large.peak.heap)} MiB |`,
      `| ratio 1,000 / 100 | ${(large.peak.rss / small.peak.rss).toFixed(2)}× | ${(large.peak.heap / small.peak.heap).toFixed(2)}× |`,
    ].join('\n');
    return { markdown, data };
  } finally {
    counter.uninstall();
    cleanupTempDirs();
  }
}

function perTask(counts: Counts, tasks: number) {
  return {
    git: counts.git / tasks,
    gitByCommand: Object.fromEntries(Object.entries(counts.gitByCommand).map(([command, n]) => [command, n / tasks])),
    locks: counts.locks / tasks,
    lockHeldMs: counts.lockHeldMs / Math.max(1, counts.locks),
    fsyncs: counts.fsyncs / tasks,
  };
}
