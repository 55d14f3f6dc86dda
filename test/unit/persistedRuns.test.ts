// What a window reads back about runs from disk (src/core/runs/persistedRuns.ts), and Set Budget's input.
import * as assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { RunHistory, spendBySlot } from '../../src/core/runs/persistedRuns';
import { parseBudgetInput } from '../../src/vscode/budgetInput';
import { cleanupTempDirs, tempDir } from '../helpers/tempRepo';

describe('persisted runs', () => {
  after(cleanupTempDirs);

  it('reads each run with its origin and the first line of its prompt as its label; skips unreadable entries', async () => {
    const groveDir = tempDir('grove-runs-');
    const runs = path.join(groveDir, 'runs');
    mkdirSync(runs, { recursive: true });
    const entry = (id: string, extra: object) => JSON.stringify({ version: 1, id, status: 'active', startedAt: '2026-01-01T00:00:00.000Z', taskId: `task-${id}`, slot: 'slot-2', costMicros: 5, ...extra });
    writeFileSync(path.join(runs, 'run-a.json'), entry('run-a', { origin: 'vscode:abc123' }));
    writeFileSync(path.join(runs, 'run-a.prompt'), '\n  Refactor the parser  \nmore\n');
    writeFileSync(path.join(runs, 'run-b.json'), entry('run-b', {}));
    writeFileSync(path.join(runs, 'run-c.json'), '{ torn');
    const history = new RunHistory(groveDir);
    const [a, b] = await history.runs();
    assert.equal(a.origin, 'vscode:abc123');
    assert.equal(a.label, 'Refactor the parser');
    assert.equal(b.origin, null);
    assert.equal(b.label, null, 'no prompt file: no label');
    assert.deepEqual([...(await history.taskLabels())], [['task-run-a', 'Refactor the parser']]);
  });

  it('sums the ledger per slot', () => {
    const at = '2026-01-01T00:00:00.000Z';
    const totals = spendBySlot([
      { runId: 'r1', taskId: null, slot: 'slot-1', costMicros: 240_000, status: 'completed', at },
      { runId: 'r2', taskId: null, slot: 'slot-1', costMicros: 10_000, status: 'failed', at },
      { runId: 'r3', taskId: null, slot: null, costMicros: 7, status: 'completed', at },
    ]);
    assert.deepEqual(totals.get('slot-1'), { micros: 250_000, runs: 2 });
    assert.equal(totals.size, 1);
  });
});

describe('Set Budget input', () => {
  it('accepts $2, 2, 2.50 and none; refuses the rest naming the accepted forms', () => {
    assert.equal(parseBudgetInput('$2'), 2_000_000);
    assert.equal(parseBudgetInput(' $ 2.50 '), 2_500_000);
    assert.equal(parseBudgetInput('2'), 2_000_000);
    assert.equal(parseBudgetInput('None'), null);
    for (const bad of ['two', '$', '-2', '0', '2e3', '$$2', '2,50']) {
      assert.throws(() => parseBudgetInput(bad), (error: Error & { hint?: string }) => /2, 2\.50 or \$2/.test(error.hint ?? ''), bad);
    }
  });
});
