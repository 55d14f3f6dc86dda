import * as assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { DOUBLE, doubleRecords } from '../helpers/claudeDouble';
import { cleanupTempDirs, createRepo, runCli, tempDir } from '../helpers/tempRepo';

const FIXTURES = path.resolve(__dirname, '../fixtures');

function setup() {
  const repo = createRepo();
  const records = tempDir('grove-kinds-rec-');
  const env = {
    GROVE_AGENT_COMMAND: DOUBLE, GROVE_CODEX_COMMAND: path.join(FIXTURES, 'codex-double/codex'), GROVE_GEMINI_COMMAND: path.join(FIXTURES, 'gemini-double/gemini'),
    GROVE_OPENCODE_COMMAND: path.join(FIXTURES, 'opencode-double/opencode'), GROVE_DOUBLE_RECORD_DIR: records, GROVE_SLOTS: '3',
  };
  return { repo, records, env };
}

// runCli runs the bundled dist/cli.js: `node esbuild.mjs` first.
describe('choosing the agent kind (the bundled CLI)', function () {
  this.timeout(180_000);
  afterEach(cleanupTempDirs);

  it('--fan-out claude,codex,gemini under a cap: one prompt, three agents, each in its own CLI with its own model', async () => {
    const { repo, records, env } = setup();
    assert.equal((await runCli(['budget', '--set', '3'], { cwd: repo })).code, 0);
    const out = await runCli(['run', '--fan-out', 'claude,codex,gemini', '--model', 'sonnet', '--json', 'add a function'], { cwd: repo, env: { ...env, GROVE_CODEX_MODEL: 'gpt-5-codex', GROVE_GEMINI_MODEL: 'gemini-2.5-pro' } });
    assert.equal(out.code, 0, out.stderr);
    const { tasks } = JSON.parse(out.stdout) as { tasks: Array<{ status: string; label: string; resultText: string }> };
    assert.deepEqual(tasks.map((t) => [t.label, t.status]), [['fan-out claude', 'succeeded'], ['fan-out codex', 'succeeded'], ['fan-out gemini', 'succeeded']]);
    const argv0 = doubleRecords(records).map((r) => r.argv[0]).sort();
    assert.deepEqual(argv0, ['-p', '-p', 'exec']);
    const models = doubleRecords(records).map((r) => r.argv.find((a) => a.startsWith('--model='))).sort();
    assert.deepEqual(models, ['--model=gemini-2.5-pro', '--model=gpt-5-codex', '--model=sonnet']);
    assert.ok(doubleRecords(records).every((r) => r.stdin === 'add a function'));
  });

  it('a chain step with "agent": "opencode" runs OpenCode; a bad kind is refused naming the field', async () => {
    const { repo, records, env } = setup();
    mkdirSync(path.join(repo, '.grove/chains'), { recursive: true });
    writeFileSync(path.join(repo, '.grove/chains/mixed.json'), JSON.stringify({ name: 'mixed', steps: [{ name: 'plan', prompt: 'plan it' }, { name: 'do', prompt: 'do {{previous_output}}', agent: 'opencode' }] }));
    const ok = await runCli(['chain', 'mixed'], { cwd: repo, env });
    assert.equal(ok.code, 0, ok.stderr);
    assert.deepEqual(doubleRecords(records).map((r) => r.argv[0]).sort(), ['-p', 'run']);
    writeFileSync(path.join(repo, '.grove/chains/bad.json'), JSON.stringify({ name: 'bad', steps: [{ name: 'x', prompt: 'p', agent: 'cursor' }] }));
    const bad = await runCli(['chain', 'bad'], { cwd: repo, env });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /steps\[0\]\.agent: expected one of claude, codex, gemini, opencode, got "cursor"/);
  });

  it('refuses a bad --agent-kind, --fan-out and --stall-minutes (exit 2); --fan-out 2 still means copies', async () => {
    const { repo, records, env } = setup();
    for (const args of [['--agent-kind', 'cursor'], ['--fan-out', 'claude,cursor'], ['--fan-out', 'x'], ['--stall-minutes', 'soon']]) {
      const out = await runCli(['run', ...args, 'x'], { cwd: repo, env });
      assert.equal(out.code, 2, `${args.join(' ')}: ${out.stderr}`);
    }
    const two = await runCli(['run', '--fan-out', '2', '--agent-kind', 'codex', '--json', 'x'], { cwd: repo, env });
    assert.equal(two.code, 0, two.stderr);
    assert.deepEqual(doubleRecords(records).map((r) => r.argv[0]), ['exec', 'exec']);
  });
});
