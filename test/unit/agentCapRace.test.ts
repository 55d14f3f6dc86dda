import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { readLedger } from '../../src/core/store/spendLedger';
import { cleanupTempDirs, createRepo, runCli } from '../helpers/tempRepo';

const CODEX = path.resolve(__dirname, '../fixtures/codex-double/codex');
const TURN_MICROS = 225_000; // gpt-5-codex, 100k input + 10k output tokens a turn
const CAP_MICROS = 2_000_000;

// runCli runs the bundled dist/cli.js: `node esbuild.mjs` first.
describe('the metered cap, raced by ten grove processes', () => {
  afterEach(cleanupTempDirs);

  it('ten `grove run --agent-kind codex` at once: total spend within one usage event per run of the cap', async function () {
    this.timeout(240_000);
    const repo = createRepo();
    const groveDir = path.join(repo, '.git', 'grove');
    assert.equal((await runCli(['budget', '--set', '2'], { cwd: repo })).code, 0);
    const env = {
      GROVE_CODEX_COMMAND: CODEX, GROVE_SLOTS: '4', GROVE_DOUBLE_TURNS: '40', GROVE_DOUBLE_TURN_DELAY_MS: '100', GROVE_DOUBLE_USAGE: '100000,0,10000',
    };
    const runs = await Promise.all(Array.from({ length: 10 }, (_, i) => runCli(['run', '--agent-kind', 'codex', '--model', 'gpt-5-codex', `task ${i}`], { cwd: repo, env })));
    const codes = runs.map((r) => r.code);
    // Every process ended for budget: refused before it started (5) or stopped at its hold (6).
    assert.ok(codes.every((code) => code === 5 || code === 6), `${codes.join(',')}\n${runs.map((r) => r.stderr).join('\n')}`);
    const ledger = await readLedger(groveDir);
    const total = ledger.reduce((sum, line) => sum + line.costMicros, 0);
    const entries = readdirSync(path.join(groveDir, 'runs')).filter((n) => n.endsWith('.json')).map((n) => JSON.parse(readFileSync(path.join(groveDir, 'runs', n), 'utf8')) as { costMicros: number; maxBudgetMicros: number; error: string });
    assert.ok(ledger.length >= 1 && ledger.every((line) => line.costSource === 'metered'));
    for (const entry of entries) {
      assert.ok(entry.costMicros <= entry.maxBudgetMicros + TURN_MICROS, `run cost ${entry.costMicros} over its hold ${entry.maxBudgetMicros} by more than one usage event`);
      assert.match(entry.error, /stopped for budget/);
    }
    assert.ok(total <= CAP_MICROS + ledger.length * TURN_MICROS, `spent ${total} µ$ in ${ledger.length} runs against a cap of ${CAP_MICROS}`);
    assert.ok(total >= CAP_MICROS, `the runs should have used the cap up: spent ${total}`);
    process.stderr.write(`      figures: ${ledger.length} runs metered, ${10 - ledger.length} refused, spent ${total} µ$ of a ${CAP_MICROS} µ$ cap (overrun ${total - CAP_MICROS} µ$, bound ${ledger.length * TURN_MICROS} µ$)\n`);
    const budget = JSON.parse((await runCli(['budget', '--json'], { cwd: repo })).stdout) as { spentMicros: number; reservedMicros: number };
    assert.deepEqual([budget.spentMicros, budget.reservedMicros], [total, 0]);
  });
});
