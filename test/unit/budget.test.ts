import { strict as assert } from 'node:assert';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { Budget, type BudgetFile, type RunLookup } from '../../src/core/engine/budget';
import { formatUsd, parseUsdToMicros } from '../../src/core/money';
import { buildAppendSystemPrompt, resolveSettings } from '../../src/core/engine/settings';
import { isGroveError } from '../../src/core/errors';
import { currentBootId } from '../../src/core/util/liveness';
import { cleanupTempDirs, tempDir } from '../helpers/tempRepo';

function ledgerLine(groveDir: string, runId: string, costMicros: number): void {
  appendFileSync(path.join(groveDir, 'spend.jsonl'), JSON.stringify({ runId, taskId: null, slot: null, costMicros, status: 'completed', at: new Date().toISOString() }) + '\n');
}

async function deadOwner() {
  // A pid far above pid_max on this boot: provably not running.
  return { pid: 2 ** 30, startTime: '1', bootId: await currentBootId() };
}

describe('budget', () => {
  afterEach(cleanupTempDirs);

  it('refuses a budget that is zero, negative or not a number', () => {
    for (const bad of ['0', '-1', '-0.5', 'abc', '', '1e3', 'NaN', 'Infinity', '0.0000001']) {
      assert.throws(() => parseUsdToMicros(bad), (error: unknown) => isGroveError(error, 'usage') && /budget must be/.test(error.message), bad);
    }
    assert.equal(parseUsdToMicros('1'), 1_000_000);
    assert.equal(parseUsdToMicros('12.50'), 12_500_000);
    assert.equal(formatUsd(300_000), '$0.30');
    assert.equal(formatUsd(241_674), '$0.2417', 'cents would hide what a run cost');
    assert.equal(formatUsd(4_200), '$0.0042');
    assert.equal(formatUsd(725_000), '$0.725', 'no trailing zero after the cents');
    assert.equal(formatUsd(1_000_000), '$1.00');
  });

  it('keeps the cap in microdollars and counts spent from the ledger, each run once', async () => {
    const groveDir = tempDir();
    const budget = new Budget({ groveDir });
    assert.deepEqual(await budget.status(), { capMicros: null, spentMicros: 0, reservedMicros: 0, remainingMicros: null });
    await budget.setCap(1_000_000);
    ledgerLine(groveDir, 'run-a', 300_000);
    ledgerLine(groveDir, 'run-b', 200_000);
    ledgerLine(groveDir, 'run-a', 300_000); // a duplicate line never counts twice
    appendFileSync(path.join(groveDir, 'spend.jsonl'), '{"runId": "run-torn", "cost'); // torn by a crash
    const status = await budget.status();
    assert.deepEqual(status, { capMicros: 1_000_000, spentMicros: 500_000, reservedMicros: 0, remainingMicros: 500_000 });
    const stored = JSON.parse(readFileSync(path.join(groveDir, 'budget.json'), 'utf8')) as BudgetFile;
    assert.equal(stored.capMicros, 1_000_000);
    await assert.rejects(budget.setCap(0), /positive/);
    await assert.rejects(budget.setCap(-5), /positive/);
  });

  it('reserves min(task cap, remaining) and refuses with "budget exhausted" when nothing remains', async () => {
    const groveDir = tempDir();
    const budget = new Budget({ groveDir });
    await budget.setCap(1_000_000);
    assert.equal(await budget.reserve({ key: 't1', runId: 'run-1', slotCount: 4 }), 250_000); // default task cap: cap / slots
    assert.equal(await budget.reserve({ key: 't2', runId: 'run-2', taskCapMicros: 600_000, slotCount: 4 }), 600_000);
    assert.equal(await budget.reserve({ key: 't3', runId: 'run-3', slotCount: 4 }), 150_000); // only 0.15 left
    const refused = await budget.reserve({ key: 't4', runId: 'run-4', slotCount: 4 }).then(() => null, (error: unknown) => error);
    assert.ok(isGroveError(refused, 'budget'));
    assert.equal(refused.message, 'budget exhausted: spent $0.00 of $1.00');
    assert.equal(refused.exitCode, 5);
    assert.equal((await budget.status()).reservedMicros, 1_000_000);
    await budget.release('t2');
    assert.equal((await budget.status()).remainingMicros, 600_000);
  });

  it('without a cap holds nothing and passes the task cap through', async () => {
    const budget = new Budget({ groveDir: tempDir() });
    assert.equal(await budget.reserve({ key: 't', runId: 'r', slotCount: 4 }), null);
    assert.equal(await budget.reserve({ key: 't', runId: 'r', taskCapMicros: 5, slotCount: 4 }), 5);
  });

  it('after a crash neither loses spend nor counts it twice', async () => {
    const groveDir = tempDir();
    const states: Record<string, 'active' | 'terminal' | 'missing'> = { 'run-live': 'active', 'run-done': 'terminal' };
    const runs: RunLookup = { runState: async (runId) => states[runId] ?? 'missing' };
    const budget = new Budget({ groveDir, runs });
    await budget.setCap(1_000_000);
    const owner = await deadOwner();
    const at = new Date().toISOString();
    const state: BudgetFile = {
      capMicros: 1_000_000,
      reservations: {
        // The host died; its agent still runs (detached) and may still spend: keep holding.
        live: { micros: 200_000, owner, runId: 'run-live', at },
        // The run finished and its cost is in the ledger: the hold goes, the ledger counts it.
        inLedger: { micros: 250_000, owner, runId: 'run-ledgered', at },
        // The run was recorded terminal: its cost is in the ledger by contract.
        done: { micros: 250_000, owner, runId: 'run-done', at },
        // The host died before its run started: nothing was spent, nothing is held.
        neverStarted: { micros: 250_000, owner, runId: 'run-never', at },
      },
    };
    writeFileSync(path.join(groveDir, 'budget.json'), JSON.stringify(state));
    ledgerLine(groveDir, 'run-ledgered', 240_000);
    ledgerLine(groveDir, 'run-done', 100_000);
    assert.deepEqual(await budget.status(), { capMicros: 1_000_000, spentMicros: 340_000, reservedMicros: 200_000, remainingMicros: 460_000 });
    // The next reservation prunes the dead holds from the file for good.
    await budget.reserve({ key: 'next', runId: 'run-next', slotCount: 2 });
    const stored = JSON.parse(readFileSync(path.join(groveDir, 'budget.json'), 'utf8')) as BudgetFile;
    assert.deepEqual(Object.keys(stored.reservations).sort(), ['live', 'next']);
  });

  it('refuses an unreadable budget file and lets --set repair it', async () => {
    const groveDir = tempDir();
    writeFileSync(path.join(groveDir, 'budget.json'), '{ not json');
    const budget = new Budget({ groveDir });
    await assert.rejects(budget.status(), /budget\.json is unreadable/);
    assert.equal((await budget.setCap(2_000_000)).capMicros, 2_000_000);
  });
});

describe('settings resolution', () => {
  it('resolves global -> slot -> task, merging tool lists and keeping every system prompt', () => {
    const resolved = resolveSettings(
      { model: 'sonnet', maxTurns: 10, allowedTools: ['Read', 'Grep'], disallowedTools: ['WebFetch'], systemPrompt: 'House rules.', env: { A: '1' } },
      { model: 'opus', allowedTools: ['Edit'], systemPrompt: 'Slot rules.' },
      { maxTurns: 3, allowedTools: ['Read', 'Bash(git:*)'], env: { B: '2' } },
    );
    assert.deepEqual(resolved, {
      model: 'opus', maxTurns: 3, allowedTools: ['Read', 'Grep', 'Edit', 'Bash(git:*)'], disallowedTools: ['WebFetch'],
      systemPrompt: 'House rules.\n\nSlot rules.', env: { A: '1', B: '2' },
    });
  });

  it('puts slot identity and context into the appended system prompt', () => {
    const text = buildAppendSystemPrompt({ slot: 'slot-2', identity: { name: 'Reviewer', role: 'code reviewer', description: 'Checks tests.' }, systemPrompt: 'Be brief.', context: { repo: 'grove', ticket: 'GR-7' } });
    assert.equal(text, 'You are Reviewer, working as code reviewer (Grove slot slot-2). Checks tests.\n\nBe brief.\n\n## Shared context\n- repo: grove\n- ticket: GR-7');
    assert.equal(buildAppendSystemPrompt({ slot: 'slot-1' }), undefined);
  });
});
