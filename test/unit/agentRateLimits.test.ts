import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { RunRegistry } from '../../src/core/agents';
import { markRateLimited, pausedKinds, readRateLimits, waitOutRateLimit } from '../../src/core/agents/rateLimits';
import { RegistryLauncher } from '../../src/core/engine/registryLauncher';
import { isGroveError } from '../../src/core/errors';
import { DOUBLE } from '../helpers/claudeDouble';
import { cleanupTempDirs, createRepo } from '../helpers/tempRepo';

const CODEX = path.resolve(__dirname, '../fixtures/codex-double/codex');

describe('rate limits pause a kind', () => {
  afterEach(cleanupTempDirs);

  it('a codex run that hits a 429 fails as rate_limited and pauses codex (not claude) for a minute', async () => {
    const repo = createRepo();
    const groveDir = path.join(repo, '.git', 'grove');
    const registry = new RunRegistry({ groveDir, agentCommand: DOUBLE });
    const before = Date.now();
    const record = await (await registry.start({ cwd: repo, prompt: 'x', agentKind: 'codex', env: { GROVE_CODEX_COMMAND: CODEX, GROVE_DOUBLE_SCENARIO: 'rate-limited' } })).done;
    assert.equal(record.status, 'failed');
    assert.equal(record.subtype, 'rate_limited');
    assert.match(record.error!, /^rate limited: exceeded retry limit, last status: 429/);
    // Recorded from the live stream, so the mark may land just after the run.
    for (let i = 0; i < 100 && !(await readRateLimits(groveDir)).codex; i++) await new Promise((r) => setTimeout(r, 20));
    const marks = await readRateLimits(groveDir);
    assert.equal(marks.codex!.runId, record.id);
    const until = Date.parse(marks.codex!.until);
    assert.ok(until >= before + 59_000 && until <= Date.now() + 61_000, marks.codex!.until);
    assert.deepEqual(Object.keys(await pausedKinds(groveDir)), ['codex']);
    assert.equal(marks.claude, undefined);
  });

  it('a start of a paused kind waits out a near reset and is refused, with the reset time, before a far one', async () => {
    const repo = createRepo();
    const groveDir = path.join(repo, '.git', 'grove');
    await markRateLimited(groveDir, 'gemini', { until: new Date(Date.now() + 400).toISOString(), message: 'quota', runId: 'r1' });
    const started = Date.now();
    await waitOutRateLimit(groveDir, 'gemini');
    assert.ok(Date.now() - started >= 350, `${Date.now() - started} ms`);
    await waitOutRateLimit(groveDir, 'codex');

    const far = new Date(Date.now() + 3_600_000).toISOString();
    await markRateLimited(groveDir, 'claude', { until: far, message: 'Claude rate limit reached (five_hour)', runId: 'r2' });
    const registry = new RunRegistry({ groveDir, agentCommand: DOUBLE });
    const launcher = new RegistryLauncher(registry);
    await assert.rejects(launcher.start({ runId: 'run-paused-1', cwd: repo, prompt: 'x', flags: {}, taskId: 't', slot: 'slot-1', worktree: 'wt-1' }),
      (e: unknown) => isGroveError(e) && e.kind === 'unavailable' && e.message.includes(far) && /five_hour/.test(e.message));
    assert.deepEqual(await registry.list(), []);
  });
});
