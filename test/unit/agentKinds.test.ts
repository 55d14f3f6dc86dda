import * as assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { RunRegistry } from '../../src/core/agents';
import { readLedger } from '../../src/core/store/spendLedger';
import { isGroveError } from '../../src/core/errors';
import { DOUBLE, onlyDoubleRecord } from '../helpers/claudeDouble';
import { cleanupTempDirs, createRepo, tempDir } from '../helpers/tempRepo';

const FIXTURES = path.resolve(__dirname, '../fixtures');
const CODEX = path.join(FIXTURES, 'codex-double', 'codex');
const GEMINI = path.join(FIXTURES, 'gemini-double', 'gemini');
const OPENCODE = path.join(FIXTURES, 'opencode-double', 'opencode');
const doubles = { GROVE_CODEX_COMMAND: CODEX, GROVE_GEMINI_COMMAND: GEMINI, GROVE_OPENCODE_COMMAND: OPENCODE };
// gpt-5-codex: $1.25 in, $10 out per MTok. 100k input + 10k output tokens a turn = $0.125 + $0.10.
const TURN_MICROS = 225_000;

function setup() {
  const repo = createRepo();
  const groveDir = path.join(repo, '.git', 'grove');
  return { repo, groveDir, registry: new RunRegistry({ groveDir, agentCommand: DOUBLE, killGraceMs: 2_000 }) };
}

describe('agent kinds on the runner', () => {
  afterEach(cleanupTempDirs);

  it('codex: its own argv and the prompt on stdin; the ledger line says metered', async () => {
    const { repo, groveDir, registry } = setup();
    const records = tempDir('grove-codex-rec-');
    const handle = await registry.start({ cwd: repo, prompt: '-starts with a dash', agentKind: 'codex', flags: { model: 'gpt-5-codex' }, env: { ...doubles, GROVE_DOUBLE_RECORD_DIR: records, GROVE_DOUBLE_USAGE: '100000,0,10000' } });
    const record = await handle.done;
    assert.equal(record.status, 'completed', record.error ?? '');
    assert.equal(record.resultText, 'Done. Added `add` in src/add.ts.');
    assert.equal(record.sessionId, '0199a213-81c0-7800-8aa1-bbab2a035a53');
    assert.equal(record.costMicros, TURN_MICROS);
    const seen = onlyDoubleRecord(records);
    assert.deepEqual(seen.argv, ['exec', '--json', '-c', 'approval_policy="never"', '--model=gpt-5-codex', '-']);
    assert.equal(seen.stdin, '-starts with a dash');
    // Slot identity and context reach a CLI without --append-system-prompt ahead of the prompt.
    const withContext = tempDir('grove-codex-ctx-');
    await (await registry.start({ cwd: repo, prompt: 'the task', agentKind: 'codex', flags: { appendSystemPrompt: 'You are slot-2.' }, env: { ...doubles, GROVE_DOUBLE_RECORD_DIR: withContext } })).done;
    assert.equal(onlyDoubleRecord(withContext).stdin, 'You are slot-2.\n\n---\n\nthe task');
    assert.ok(!onlyDoubleRecord(withContext).argv.some((a) => a.includes('slot-2')));
    const ledger = await readLedger(groveDir);
    assert.deepEqual(ledger.map((l) => [l.costMicros, l.costSource]), [[TURN_MICROS, 'metered'], [0, 'metered']]);
  });

  it('a metered hold stops the run at its hold: process group stopped, ended for budget, cost within one usage event', async function () {
    this.timeout(60_000);
    const { repo, groveDir, registry } = setup();
    const handle = await registry.start({
      cwd: repo, prompt: 'work', agentKind: 'codex', flags: { model: 'gpt-5-codex', maxBudgetUsd: 1 },
      env: { ...doubles, GROVE_DOUBLE_TURNS: '40', GROVE_DOUBLE_TURN_DELAY_MS: '150', GROVE_DOUBLE_USAGE: '100000,0,10000' },
    });
    const record = await handle.done;
    assert.equal(record.status, 'failed');
    assert.match(record.error!, /^stopped for budget: the run's hold of \$1\.00 was used up/);
    assert.ok(record.costMicros >= 1_000_000 && record.costMicros < 1_000_000 + TURN_MICROS, String(record.costMicros));
    assert.equal(record.costMicros % TURN_MICROS, 0);
    assert.equal(record.subtype, 'error_max_budget_metered');
    const ledger = await readLedger(groveDir);
    assert.deepEqual(ledger.map((l) => [l.costMicros, l.costSource]), [[record.costMicros, 'metered']]);
    assert.throws(() => process.kill(-record.pid!, 0), /ESRCH/);
  });

  it('a model with no known price is refused before it starts under a cap, naming the setting; without a cap it runs', async () => {
    const { repo, groveDir, registry } = setup();
    await assert.rejects(registry.start({ cwd: repo, prompt: 'x', agentKind: 'codex', flags: { model: 'mystery-1', maxBudgetUsd: 1 }, env: doubles }),
      (e: unknown) => isGroveError(e) && /no price is known for the model "mystery-1"/.test(e.message) && /grove\.agent\.prices/.test(e.hint ?? ''));
    await assert.rejects(registry.start({ cwd: repo, prompt: 'x', agentKind: 'gemini', flags: { maxBudgetUsd: 1 }, env: doubles }), /gemini: no model is set/);
    assert.equal(existsSync(path.join(groveDir, 'runs')) ? readdirSync(path.join(groveDir, 'runs')).length : 0, 0);
    const free = await (await registry.start({ cwd: repo, prompt: 'x', agentKind: 'codex', flags: { model: 'mystery-1' }, env: doubles })).done;
    assert.equal(free.status, 'completed');
    assert.equal(free.costMicros, 0);
  });

  it('claude: a result listing permission_denials ends blocked, naming the denied tool in Claude\'s terms', async () => {
    const { repo, groveDir, registry } = setup();
    const record = await (await registry.start({ cwd: repo, prompt: 'run the tests', env: { GROVE_DOUBLE_SCENARIO: 'permission-denied' } })).done;
    assert.equal(record.status, 'blocked');
    assert.equal(record.error, 'blocked: wanted Bash(npm test)');
    assert.equal(record.costMicros, 241674);
    assert.deepEqual((await readLedger(groveDir)).map((l) => [l.status, l.costSource]), [['blocked', 'reported']]);
  });

  it('a run with no progress (Codex without network: only "Reconnecting..." notices) is stopped as stalled, in its own words, nothing spent', async function () {
    this.timeout(60_000);
    const { repo, groveDir, registry } = setup();
    const handle = await registry.start({ cwd: repo, prompt: 'x', agentKind: 'codex', stallMs: 1_500, env: { ...doubles, GROVE_DOUBLE_SCENARIO: 'no-network', GROVE_DOUBLE_REPEAT_LAST_MS: '100' } });
    const record = await handle.done;
    assert.equal(record.status, 'stalled');
    assert.match(record.error!, /^stalled: no progress for 0\.03 min, so its processes were stopped; the agent said: Reconnecting\.\.\. waiting for network/);
    assert.equal(record.costMicros, 0);
    assert.deepEqual((await readLedger(groveDir)).map((l) => [l.costMicros, l.status]), [[0, 'stalled']]);
  });

  it('gemini not logged in (exit 41): a clean failure in its own words', async () => {
    const { repo, registry } = setup();
    const record = await (await registry.start({ cwd: repo, prompt: 'x', agentKind: 'gemini', env: { ...doubles, GROVE_DOUBLE_SCENARIO: 'not-logged-in' } })).done;
    assert.equal(record.status, 'failed');
    assert.equal(record.exitCode, 41);
    assert.match(record.error!, /^the gemini agent exited with code 41: not logged in: Please set an Auth method/);
  });

  it('gemini success is metered from result.stats per model', async () => {
    const { repo, registry } = setup();
    const record = await (await registry.start({ cwd: repo, prompt: 'x', agentKind: 'gemini', flags: { model: 'gemini-2.5-pro', maxBudgetUsd: 1 }, env: doubles })).done;
    assert.equal(record.status, 'completed', record.error ?? '');
    // 8830 in x $1.25 + 162 out x $10 + 8120 cached x $0.125 per MTok = 11037.5 + 1620 + 1015 -> 13673 µ$
    assert.equal(record.costMicros, 13673);
  });

  for (const [scenario, where] of [['permission-rejected', 'the stream and stderr'], ['permission-rejected-stderr-only', 'stderr alone']] as const) {
    it(`opencode: a permission run auto-rejected, seen in ${where}, ends blocked naming the tool`, async () => {
      const { repo, groveDir, registry } = setup();
      const record = await (await registry.start({ cwd: repo, prompt: 'run the tests', agentKind: 'opencode', env: { ...doubles, GROVE_DOUBLE_SCENARIO: scenario } })).done;
      assert.equal(record.status, 'blocked', record.error ?? '');
      assert.equal(record.error, 'blocked: wanted bash');
      assert.equal(record.exitCode, 0);
      assert.deepEqual((await readLedger(groveDir)).map((l) => [l.status, l.costSource]), [['blocked', 'reported']]);
    });
  }

  it('opencode: its own dollars per step are the cost, and the ledger says reported', async () => {
    const { repo, groveDir, registry } = setup();
    const record = await (await registry.start({ cwd: repo, prompt: 'x', agentKind: 'opencode', env: doubles })).done;
    assert.equal(record.status, 'completed', record.error ?? '');
    assert.equal(record.costMicros, 16_400);
    assert.deepEqual((await readLedger(groveDir)).map((l) => l.costSource), ['reported']);
  });

  it('opencode: reported step dollars also stop a run at its hold', async function () {
    this.timeout(60_000);
    const { repo, registry } = setup();
    const record = await (await registry.start({ cwd: repo, prompt: 'x', agentKind: 'opencode', flags: { maxBudgetUsd: 0.1 }, env: { ...doubles, GROVE_DOUBLE_TURNS: '40', GROVE_DOUBLE_TURN_DELAY_MS: '150', GROVE_DOUBLE_COST_USD: '0.03' } })).done;
    assert.equal(record.status, 'failed');
    assert.match(record.error!, /stopped for budget/);
    assert.equal(record.costMicros, 120_000);
  });
});
