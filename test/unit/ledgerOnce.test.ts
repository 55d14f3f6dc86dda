import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { Budget } from '../../src/core/engine/budget';
import { LedgerIndex, ledgerPath, readLedger, totalSpentMicros } from '../../src/core/store/spendLedger';
import { cleanupTempDirs, tempDir } from '../helpers/tempRepo';

const run = promisify(execFile);
const line = (runId: string, costMicros: number) => JSON.stringify({ runId, taskId: null, slot: null, costMicros, status: 'completed', at: '2026-01-01T00:00:00Z' }) + '\n';

/**
 * Issue 9, item 2: spend is counted once per run id by every reader, whatever the ledger holds:
 * two recorders that both got a line in (a lock lost mid-write, an old Grove) or a hand-copied
 * line must not double the spend, and racing recorders in separate processes append one line.
 */
describe('the spend ledger counts each run once', function () {
  this.timeout(120_000);
  afterEach(cleanupTempDirs);

  it('every reader (totals, the incremental index, the budget) counts a run id once, its first line', async () => {
    const groveDir = path.join(tempDir(), 'grove');
    const budget = new Budget({ groveDir });
    await budget.setCap(1_000_000);
    appendFileSync(ledgerPath(groveDir), line('a', 100) + line('b', 20) + line('a', 100) + line('a', 7));
    assert.equal(await totalSpentMicros(groveDir), 120);
    assert.equal((await new LedgerIndex(ledgerPath(groveDir)).read()).spentMicros, 120);
    assert.equal((await budget.status()).spentMicros, 120);
    assert.equal((await readLedger(groveDir)).length, 4, 'the raw lines are all kept: nothing is rewritten');
  });

  it('twelve processes recording the same runs at once append one line per run', async () => {
    const groveDir = path.join(tempDir(), 'grove');
    const script = `const { withLock } = require(${JSON.stringify(path.resolve(__dirname, '../../src/core/store/lock.ts'))});
const { appendSpend } = require(${JSON.stringify(path.resolve(__dirname, '../../src/core/store/spendLedger.ts'))});
(async () => { for (const id of ['r1', 'r2', 'r3']) await withLock(process.argv[1], () => appendSpend(process.argv[1], { runId: id, taskId: null, slot: null, costMicros: 1000, status: 'completed', at: new Date().toISOString() })); })();`;
    await Promise.all(Array.from({ length: 12 }, () => run(process.execPath, ['--require', 'tsx/cjs', '-e', script, groveDir])));
    const ledger = await readLedger(groveDir);
    assert.deepEqual(ledger.map((entry) => entry.runId).sort(), ['r1', 'r2', 'r3']);
    assert.equal(await totalSpentMicros(groveDir), 3000);
  });
});
