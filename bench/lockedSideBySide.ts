/**
 * `node --import tsx bench/lockedSideBySide.ts <other checkout>`: the pool's locked
 * read-modify-write (what every pool operation does around its git work) on this checkout's
 * code and on another's (say, a clone of main), in one process, alternating round by round so
 * that machine load hits both alike. Each side has its own small repository with 4 leased
 * worktrees. Prints medians and p90s of a locked step that commits and of one that does not.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

type State = { worktrees: Record<string, { createdAt: string }> };
type Mutate = (work: (state: State) => Promise<unknown>) => Promise<unknown>;
const ROUNDS = 301;
const env = { ...process.env, GIT_AUTHOR_NAME: 'Bench', GIT_AUTHOR_EMAIL: 'b@example.com', GIT_COMMITTER_NAME: 'Bench', GIT_COMMITTER_EMAIL: 'b@example.com' };

function makeRepo(parent: string, name: string): string {
  const repo = path.join(parent, name);
  mkdirSync(repo);
  execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: repo });
  writeFileSync(path.join(repo, 'a.txt'), 'a\n');
  execFileSync('git', ['add', '-A'], { cwd: repo });
  execFileSync('git', ['commit', '-q', '-m', 'init'], { cwd: repo, env });
  return repo;
}

async function side(checkout: string, repo: string): Promise<Mutate> {
  const { WorktreePool } = await import(path.join(checkout, 'src/core/pool/pool')) as typeof import('../src/core/pool/pool');
  const { locateRepository } = await import(path.join(checkout, 'src/core/git/repository')) as typeof import('../src/core/git/repository');
  const pool = new WorktreePool({ repo: await locateRepository(repo), max: 8 });
  for (let i = 0; i < 4; i++) await pool.lease({ holder: `holder ${i}` });
  const core = (pool as unknown as { core: { mutate: Mutate } }).core;
  return (work) => core.mutate(work);
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

async function main(): Promise<void> {
  const other = process.argv[2];
  if (!other) throw new Error('usage: node --import tsx bench/lockedSideBySide.ts <other checkout>');
  const parent = mkdtempSync(path.join(os.tmpdir(), 'grove-bench-locked-'));
  try {
    const sides: Record<string, Mutate> = {
      [path.basename(path.resolve(other))]: await side(path.resolve(other), makeRepo(parent, 'other')),
      'this checkout': await side(path.resolve(__dirname, '..'), makeRepo(parent, 'this')),
    };
    const times: Record<string, number[]> = {};
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, mutate] of Object.entries(sides)) {
        let start = performance.now();
        await mutate(async (state) => {
          for (const record of Object.values(state.worktrees)) record.createdAt = new Date(Date.UTC(2020, 0, 1, 0, 0, round)).toISOString();
        });
        (times[`${name}: locked step that commits`] ??= []).push(performance.now() - start);
        start = performance.now();
        await mutate(async () => undefined);
        (times[`${name}: locked step that changes nothing`] ??= []).push(performance.now() - start);
      }
    }
    for (const [what, values] of Object.entries(times)) {
      console.log(`${what}: median ${quantile(values, 0.5).toFixed(2)} ms, p90 ${quantile(values, 0.9).toFixed(2)} ms`);
    }
    console.log(`${ROUNDS} rounds each, alternating; load average at the end ${os.loadavg().map((value) => value.toFixed(1)).join(' / ')}`);
  } finally {
    rmSync(parent, { recursive: true, force: true });
  }
}

void main();
