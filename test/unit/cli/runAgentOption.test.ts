import { strict as assert } from 'node:assert';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { CLI_PATH, cleanupTempDirs, createRepo, runCli, tempDir } from '../../helpers/tempRepo';
import { DOUBLE } from '../../helpers/engineHarness';

describe('grove run --agent, and what a missing agent or a failed run tells (issue 9, item 9)', function () {
  this.timeout(180_000);
  before(() => {
    if (!existsSync(CLI_PATH)) throw new Error(`${CLI_PATH} is missing: run node esbuild.mjs first`);
  });
  afterEach(cleanupTempDirs);

  it('--agent CMD runs that agent, ahead of GROVE_AGENT_COMMAND', async () => {
    const repo = createRepo();
    const result = await runCli(['run', 'say hi', '--agent', DOUBLE], { cwd: repo, env: { GROVE_AGENT_COMMAND: '/nowhere/claude' } });
    assert.equal(result.code, 0, result.stderr);
    assert.ok(result.stdout.trim().length > 0, 'the agent\'s result is printed');
  });

  it('a missing agent command, or one that is a folder, is bad input: exit 2, saying what to do', async () => {
    const repo = createRepo();
    const folder = tempDir();
    mkdirSync(path.join(folder, 'claude'));
    const cases: { args: string[]; env: Record<string, string> }[] = [
      { args: ['--agent', '/nowhere/claude'], env: {} },
      { args: ['--agent', path.join(folder, 'claude')], env: {} },
      { args: [], env: { GROVE_AGENT_COMMAND: 'grove-no-such-agent' } },
      { args: [], env: { GROVE_AGENT_COMMAND: path.join(folder, 'claude') } },
    ];
    for (const { args, env } of cases) {
      const result = await runCli(['run', 'hi', ...args], { cwd: repo, env });
      assert.equal(result.code, 2, `${args.join(' ')} ${JSON.stringify(env)}: exit ${result.code}: ${result.stderr}`);
      assert.match(result.stderr, /agent command .* (was not found|is a folder)/);
      assert.match(result.stderr, /--agent CMD/);
    }
  });

  it('a failed run points at grove runs, where the run log is', async () => {
    const repo = createRepo();
    const result = await runCli(['run', 'hi', '--agent', DOUBLE], { cwd: repo, env: { GROVE_DOUBLE_SCENARIO: 'not-logged-in' } });
    assert.equal(result.code, 6, result.stderr);
    assert.match(result.stderr, /grove runs/);
    assert.doesNotMatch(result.stderr, /run log \(grove status\)/);
  });

  it('grove chain takes --agent too', async () => {
    const repo = createRepo();
    const chain = path.join(tempDir(), 'one.json');
    writeFileSync(chain, JSON.stringify({ name: 'one', steps: [{ name: 'only', prompt: 'hi' }] }));
    const result = await runCli(['chain', chain, '--agent', DOUBLE], { cwd: repo, env: { GROVE_AGENT_COMMAND: '/nowhere/claude' } });
    assert.equal(result.code, 0, result.stderr);
  });
});
