import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { CLI_PATH, cleanupTempDirs, runCli, type CliResult } from '../../helpers/tempRepo';
import { createPool, folderNames, type PoolFixture } from '../../helpers/pool';
import { listWorktrees } from '../../../src/core/git/worktrees';
import { LOCK_FILE_NAME } from '../../../src/core/store/lock';

/**
 * Many real `grove` processes at once on one pool. Small repositories keep these within a
 * reasonable time on two cores; what they test is the locking, not git's speed.
 */
describe('the pool under racing and dying processes', function () {
  this.timeout(300_000);
  before(() => {
    if (!existsSync(CLI_PATH)) throw new Error(`${CLI_PATH} is missing: run node esbuild.mjs first`);
  });
  afterEach(cleanupTempDirs);

  it('16 processes racing grove lease on a pool of 8, twenty rounds: exactly 8 distinct leases and 8 exit 3 each round', async () => {
    const fixture = await createPool({ pool: { max: 8 } });
    for (let round = 1; round <= 20; round++) {
      const results = await Promise.all(Array.from({ length: 16 }, (_, i) =>
        runCli(['lease', '--json', '--max', '8', '--holder', `round ${round} racer ${i}`], { cwd: fixture.repo })));
      const won = results.filter((result) => result.code === 0);
      const full = results.filter((result) => result.code === 3);
      assert.equal(won.length, 8, `round ${round}: ${summarize(results)}`);
      assert.equal(full.length, 8, `round ${round}: ${summarize(results)}`);
      for (const result of full) assert.match(result.stderr, /maximum of 8 worktrees/);
      const leases = won.map((result) => JSON.parse(result.stdout) as { path: string; leaseId: string; holder: string; name: string });
      assert.equal(new Set(leases.map((lease) => lease.path)).size, 8, `round ${round}: a worktree was handed out twice`);
      assert.equal(new Set(leases.map((lease) => lease.leaseId)).size, 8);
      const status = await fixture.pool.status();
      assert.equal(status.length, 8);
      assert.deepEqual(status.map((w) => w.holder).sort(), leases.map((lease) => lease.holder).sort(), 'state.json agrees with what the winners were told');
      for (const lease of leases) await fixture.pool.returnWorktree(lease.name, { ifLeaseId: lease.leaseId });
    }
    assert.deepEqual(folderNames(fixture.root), ['wt-1', 'wt-2', 'wt-3', 'wt-4', 'wt-5', 'wt-6', 'wt-7', 'wt-8']);
  });

  it('grove lease and return SIGKILLed at random moments, 50 times: state always readable, every worktree on disk accounted for', async () => {
    const fixture = await createPool({ pool: { max: 4 } });
    const statePath = fixture.pool.statePath;
    let seed = 20240611;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    let killedHoldingLock = 0;
    for (let i = 0; i < 50; i++) {
      const leased = (await fixture.pool.status()).filter((w) => w.state === 'leased');
      const args = leased.length > 0 && random() < 0.5
        ? ['return', leased[Math.floor(random() * leased.length)].name, '--force']
        : ['lease', '--max', '4', '--holder', `victim ${i}`];
      // Node takes ~60-100 ms to start; kills spread from before it runs to after it is done.
      await runAndKill(args, fixture.repo, Math.floor(random() * 250));
      if (existsSync(path.join(fixture.location.groveDir, LOCK_FILE_NAME))) killedHoldingLock++;

      if (existsSync(statePath)) JSON.parse(readFileSync(statePath, 'utf8')); // never half-written
      await assertAccountedFor(fixture);
      // Interrupted creations are removable without --force; keep room in the pool for the next round.
      for (const w of await fixture.pool.status()) {
        if (w.state === 'damaged') await fixture.pool.destroy(w.name);
      }
    }
    // After all that the pool still works end to end.
    const final = await runCli(['lease', '--max', '8', '--holder', 'survivor'], { cwd: fixture.repo });
    assert.equal(final.code, 0, final.stderr);
    await assertAccountedFor(fixture);
    console.log(`      (${killedHoldingLock} of 50 kills left the lock behind; each was taken over once stale)`);
  });

  it('takes over the lock left by a killed process once it is stale', async () => {
    const fixture = await createPool();
    const holder = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, '../../helpers/holdLock.ts'), fixture.location.groveDir], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      holder.stdout.on('data', (chunk: Buffer) => { if (chunk.toString().includes('locked')) resolve(); });
      holder.on('exit', () => reject(new Error('lock holder exited early')));
    });
    holder.kill('SIGKILL');
    await new Promise((resolve) => holder.on('close', resolve));
    assert.ok(existsSync(path.join(fixture.location.groveDir, LOCK_FILE_NAME)), 'the killed process left its lock');
    const result = await runCli(['lease', '--holder', 'after the crash'], { cwd: fixture.repo });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout.trim(), path.join(fixture.root, 'wt-1'));
  });
});

function summarize(results: CliResult[]): string {
  return results.map((result) => `${result.code}${result.code !== 0 && result.code !== 3 ? `: ${result.stderr.trim()}` : ''}`).join(', ');
}

/** Runs grove and SIGKILLs it after `delayMs` (or lets it finish if it is quicker). */
function runAndKill(args: string[], cwd: string, delayMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_PATH, ...args], { cwd, stdio: 'ignore' });
    const timer = setTimeout(() => child.kill('SIGKILL'), delayMs);
    child.on('error', reject);
    child.on('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/**
 * Every folder under the pool root and every worktree git has registered there is in the
 * pool's state (after heal), and every state entry that claims a folder has one.
 */
async function assertAccountedFor(fixture: PoolFixture): Promise<void> {
  const status = await fixture.pool.status();
  const names = new Set(status.map((w) => w.name));
  for (const folder of folderNames(fixture.root)) assert.ok(names.has(folder), `${folder} is on disk but not in the pool's state`);
  for (const entry of await listWorktrees(fixture.repo)) {
    if (path.dirname(entry.path) === fixture.root && entry.prunable === null) {
      assert.ok(names.has(path.basename(entry.path)), `${entry.path} is registered with git but not in the pool's state`);
    }
  }
  for (const w of status) {
    if (w.state !== 'damaged') assert.ok(existsSync(w.path), `${w.name} is in the state but its folder is missing`);
    assert.notEqual(w.state, 'busy', `${w.name} is still claimed by a dead process after heal`);
  }
}
