/**
 * Landing a result, side by side in one run, on a generated repository of 20,000 tracked files:
 * `land --squash` of a 50-file result (commits, uncommitted changes and untracked files) into a
 * branch that no worktree has checked out (merge-tree, commit-tree, update-ref: no checkout) vs
 * the same by hand through a temporary worktree (`git worktree add`, `merge --squash`, `commit`,
 * then `git worktree remove`). Rounds alternate so the machine's load hits both alike. The CLI
 * command is not wired yet (it needs the results records), so "process" is a bundled script that
 * does what it will do: start Node, call land(), print the record.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import * as esbuild from 'esbuild';
import { land, type LandSource } from '../src/core/land';
import { installCounters } from './counters';
import { generateRepository } from './pool.bench';
import { machineLine, median, percentile, type BenchReport } from './run';

export const title = 'Landing a result';

const execFileAsync = promisify(execFile);
const ROUNDS = 9;
const gitEnv = { ...process.env, GIT_AUTHOR_NAME: 'Bench', GIT_AUTHOR_EMAIL: 'b@example.com', GIT_COMMITTER_NAME: 'Bench', GIT_COMMITTER_EMAIL: 'b@example.com' };
const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, env: gitEnv, encoding: 'utf8', maxBuffer: 64 << 20 }).trim();

async function timed(work: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** The agent's 50 files: 30 edited over two commits, 15 edited and left uncommitted, 5 new untracked ones. */
function makeResult(worktree: string): void {
  const file = (i: number) => path.join(worktree, 'src', `m${String(Math.floor(i / 100)).padStart(3, '0')}`, `file${i}.ts`);
  for (let i = 0; i < 30; i++) {
    writeFileSync(file(i * 397), `// rewritten by the agent\nexport const v${i} = ${i};\n`);
    if (i === 14 || i === 29) git(worktree, 'commit', '-q', '-am', `agent step ${i}`);
  }
  for (let i = 30; i < 45; i++) writeFileSync(file(i * 397), `// left uncommitted\nexport const w${i} = ${i};\n`);
  mkdirSync(path.join(worktree, 'src', 'agent'), { recursive: true });
  for (let i = 0; i < 5; i++) writeFileSync(path.join(worktree, 'src', 'agent', `new${i}.ts`), `export const n${i} = ${i};\n`);
}

export async function run(): Promise<BenchReport> {
  const parent = mkdtempSync(path.join(os.tmpdir(), 'grove-bench-land-'));
  try {
    const loadAtStart = os.loadavg().map((value) => value.toFixed(1)).join(' / ');
    console.error('generating the repository...');
    const { repo } = generateRepository(parent);
    const base = git(repo, 'rev-parse', 'HEAD');
    const worktree = path.join(parent, 'wt-1');
    git(repo, 'worktree', 'add', '-q', '--detach', worktree, base);
    // As in the pool: reserving a worktree for a task runs its dirty check with the untracked
    // cache on and saves it in the index, which git then keeps through the agent's own commands.
    git(worktree, '-c', 'core.untrackedCache=true', 'status', '--porcelain');
    makeResult(worktree);
    git(repo, 'branch', 'release', base);
    const source: LandSource = { repoRoot: repo, worktreePath: worktree, baseCommit: base, title: 'Rewrite fifty modules', prompt: 'Rewrite fifty modules', finalMessage: 'Done.' };
    const changed = git(repo, 'diff', '--name-only', base, (await land(source, { how: 'branch', branch: 'bench-check' })).snapshot).split('\n').length;
    const runner = await bundleRunner(parent);
    const byHand = path.join(parent, 'by-hand');
    const snapshot = git(repo, 'rev-parse', 'bench-check'); // by hand gets the snapshot for free: it needs a commit to merge

    const inProcess: number[] = [];
    const processRuns: number[] = [];
    const processCpu: number[] = [];
    const handAddMergeCommit: number[] = [];
    const handRemove: number[] = [];
    const reset = () => git(repo, 'update-ref', 'refs/heads/release', base);
    console.error('land --squash vs worktree add + merge --squash + commit...');
    for (let round = 0; round < ROUNDS; round++) {
      reset();
      inProcess.push(await timed(() => land(source, { how: 'squash', into: 'release' })));
      reset();
      processRuns.push(await timed(() => runProcess(runner, JSON.stringify({ source, options: { how: 'squash', into: 'release' } }), processCpu)));
      reset();
      handAddMergeCommit.push(await timed(async () => {
        await execFileAsync('git', ['worktree', 'add', '-q', byHand, 'release'], { cwd: repo, env: gitEnv });
        await execFileAsync('git', ['merge', '--squash', '-q', snapshot], { cwd: byHand, env: gitEnv });
        await execFileAsync('git', ['commit', '-q', '-m', 'Rewrite fifty modules'], { cwd: byHand, env: gitEnv });
      }));
      handRemove.push(await timed(() => execFileAsync('git', ['worktree', 'remove', '--force', byHand], { cwd: repo })));
    }

    reset();
    const counter = await installCounters();
    await land(source, { how: 'squash', into: 'release' });
    const counts = counter.read();
    counter.uninstall();

    const m = { inProcess: median(inProcess), process: median(processRuns), hand: median(handAddMergeCommit), handRemove: median(handRemove) };
    const ms = (value: number) => `${value.toFixed(0)} ms`;
    const load = os.loadavg().map((value) => value.toFixed(1)).join(' / ');
    const byCommand = Object.entries(counts.gitByCommand).map(([command, n]) => `${command} ${n}`).join(', ');
    const markdown = [
      `Machine: ${machineLine()}; load average ${loadAtStart} at the start, ${load} at the end (the machine is shared).`,
      `Repository: 20,000 tracked files; git ${git(repo, 'version').replace('git version ', '')}. The result: ${changed} files changed since its base ` +
        '(30 edited over two commits, 15 edited and left uncommitted, 5 new untracked files), landed into `release`, a branch no worktree has checked out. ' +
        `Medians of ${ROUNDS} rounds (p90 in brackets); the sides alternate, and \`release\` is put back before each.`,
      '',
      '| What | Time | Target |',
      '| --- | ---: | --- |',
      `| \`land --squash\` as a process (Node start-up, snapshot, merge-tree preflight, commit-tree, update-ref) | ${ms(m.process)} (${ms(percentile(processRuns, 90))}) | < 300 ms |`,
      ...(processCpu.length ? [`| \`land --squash\` as a process, CPU time (user + system, git children included) | ${ms(median(processCpu))} | |`] : []),
      `| \`land()\` in-process | ${ms(m.inProcess)} (${ms(percentile(inProcess, 90))}) | |`,
      `| by hand: \`git worktree add\` + \`merge --squash\` + \`commit\` | ${ms(m.hand)} (${ms(percentile(handAddMergeCommit, 90))}) | |`,
      `| by hand, then \`git worktree remove\` | ${ms(m.handRemove)} | |`,
      `| **land is faster by** (by hand without the remove / land process) | **${(m.hand / m.process).toFixed(1)}×** | |`,
      '',
      `One in-process land runs ${counts.git} git processes (${byCommand}). By hand also needs the result committed first (the snapshot is given to it for free here), and checks out 20,000 files that land never writes.`,
    ].join('\n');
    return { markdown, data: { medians: m, loadAverage: os.loadavg(), gitProcesses: counts.git, gitByCommand: counts.gitByCommand, raw: { inProcess, processRuns, processCpu, handAddMergeCommit, handRemove } } };
  } finally {
    rmSync(parent, { recursive: true, force: true });
  }
}

const GNU_TIME = '/usr/bin/time';

/** Runs the bundled land under GNU time when it is there: CPU time swings far less than wall time on a shared machine. */
async function runProcess(runner: string, input: string, cpu: number[]): Promise<void> {
  if (!existsSync(GNU_TIME)) {
    await execFileAsync(process.execPath, [runner, input]);
    return;
  }
  const { stderr } = await execFileAsync(GNU_TIME, ['-f', 'land-cpu %U %S', process.execPath, runner, input]);
  const match = /land-cpu ([\d.]+) ([\d.]+)/.exec(stderr);
  if (match) cpu.push((Number(match[1]) + Number(match[2])) * 1000);
}

/** test/helpers/landRunner.ts bundled like the CLI (one file, no tsx), so the process figure is the real start-up. */
async function bundleRunner(parent: string): Promise<string> {
  const outfile = path.join(parent, 'land-runner.js');
  await esbuild.build({ entryPoints: [path.resolve(__dirname, '../test/helpers/landRunner.ts')], outfile, bundle: true, platform: 'node', target: 'node20', format: 'cjs', logLevel: 'warning' });
  return outfile;
}
