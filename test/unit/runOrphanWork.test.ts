import { strict as assert } from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { killLeftoverAgents, liveRecords, trackAgents } from '../helpers/doubleAgents';
import { CLI_PATH, cleanupTempDirs, createRepo, git, runCli, tempDir } from '../helpers/tempRepo';
import { DOUBLE, pidRunning, waitFor, type DoubleRecord } from '../helpers/claudeDouble';

/**
 * Issue 9, item 10: after `grove run` is SIGKILLed, the files its agent leaves must end up under
 * the task's lease (`grove:task-<id>`), exactly as a live engine would have left them; a clean
 * worktree goes back to the pool. Whoever records the run applies the rule.
 */

interface StatusJson { name: string; path: string; state: string; holder: string | null; dirty: boolean }
interface RunJson { id: string; taskId: string | null; worktree: string | null; status: string }

function setup() {
  const repo = createRepo();
  const records = trackAgents(tempDir('grove-records-'));
  const gate = path.join(tempDir('grove-gate-'), 'open');
  const env = { GROVE_AGENT_COMMAND: DOUBLE, GROVE_DOUBLE_RECORD_DIR: records, GROVE_DOUBLE_GATE_FILE: gate };
  return { repo, records, gate, env };
}

type Setup = ReturnType<typeof setup>;

async function cliJson<T>(s: Setup, args: string[]): Promise<T> {
  const result = await runCli(args, { cwd: s.repo, env: s.env });
  assert.equal(result.code, 0, `grove ${args.join(' ')}: ${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}

function startHost(s: Setup, prompt: string, env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, [CLI_PATH, 'run', prompt], { cwd: s.repo, env: { ...process.env, ...s.env, ...env }, stdio: 'ignore' });
}

/** Starts `grove run`, waits for its agent to be running (held at the gate), and SIGKILLs the host. */
async function killedMidRun(s: Setup, prompt: string, env: Record<string, string> = {}): Promise<DoubleRecord> {
  const before = liveRecords(s.records).length;
  const host = startHost(s, prompt, env);
  const agent = await waitFor('the agent to start', () => liveRecords(s.records).length > before && liveRecords(s.records).find((r) => r.stdin === prompt));
  host.kill('SIGKILL');
  await new Promise((resolve) => host.once('exit', resolve));
  return agent;
}

async function agentsGone(s: Setup): Promise<void> {
  await waitFor('the agents to exit', () => liveRecords(s.records).every((record) => !pidRunning(record.pid)), 30_000);
}

describe('the work of a SIGKILLed grove run is kept under its task\'s lease (issue 9, item 10)', function () {
  this.timeout(300_000);
  afterEach(() => {
    killLeftoverAgents();
    cleanupTempDirs();
  });

  it('files the agent wrote after its host died end up leased to grove:task-<id>; a clean worktree goes back to the pool', async () => {
    const s = setup();
    const rounds = 3;
    for (let round = 0; round < rounds; round++) {
      rmGate(s);
      const dirty = await killedMidRun(s, `dirty ${round}`, { GROVE_DOUBLE_WRITE_FILE: `left-${round}.txt=work of round ${round}\n` });
      const clean = await killedMidRun(s, `clean ${round}`);
      // The host is gone; the agents write their files (or not) and exit.
      writeFileSync(s.gate, '');
      await agentsGone(s);
      // The next grove command records both runs, and with them keeps the work.
      const runs = await cliJson<RunJson[]>(s, ['runs', '--json']);
      const status = await cliJson<StatusJson[]>(s, ['status', '--json']);
      const dirtyRun = runs.find((run) => run.id === dirty.runId)!;
      const cleanRun = runs.find((run) => run.id === clean.runId)!;
      assert.equal(dirtyRun.status, 'completed');
      assert.equal(cleanRun.status, 'completed');
      const kept = status.find((worktree) => worktree.name === dirtyRun.worktree)!;
      assert.equal(kept.path, dirty.cwd);
      assert.equal(readFileSync(path.join(kept.path, `left-${round}.txt`), 'utf8'), `work of round ${round}\n`);
      assert.equal(kept.state, 'leased', `round ${round}: the worktree with the agent's file is ${kept.state} (${JSON.stringify(kept)})`);
      assert.equal(kept.holder, `grove:${dirtyRun.taskId}`);
      const back = status.find((worktree) => worktree.name === cleanRun.worktree)!;
      assert.equal(back.state, 'available', `round ${round}: the clean worktree is ${back.state} (${JSON.stringify(back)})`);
      assert.equal(back.holder, null);
      // Asking again changes nothing: the rule is applied once.
      await cliJson(s, ['runs', '--json']);
      const again = await cliJson<StatusJson[]>(s, ['status', '--json']);
      assert.equal(again.find((worktree) => worktree.name === kept.name)!.holder, kept.holder);
      // The kept work is returned like any task's: the person decides.
      assert.equal((await runCli(['return', kept.name, '--force'], { cwd: s.repo, env: s.env })).code, 0);
      assert.ok(!existsSync(path.join(kept.path, `left-${round}.txt`)));
      assert.ok(git(s.repo, 'for-each-ref', 'refs/grove/parked/').length > 0, 'the forced return parked the file');
    }
  });

  it('an engine that re-attached to the killed run keeps its work when the agent ends', async () => {
    const s = setup();
    const orphan = await killedMidRun(s, 'orphan', { GROVE_DOUBLE_WRITE_FILE: 'orphan.txt' });
    // A new grove run re-attaches to the orphan's agent while running its own (longer) task.
    const next = startHost(s, 'next', { GROVE_DOUBLE_DELAY_MS: '3000' });
    await waitFor('the second agent', () => liveRecords(s.records).find((record) => record.stdin === 'next'));
    writeFileSync(s.gate, '');
    await new Promise((resolve) => next.once('exit', resolve));
    await agentsGone(s);
    // No grove command recorded it since: the engine that re-attached did, and kept the work.
    const status = JSON.parse((await runCli(['status', '--json'], { cwd: s.repo, env: s.env })).stdout) as StatusJson[];
    const kept = status.find((worktree) => worktree.path === orphan.cwd)!;
    assert.ok(existsSync(path.join(orphan.cwd, 'orphan.txt')));
    assert.equal(kept.state, 'leased', JSON.stringify(kept));
    assert.match(kept.holder ?? '', /^grove:task-/);
  });
});

function rmGate(s: Setup): void {
  rmSync(s.gate, { force: true });
}
