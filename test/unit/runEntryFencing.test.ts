import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { RunRegistry } from '../../src/core/agents/runRegistry';
import { readLedger } from '../../src/core/store/spendLedger';
import { DOUBLE } from '../helpers/claudeDouble';
import { collect, waitUntilStopped } from '../helpers/processes';
import { cleanupTempDirs, createRepo, tempDir } from '../helpers/tempRepo';

const REGISTRY = path.resolve(__dirname, '../../src/core/agents/runRegistry.ts');
const STALE_MS = '500';

/** A real process that marks a run for cancel through the registry (the first fenced write of `grove cancel`). */
function canceller(groveDir: string, runId: string) {
  const script = path.join(tempDir('grove-canceller-'), 'cancel.ts');
  writeFileSync(script, `import { RunRegistry } from ${JSON.stringify(REGISTRY)};
new RunRegistry({ groveDir: ${JSON.stringify(groveDir)} }).markKill(${JSON.stringify(runId)}, 'cancel')
  .then(() => process.stdout.write('marked\\n'), (error) => { process.stderr.write(String(error.message) + '\\n'); process.exit(3); });
`);
  return spawn(process.execPath, ['--import', 'tsx', script], {
    env: { ...process.env, GROVE_LOCK_STALE_MS: STALE_MS, GROVE_TEST_STOP_BEFORE_COMMIT: '1' }, stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/**
 * Issue 9's fencing for run entries: a process paused inside the pool lock with a run entry it
 * read (a `grove cancel` frozen before its write) must not put that entry back after the run was
 * recorded by someone else: a finished run turned "active" again would be finished twice.
 */
describe('run entries: fenced writes', function () {
  this.timeout(300_000);
  const staleBefore = process.env.GROVE_LOCK_STALE_MS;
  before(() => { process.env.GROVE_LOCK_STALE_MS = STALE_MS; });
  after(() => { if (staleBefore === undefined) delete process.env.GROVE_LOCK_STALE_MS; else process.env.GROVE_LOCK_STALE_MS = staleBefore; });
  afterEach(cleanupTempDirs);

  it('5 rounds: a canceller SIGSTOPped inside the lock, the run recorded meanwhile, SIGCONT: the entry stays recorded, one ledger line each', async () => {
    const repo = createRepo();
    const groveDir = path.join(repo, '.git', 'grove');
    const registry = new RunRegistry({ groveDir, agentCommand: DOUBLE });
    for (let round = 1; round <= 5; round++) {
      const gate = path.join(tempDir('grove-gate-'), 'open');
      const run = await registry.start({ cwd: repo, prompt: `round ${round}`, env: { GROVE_DOUBLE_GATE_FILE: gate } });
      const victim = canceller(groveDir, run.id);
      const victimDone = collect(victim);
      await waitUntilStopped(victim);
      // The agent ends; this process records the run, taking the lock over from the frozen canceller.
      writeFileSync(gate, '');
      const recorded = await run.done;
      assert.equal(recorded.status, 'completed');
      victim.kill('SIGCONT');
      const resumed = await victimDone;
      assert.notEqual(resumed.code, 0, `round ${round}: the frozen canceller's write went through: ${resumed.stdout}`);
      assert.match(resumed.stderr, /lost the pool lock/);
      const after = await new RunRegistry({ groveDir }).get(run.id);
      assert.equal(after?.status, 'completed', `round ${round}: the entry went back to ${after?.status}`);
    }
    const ledger = await readLedger(groveDir);
    assert.equal(ledger.length, 5);
    assert.equal(new Set(ledger.map((line) => line.runId)).size, 5);
  });
});
