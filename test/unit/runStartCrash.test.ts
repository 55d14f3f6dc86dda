import { strict as assert } from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { locateRepository } from '../../src/core/git/repository';
import { readLedger } from '../../src/core/store/spendLedger';
import { killLeftoverAgents, liveRecords, trackAgents } from '../helpers/doubleAgents';
import { CLI_PATH, cleanupTempDirs, createRepo, runCli, tempDir } from '../helpers/tempRepo';
import { DOUBLE, pidRunning, waitFor, type DoubleRecord } from '../helpers/claudeDouble';
import { flagValue } from '../helpers/engineHarness';

/**
 * Issue 9, item 2: a `grove run` host SIGKILLed anywhere between holding the budget and writing
 * its run's entry. Every agent that really started (the double leaves a record file per
 * process) must be recorded exactly once, its cost counted once, and its hold kept until then.
 */

/** Where the host can be stopped for the kill (see src/core/util/testPause.ts). */
const POINTS = ['engine:admitted', 'engine:reserved', 'run:starting', 'run:spawned'];
const COST_MICROS = 50_000;

interface Setup {
  repo: string;
  groveDir: string;
  records: string;
  pauses: string;
  env: Record<string, string>;
}

async function setup(extra: Record<string, string> = {}): Promise<Setup> {
  const repo = createRepo();
  const records = trackAgents(tempDir('grove-records-'));
  const pauses = tempDir('grove-pauses-');
  const env = { GROVE_AGENT_COMMAND: DOUBLE, GROVE_DOUBLE_RECORD_DIR: records, GROVE_TEST_PAUSE_DIR: pauses, GROVE_SLOTS: '4', ...extra };
  return { repo, groveDir: (await locateRepository(repo)).groveDir, records, pauses, env };
}

function startHost(s: Setup, prompt: string, env: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, [CLI_PATH, 'run', prompt], { cwd: s.repo, env: { ...process.env, ...s.env, ...env }, stdio: 'ignore' });
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/** Kills the host once it reports the pause point (or, with no point, after `delayMs`); resolves when it is gone. */
async function killAt(s: Setup, child: ChildProcess, point: string | null, delayMs: number): Promise<'paused' | 'killed' | 'finished'> {
  let how: 'paused' | 'killed' | 'finished' = 'finished';
  if (point) {
    const marker = `${point}.${child.pid}`;
    const reached = await Promise.race([
      waitFor(`host ${child.pid} to reach ${point}`, () => readdirSync(s.pauses).includes(marker), 60_000).then(() => true),
      exited(child).then(() => false),
    ]);
    if (reached) how = 'paused';
  } else {
    const ended = await Promise.race([new Promise((resolve) => setTimeout(() => resolve(false), delayMs)), exited(child).then(() => true)]);
    if (!ended) how = 'killed';
  }
  child.kill('SIGKILL');
  await exited(child);
  return how;
}

async function allAgentsGone(s: Setup): Promise<DoubleRecord[]> {
  // An agent spawned just before the kill may not have written its record yet.
  await new Promise((resolve) => setTimeout(resolve, 500));
  await waitFor('every agent to exit', () => liveRecords(s.records).every((record) => !pidRunning(record.pid)), 60_000);
  return liveRecords(s.records);
}

async function cliJson<T>(s: Setup, args: string[]): Promise<T> {
  const result = await runCli(args, { cwd: s.repo, env: s.env });
  assert.equal(result.code, 0, `grove ${args.join(' ')}: ${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}

interface RunJson { id: string; status: string; costMicros: number }

/** The double's cost for one process: its knob, capped by the --max-budget-usd it was given. */
function agentCost(record: DoubleRecord, knobMicros: number): number {
  const budget = flagValue(record.argv, '--max-budget-usd');
  return budget === undefined ? knobMicros : Math.min(knobMicros, Math.round(Number(budget) * 1e6));
}

/**
 * Looked at while the killed host's agent may still run: a live agent's run is on record and not
 * finished: adopted (active), never missing. Returns how many live agents it saw.
 */
async function assertLiveAgentsFindable(s: Setup, label: string): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, 300));
  const runs = await cliJson<RunJson[]>(s, ['runs', '--json']);
  let seen = 0;
  for (const agent of liveRecords(s.records)) {
    if (agent.endedAt !== null || !pidRunning(agent.pid)) continue;
    const run = runs.find((candidate) => candidate.id === agent.runId);
    // It may have ended between the look and this check: then it is recorded, which is fine too.
    if (run?.status === 'completed' && !pidRunning(agent.pid)) continue;
    assert.ok(run, `${label}: the live agent ${agent.pid} (run ${agent.runId}) is not on record`);
    // Its host is dead, so the look must have adopted the agent (found by its run id), not left it starting.
    assert.ok(run.status === 'active' || !pidRunning(agent.pid), `${label}: run ${run.id} is ${run.status} while its agent runs`);
    seen += 1;
  }
  return seen;
}

/** Every agent recorded exactly once with its cost; the ledger counts each run once; no hold is left. */
async function assertEveryAgentRecordedOnce(s: Setup, knobMicros: number, label: string): Promise<{ agents: number; runs: number; ledgerMicros: number }> {
  const agents = await allAgentsGone(s);
  // Several lookers at once: recording must stay exactly-once whoever gets there first.
  const [runs] = await Promise.all([cliJson<RunJson[]>(s, ['runs', '--json']), cliJson(s, ['runs', '--json']), cliJson(s, ['budget', '--json'])]);
  for (const agent of agents) {
    assert.ok(agent.runId, `${label}: agent ${agent.pid} had no GROVE_RUN_ID`);
    const matching = runs.filter((run) => run.id === agent.runId);
    assert.equal(matching.length, 1, `${label}: agent ${agent.pid} (run ${agent.runId}) is recorded ${matching.length} times`);
    // The double fails with error_max_budget_usd when its cost knob is over its hold.
    const expectedStatus = agentCost(agent, knobMicros) < knobMicros ? 'failed' : 'completed';
    assert.equal(matching[0].status, expectedStatus, `${label}: run ${agent.runId} is ${matching[0].status}`);
    assert.equal(matching[0].costMicros, agentCost(agent, knobMicros), `${label}: run ${agent.runId} cost`);
  }
  for (const run of runs) assert.ok(!['starting', 'active'].includes(run.status), `${label}: run ${run.id} is still ${run.status} with no agent alive`);
  const ledger = await readLedger(s.groveDir);
  const perRun = new Map<string, number>();
  for (const line of ledger) perRun.set(line.runId, (perRun.get(line.runId) ?? 0) + 1);
  for (const [runId, count] of perRun) assert.equal(count, 1, `${label}: run ${runId} has ${count} ledger lines`);
  const expected = agents.reduce((sum, agent) => sum + agentCost(agent, knobMicros), 0);
  const ledgerMicros = ledger.reduce((sum, line) => sum + line.costMicros, 0);
  assert.equal(ledgerMicros, expected, `${label}: the ledger has ${ledgerMicros} µ$, the agents spent ${expected} µ$`);
  const budget = await cliJson<{ spentMicros: number; reservedMicros: number }>(s, ['budget', '--json']);
  assert.equal(budget.spentMicros, expected, `${label}: grove budget says ${budget.spentMicros} µ$ spent`);
  assert.equal(budget.reservedMicros, 0, `${label}: ${budget.reservedMicros} µ$ still held with every agent gone`);
  return { agents: agents.length, runs: runs.length, ledgerMicros };
}

describe('grove run SIGKILLed between holding the budget and writing the run entry (issue 9, item 2)', function () {
  this.timeout(900_000);
  afterEach(() => {
    killLeftoverAgents();
    cleanupTempDirs();
  });

  it('every agent that started is recorded exactly once and its cost counted once, over many rounds of kills', async () => {
    const s = await setup({ GROVE_DOUBLE_COST_USD: String(COST_MICROS / 1e6), GROVE_DOUBLE_DELAY_MS: '1500' });
    const rounds = Number(process.env.GROVE_CRASH_ROUNDS ?? 25);
    const outcomes: string[] = [];
    let adopted = 0;
    for (let round = 0; round < rounds; round++) {
      // Four rounds in five stop the host at a precise point; the fifth kills it after a random delay.
      const point = round % 5 === 4 ? null : POINTS[round % 5];
      const child = startHost(s, `round ${round}`, point ? { GROVE_TEST_PAUSE_AT: point } : {});
      const how = await killAt(s, child, point, 100 + Math.floor(Math.random() * 1500));
      outcomes.push(`${point ?? 'random'}:${how}`);
      adopted += await assertLiveAgentsFindable(s, `round ${round}`);
      await assertEveryAgentRecordedOnce(s, COST_MICROS, `round ${round} (${point ?? 'random delay'}, ${how})`);
    }
    const figures = await assertEveryAgentRecordedOnce(s, COST_MICROS, 'at the end');
    process.stderr.write(`      ${rounds} rounds: ${figures.agents} agents started (${adopted} seen alive and adopted), ${figures.runs} runs recorded, ledger ${figures.ledgerMicros} µ$\n`);
    process.stderr.write(`      ${outcomes.join(' ')}\n`);
    assert.ok(outcomes.filter((o) => o === 'run:spawned:paused').length >= Math.floor(rounds / 5), `too few kills right after the spawn: ${outcomes}`);
    assert.ok(figures.agents >= outcomes.filter((o) => o === 'run:spawned:paused').length);
  });

  it('kills mid-start never let spend go over the cap: a killed run\'s hold stays while its agent runs', async () => {
    // $1 cap, 4 slots: each task holds $0.25 and the double caps its cost at that (--max-budget-usd).
    const gate = path.join(tempDir('grove-gate-'), 'open');
    const s = await setup({ GROVE_DOUBLE_COST_USD: '0.30', GROVE_DOUBLE_GATE_FILE: gate });
    assert.equal((await runCli(['budget', '--set', '1'], { cwd: s.repo, env: s.env })).code, 0);
    // Hosts killed before any agent exists must give their hold back; killed after the spawn, keep it.
    for (const point of ['engine:admitted', 'engine:reserved', 'run:starting', 'run:spawned', 'run:spawned', 'run:spawned', 'run:spawned']) {
      assert.equal(await killAt(s, startHost(s, point, { GROVE_TEST_PAUSE_AT: point }), point, 0), 'paused');
    }
    await waitFor('four agents', () => liveRecords(s.records).length === 4, 30_000);
    const during = await cliJson<{ spentMicros: number; reservedMicros: number }>(s, ['budget', '--json']);
    assert.equal(during.reservedMicros + during.spentMicros, 1_000_000, `four live agents hold the whole cap: ${JSON.stringify(during)}`);
    // While the four killed runs' agents still run, the cap is fully held: new tasks are refused
    // (with more slots, so that they do not just wait for one of the four held ones).
    const moreSlots = { GROVE_SLOTS: '8' };
    const refused = await Promise.all([0, 1, 2].map(async (n) => {
      const child = startHost(s, `more ${n}`, moreSlots);
      return `${await killAt(s, child, null, 30_000)}:${child.exitCode}`;
    }));
    assert.deepEqual(refused, ['finished:5', 'finished:5', 'finished:5'], 'admitted past a cap that live agents hold');
    // Random-delay kills on top, while the gate is still shut.
    const killed = await Promise.all([0, 1, 2].map((n) => killAt(s, startHost(s, `random ${n}`, moreSlots), null, 100 + Math.floor(Math.random() * 700))));
    writeFileSync(gate, '');
    const figures = await assertEveryAgentRecordedOnce(s, 300_000, 'after the gate opened');
    process.stderr.write(`      budget: ${figures.agents} agents, ${figures.runs} runs, spent ${figures.ledgerMicros} µ$ of 1000000 (random kills: ${killed})\n`);
    assert.ok(figures.ledgerMicros <= 1_000_000, `spent ${figures.ledgerMicros} µ$ over the $1 cap`);
    assert.equal(figures.agents, 4, 'only the four agents that fit under the cap ever started');
    // Once recorded, the money is spent and nothing more is held.
    const after = await runCli(['run', 'after'], { cwd: s.repo, env: { ...s.env, ...moreSlots } });
    assert.equal(after.code, 5, after.stderr);
  });
});
