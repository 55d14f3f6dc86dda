import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { CLI_PATH, cleanupTempDirs, runCli } from '../../helpers/tempRepo';
import { collect, waitUntilStopped } from '../../helpers/processes';
import { createPool } from '../../helpers/pool';

/**
 * A lock holder that is paused (SIGSTOP, a frozen editor) past the stale time loses the lock
 * to others; when it runs again it must not be able to commit what it read before. Real
 * `grove lease` processes: the victim stops itself inside the lock just before a commit
 * (GROVE_TEST_STOP_BEFORE_COMMIT), two others take the stale lock over and lease, then the
 * victim is resumed. Over all rounds no lease that a process was told about may vanish, and
 * no worktree may be handed to two holders.
 */
const STALE_MS = '500';
const ENV = { GROVE_LOCK_STALE_MS: STALE_MS };

describe('fencing: a paused lock holder never overwrites newer state', function () {
  this.timeout(600_000);
  before(() => {
    if (!existsSync(CLI_PATH)) throw new Error(`${CLI_PATH} is missing: run node esbuild.mjs first`);
  });
  afterEach(cleanupTempDirs);

  it('24 rounds of SIGSTOP inside the lock, two leases past it, SIGCONT: 0 leases lost, 0 worktrees with two holders', async () => {
    const fixture = await createPool({ pool: { max: 8 } });
    let lost = 0;
    let doubled = 0;
    let victimsRefused = 0;
    const problems: string[] = [];
    for (let round = 1; round <= 24; round++) {
      // Odd rounds stop at the first commit (the claim), even rounds at the second (the lease itself).
      const stopAt = round % 2 === 1 ? '1' : '2';
      const victim = spawn(process.execPath, [CLI_PATH, 'lease', '--json', '--max', '8', '--holder', `victim-${round}`],
        { cwd: fixture.repo, env: { ...process.env, ...ENV, GROVE_TEST_STOP_BEFORE_COMMIT: stopAt }, stdio: ['ignore', 'pipe', 'pipe'] });
      const victimResult = collect(victim);
      await waitUntilStopped(victim);
      const others = [
        await runCli(['lease', '--json', '--max', '8', '--holder', `other-${round}-a`], { cwd: fixture.repo, env: ENV }),
        await runCli(['lease', '--json', '--max', '8', '--holder', `other-${round}-b`], { cwd: fixture.repo, env: ENV }),
      ];
      victim.kill('SIGCONT');
      const victimDone = await victimResult;
      for (const other of others) assert.equal(other.code, 0, `round ${round}: ${other.stderr}`);
      if (victimDone.code !== 0) {
        victimsRefused++;
        assert.match(victimDone.stderr, /lost the pool lock/, `round ${round}: the victim failed for another reason: ${victimDone.stderr}`);
      }
      const told = [...others, victimDone].filter((result) => result.code === 0)
        .map((result) => JSON.parse(result.stdout) as { name: string; path: string; leaseId: string; holder: string });
      const status = await fixture.pool.status();
      for (const lease of told) {
        const row = status.find((w) => w.name === lease.name);
        if (row?.leaseId !== lease.leaseId || row.holder !== lease.holder) {
          lost++;
          problems.push(`round ${round}: ${lease.holder}'s lease of ${lease.name} vanished (status: ${row?.holder ?? 'no row'})`);
        }
      }
      doubled += told.length - new Set(told.map((lease) => lease.path)).size;
      // Give everything back for the next round (a victim's interrupted creation is destroyed).
      for (const w of await fixture.pool.status()) {
        if (w.state === 'leased') await fixture.pool.returnWorktree(w.name, { force: true });
        else if (w.state === 'damaged') await fixture.pool.destroy(w.name, { force: true });
      }
    }
    console.log(`      (${victimsRefused} of 24 resumed victims were refused with "lost the pool lock"; ${lost} leases lost, ${doubled} doubled)`);
    assert.deepEqual(problems, []);
    assert.equal(lost, 0);
    assert.equal(doubled, 0);
  });
});
