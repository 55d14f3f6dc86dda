import { strict as assert } from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, readdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { findRunProcesses } from '../../src/core/agents/agentFinder';
import { RunRegistry } from '../../src/core/agents/runRegistry';
import { Budget } from '../../src/core/engine/budget';
import { RegistryLauncher } from '../../src/core/engine/registryLauncher';
import { locateRepository } from '../../src/core/git/repository';
import { killLeftoverAgents, liveRecords, trackAgents } from '../helpers/doubleAgents';
import { CLI_PATH, cleanupTempDirs, createRepo, runCli, tempDir } from '../helpers/tempRepo';
import { DOUBLE, pidRunning, waitFor } from '../helpers/claudeDouble';

/** How a `starting` run is found again: the agent by its run id, and what the finder must not mistake for it. */
describe('finding the agent of a run whose host died before recording its pid', function () {
  this.timeout(120_000);
  const started: { child: ChildProcess; detached: boolean }[] = [];
  // Unique per test run: a process another run of this test left behind must not be found.
  const tag = `${process.pid}-${Date.now()}`;
  const X = `run-x-${tag}`;
  const X2 = `run-x2-${tag}`;
  const Y = `run-y-${tag}`;
  afterEach(() => {
    killLeftoverAgents();
    for (const { child, detached } of started.splice(0)) {
      try {
        // The detached ones lead a group (with what they left behind); the others only themselves.
        if (detached && child.pid) process.kill(-child.pid, 'SIGKILL');
        else child.kill('SIGKILL');
      } catch {
        // already gone
      }
    }
    cleanupTempDirs();
  });

  function sleeper(o: { env?: Record<string, string>; stdout?: number; detached: boolean; leaveChild?: boolean }): ChildProcess {
    const code = o.leaveChild
      ? "require('child_process').spawn(process.execPath, ['-e', 'setInterval(() => {}, 1e9)'], { stdio: 'ignore', env: process.env }); setTimeout(() => process.exit(0), 200)"
      : 'setInterval(() => {}, 1e9)';
    const child = spawn(process.execPath, ['-e', code], { env: { ...process.env, ...o.env }, detached: o.detached, stdio: ['ignore', o.stdout ?? 'ignore', 'ignore'] });
    started.push({ child, detached: o.detached });
    return child;
  }

  it('finds the agent (leads its group, carries GROVE_RUN_ID), and tells a reader of the log and leftovers apart', async () => {
    const dir = tempDir('grove-finder-');
    const log = path.join(dir, `${X}.jsonl`);
    writeFileSync(log, '');
    assert.deepEqual(await findRunProcesses(X, log), { leader: null, orphanGroups: [], logHolders: [] });
    // A process holding the log without the run id (a fork before its exec, or someone reading it).
    const reader = sleeper({ stdout: openSync(log, 'a'), detached: false });
    await waitFor('the reader', async () => (await findRunProcesses(X, log))!.logHolders.includes(reader.pid!));
    assert.equal((await findRunProcesses(X, log))!.leader, null);
    // The agent: detached, run id in its environment, stdout on the log.
    const agent = sleeper({ env: { GROVE_RUN_ID: X }, stdout: openSync(log, 'a'), detached: true });
    const found = await waitFor('the agent', async () => (await findRunProcesses(X, log))!.leader);
    assert.equal(found!.pid, agent.pid);
    // Another run's id, or a run id that merely starts the same, is not this run.
    sleeper({ env: { GROVE_RUN_ID: X2 }, detached: true });
    assert.equal((await findRunProcesses(X2, path.join(dir, 'none.jsonl')))!.leader !== null, true);
    assert.equal((await findRunProcesses(X, log))!.leader!.pid, agent.pid);
  });

  it('reports what an agent that is gone left behind, by process group', async () => {
    const dir = tempDir('grove-finder-');
    const log = path.join(dir, `${Y}.jsonl`);
    writeFileSync(log, '');
    const agent = sleeper({ env: { GROVE_RUN_ID: Y }, detached: true, leaveChild: true });
    await waitFor('the agent to exit', () => !pidRunning(agent.pid!));
    const found = await waitFor('its leftover', async () => {
      const now = (await findRunProcesses(Y, log))!;
      return now.orphanGroups.length > 0 && now;
    });
    assert.equal(found.leader, null);
    assert.deepEqual(found.orphanGroups, [agent.pid]);
  });

  it('grove runs adopts a live agent whose host was killed right after the spawn: it holds its budget and can be cancelled', async () => {
    const repo = createRepo();
    const records = trackAgents(tempDir('grove-records-'));
    const pauses = tempDir('grove-pauses-');
    const gate = path.join(tempDir('grove-gate-'), 'open');
    const env = { GROVE_AGENT_COMMAND: DOUBLE, GROVE_DOUBLE_RECORD_DIR: records, GROVE_DOUBLE_GATE_FILE: gate, GROVE_DOUBLE_COST_USD: '0.10' };
    assert.equal((await runCli(['budget', '--set', '2'], { cwd: repo, env })).code, 0);
    const host = spawn(process.execPath, [CLI_PATH, 'run', 'adopt me'], {
      cwd: repo, env: { ...process.env, ...env, GROVE_TEST_PAUSE_DIR: pauses, GROVE_TEST_PAUSE_AT: 'run:spawned' }, stdio: 'ignore',
    });
    await waitFor('the host to pause after the spawn', () => readdirSync(pauses).length > 0);
    const agent = await waitFor('the agent', () => liveRecords(records)[0]);
    host.kill('SIGKILL');
    await new Promise((resolve) => host.once('exit', resolve));
    const runs = JSON.parse((await runCli(['runs', '--json'], { cwd: repo, env })).stdout) as { id: string; status: string; pid: number | null }[];
    assert.equal(runs.length, 1);
    assert.deepEqual([runs[0].id, runs[0].status, runs[0].pid], [agent.runId, 'active', agent.pid]);
    const budget = JSON.parse((await runCli(['budget', '--json'], { cwd: repo, env })).stdout) as { spentMicros: number; reservedMicros: number };
    assert.deepEqual(budget, { capMicros: 2_000_000, spentMicros: 0, reservedMicros: 500_000 });
    const cancelled = await runCli(['cancel', agent.runId!], { cwd: repo, env });
    assert.equal(cancelled.code, 0, cancelled.stderr);
    assert.match(cancelled.stdout, /cancelled/);
    await waitFor('the agent to die', () => !pidRunning(agent.pid));
    const after = JSON.parse((await runCli(['budget', '--json'], { cwd: repo, env })).stdout) as { reservedMicros: number };
    assert.equal(after.reservedMicros, 0);
  });

  it('a long-lived engine that never reconciles: a starting run of a dead host holds money only if its agent exists', async () => {
    const repo = createRepo();
    const records = trackAgents(tempDir('grove-records-'));
    const pauses = tempDir('grove-pauses-');
    const gate = path.join(tempDir('grove-gate-'), 'open');
    const env = { GROVE_AGENT_COMMAND: DOUBLE, GROVE_DOUBLE_RECORD_DIR: records, GROVE_DOUBLE_GATE_FILE: gate, GROVE_TEST_PAUSE_DIR: pauses };
    assert.equal((await runCli(['budget', '--set', '2'], { cwd: repo, env })).code, 0);
    const groveDir = (await locateRepository(repo)).groveDir;
    // What an engine that started before these hosts died sees: no reconcile, only its budget's judgement.
    const registry = new RunRegistry({ groveDir });
    const budget = new Budget({ groveDir, runs: new RegistryLauncher(registry) });
    // (The second host's engine reconciles on start and adopts the first one's agent.)
    for (const point of ['run:spawned', 'run:starting']) {
      const host = spawn(process.execPath, [CLI_PATH, 'run', point], { cwd: repo, env: { ...process.env, ...env, GROVE_TEST_PAUSE_AT: point }, stdio: 'ignore' });
      await waitFor(`the host at ${point}`, () => readdirSync(pauses).some((name) => name === `${point}.${host.pid}`));
      host.kill('SIGKILL');
      await new Promise((resolve) => host.once('exit', resolve));
    }
    await waitFor('the one agent', () => liveRecords(records).length === 1);
    const statuses = (await registry.list()).map((run) => run.status);
    assert.deepEqual(statuses, ['active', 'starting'], 'nobody recorded the second one yet');
    // Only the run whose agent exists still holds its $0.50.
    assert.equal((await budget.status()).reservedMicros, 500_000);
    writeFileSync(gate, '');
  });
});

