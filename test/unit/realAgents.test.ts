import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { readLedger } from '../../src/core/store/spendLedger';
import { cleanupTempDirs, createRepo, runCli, tempDir } from '../helpers/tempRepo';

/** The real CLIs, pinned devDependencies from the npm registry. */
const BIN = path.resolve(__dirname, '../../node_modules/.bin');
const version = (pkg: string) => (JSON.parse(readFileSync(path.resolve(__dirname, `../../node_modules/${pkg}/package.json`), 'utf8')) as { version: string }).version;
const CREDENTIALS = ['OPENAI_API_KEY', 'CODEX_HOME', 'CODEX_API_KEY', 'GEMINI_API_KEY', 'GOOGLE_API_KEY', 'GOOGLE_GENAI_USE_VERTEXAI', 'GOOGLE_GENAI_USE_GCA', 'GOOGLE_APPLICATION_CREDENTIALS', 'ANTHROPIC_API_KEY', 'OPENCODE_CONFIG'];

/**
 * Each real CLI with an empty HOME (not logged in) and no network (this machine resolves no
 * names), run by `grove run` under a cap: a clean failure in the agent's own words, nothing
 * spent, nothing left held, within the stall limit.
 */
describe('the real Codex, Gemini and OpenCode CLIs, not logged in, no network', () => {
  const saved: Record<string, string | undefined> = {};
  beforeEach(() => {
    for (const name of CREDENTIALS) {
      saved[name] = process.env[name];
      delete process.env[name];
    }
  });
  afterEach(() => {
    for (const name of CREDENTIALS) if (saved[name] !== undefined) process.env[name] = saved[name];
    cleanupTempDirs();
  });

  const cases = [
    { kind: 'codex', pkg: '@openai/codex', model: 'gpt-5-codex', stall: 0.3, words: /stalled: no progress for 0\.3 min.*the agent said: Reconnecting\.\.\./ },
    { kind: 'gemini', pkg: '@google/gemini-cli', model: 'gemini-2.5-pro', stall: 0.3, words: /exited with code 41: not logged in: Please set an Auth method/ },
    // OpenCode waits out name resolution here (about 70 s) before it says so: a longer limit lets it speak.
    { kind: 'opencode', pkg: 'opencode-ai', model: undefined, stall: 2, words: /the agent reported an error \(error\): Cannot connect to API/ },
  ];
  for (const c of cases) {
    it(`${c.kind}: ends as a clean failure in its own words, nothing spent or held`, async function () {
      this.timeout(300_000);
      const home = tempDir(`grove-${c.kind}-home-`);
      const repo = createRepo();
      const groveDir = path.join(repo, '.git', 'grove');
      assert.equal((await runCli(['budget', '--set', '1'], { cwd: repo })).code, 0);
      const started = Date.now();
      const out = await runCli(['run', '--agent-kind', c.kind, ...(c.model ? ['--model', c.model] : []), '--stall-minutes', String(c.stall), '--json', 'say hi'], {
        cwd: repo,
        env: {
          HOME: home, XDG_CONFIG_HOME: path.join(home, '.config'), XDG_DATA_HOME: path.join(home, '.local/share'), XDG_CACHE_HOME: path.join(home, '.cache'), XDG_STATE_HOME: path.join(home, '.local/state'),
          [`GROVE_${c.kind.toUpperCase()}_COMMAND`]: path.join(BIN, c.kind),
        },
      });
      const elapsed = Date.now() - started;
      const detail = `${c.pkg} ${version(c.pkg)}: exit ${out.code}\n${out.stdout}\n${out.stderr}`;
      assert.equal(out.code, 6, detail);
      const { tasks, budget } = JSON.parse(out.stdout) as { tasks: Array<{ status: string; error: string; costMicros: number }>; budget: { spentMicros: number; reservedMicros: number } };
      assert.equal(tasks[0].status, 'failed', detail);
      assert.match(tasks[0].error, c.words, detail);
      assert.equal(tasks[0].costMicros, 0);
      assert.deepEqual([budget.spentMicros, budget.reservedMicros], [0, 0]);
      assert.deepEqual((await readLedger(groveDir)).map((l) => l.costMicros), [0]);
      // The stall limit bounds it (plus start-up and the kill's grace period on a loaded machine).
      assert.ok(elapsed < c.stall * 60_000 + 60_000, `${elapsed} ms`);
      process.stderr.write(`      ${c.pkg} ${version(c.pkg)}: ${tasks[0].error.slice(0, 160)} (${elapsed} ms)\n`);
    });
  }
});
