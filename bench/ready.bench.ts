/**
 * Ready worktrees (src/core/ready), on the pool benchmark's generated repository of 20,000
 * tracked files with a package-lock.json and a .grove/worktree.json refresh step:
 *   - what making a worktree ready adds to a lease whose fingerprint matches: an in-process
 *     lease + return here against the same on the code before this work (READY_BASELINE_SRC, a
 *     copy of main's src/; skipped without it), alternating, and the hook timed on its own;
 *   - how often refresh runs over many leases, with one lockfile change in the middle;
 *   - that no lease measured a size (no disk cache appears);
 *   - the real Claude CLI's resident memory (not logged in: it starts, answers, exits).
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { locateRepository } from '../src/core/git/repository';
import { WorktreePool } from '../src/core/pool/pool';
import { makeReady } from '../src/core/ready/prepare';
import { warmWorktrees } from '../src/core/ready/leaseHooks';
import { groupResidentBytes } from '../src/core/ready/memory';
import { generateRepository } from './pool.bench';
import { machineLine, median, percentile, type BenchReport } from './run';

export const title = 'Ready worktrees';

const ROUNDS = 41;
const gitEnv = { ...process.env, GIT_AUTHOR_NAME: 'Bench', GIT_AUTHOR_EMAIL: 'b@example.com', GIT_COMMITTER_NAME: 'Bench', GIT_COMMITTER_EMAIL: 'b@example.com' };
const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, env: gitEnv, encoding: 'utf8', maxBuffer: 64 << 20 }).trim();

async function timed(work: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

type PoolLike = { lease(o: { holder: string }): Promise<{ name: string }>; returnWorktree(name: string): Promise<unknown> };

async function leaseAndReturn(pool: PoolLike, holder: string): Promise<number> {
  let name = '';
  const took = await timed(async () => { name = (await pool.lease({ holder })).name; });
  await pool.returnWorktree(name);
  return took;
}

/** Peak resident memory of the real Claude CLI's process group, sampled every 20 ms from /proc. */
async function claudeResident(home: string): Promise<{ peakBytes: number; seconds: number } | null> {
  const claude = path.resolve(__dirname, '../node_modules/.bin/claude');
  if (!existsSync(claude)) return null;
  const started = Date.now();
  const child = spawn(claude, ['-p', '--output-format', 'stream-json', '--verbose'], { detached: true, stdio: ['pipe', 'ignore', 'ignore'], env: { ...process.env, HOME: home, ANTHROPIC_API_KEY: '' } });
  child.stdin!.end('say hi');
  let peak = 0;
  let running = true;
  child.once('exit', () => (running = false));
  while (running && Date.now() - started < 60_000) {
    peak = Math.max(peak, (await groupResidentBytes(child.pid!)) ?? 0);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  if (running) process.kill(-child.pid!, 'SIGKILL');
  return { peakBytes: peak, seconds: (Date.now() - started) / 1000 };
}

export async function run(): Promise<BenchReport> {
  const parent = mkdtempSync(path.join(os.tmpdir(), 'grove-bench-ready-'));
  try {
    const loadAtStart = os.loadavg().map((value) => value.toFixed(1)).join(' / ');
    console.error('generating the repository...');
    const { repo } = generateRepository(parent);
    const counter = path.join(parent, 'refreshes.log');
    const refresh = [process.execPath, '-e', `require('fs').appendFileSync(${JSON.stringify(counter)}, process.env.GROVE_WORKTREE + '\\n')`];
    writeFileSync(path.join(repo, 'package-lock.json'), '{"lockfileVersion":3}\n');
    mkdirSync(path.join(repo, '.grove'));
    writeFileSync(path.join(repo, '.grove', 'worktree.json'), JSON.stringify({ refresh: [refresh] }));
    git(repo, 'add', '-A');
    git(repo, 'commit', '-q', '-m', 'lockfile and ready config');
    const baselineRepo = path.join(parent, 'baseline-repo');
    git(parent, 'clone', '-q', repo, baselineRepo);
    const location = await locateRepository(repo);
    const pool = new WorktreePool({ repo: location, root: path.join(parent, 'pool'), max: 2 });
    const baselineSrc = process.env.READY_BASELINE_SRC;
    const baseline: PoolLike | null = baselineSrc
      ? new ((await import(path.join(baselineSrc, 'core/pool/pool'))) as { WorktreePool: new (o: unknown) => PoolLike }).WorktreePool({
        repo: await ((await import(path.join(baselineSrc, 'core/git/repository'))) as { locateRepository: (dir: string) => Promise<unknown> }).locateRepository(baselineRepo),
        root: path.join(parent, 'baseline-pool'), max: 2,
      })
      : null;
    for (const warm of [pool, baseline]) if (warm) for (let i = 0; i < 3; i++) await leaseAndReturn(warm, `warm-up ${i}`);

    console.error('lease with a matching fingerprint, here and before...');
    const here: number[] = [];
    const before: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      here.push(await leaseAndReturn(pool, `here ${round}`));
      if (baseline) before.push(await leaseAndReturn(baseline, `before ${round}`));
    }
    console.error('the hook alone...');
    const head = git(repo, 'rev-parse', 'HEAD');
    const ctx = { mainWorktree: repo, groveDir: location.groveDir, logger: { trace() {}, debug() {}, info() {}, warn() {}, error() {} }, options: {} };
    const hook: number[] = [];
    const warmPick: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      hook.push(await timed(() => makeReady(ctx, { name: 'wt-1', path: path.join(parent, 'pool', 'wt-1'), commit: head, created: false })));
      warmPick.push(await timed(() => warmWorktrees(ctx, Promise.resolve({ commit: head }))));
    }

    console.error('refresh counts...');
    const refreshesBefore = existsSync(counter) ? readFileSync(counter, 'utf8').trim().split('\n').filter(Boolean).length : 0;
    for (let round = 0; round < 10; round++) await leaseAndReturn(pool, `steady ${round}`);
    const refreshesSteady = (existsSync(counter) ? readFileSync(counter, 'utf8').trim().split('\n').filter(Boolean).length : 0) - refreshesBefore;
    writeFileSync(path.join(repo, 'package-lock.json'), '{"lockfileVersion":3,"bumped":true}\n');
    git(repo, 'commit', '-q', '-am', 'bump the lockfile');
    for (let round = 0; round < 10; round++) await leaseAndReturn(pool, `after bump ${round}`);
    const refreshesAfterBump = (existsSync(counter) ? readFileSync(counter, 'utf8').trim().split('\n').filter(Boolean).length : 0) - refreshesBefore - refreshesSteady;
    const measuredOnLease = existsSync(path.join(location.groveDir, 'ready', 'disk'));

    console.error('the real Claude CLI\'s resident memory...');
    const claude: { peakBytes: number; seconds: number }[] = [];
    for (let i = 0; i < 3; i++) {
      const sample = await claudeResident(mkdtempSync(path.join(parent, 'home-')));
      if (sample) claude.push(sample);
    }

    const ms = (value: number) => `${value.toFixed(1)} ms`;
    const delta = baseline ? median(here) - median(before) : null;
    const mb = (bytes: number) => `${(bytes / 1e6).toFixed(0)} MB`;
    const markdown = [
      `Machine: ${machineLine()}. Load average at the start ${loadAtStart}. 20,000 tracked files, a package-lock.json and a .grove/worktree.json with one refresh step; ${ROUNDS} alternating in-process lease + return rounds per side.`,
      '',
      '| What | Figure | Target |',
      '|---|---|---|',
      `| in-process lease, fingerprint matches: here, median / p90 | ${ms(median(here))} / ${ms(percentile(here, 90))} | |`,
      ...(baseline ? [`| the same lease on the code before ready worktrees, median / p90 | ${ms(median(before))} / ${ms(percentile(before, 90))} | |`,
        `| difference of the medians | ${ms(delta!)} | < 5 ms |`] : []),
      `| the ready hook alone (cached fingerprint, record read, 20 loopback binds), median / p90 | ${ms(median(hook))} / ${ms(percentile(hook, 90))} | < 5 ms |`,
      `| the warm-first preference alone (ready records of the pool), median | ${ms(median(warmPick))} | |`,
      `| refresh runs over 10 leases with no lockfile change | ${refreshesSteady} | 0 |`,
      `| refresh runs over 10 leases after one lockfile change | ${refreshesAfterBump} | 1 per worktree that is leased (max 2 here) |`,
      `| size measurements on the lease path | ${measuredOnLease ? 'some (FAIL)' : 'none'} | none |`,
      ...(claude.length ? [`| real Claude CLI (${'@anthropic-ai/claude-code'}, not logged in) peak resident memory of its process group, ${claude.length} runs | ${claude.map((sample) => mb(sample.peakBytes)).join(', ')} (ran ${claude.map((sample) => sample.seconds.toFixed(1)).join(', ')} s) | |`] : []),
    ].join('\n');
    return { markdown, data: { here, before, hook, warmPick, refreshesSteady, refreshesAfterBump, measuredOnLease, claude } };
  } finally {
    rmSync(parent, { recursive: true, force: true });
  }
}
