import * as assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { CLI_PATH, cleanupTempDirs, runCli } from '../../helpers/tempRepo';
import { createPool } from '../../helpers/pool';
import { waitUntilStopped } from '../../helpers/processes';
import { LOCK_FILE_NAME } from '../../../src/core/store/lock';

/**
 * A lock whose owner is provably dead is taken over at once (the default stale time is 10 s;
 * these must finish well inside it even on a loaded machine), an owner-less one after the stale
 * time, and a waiter says once, after a second, whom it waits for.
 */
const DEFAULT_STALE_MS = 10_000;

describe('the pool lock: owners, takeover and waiting', function () {
  this.timeout(300_000);
  before(() => {
    if (!existsSync(CLI_PATH)) throw new Error(`${CLI_PATH} is missing: run node esbuild.mjs first`);
  });
  afterEach(cleanupTempDirs);

  it('a lock folder whose recorded owner is dead does not stall grove status', async () => {
    const { repo, location } = await createPool();
    const lockDir = path.join(location.groveDir, LOCK_FILE_NAME);
    mkdirSync(lockDir, { recursive: true });
    const bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    writeFileSync(path.join(lockDir, 'owner.json'), JSON.stringify({ token: 'x', pid: 2 ** 22 - 3, startTime: '1', bootId, command: 'grove lease', at: new Date().toISOString() }));
    const started = Date.now();
    const result = await runCli(['status'], { cwd: repo });
    const took = Date.now() - started;
    assert.equal(result.code, 0, result.stderr);
    assert.ok(took < DEFAULT_STALE_MS / 2, `status took ${took} ms behind a dead owner's lock`);
  });

  it('20 rounds of SIGKILL while holding the lock: the next command never waits the stale time', async () => {
    const { repo, location } = await createPool({ pool: { max: 30 } });
    const lockDir = path.join(location.groveDir, LOCK_FILE_NAME);
    const waits: number[] = [];
    for (let round = 1; round <= 20; round++) {
      const victim = spawn(process.execPath, [CLI_PATH, 'lease', '--max', '30', '--holder', `killed-${round}`],
        { cwd: repo, env: { ...process.env, GROVE_TEST_STOP_BEFORE_COMMIT: String(1 + (round % 2)) }, stdio: 'ignore' });
      await waitUntilStopped(victim);
      assert.ok(existsSync(lockDir), `round ${round}: the victim holds the lock`);
      const closed = new Promise((resolve) => victim.on('close', resolve));
      victim.kill('SIGKILL');
      await closed;
      assert.ok(existsSync(lockDir), `round ${round}: the killed process left its lock`);
      const started = Date.now();
      const result = await runCli(['lease', '--max', '30', '--holder', `next-${round}`], { cwd: repo });
      waits.push(Date.now() - started);
      assert.equal(result.code, 0, `round ${round}: ${result.stderr}`);
    }
    console.log(`      (next command after a kill: ${Math.max(...waits)} ms at most, ${Math.round(waits.reduce((a, b) => a + b, 0) / waits.length)} ms on average)`);
    assert.ok(Math.max(...waits) < DEFAULT_STALE_MS / 2, `a command waited ${Math.max(...waits)} ms behind a dead holder`);
  });

  it('an owner-less lock folder (hand-made) is taken over only after the stale time, saying whom it waits for', async () => {
    const { repo, location } = await createPool();
    mkdirSync(path.join(location.groveDir, LOCK_FILE_NAME), { recursive: true });
    const started = Date.now();
    const result = await runCli(['status'], { cwd: repo, env: { GROVE_LOCK_STALE_MS: '2500' } });
    assert.equal(result.code, 0, result.stderr);
    assert.ok(Date.now() - started >= 2_000, 'an owner-less lock is not taken over before it is stale');
    assert.match(result.stderr, /waiting for the pool lock, held by an unknown process/);
  });

  it('a waiter says once, after a second, which live process holds the lock', async () => {
    const { repo, location } = await createPool();
    const holder = spawn(process.execPath, [CLI_PATH, 'lease', '--holder', 'slow'],
      { cwd: repo, env: { ...process.env, GROVE_TEST_STOP_BEFORE_COMMIT: '1' }, stdio: 'ignore' });
    const holderClosed = new Promise((resolve) => holder.on('close', resolve));
    await waitUntilStopped(holder);
    // Stopped, the holder does not refresh its lock: with the default stale time the waiter waits for it.
    const waiting = runCli(['status'], { cwd: repo });
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    holder.kill('SIGCONT');
    const result = await waiting;
    assert.equal(result.code, 0, result.stderr);
    const notices = result.stderr.split('\n').filter((line) => line.includes('waiting for the pool lock'));
    assert.equal(notices.length, 1, result.stderr);
    assert.match(notices[0], new RegExp(`held by pid ${holder.pid} \\(grove lease --holder slow\\)`));
    await holderClosed;
    assert.ok(!existsSync(path.join(location.groveDir, LOCK_FILE_NAME)));
  });

  it('a plain file where the lock folder goes is reported at once, with what to do', async () => {
    const { repo, location } = await createPool();
    mkdirSync(location.groveDir, { recursive: true });
    writeFileSync(path.join(location.groveDir, LOCK_FILE_NAME), 'not a lock\n');
    const started = Date.now();
    const result = await runCli(['status'], { cwd: repo });
    assert.ok(Date.now() - started < DEFAULT_STALE_MS / 2, 'no retrying against a file');
    assert.equal(result.code, 1);
    assert.match(result.stderr, /pool\.lock is a file, but Grove's lock is a folder/);
    assert.match(result.stderr, /remove it \(rm .*pool\.lock\)/);
  });
});
