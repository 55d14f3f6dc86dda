import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { RunRegistry } from '../../src/core/agents';
import { runFiles } from '../../src/core/agents/runFiles';
import { readLedger } from '../../src/core/store/spendLedger';
import { cleanupTempDirs, createRepo, tempDir } from '../helpers/tempRepo';

/** The real Claude Code CLI, a pinned devDependency (@anthropic-ai/claude-code from the npm registry). */
const REAL_CLAUDE = path.resolve(__dirname, '../../node_modules/.bin/claude');
/** Every way the CLI could find credentials, removed for the test (and put back after). */
const CREDENTIAL_VARIABLES = ['ANTHROPIC_API_KEY', 'ANTHROPIC_AUTH_TOKEN', 'CLAUDE_CODE_OAUTH_TOKEN', 'CLAUDE_CONFIG_DIR', 'CLAUDE_CODE_USE_BEDROCK', 'CLAUDE_CODE_USE_VERTEX'];

describe('the real Claude Code CLI', () => {
  const saved: Record<string, string | undefined> = {};
  beforeEach(() => {
    for (const name of CREDENTIAL_VARIABLES) {
      saved[name] = process.env[name];
      delete process.env[name];
    }
  });
  afterEach(() => {
    for (const name of CREDENTIAL_VARIABLES) if (saved[name] !== undefined) process.env[name] = saved[name];
    cleanupTempDirs();
  });

  it('with an empty HOME and no API key: a failed run saying "Not logged in", cost 0', async function () {
    this.timeout(120_000);
    const version = JSON.parse(readFileSync(path.resolve(__dirname, '../../node_modules/@anthropic-ai/claude-code/package.json'), 'utf8')).version as string;
    const home = tempDir('grove-empty-home-');
    const repo = createRepo();
    const groveDir = path.join(repo, '.git', 'grove');
    const registry = new RunRegistry({ groveDir, agentCommand: REAL_CLAUDE });
    const handle = await registry.start({
      cwd: repo, prompt: '-say hi', slot: 'slot-1', flags: { maxTurns: 1, maxBudgetUsd: 0.01, permissionMode: 'acceptEdits', disallowedTools: ['WebFetch'], appendSystemPrompt: '-you are slot-1' },
      env: { HOME: home, XDG_CONFIG_HOME: path.join(home, '.config'), DISABLE_AUTOUPDATER: '1' },
      // The CLI retries for minutes when it thinks it can reach the API: the runner's own timeout bounds it.
      timeoutMs: 90_000,
    });
    const sessions: string[] = [];
    handle.on('event', (event) => event.type === 'init' && sessions.push(event.sessionId));
    const record = await handle.done;
    assert.equal(record.status, 'failed', `claude-code ${version}: ${JSON.stringify(record)}`);
    assert.match(record.resultText ?? '', /Not logged in/);
    assert.match(record.error!, /Not logged in/);
    assert.equal(record.costMicros, 0);
    assert.equal(record.exitCode, 1);
    assert.equal(sessions.length, 1);
    assert.equal(record.sessionId, sessions[0]);
    // The flags reached the real CLI in the form Grove writes them (`--flag=value`, tools as separate arguments).
    const init = JSON.parse(readFileSync(runFiles(groveDir, record.id).log, 'utf8').split('\n')[0]) as { permissionMode: string; tools: string[] };
    assert.equal(init.permissionMode, 'acceptEdits');
    assert.ok(init.tools.includes('Read') && !init.tools.includes('WebFetch'), init.tools.join(' '));
    assert.deepEqual((await readLedger(groveDir)).map((line) => [line.runId, line.costMicros, line.status]), [[record.id, 0, 'failed']]);
  });
});
