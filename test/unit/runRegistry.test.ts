import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { RunRegistry, type RunEvent, type RunRecord } from '../../src/core/agents';
import { runFiles } from '../../src/core/agents/runFiles';
import { isGroveError } from '../../src/core/errors';
import { readLedger } from '../../src/core/store/spendLedger';
import { liveness } from '../../src/core/util/liveness';
import { DOUBLE, doubleRecords, onlyDoubleRecord, pidRunning, waitFor } from '../helpers/claudeDouble';
import { cleanupTempDirs, createRepo, tempDir } from '../helpers/tempRepo';

const HOST = path.resolve(__dirname, '../helpers/agentHost.ts');

interface Setup {
  repo: string;
  groveDir: string;
  records: string;
  registry: RunRegistry;
}

/** Process groups started by a test, killed afterwards whatever the test did. */
const groups: number[] = [];

function setup(options: { killGraceMs?: number; now?: () => Date } = {}): Setup {
  const repo = createRepo();
  const groveDir = path.join(repo, '.git', 'grove');
  return { repo, groveDir, records: tempDir('grove-double-'), registry: new RunRegistry({ groveDir, agentCommand: DOUBLE, ...options }) };
}

async function run(s: Setup, env: Record<string, string> = {}, extra: Partial<Parameters<RunRegistry['start']>[0]> = {}): Promise<{ record: RunRecord; events: RunEvent[] }> {
  const handle = await s.registry.start({ cwd: s.repo, prompt: 'add an add function', env: { GROVE_DOUBLE_RECORD_DIR: s.records, ...env }, ...extra });
  if (handle.snapshot().pid) groups.push(handle.snapshot().pid!);
  const events: RunEvent[] = [];
  handle.on('event', (event) => events.push(event));
  const record = await handle.done;
  return { record, events };
}

function killLeftovers(): void {
  for (const pgid of groups.splice(0)) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // Already gone, as it should be.
    }
  }
}

interface HostProcess {
  pid: number;
  lines: AsyncIterableIterator<string>;
}

/** A host process; `env` reaches the agents it starts (the double's knobs). */
function startHost(env: Record<string, string>, ...args: string[]): HostProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', HOST, ...args], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } });
  return { pid: child.pid!, lines: createInterface({ input: child.stdout })[Symbol.asyncIterator]() };
}

async function nextJson<T>(host: HostProcess): Promise<T> {
  const { value, done } = await host.lines.next();
  if (done) throw new Error('the host ended without output');
  return JSON.parse(value) as T;
}

describe('RunRegistry with the Claude CLI double', () => {
  afterEach(() => {
    killLeftovers();
    cleanupTempDirs();
  });

  it('records a successful run: live events, the record, one ledger line, and exactly the flags, stdin and cwd it passed', async () => {
    const s = setup();
    const { record, events } = await run(s, { GROVE_DOUBLE_WRITE_FILE: 'src/add.ts=export const add = 1;\n' }, {
      taskId: 'task-1', slot: 'slot-1', worktree: 'wt-1',
      flags: { model: 'sonnet', effort: 'high', maxTurns: 5, maxBudgetUsd: 2, permissionMode: 'acceptEdits', allowedTools: ['Read', 'Bash(git log:*)'], disallowedTools: ['WebFetch'], appendSystemPrompt: 'You are slot-1.' },
    });
    assert.deepEqual(events.map((event) => event.type), ['init', 'text', 'text', 'finished']);
    assert.deepEqual(events[0], { type: 'init', sessionId: '22795ca6-5f0e-4c1b-9a57-3d2f6f0d8e11' });
    assert.equal(record.status, 'completed');
    assert.equal(record.costMicros, 241674);
    assert.equal(record.exitCode, 0);
    assert.equal(record.numTurns, 2);
    assert.equal(record.subtype, 'success');
    assert.equal(record.durationMs, 74096);
    assert.equal(record.taskId, 'task-1');
    assert.equal(record.slot, 'slot-1');
    assert.equal(record.worktree, 'wt-1');
    assert.equal(record.maxBudgetMicros, 2_000_000);
    assert.equal(record.error, null);
    assert.ok(record.endedAt && record.timeoutAt && record.pidStartTime && record.bootId);
    assert.deepEqual((events[3] as { record: RunRecord }).record, record);
    assert.deepEqual(await s.registry.get(record.id), record);

    const seen = onlyDoubleRecord(s.records);
    assert.deepEqual(seen.argv, ['-p', '--output-format', 'stream-json', '--verbose', '--model=sonnet', '--effort=high', '--max-turns=5',
      '--max-budget-usd=2', '--permission-mode=acceptEdits', '--allowedTools', 'Read', 'Bash(git log:*)', '--disallowedTools', 'WebFetch',
      '--append-system-prompt=You are slot-1.']);
    assert.equal(seen.stdin, 'add an add function');
    assert.equal(seen.cwd, s.repo);
    assert.equal(seen.pid, record.pid);
    assert.equal(seen.runId, record.id);
    assert.equal(readFileSync(path.join(s.repo, 'src/add.ts'), 'utf8'), 'export const add = 1;\n');

    const ledger = await readLedger(s.groveDir);
    assert.deepEqual(ledger.map(({ runId, taskId, slot, costMicros, status }) => ({ runId, taskId, slot, costMicros, status })),
      [{ runId: record.id, taskId: 'task-1', slot: 'slot-1', costMicros: 241674, status: 'completed' }]);
    const files = runFiles(s.groveDir, record.id);
    assert.ok(existsSync(files.log) && existsSync(files.entry));
  });

  it('delivers a prompt that starts with "-" and a 300 KiB prompt to the agent intact, on stdin', async () => {
    const s = setup();
    const dashed = '--help me: -p is not a flag here\n';
    const large = 'é'.repeat(10) + 'x'.repeat(300 * 1024) + '\nend';
    for (const prompt of [dashed, large]) {
      const handle = await s.registry.start({ cwd: s.repo, prompt, env: { GROVE_DOUBLE_RECORD_DIR: s.records } });
      assert.equal((await handle.done).status, 'completed');
    }
    const stdins = doubleRecords(s.records).map((record) => record.stdin).sort((a, b) => a.length - b.length);
    assert.deepEqual(stdins, [dashed, large]);
    for (const record of doubleRecords(s.records)) assert.ok(!record.argv.some((arg) => arg.includes('help me') || arg.includes('xxxx')));
  });

  const outcomes: Array<[string, Record<string, string>, Parameters<RunRegistry['start']>[0]['flags'], Partial<RunRecord>, RegExp | null]> = [
    ['not logged in ("subtype":"success" with "is_error":true)', { GROVE_DOUBLE_SCENARIO: 'not-logged-in' }, {},
      { status: 'failed', subtype: 'success', costMicros: 0, exitCode: 1, resultText: 'Not logged in · Please run /login', sessionId: '53c626d6-4431-4212-8cdb-b5b404e7f408' }, /Not logged in/],
    ['the max-turns scenario', { GROVE_DOUBLE_SCENARIO: 'error-max-turns' }, {}, { status: 'failed', subtype: 'error_max_turns', costMicros: 87300, numTurns: 3 }, /max-turns/],
    ['the max-budget scenario', { GROVE_DOUBLE_SCENARIO: 'error-max-budget' }, {}, { status: 'failed', subtype: 'error_max_budget_usd', costMicros: 501200 }, /max-budget-usd/],
    ['--max-turns reached', {}, { maxTurns: 1 }, { status: 'failed', subtype: 'error_max_turns', numTurns: 1 }, /error_max_turns/],
    ['--max-budget-usd reached (cost capped at the budget)', {}, { maxBudgetUsd: 0.1 }, { status: 'failed', subtype: 'error_max_budget_usd', costMicros: 100_000, maxBudgetMicros: 100_000 }, /error_max_budget_usd/],
    ['a success under its budget, with a knob cost', { GROVE_DOUBLE_COST_USD: '0.0000015' }, { maxBudgetUsd: 1 }, { status: 'completed', costMicros: 2 }, null],
    ['a success whose process exits non-zero afterwards', { GROVE_DOUBLE_EXIT_CODE: '3' }, {}, { status: 'completed', exitCode: 3 }, null],
    ['a resumed session', {}, { resume: 'aaaaaaaa-1111-4222-8333-bbbbbbbbbbbb' }, { status: 'completed', sessionId: 'aaaaaaaa-1111-4222-8333-bbbbbbbbbbbb' }, null],
    ['unreadable lines between the real ones', { GROVE_DOUBLE_GARBAGE: '1' }, {}, { status: 'completed', costMicros: 241674 }, null],
  ];
  for (const [what, env, flags, expected, error] of outcomes) {
    it(`maps ${what}`, async () => {
      const { record } = await run(setup(), env, { flags });
      for (const [key, value] of Object.entries(expected)) assert.deepEqual(record[key as keyof RunRecord], value, key);
      if (error) assert.match(record.error ?? '', error);
      else assert.equal(record.error, null);
    });
  }

  it('fails clearly, with the last unreadable line and stderr, when the agent prints only garbage', async () => {
    const s = setup();
    const { record } = await run(s, { GROVE_DOUBLE_GARBAGE: 'only', GROVE_DOUBLE_STDERR: 'warming up\\nfatal: the model exploded' });
    assert.equal(record.status, 'failed');
    assert.equal(record.exitCode, 1);
    assert.equal(record.costMicros, 0);
    assert.match(record.error!, /exited with code 1 and its output has no result line \(3 unreadable lines, last: .*binary/);
    assert.match(record.error!, /stderr: fatal: the model exploded/);
    assert.deepEqual(record.stderrTail, ['warming up', 'fatal: the model exploded']);
    assert.equal((await readLedger(s.groveDir)).length, 1);
  });

  it('fails clearly when the output stops halfway through the result line', async () => {
    const { record } = await run(setup(), { GROVE_DOUBLE_TRUNCATE: '1', GROVE_DOUBLE_EXIT_CODE: '0' });
    assert.equal(record.status, 'failed');
    assert.equal(record.exitCode, 0);
    assert.equal(record.sessionId, '22795ca6-5f0e-4c1b-9a57-3d2f6f0d8e11');
    assert.match(record.error!, /no result line \(1 unreadable line/);
  });

  it('records an agent that exits at once without printing anything as failed, with its exit code', async () => {
    const s = setup();
    const quitter = path.join(s.records, 'quitter');
    writeFileSync(quitter, '#!/bin/sh\necho "boom: no such model" >&2\nexit 3\n');
    chmodSync(quitter, 0o755);
    const handle = await s.registry.start({ cwd: s.repo, prompt: 'hi', agentCommand: quitter });
    const record = await handle.done;
    assert.equal(record.status, 'failed');
    assert.equal(record.exitCode, 3);
    assert.match(record.error!, /exited with code 3 and printed nothing; stderr: boom: no such model/);
  });

  it('records an agent that cannot be executed (missing interpreter) as failed, without holding its slot', async () => {
    const s = setup();
    const broken = path.join(s.records, 'broken');
    writeFileSync(broken, '#!/nonexistent/interpreter\n');
    chmodSync(broken, 0o755);
    for (let i = 0; i < 2; i++) {
      const record = await (await s.registry.start({ cwd: s.repo, prompt: 'hi', agentCommand: broken, slot: 'slot-1' })).done;
      assert.equal(record.status, 'failed');
      assert.equal(record.pid, null);
      assert.match(record.error!, /could not start .*broken.*ENOENT/);
    }
    assert.deepEqual((await readLedger(s.groveDir)).map((line) => [line.status, line.costMicros]), [['failed', 0], ['failed', 0]]);
  });

  it('refuses an agent command that is not on PATH before reserving anything', async () => {
    const s = setup();
    for (const agentCommand of ['grove-no-such-agent', './missing/claude']) {
      await assert.rejects(s.registry.start({ cwd: s.repo, prompt: 'hi', agentCommand, slot: 'slot-1' }), (error: unknown) => {
        assert.ok(isGroveError(error, 'usage'), String(error));
        assert.match(error.message, /not found/);
        assert.match(error.hint!, /--agent/);
        return true;
      });
    }
    assert.deepEqual(await s.registry.list(), []);
  });

  it('refuses an empty prompt and a folder that does not exist', async () => {
    const s = setup();
    await assert.rejects(s.registry.start({ cwd: s.repo, prompt: '  ' }), (error: unknown) => isGroveError(error, 'usage'));
    await assert.rejects(s.registry.start({ cwd: path.join(s.repo, 'nope'), prompt: 'hi' }), (error: unknown) => isGroveError(error, 'usage'));
  });

  it('cancel kills the whole process group, the agent\'s child included, and records the run as cancelled', async () => {
    const s = setup();
    const handle = await s.registry.start({ cwd: s.repo, prompt: 'hang', env: { GROVE_DOUBLE_RECORD_DIR: s.records, GROVE_DOUBLE_HANG: '1', GROVE_DOUBLE_SPAWN_CHILD: '1' } });
    groups.push(handle.snapshot().pid!);
    const texts: string[] = [];
    handle.on('event', (event) => event.type === 'text' && texts.push(event.text));
    await waitFor('the first text', () => texts.length > 0);
    const seen = await waitFor('the double and its child', () => doubleRecords(s.records).find((record) => record.childPid));
    assert.ok(pidRunning(seen.pid) && pidRunning(seen.childPid!));
    await handle.cancel();
    const record = await handle.done;
    assert.equal(record.status, 'cancelled');
    assert.equal(record.sessionId, '22795ca6-5f0e-4c1b-9a57-3d2f6f0d8e11');
    assert.equal(record.exitCode, null);
    assert.ok(!pidRunning(seen.pid), 'the agent is gone');
    assert.ok(!pidRunning(seen.childPid!), 'the agent\'s child is gone');
    assert.deepEqual((await readLedger(s.groveDir)).map((line) => [line.runId, line.status, line.costMicros]), [[record.id, 'cancelled', 0]]);
  });

  it('cancel escalates to SIGKILL for an agent that ignores SIGTERM', async () => {
    const s = setup({ killGraceMs: 300 });
    const handle = await s.registry.start({ cwd: s.repo, prompt: 'hang', env: { GROVE_DOUBLE_RECORD_DIR: s.records, GROVE_DOUBLE_HANG: 'ignore-term', GROVE_DOUBLE_SPAWN_CHILD: '1' } });
    groups.push(handle.snapshot().pid!);
    const seen = await waitFor('the double and its child', () => doubleRecords(s.records).find((record) => record.childPid));
    const record = await s.registry.cancel(handle.id);
    assert.equal(record.status, 'cancelled');
    assert.ok(!pidRunning(seen.pid) && !pidRunning(seen.childPid!));
  });

  it('a hanging agent times out: its group is killed and the run fails, saying so', async () => {
    const s = setup({ killGraceMs: 500 });
    const { record } = await run(s, { GROVE_DOUBLE_HANG: '1', GROVE_DOUBLE_SPAWN_CHILD: '1' }, { timeoutMs: 3_000 });
    const seen = onlyDoubleRecord(s.records);
    assert.equal(record.status, 'failed');
    assert.match(record.error!, /timed out after 0\.05 min/);
    assert.ok(!pidRunning(seen.pid) && !pidRunning(seen.childPid!));
  });

  it('sweeps processes the agent left behind when it exits normally', async () => {
    const s = setup();
    const { record } = await run(s, { GROVE_DOUBLE_SPAWN_CHILD: '1' });
    assert.equal(record.status, 'completed');
    assert.ok(!pidRunning(onlyDoubleRecord(s.records).childPid!));
  });

  it('a host SIGKILLed mid-run: the agent runs on, a new host re-attaches, and the result is recorded once', async function () {
    this.timeout(60_000);
    const s = setup();
    const gate = path.join(s.records, 'gate');
    const host = startHost({ GROVE_DOUBLE_GATE_FILE: gate }, 'start', s.groveDir, s.repo, DOUBLE, 'slot-1');
    const { id, pid } = await nextJson<{ id: string; pid: number }>(host);
    groups.push(pid);
    process.kill(host.pid, 'SIGKILL');
    await waitFor('the host to die', () => !pidRunning(host.pid));
    assert.ok(pidRunning(pid), 'the agent outlived its host');
    assert.equal((await s.registry.get(id))!.status, 'active');

    const { attached, finished } = await s.registry.reconcile();
    assert.deepEqual(finished, []);
    assert.deepEqual(attached.map((handle) => handle.id), [id]);
    const events: RunEvent[] = [];
    attached[0].on('event', (event) => events.push(event));
    writeFileSync(gate, '');
    const record = await attached[0].done;
    assert.equal(record.status, 'completed');
    assert.equal(record.costMicros, 241674);
    assert.equal(record.exitCode, null, 'nobody saw the exit code');
    assert.deepEqual(events.map((event) => event.type), ['init', 'text', 'text', 'finished']);

    const second = new RunRegistry({ groveDir: s.groveDir });
    assert.deepEqual(await second.reconcile(), { attached: [], finished: [] });
    assert.equal((await readLedger(s.groveDir)).filter((line) => line.runId === id).length, 1);
  });

  it('a run that ended while no host watched is finished from its log exactly once, however many reconcile at once', async function () {
    this.timeout(60_000);
    const s = setup();
    const gate = path.join(s.records, 'gate');
    const host = startHost({ GROVE_DOUBLE_GATE_FILE: gate }, 'start', s.groveDir, s.repo, DOUBLE, 'slot-1');
    const { id, pid } = await nextJson<{ id: string; pid: number }>(host);
    process.kill(host.pid, 'SIGKILL');
    await waitFor('the host to die', () => !pidRunning(host.pid));
    writeFileSync(gate, '');
    await waitFor('the agent to end', () => !pidRunning(pid));
    const registries = Array.from({ length: 4 }, () => new RunRegistry({ groveDir: s.groveDir }));
    const results = await Promise.all(registries.map((registry) => registry.reconcile()));
    const finished = results.flatMap((result) => result.finished);
    assert.equal(finished.length, 1);
    assert.equal(finished[0].status, 'completed');
    assert.equal(finished[0].costMicros, 241674);
    assert.deepEqual((await readLedger(s.groveDir)).map((line) => line.runId), [id]);
    // A new run may take the slot now.
    const next = await s.registry.start({ cwd: s.repo, prompt: 'next', slot: 'slot-1' });
    assert.equal((await next.done).status, 'completed');
  });

  it('a dead run with no result line is marked abandoned, reaped inside the reservation that wants its slot', async function () {
    this.timeout(60_000);
    const s = setup();
    const host = startHost({ GROVE_DOUBLE_HANG: '1' }, 'start', s.groveDir, s.repo, DOUBLE, 'slot-1');
    const { id, pid } = await nextJson<{ id: string; pid: number }>(host);
    process.kill(host.pid, 'SIGKILL');
    process.kill(-pid, 'SIGKILL');
    await waitFor('host and agent to die', () => !pidRunning(host.pid) && !pidRunning(pid));
    assert.equal((await s.registry.get(id))!.status, 'active');
    const next = await s.registry.start({ cwd: s.repo, prompt: 'next', slot: 'slot-1' });
    const old = (await s.registry.get(id))!;
    assert.equal(old.status, 'abandoned');
    assert.match(old.error!, /no Grove process was watching/);
    assert.equal((await next.done).status, 'completed');
    assert.deepEqual((await readLedger(s.groveDir)).map((line) => [line.runId, line.status]), [[id, 'abandoned'], [next.id, 'completed']]);
  });

  it('whoever looks enforces the timeout of a run whose host died', async function () {
    this.timeout(60_000);
    const s = setup();
    const host = startHost({ GROVE_DOUBLE_HANG: '1', GROVE_DOUBLE_SPAWN_CHILD: '1', GROVE_DOUBLE_RECORD_DIR: s.records }, 'start', s.groveDir, s.repo, DOUBLE, 'slot-1');
    const { id, pid } = await nextJson<{ id: string; pid: number }>(host);
    groups.push(pid);
    process.kill(host.pid, 'SIGKILL');
    const seen = await waitFor('the double and its child', () => doubleRecords(s.records).find((record) => record.childPid));
    const early = await new RunRegistry({ groveDir: s.groveDir }).reconcile();
    assert.deepEqual(early.attached.map((handle) => handle.id), [id]);
    early.attached[0].detach();
    const later = new RunRegistry({ groveDir: s.groveDir, now: () => new Date(Date.now() + 31 * 60_000) });
    const { attached, finished } = await later.reconcile();
    assert.deepEqual(attached, []);
    assert.deepEqual(finished.map((record) => [record.id, record.status]), [[id, 'failed']]);
    assert.match(finished[0].error!, /timed out after 30 min/);
    assert.ok(!pidRunning(seen.pid) && !pidRunning(seen.childPid!));
  });

  it('allows one active run per slot and per worktree', async () => {
    const s = setup();
    const gate = path.join(s.records, 'gate');
    const first = await s.registry.start({ cwd: s.repo, prompt: 'one', slot: 'slot-1', worktree: 'wt-1', env: { GROVE_DOUBLE_GATE_FILE: gate } });
    groups.push(first.snapshot().pid!);
    for (const taken of [{ slot: 'slot-1', worktree: 'wt-2' }, { slot: 'slot-2', worktree: 'wt-1' }]) {
      await assert.rejects(s.registry.start({ cwd: s.repo, prompt: 'two', ...taken }), (error: unknown) => {
        assert.ok(isGroveError(error, 'unavailable'), String(error));
        assert.match(error.message, new RegExp(`run ${first.id}`));
        assert.match(error.hint!, /grove cancel/);
        return true;
      });
    }
    const other = await s.registry.start({ cwd: s.repo, prompt: 'three', slot: 'slot-2', worktree: 'wt-2' });
    writeFileSync(gate, '');
    assert.equal((await first.done).status, 'completed');
    assert.equal((await other.done).status, 'completed');
    const again = await s.registry.start({ cwd: s.repo, prompt: 'four', slot: 'slot-1', worktree: 'wt-1' });
    assert.equal((await again.done).status, 'completed');
  });

  it('8 processes racing for the same slot, 20 rounds: exactly one winner per round', async function () {
    this.timeout(180_000);
    const s = setup();
    const sleeper = path.join(s.records, 'sleeper');
    writeFileSync(sleeper, '#!/bin/sh\nexec sleep 600\n');
    chmodSync(sleeper, 0o755);
    const hosts = Array.from({ length: 8 }, () => startHost({}, 'race', s.groveDir, s.repo, sleeper, '20'));
    const outcomes: Array<{ round: number; won: boolean; unavailable?: boolean; id?: string; error?: string }> = [];
    await Promise.all(hosts.map(async (host) => {
      for await (const line of host.lines) outcomes.push(JSON.parse(line));
    }));
    const winners = outcomes.filter((outcome) => outcome.won);
    for (const winner of winners) groups.push((await s.registry.get(winner.id!))!.pid!);
    assert.equal(outcomes.length, 160);
    for (let round = 0; round < 20; round++) {
      const inRound = outcomes.filter((outcome) => outcome.round === round);
      assert.equal(inRound.filter((outcome) => outcome.won).length, 1, `round ${round}`);
      assert.ok(inRound.filter((outcome) => !outcome.won).every((outcome) => outcome.unavailable), JSON.stringify(inRound));
    }
    const active = (await s.registry.list()).filter((record) => record.status === 'active');
    assert.equal(active.length, 20);
    for (const record of active) assert.equal((await s.registry.cancel(record.id)).status, 'cancelled');
    for (const record of active) assert.equal(await liveness({ pid: record.pid!, startTime: record.pidStartTime, bootId: record.bootId }), 'dead');
  });

  it('attach gives a terminal run\'s record at once, and refuses an unknown id', async () => {
    const s = setup();
    const { record } = await run(s);
    const other = new RunRegistry({ groveDir: s.groveDir });
    assert.deepEqual(await (await other.attach(record.id)).done, record);
    await assert.rejects(other.attach('run-nope'), (error: unknown) => isGroveError(error, 'usage'));
    await assert.rejects(other.cancel('../etc'), (error: unknown) => isGroveError(error, 'usage'));
  });

  it('expires terminal entries and their files after 7 days, keeping younger ones', async () => {
    const s = setup();
    const { record } = await run(s);
    const files = runFiles(s.groveDir, record.id);
    const at = (days: number) => new RunRegistry({ groveDir: s.groveDir, now: () => new Date(Date.parse(record.endedAt!) + days * 86_400_000) });
    await at(6.9).reconcile();
    assert.ok(existsSync(files.entry) && existsSync(files.log));
    await at(7.1).reconcile();
    for (const file of Object.values(files)) assert.ok(!existsSync(file), file);
    assert.deepEqual(await at(7.1).list(), []);
    assert.equal((await readLedger(s.groveDir)).length, 1, 'spend is never expired');
  });
});
