/**
 * The warm pool against plain git, side by side in one run, on a generated repository of
 * 20,000 tracked files whose worktrees carry an ignored node_modules of 20,000 files:
 *   - lease from a warm pool (CLI and in-process) vs `git worktree add` of the same commit
 *   - return (reset keeping ignored files) vs `git worktree remove` + `git worktree add`
 * Measurements alternate between the two sides so machine load hits both alike.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { locateRepository } from '../src/core/git/repository';
import { WorktreePool } from '../src/core/pool/pool';
import { Budget } from '../src/core/engine/budget';
import { machineLine, median, percentile, type BenchReport } from './run';

export const title = 'Worktree pool';

const execFileAsync = promisify(execFile);
const TRACKED_FILES = 20_000;
const IGNORED_FILES = 20_000;
const FILES_PER_FOLDER = 100;
const ROUNDS_SLOW = 7; // git worktree add/remove of 20,000 files: seconds each
const ROUNDS_FAST = 21;
const CLI = path.resolve(__dirname, '../dist/cli.js');

const gitEnv = { ...process.env, GIT_AUTHOR_NAME: 'Bench', GIT_AUTHOR_EMAIL: 'b@example.com', GIT_COMMITTER_NAME: 'Bench', GIT_COMMITTER_EMAIL: 'b@example.com' };
const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, env: gitEnv, encoding: 'utf8', maxBuffer: 64 << 20 }).trim();

/** Source-like files of 1-3 KB each, so checkouts write a realistic amount of data. */
function sourceFile(index: number): string {
  const lines = [`// generated module ${index}`, `export const id${index} = ${index};`];
  const count = 20 + (index % 40);
  for (let line = 0; line < count; line++) lines.push(`export function f${index}_${line}(x: number): number { return x * ${line} + ${index}; }`);
  return lines.join('\n') + '\n';
}

export function generateRepository(parent: string): { repo: string; bytes: number } {
  const repo = path.join(parent, 'repo');
  mkdirSync(repo);
  git(repo, 'init', '-q', '-b', 'main');
  let bytes = 0;
  for (let i = 0; i < TRACKED_FILES; i++) {
    const folder = path.join(repo, 'src', `m${String(Math.floor(i / FILES_PER_FOLDER)).padStart(3, '0')}`);
    if (i % FILES_PER_FOLDER === 0) mkdirSync(folder, { recursive: true });
    const content = sourceFile(i);
    bytes += content.length;
    writeFileSync(path.join(folder, `file${i}.ts`), content);
  }
  writeFileSync(path.join(repo, '.gitignore'), 'node_modules/\n');
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '-m', 'generated');
  return { repo, bytes };
}

/** An ignored node_modules of 20,000 files, made once and copied into each worktree (cp -a). */
export function generateNodeModules(parent: string): string {
  const template = path.join(parent, 'node_modules-template');
  for (let i = 0; i < IGNORED_FILES; i++) {
    const folder = path.join(template, `pkg${String(Math.floor(i / FILES_PER_FOLDER)).padStart(3, '0')}`, 'lib');
    if (i % FILES_PER_FOLDER === 0) mkdirSync(folder, { recursive: true });
    writeFileSync(path.join(folder, `m${i}.js`), `module.exports = ${i};\n`);
  }
  return template;
}

function installNodeModules(template: string, worktree: string): void {
  execFileSync('cp', ['-a', template, path.join(worktree, 'node_modules')]);
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

const GNU_TIME = '/usr/bin/time';
const haveGnuTime = existsSync(GNU_TIME);

/**
 * Runs the CLI. Under GNU time when it is there, to also get the CPU time of the process and
 * its git children: on a shared machine wall time swings with the load, CPU time much less.
 */
async function cli(args: string[], cwd: string, cpu: number[]): Promise<string> {
  if (!haveGnuTime) return (await execFileAsync(process.execPath, [CLI, ...args], { cwd })).stdout.trim();
  const { stdout, stderr } = await execFileAsync(GNU_TIME, ['-f', 'grove-cpu %U %S', process.execPath, CLI, ...args], { cwd });
  const match = /grove-cpu ([\d.]+) ([\d.]+)/.exec(stderr);
  if (match) cpu.push((Number(match[1]) + Number(match[2])) * 1000);
  return stdout.trim();
}

export async function run(): Promise<BenchReport> {
  const parent = mkdtempSync(path.join(os.tmpdir(), 'grove-bench-pool-'));
  try {
    const loadAtStart = os.loadavg().map((value) => value.toFixed(1)).join(' / ');
    console.error('generating the repository and node_modules...');
    const { repo, bytes } = generateRepository(parent);
    const template = generateNodeModules(parent);
    const location = await locateRepository(repo);
    const root = path.join(parent, 'pool');
    const pool = new WorktreePool({ repo: location, root, max: 4 });

    // Warm the pool: one worktree with node_modules installed, returned, checked once.
    const first = await pool.lease({ holder: 'warm-up' });
    installNodeModules(template, first.path);
    await pool.returnWorktree(first.name);
    await pool.lease({ holder: 'warm-up 2' }).then((lease) => pool.returnWorktree(lease.name));

    const locked = await lockedOperations(pool, location.groveDir);

    const gitAdd: number[] = [];
    const cliLease: number[] = [];
    const cliLeaseCpu: number[] = [];
    const inProcessLease: number[] = [];
    const inProcessReturn: number[] = [];
    const removeAdd: number[] = [];
    const baseline = path.join(parent, 'plain-worktree');

    console.error('lease vs git worktree add...');
    for (let round = 0; round < ROUNDS_SLOW; round++) {
      gitAdd.push(await timed(() => execFileAsync('git', ['worktree', 'add', '--quiet', '--detach', baseline, 'main'], { cwd: repo })));
      git(repo, 'worktree', 'remove', '--force', baseline);
      for (let i = 0; i < 3; i++) {
        let leasedPath = '';
        cliLease.push(await timed(async () => { leasedPath = await cli(['lease', '--root', root, '--holder', `cli ${round}-${i}`], repo, cliLeaseCpu); }));
        await pool.returnWorktree(leasedPath);
      }
    }

    console.error('in-process lease and return...');
    for (let round = 0; round < ROUNDS_FAST; round++) {
      let name = '';
      inProcessLease.push(await timed(async () => { name = (await pool.lease({ holder: `in-process ${round}` })).name; }));
      // The holder did some work and committed it on a branch: return must detach and reset.
      const worktree = path.join(root, name);
      for (let file = 0; file < 10; file++) writeFileSync(path.join(worktree, 'src', 'm000', `file${file}.ts`), `// edited in round ${round}\n`);
      git(worktree, 'switch', '-q', '-c', `bench-${round}`);
      git(worktree, 'commit', '-q', '-am', `work ${round}`);
      inProcessReturn.push(await timed(() => pool.returnWorktree(name)));
    }

    console.error('return vs remove + add...');
    git(repo, 'worktree', 'add', '--quiet', '--detach', baseline, 'main');
    installNodeModules(template, baseline);
    for (let round = 0; round < ROUNDS_SLOW; round++) {
      removeAdd.push(await timed(async () => {
        await execFileAsync('git', ['worktree', 'remove', '--force', baseline], { cwd: repo });
        await execFileAsync('git', ['worktree', 'add', '--quiet', '--detach', baseline, 'main'], { cwd: repo });
      }));
      installNodeModules(template, baseline);
    }

    const m = {
      gitAdd: median(gitAdd), cliLease: median(cliLease), inProcessLease: median(inProcessLease),
      inProcessLeaseP90: percentile(inProcessLease, 90), inProcessReturn: median(inProcessReturn), removeAdd: median(removeAdd),
    };
    const ratio = (slow: number, fast: number) => `${(slow / fast).toFixed(1)}×`;
    const ms = (value: number) => `${value.toFixed(1)} ms`;
    const load = os.loadavg().map((value) => value.toFixed(1)).join(' / ');
    const markdown = [
      `Machine: ${machineLine()}; load average at the end ${load} (the machine is shared).`,
      `Repository: ${TRACKED_FILES.toLocaleString('en')} tracked files (${(bytes / 2 ** 20).toFixed(1)} MiB) in ${TRACKED_FILES / FILES_PER_FOLDER} folders, ` +
        `and in each pooled worktree an ignored node_modules of ${IGNORED_FILES.toLocaleString('en')} files. git ${git(repo, 'version').replace('git version ', '')}.`,
      `Load average at the start ${loadAtStart}. Medians of ${ROUNDS_SLOW} rounds for the git side, ${cliLease.length} CLI leases, ${ROUNDS_FAST} in-process leases and returns; the two sides alternate.`,
      '',
      '| What | Grove | Plain git | Grove is | Target |',
      '| --- | ---: | ---: | ---: | --- |',
      `| lease from the warm pool, \`grove lease\` (CLI process) vs \`git worktree add\` | ${ms(m.cliLease)} | ${ms(m.gitAdd)} | ${ratio(m.gitAdd, m.cliLease)} faster | ≥ 20× |`,
      `| lease from the warm pool, in-process vs \`git worktree add\` | ${ms(m.inProcessLease)} | ${ms(m.gitAdd)} | ${ratio(m.gitAdd, m.inProcessLease)} faster | ≥ 20× |`,
      `| return (dirty check, detach, reset to base; node_modules kept) vs \`git worktree remove\` + \`add\` | ${ms(m.inProcessReturn)} | ${ms(m.removeAdd)} | ${ratio(m.removeAdd, m.inProcessReturn)} faster | ≥ 10× |`,
      `| \`grove lease\` CLI median (node start-up included) | ${ms(m.cliLease)} | | | < 150 ms |`,
      ...(cliLeaseCpu.length ? [`| \`grove lease\` CLI CPU time (user + system, git children included), median | ${ms(median(cliLeaseCpu))} | | | |`] : []),
      `| in-process lease p50 / p90 | ${ms(m.inProcessLease)} / ${ms(m.inProcessLeaseP90)} | | | |`,
      `| locked read-modify-write of the pool state that writes (lock, read, heal, commit, unlock), median / p90 | ${ms(locked.stateWrite)} / ${ms(locked.stateWriteP90)} | | | a few ms |`,
      `| locked read of the pool state that changes nothing (no commit), median | ${ms(locked.stateRead)} | | | |`,
      `| locked budget write (\`Budget.setCap\`), median | ${ms(locked.budgetWrite)} | | | |`,
      '',
      'Plain git leaves a worktree without node_modules, so its real cost also includes reinstalling dependencies; that is not counted here.',
    ].join('\n');
    return {
      markdown,
      data: { trackedFiles: TRACKED_FILES, trackedBytes: bytes, ignoredFiles: IGNORED_FILES, loadAverage: os.loadavg(), medians: m, locked,
        raw: { gitAdd, cliLease, cliLeaseCpu, inProcessLease, inProcessReturn, removeAdd } },
    };
  } finally {
    rmSync(parent, { recursive: true, force: true });
  }
}

const LOCKED_ROUNDS = 101;

/**
 * What one locked operation costs, apart from any git work: the price of the lock and of the
 * fenced commit (generation file written, fsynced, linked; readable copy; pruning). Through
 * the pool's own mutate (as every operation uses it) and the budget's setCap.
 */
async function lockedOperations(pool: WorktreePool, groveDir: string): Promise<{ stateWrite: number; stateWriteP90: number; stateRead: number; budgetWrite: number }> {
  const core = (pool as unknown as { core: { mutate<T>(work: (state: { worktrees: Record<string, { createdAt: string }> }) => Promise<T>): Promise<T> } }).core;
  const budget = new Budget({ groveDir });
  const writes: number[] = [];
  const reads: number[] = [];
  const budgetWrites: number[] = [];
  for (let round = 0; round < LOCKED_ROUNDS; round++) {
    writes.push(await timed(() => core.mutate(async (state) => {
      for (const record of Object.values(state.worktrees)) record.createdAt = new Date(Date.UTC(2020, 0, 1, 0, 0, round)).toISOString();
    })));
    reads.push(await timed(() => core.mutate(async () => undefined)));
    budgetWrites.push(await timed(() => budget.setCap(1_000_000 + round)));
  }
  await budget.setCap(null);
  return { stateWrite: median(writes), stateWriteP90: percentile(writes, 90), stateRead: median(reads), budgetWrite: median(budgetWrites) };
}
