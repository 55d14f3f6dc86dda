import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { locateRepository } from '../../src/core/git/repository';
import { readLedger } from '../../src/core/store/spendLedger';
import { CLI_PATH, cleanupTempDirs, createRepo, runCli, tempDir } from '../helpers/tempRepo';
import { DOUBLE, goneSoon, readRecords } from '../helpers/engineHarness';

function setup(extraEnv: Record<string, string> = {}) {
  const repo = createRepo();
  const records = tempDir('grove-records-');
  const env = { GROVE_AGENT_COMMAND: DOUBLE, GROVE_DOUBLE_RECORD_DIR: records, ...extraEnv };
  return { repo, records, env };
}

async function budgetJson(repo: string, env: Record<string, string>) {
  const result = await runCli(['budget', '--json'], { cwd: repo, env });
  assert.equal(result.code, 0, result.stderr);
  return JSON.parse(result.stdout) as { capMicros: number | null; spentMicros: number; reservedMicros: number };
}

async function waitFor(check: () => boolean, what: string, withinMs = 20_000): Promise<void> {
  const deadline = Date.now() + withinMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('grove run / chain / budget (the bundled CLI, real processes)', function () {
  this.timeout(180_000);
  afterEach(cleanupTempDirs);

  it('refuses a budget that is zero, negative or not a number, and sets and shows one', async () => {
    const { repo, env } = setup();
    for (const bad of ['0', '-1', 'abc', '1e9', '']) {
      const result = await runCli(['budget', '--set', bad], { cwd: repo, env });
      assert.equal(result.code, 2, `--set ${bad}: ${result.stderr}`);
      assert.match(result.stderr, /--set must be/);
    }
    assert.deepEqual(await budgetJson(repo, env), { capMicros: null, spentMicros: 0, reservedMicros: 0 });
    const set = await runCli(['budget', '--set', '1.50', '--json'], { cwd: repo, env });
    assert.equal(set.code, 0, set.stderr);
    assert.deepEqual(JSON.parse(set.stdout), { capMicros: 1_500_000, spentMicros: 0, reservedMicros: 0 });
    const text = await runCli(['budget'], { cwd: repo, env });
    assert.equal(text.stdout.trim(), 'spent $0.00 of $1.50; $0.00 held by running tasks; $1.50 left');
  });

  it('grove run prints the result (exit 0), says where work was left, and exits 6 when the agent fails', async () => {
    const { repo, env } = setup();
    const ok = await runCli(['run', 'add a function'], { cwd: repo, env: { ...env, GROVE_DOUBLE_WRITE_FILE: 'add.ts' } });
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(ok.stdout, 'Done. Added `add` in src/add.ts.\n');
    const kept = ok.stderr.match(/work left in (\S+) /);
    assert.ok(kept && existsSync(path.join(kept[1], 'add.ts')), ok.stderr);
    const failed = await runCli(['run', 'anything', '--json'], { cwd: repo, env: { ...env, GROVE_DOUBLE_SCENARIO: 'not-logged-in' } });
    assert.equal(failed.code, 6, failed.stderr);
    const json = JSON.parse(failed.stdout) as { tasks: { status: string; errorKind: string }[] };
    assert.deepEqual(json.tasks.map((task) => [task.status, task.errorKind]), [['failed', 'agent-failed']]);
    const fanned = await runCli(['run', 'one', 'two', '--fan-out', '2', '--json', '--model', 'haiku', '--max-turns', '4'], { cwd: repo, env });
    assert.equal(fanned.code, 0, fanned.stderr);
    assert.equal((JSON.parse(fanned.stdout) as { tasks: unknown[] }).tasks.length, 4);
  });

  it('ten concurrent grove run processes against a $1 cap: never over it, refusals exit 5, the ledger equals the runs', async () => {
    const { repo, records, env } = setup({ GROVE_DOUBLE_COST_USD: '0.30', GROVE_DOUBLE_DELAY_MS: '300', GROVE_SLOTS: '3' });
    assert.equal((await runCli(['budget', '--set', '1'], { cwd: repo, env })).code, 0);
    const runs = await Promise.all(Array.from({ length: 10 }, (_, n) => runCli(['run', `task ${n}`, '--json'], { cwd: repo, env })));
    const codes = runs.map((run) => run.code);
    assert.ok(codes.every((code) => code === 0 || code === 5 || code === 6), `unexpected exit codes ${codes}`);
    assert.ok(codes.filter((code) => code === 0).length >= 3, `codes ${codes}`);
    assert.ok(codes.includes(5), `no refusal: ${codes}`);
    for (const run of runs.filter((r) => r.code === 5)) {
      assert.match(run.stderr + run.stdout, /budget exhausted: spent \$\d+\.\d{2,4} of \$1\.00/);
    }
    const costs = runs.map((run) => (JSON.parse(run.stdout) as { tasks: { costMicros: number }[] }).tasks[0].costMicros);
    const ledger = await readLedger((await locateRepository(repo)).groveDir);
    const ledgerTotal = ledger.reduce((sum, entry) => sum + entry.costMicros, 0);
    assert.ok(ledgerTotal <= 1_000_000, `spent ${ledgerTotal} over the $1 cap`);
    assert.equal(ledgerTotal, costs.reduce((sum, cost) => sum + cost, 0));
    assert.equal(ledger.length, readRecords(records).length, 'one ledger line per agent run');
    const budget = await budgetJson(repo, env);
    assert.deepEqual(budget, { capMicros: 1_000_000, spentMicros: ledgerTotal, reservedMicros: 0 });
  });

  it('a grove run killed mid-run: the spend is neither lost nor counted twice after a restart', async () => {
    const { repo, records, env } = setup({ GROVE_DOUBLE_COST_USD: '0.30', GROVE_DOUBLE_DELAY_MS: '2000' });
    assert.equal((await runCli(['budget', '--set', '5'], { cwd: repo, env })).code, 0);
    const child = spawn(process.execPath, [CLI_PATH, 'run', 'long task'], { cwd: repo, env: { ...process.env, ...env }, stdio: 'ignore' });
    await waitFor(() => readdirSync(records).length > 0, 'the agent to start');
    child.kill('SIGKILL');
    await new Promise((resolve) => child.on('close', resolve));
    // The agent runs on, detached; meanwhile its reservation still holds what it may spend.
    const during = await budgetJson(repo, env);
    assert.equal(during.spentMicros, 0);
    assert.ok(during.reservedMicros > 0, 'the running agent\'s reservation was dropped');
    const [record] = readRecords(records);
    assert.ok(await goneSoon(record.pid, 20_000));
    // A restart (any grove command) records the finished run once; asking again changes nothing.
    const after = await budgetJson(repo, env);
    assert.deepEqual(after, { capMicros: 5_000_000, spentMicros: 300_000, reservedMicros: 0 });
    assert.deepEqual(await budgetJson(repo, env), after);
    const again = await runCli(['run', 'short task'], { cwd: repo, env: { ...env, GROVE_DOUBLE_DELAY_MS: '0' } });
    assert.equal(again.code, 0, again.stderr);
    const ledger = await readLedger((await locateRepository(repo)).groveDir);
    assert.deepEqual(ledger.map((entry) => entry.costMicros), [300_000, 300_000]);
    assert.equal(new Set(ledger.map((entry) => entry.runId)).size, 2);
  });

  it('grove chain prints step lines as they change; a malformed file is refused with file and field', async () => {
    const { repo, env } = setup();
    mkdirSync(path.join(repo, '.grove/chains'), { recursive: true });
    writeFileSync(path.join(repo, '.grove/chains/two.json'), JSON.stringify({
      name: 'two', arguments: ['what'], steps: [{ name: 'plan', prompt: 'plan {{args.what}}' }, { name: 'do', prompt: 'do {{previous_output}}' }],
    }));
    const ok = await runCli(['chain', 'two', '--arg', 'what=tests'], { cwd: repo, env });
    assert.equal(ok.code, 0, ok.stderr);
    const lines = ok.stdout.trim().split('\n');
    assert.deepEqual(lines.slice(0, 4).map((line) => line.replace(/, \$.*/, '')), ['[1/2] plan: running', '[1/2] plan: succeeded', '[2/2] do: running', '[2/2] do: succeeded']);
    assert.equal(lines.at(-1), 'Done. Added `add` in src/add.ts.');
    const json = await runCli(['chain', 'two', '--arg', 'what=x', '--json'], { cwd: repo, env });
    const last = JSON.parse(json.stdout.trim().split('\n').at(-1)!) as { type: string; chain: { status: string; id: string } };
    assert.equal(last.type, 'chain');
    assert.equal(last.chain.status, 'succeeded');
    const missingArg = await runCli(['chain', 'two'], { cwd: repo, env });
    assert.equal(missingArg.code, 2);
    assert.match(missingArg.stderr, /needs the argument "what"/);
    const bad = path.join(repo, 'bad.json');
    writeFileSync(bad, JSON.stringify({ name: 'bad', steps: [{ name: 'a', prompt: 'p', retries: 'twice' }] }));
    const refused = await runCli(['chain', bad], { cwd: repo, env });
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /bad\.json: steps\[0\]\.retries: expected a whole number from 0 to 10, got "twice"/);
    const failing = await runCli(['chain', 'two', '--arg', 'what=x'], { cwd: repo, env: { ...env, GROVE_DOUBLE_SCENARIO: 'not-logged-in' } });
    assert.equal(failing.code, 6);
    assert.match(failing.stdout, /\[2\/2\] do: skipped/);
  });
});
