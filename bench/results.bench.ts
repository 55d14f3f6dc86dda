/**
 * Results: `grove diff --stat` against plain git on a 20,000-file worktree, and the core of
 * Review Changes (reading the changes of 200 files and storing them on the result). Real
 * processes: the bundled CLI (`node esbuild.mjs` first) and git.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync, appendFileSync, unlinkSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { locateRepository } from '../src/core/git/repository';
import { WorktreePool } from '../src/core/pool/pool';
import { computeChanges, ResultStore, unifiedDiff, type ResultRecord } from '../src/core/results';
import { machineLine, median, percentile, type BenchReport } from './run';

export const title = 'Results: grove diff --stat and Review Changes';

const FILES = Number(process.env.GROVE_BENCH_FILES ?? 20_000);
const SAMPLES = 7;
const CLI = path.resolve(__dirname, '..', 'dist', 'cli.js');
const ENV = { ...process.env, GIT_AUTHOR_NAME: 'Bench', GIT_AUTHOR_EMAIL: 'b@example.com', GIT_COMMITTER_NAME: 'Bench', GIT_COMMITTER_EMAIL: 'b@example.com' };

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, env: ENV, encoding: 'utf8', maxBuffer: 1 << 28 }).trim();
}

function time(run: () => void): number {
  const start = performance.now();
  run();
  return performance.now() - start;
}

export async function run(): Promise<BenchReport> {
  const loadBefore = os.loadavg()[0].toFixed(2);
  const scratch = path.join(os.tmpdir(), `grove-results-bench-${process.pid}`);
  const repo = path.join(scratch, 'repo');
  mkdirSync(repo, { recursive: true });
  try {
    git(repo, 'init', '-q', '-b', 'main');
    for (let i = 0; i < FILES; i++) {
      const dir = path.join(repo, 'src', `d${i % 200}`);
      if (i < 200) mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, `f${i}.ts`), `export const v${i} = ${i};\n`.repeat(5));
    }
    git(repo, 'add', '-A');
    git(repo, 'commit', '-q', '-m', 'base');
    const location = await locateRepository(repo);
    const pool = new WorktreePool({ repo: location });
    const lease = await pool.lease({ holder: 'bench' });
    const base = git(lease.path, 'rev-parse', 'HEAD');
    // The agent's work: 200 files changed (modified, deleted, new untracked), one commit.
    for (let i = 0; i < 120; i++) appendFileSync(path.join(lease.path, 'src', `d${i % 200}`, `f${i}.ts`), 'export const more = 1;\n');
    git(lease.path, 'commit', '-q', '-am', 'agent work');
    for (let i = 120; i < 150; i++) unlinkSync(path.join(lease.path, 'src', `d${i % 200}`, `f${i}.ts`));
    for (let i = 0; i < 50; i++) writeFileSync(path.join(lease.path, `new-${i}.ts`), 'a\nb\n');
    const store = new ResultStore(location.groveDir);
    const now = new Date().toISOString();
    const record: ResultRecord = {
      version: 1, id: 'result-bench', kind: 'task', taskId: 'task-bench', chainRunId: null, group: null, title: 'bench', prompt: 'bench', chain: null,
      status: 'succeeded', review: 'awaiting', finalMessage: null, error: null, errorKind: null, runs: [], costMicros: 0,
      worktree: { name: lease.name, path: lease.path, leaseId: lease.leaseId, holder: 'bench' }, worktreeName: lease.name, baseCommit: base,
      changes: null, parkedRef: null, pendingComments: [], createdAt: now, updatedAt: now,
    };
    await store.save(record);

    const grove: number[] = [];
    const plain: number[] = [];
    const node: number[] = [];
    let statOut = '';
    for (let i = 0; i < SAMPLES; i++) {
      // Interleaved, so both see the same load.
      grove.push(time(() => { statOut = spawnSync(process.execPath, [CLI, 'diff', '--stat', 'result-bench'], { cwd: repo, encoding: 'utf8' }).stdout; }));
      plain.push(time(() => {
        spawnSync('git', ['diff', '--stat', base], { cwd: lease.path });
        spawnSync('git', ['status', '--porcelain'], { cwd: lease.path });
      }));
      node.push(time(() => { spawnSync(process.execPath, ['-e', '0']); }));
    }
    // The same diff in process: Grove's git work without the Node start and bundle load of a new CLI process.
    const inProcess: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      const start = performance.now();
      await unifiedDiff(lease.path, base, path.join(location.groveDir, 'tmp'), { stat: true });
      inProcess.push(performance.now() - start);
    }
    const review: number[] = [];
    let changed = 0;
    for (let i = 0; i < SAMPLES; i++) {
      const start = performance.now();
      const changes = await computeChanges(lease.path, base, path.join(location.groveDir, 'tmp'));
      await store.update(record.id, (current) => ({ ...current, changes }));
      review.push(performance.now() - start);
      changed = changes.files.length;
    }
    const summary = statOut.trim().split('\n').at(-1) ?? '';
    const row = (name: string, values: number[]) => `| ${name} | ${median(values).toFixed(0)} | ${percentile(values, 90).toFixed(0)} |`;
    const markdown = [
      `Machine: ${machineLine()}. Load average (1 min) ${loadBefore} at the start, ${os.loadavg()[0].toFixed(2)} at the end.`,
      '',
      `Repository: ${FILES} tracked files in 200 folders; the result's worktree (a pool worktree) has 120 files changed in a commit, 30 deleted, 50 new untracked (\`${summary}\`).`,
      '',
      '| ms | median | p90 |',
      '|---|---:|---:|',
      row('`grove diff --stat <id>` (the bundled CLI, a new Node process)', grove),
      row('`git diff --stat <base>` + `git status --porcelain` (which still misses the untracked files\' lines)', plain),
      row('`node -e 0` (a bare Node start, for reference)', node),
      row('the same diff in process (`unifiedDiff`, no Node start: `ls-files --others`, scratch index + `add -N` of the untracked files, `diff --stat`)', inProcess),
      row(`Review Changes, Grove's part in core: the changes of ${changed} files read (scratch index, intent-to-add, numstat + name-status) and stored on the result`, review),
      '',
      `Ratio grove / plain git: ${(median(grove) / median(plain)).toFixed(2)}× end to end (target ≤ 1.5×); in process ${(median(inProcess) / median(plain)).toFixed(2)}×.`,
    ].join('\n');
    return { markdown, data: { loadAverage: [Number(loadBefore), os.loadavg()[0]], grove, plain, node, inProcess, review, changed, files: FILES } };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
    rmSync(`${scratch}.grove`, { recursive: true, force: true });
  }
}
