import * as assert from 'node:assert/strict';
import { appendFileSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { appendSpend, ledgerIndex, ledgerPath, readLedger, totalSpentMicros } from '../../src/core/store/spendLedger';
import { cleanupTempDirs, tempDir } from '../helpers/tempRepo';

const entry = (runId: string, costMicros: number) => ({ runId, taskId: null, slot: 'slot-1', costMicros, status: 'completed', at: new Date().toISOString() });

describe('spend ledger', () => {
  afterEach(cleanupTempDirs);

  it('appends one line per run and never a second one for the same runId', async () => {
    const groveDir = path.join(tempDir(), 'grove');
    assert.equal(await totalSpentMicros(groveDir), 0);
    assert.equal(await appendSpend(groveDir, entry('a', 100)), true);
    assert.equal(await appendSpend(groveDir, entry('b', 250)), true);
    assert.equal(await appendSpend(groveDir, entry('a', 999)), false);
    assert.deepEqual((await readLedger(groveDir)).map((line) => [line.runId, line.costMicros]), [['a', 100], ['b', 250]]);
    assert.equal(await totalSpentMicros(groveDir), 350);
  });

  it('keeps working after a torn last line (a crash mid-append): the next line starts fresh', async () => {
    const groveDir = path.join(tempDir(), 'grove');
    await appendSpend(groveDir, entry('a', 100));
    appendFileSync(ledgerPath(groveDir), '{"runId":"torn","costMi');
    await appendSpend(groveDir, entry('b', 5));
    assert.deepEqual((await readLedger(groveDir)).map((line) => line.runId), ['a', 'b']);
    assert.equal(readFileSync(ledgerPath(groveDir), 'utf8').split('\n').length, 4);
  });

  it('reads only what was appended since its last look: lines written by others count, a line still being written does not yet', async () => {
    const groveDir = path.join(tempDir(), 'grove');
    const index = ledgerIndex(groveDir);
    await appendSpend(groveDir, entry('a', 100));
    assert.equal((await index.read()).spentMicros, 100);
    appendFileSync(ledgerPath(groveDir), JSON.stringify(entry('b', 20)) + '\n{"runId":"c","costMicros":3');
    const view = await index.read();
    assert.equal(view.spentMicros, 120);
    assert.ok(view.hasRun('b') && !view.hasRun('c'));
    appendFileSync(ledgerPath(groveDir), '}\n');
    assert.equal((await index.read()).spentMicros, 123);
    assert.equal(await appendSpend(groveDir, entry('c', 999)), false, 'a run the index has is never appended twice');
  });
});
