import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { blockedOf } from '../../src/core/results';
import { isGroveError } from '../../src/core/errors';
import { closeHarnesses, flagValue, harness, readRecords, runRecorded, type Harness } from '../helpers/engineHarness';
import { workingAgent } from '../helpers/resultsAgent';

const SESSION = '22795ca6-5f0e-4c1b-9a57-3d2f6f0d8e11';
const CODEX = path.resolve(__dirname, '../fixtures/codex-double/codex');

/** Issue 12 item 4: a blocked run keeps what it wanted, and Re-run Allowing… allows exactly that. */
describe('blocked results and Re-run Allowing (real pool, real git, the agent doubles)', function () {
  this.timeout(120_000);
  let h: Harness;
  afterEach(closeHarnesses);

  const runOne = (prompt: string) => runRecorded(h, prompt);

  it('a Claude run with permission_denials: the result keeps the denied tool and input, and says the agent needs you', async () => {
    h = await harness({ slots: 1, agentCommand: workingAgent() });
    const { task, record } = await runOne('Run the tests [add:t.txt] [scenario:permission-denied]');
    assert.equal(task.status, 'failed');
    assert.equal(record.error, 'blocked: wanted Bash(npm test)');
    assert.equal(record.runs[0].agentKind, 'claude');
    assert.deepEqual(record.runs[0].blockedOn?.denials.map((denial) => denial.tool), ['Bash']);
    assert.deepEqual(blockedOf(record)?.wanted, ['Bash(npm test)']);
    // The registry's record says the same (grove runs --json).
    const run = await h.opened.registry.get(record.runs[0].runId!);
    assert.equal(run?.status, 'blocked');
    assert.deepEqual(run?.blockedOn?.denials.map((denial) => (denial.input as { command?: string }).command), ['npm test']);
  });

  it('Re-run Allowing resumes the session in its worktree with --allowedTools for exactly what was denied; the result is no longer blocked', async () => {
    h = await harness({ slots: 1, agentCommand: workingAgent() });
    const { record } = await runOne('Run the tests [add:t.txt] [scenario:permission-denied]');
    const outcome = await h.opened.results.service.rerunAllowing(record.id);
    assert.equal(outcome.task.status, 'succeeded', outcome.task.error ?? '');
    const runs = readRecords(h.recordDir).sort((a, b) => a.startedAt - b.startedAt);
    assert.equal(runs.length, 2);
    assert.equal(flagValue(runs[0].argv, '--allowedTools'), undefined, 'the first run was not allowed it');
    assert.equal(flagValue(runs[1].argv, '--allowedTools'), 'Bash(npm test)');
    assert.equal(flagValue(runs[1].argv, '--resume'), SESSION);
    assert.equal(runs[1].cwd, record.worktree!.path);
    assert.match(runs[1].stdin, /not allowed to use Bash\(npm test\) before\. It is allowed now/);
    assert.equal(outcome.record.runs.length, 2);
    assert.equal(outcome.record.runs[1].step, 'allowing');
    assert.equal(outcome.record.status, 'succeeded');
    assert.equal(blockedOf(outcome.record), null);
  });

  it('refuses a result that is not blocked, and a tool it never asked for, before anything runs', async () => {
    h = await harness({ slots: 1, agentCommand: workingAgent() });
    const { record: done } = await runOne('Fine [add:a.txt]');
    await assert.rejects(h.opened.results.service.rerunAllowing(done.id), (error: unknown) => isGroveError(error, 'usage') && /is not blocked/.test((error as Error).message));
    const { record: blocked } = await runOne('Run the tests [add:b.txt] [scenario:permission-denied]');
    await assert.rejects(h.opened.results.service.rerunAllowing(blocked.id, { only: ['Bash(rm -rf /)'] }),
      (error: unknown) => isGroveError(error, 'usage') && /did not ask for Bash\(rm -rf \/\)/.test((error as Error).message) && /It wanted: Bash\(npm test\)/.test((error as GroveErrorLike).hint ?? ''));
    assert.equal(readRecords(h.recordDir).length, 2, 'no agent ran for a refusal');
  });

  it('a follow-up resumes with the CLI that holds the session: a Codex task continues on Codex, though the engine\'s default is Claude', async () => {
    h = await harness({ slots: 1, env: { GROVE_CODEX_COMMAND: CODEX } });
    const task = await h.opened.engine.run({ prompt: 'Codex work', settings: { agentKind: 'codex' } });
    await h.opened.results.recorder!.flush();
    const record = await h.opened.results.service.find(task.id);
    assert.equal(task.status, 'succeeded', task.error ?? '');
    assert.equal(record.runs[0].agentKind, 'codex');
    const outcome = await h.opened.results.service.continue(record.id, 'more');
    assert.equal(outcome.task.status, 'succeeded', outcome.task.error ?? '');
    assert.equal(outcome.record.runs[1].agentKind, 'codex');
    const argv = readRecords(h.recordDir).map((run) => run.argv);
    assert.equal(argv.length, 2);
    assert.deepEqual(argv[1].slice(0, 2), ['exec', 'resume'], `a codex resume: ${argv[1].join(' ')}`);
  });
});

interface GroveErrorLike { hint?: string }
