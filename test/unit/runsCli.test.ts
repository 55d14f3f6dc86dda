import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { RunRegistry, type RunRecord } from '../../src/core/agents';
import { DOUBLE, pidRunning } from '../helpers/claudeDouble';
import { cleanupTempDirs, createRepo, runCli, tempDir } from '../helpers/tempRepo';

// runCli runs the bundled dist/cli.js: `node esbuild.mjs` first (scripts/test.sh does).
describe('grove runs / grove cancel', () => {
  afterEach(cleanupTempDirs);

  it('lists runs as JSON and as lines, after recording a run that ended while nobody watched', async () => {
    const repo = createRepo();
    const groveDir = path.join(repo, '.git', 'grove');
    const empty = await runCli(['runs', '--json'], { cwd: repo });
    assert.equal(empty.code, 0, empty.stderr);
    assert.deepEqual(JSON.parse(empty.stdout), []);

    const watched = await new RunRegistry({ groveDir, agentCommand: DOUBLE }).start({ cwd: repo, prompt: 'one', slot: 'slot-1' });
    const first = await watched.done;
    // A second run whose watcher goes away before it ends: only the next look records it.
    const unwatched = await new RunRegistry({ groveDir, agentCommand: DOUBLE }).start({ cwd: repo, prompt: 'two', env: { GROVE_DOUBLE_SCENARIO: 'not-logged-in' } });
    const pid = unwatched.snapshot().pid!;
    unwatched.detach();
    while (pidRunning(pid)) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal((await new RunRegistry({ groveDir }).get(unwatched.id))!.status, 'active');

    const listed = await runCli(['runs', '--json'], { cwd: repo });
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stderr, new RegExp(`recorded run ${unwatched.id}: failed`));
    const runs = JSON.parse(listed.stdout) as RunRecord[];
    assert.deepEqual(runs.map((run) => [run.id, run.status, run.costMicros, run.sessionId]), [
      [first.id, 'completed', 241674, '22795ca6-5f0e-4c1b-9a57-3d2f6f0d8e11'],
      [unwatched.id, 'failed', 0, '53c626d6-4431-4212-8cdb-b5b404e7f408'],
    ]);
    for (const run of runs) for (const key of ['worktree', 'exitCode', 'startedAt', 'endedAt'] as const) assert.ok(key in run, key);

    const lines = await runCli(['runs'], { cwd: repo });
    assert.equal(lines.code, 0);
    const printed = lines.stdout.trim().split('\n');
    assert.equal(printed.length, 2);
    assert.match(printed[0], new RegExp(`^${first.id}\\s+completed\\s+\\$0\\.2417`));
    assert.match(printed[1], /failed .*Not logged in/);
  });

  it('cancels a run from another process: all its processes die and the run is recorded as cancelled', async () => {
    const repo = createRepo();
    const groveDir = path.join(repo, '.git', 'grove');
    const handle = await new RunRegistry({ groveDir, agentCommand: DOUBLE }).start({ cwd: repo, prompt: 'hang', env: { GROVE_DOUBLE_HANG: '1' } });
    const cancelled = await runCli(['cancel', handle.id, '--json'], { cwd: repo });
    assert.equal(cancelled.code, 0, cancelled.stderr);
    assert.equal((JSON.parse(cancelled.stdout) as RunRecord).status, 'cancelled');
    // The starter hears the exit and finds the run already recorded.
    assert.equal((await handle.done).status, 'cancelled');
    assert.ok(!pidRunning(handle.snapshot().pid!));
    const again = await runCli(['cancel', handle.id], { cwd: repo });
    assert.equal(again.code, 0);
    assert.match(again.stderr, /already ended: cancelled/);
  });

  it('refuses an unknown run id and a folder that is not a repository (exit 2)', async () => {
    const repo = createRepo();
    const unknown = await runCli(['cancel', 'run-nope'], { cwd: repo });
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /no run run-nope[\s\S]*grove runs/);
    const outside = await runCli(['runs'], { cwd: tempDir() });
    assert.equal(outside.code, 2);
    assert.match(outside.stderr, /not a git repository/);
  });
});
