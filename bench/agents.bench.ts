/**
 * Agent runner overhead: the zero-delay Claude CLI double run through RunRegistry (reserve a
 * slot under the lock, prompt file, detached spawn, tail, record under the lock: ledger line +
 * atomic entry) against spawning the same double directly (stdin from a file, stdout to a file,
 * wait for exit), alternating A/B so both see the same machine load. Then the time from the
 * agent writing its `result` line to the run being recorded, for the starting host (it hears the
 * exit) and for a re-attached host (it polls liveness).
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RunRegistry } from '../src/core/agents';
import { median, percentile, type BenchReport } from './run';

export const title = 'Agent runs (runner overhead)';

const DOUBLE = path.resolve(__dirname, '../test/fixtures/claude-double/claude');
const RUNS = Number(process.env.GROVE_BENCH_AGENT_RUNS ?? 200);
const ATTACHED_RUNS = 20;

export async function run(): Promise<BenchReport> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'grove-bench-agents-'));
  try {
    const cwd = path.join(root, 'work');
    const records = path.join(root, 'records');
    for (const dir of [cwd, records]) mkdirSync(dir, { recursive: true });
    const groveDir = path.join(root, 'grove');
    const registry = new RunRegistry({ groveDir, agentCommand: DOUBLE });
    const env = { GROVE_DOUBLE_RECORD_DIR: records };

    const direct: number[] = [];
    const runner: number[] = [];
    const resultToRecorded: number[] = [];
    const resultToExitDirect: number[] = [];
    const startCall: number[] = [];
    // Warm up the file cache and the lock folder.
    await spawnDirect(cwd, root, env);
    await (await registry.start({ cwd, prompt: 'warm up', env, slot: 'slot-1' })).done;
    for (let i = 0; i < RUNS; i++) {
      let started = performance.now();
      const { pid, exitedAt } = await spawnDirect(cwd, root, env);
      direct.push(performance.now() - started);
      resultToExitDirect.push(exitedAt - doubleResultTime(records, pid));

      started = performance.now();
      const handle = await registry.start({ cwd, prompt: `task ${i}`, env, slot: 'slot-1' });
      startCall.push(performance.now() - started);
      const record = await handle.done;
      const recordedAt = Date.now();
      runner.push(performance.now() - started);
      resultToRecorded.push(recordedAt - doubleResultTime(records, record.pid!));
    }

    const attached: number[] = [];
    for (let i = 0; i < ATTACHED_RUNS; i++) {
      const gate = path.join(root, `gate-${i}`);
      const starter = await registry.start({ cwd, prompt: `attached ${i}`, env: { ...env, GROVE_DOUBLE_GATE_FILE: gate } });
      starter.detach();
      const handle = await new RunRegistry({ groveDir }).attach(starter.id);
      writeFileSync(gate, '');
      const record = await handle.done;
      attached.push(Date.now() - doubleResultTime(records, record.pid!));
    }

    const extra = runner.map((ms, i) => ms - direct[i]);
    const row = (name: string, values: number[]) =>
      `| ${name} | ${median(values).toFixed(1)} | ${percentile(values, 90).toFixed(1)} | ${percentile(values, 99).toFixed(1)} |`;
    const markdown = [
      `${RUNS} runs of the zero-delay double (\`test/fixtures/claude-double/claude\`, a Node script replaying the`,
      `success fixture), alternating: spawned directly (stdin from a file, stdout to a file, wait for exit) vs through`,
      `\`RunRegistry.start\` + \`await handle.done\` (slot reserved under the pool lock, detached spawn, log tailed,`,
      `ledger line + atomic registry entry written under the lock). The registry folder grows to ${RUNS + 1} runs during the bench.`,
      '',
      '| ms per run | median | p90 | p99 |',
      '|---|---:|---:|---:|',
      row('spawn the double directly', direct),
      row('through the runner', runner),
      row('**extra per run** (runner − direct, paired)', extra),
      row('`RunRegistry.start()` call alone (returns while the agent runs)', startCall),
      row('agent\'s `result` line → exit heard (direct spawn, for reference: the agent\'s own shutdown)', resultToExitDirect),
      row('agent\'s `result` line → run recorded (starting host)', resultToRecorded),
      row(`agent's \`result\` line → run recorded (re-attached host, ${ATTACHED_RUNS} runs)`, attached),
      '',
      `Target: under 20 ms extra per run (median): **${median(extra) < 20 ? 'met' : 'NOT met'}** (${median(extra).toFixed(1)} ms;`,
      `ratio runner/direct ${(median(runner) / median(direct)).toFixed(2)}×).`,
    ].join('\n');
    return { markdown, data: { runs: RUNS, direct, runner, extra, startCall, resultToExitDirect, resultToRecorded, attached, medianExtraMs: median(extra) } };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

function spawnDirect(cwd: string, root: string, env: Record<string, string>): Promise<{ pid: number; exitedAt: number }> {
  const promptFile = path.join(root, 'direct.prompt');
  writeFileSync(promptFile, 'direct');
  const stdin = openSync(promptFile, 'r');
  const stdout = openSync(path.join(root, 'direct.jsonl'), 'w');
  try {
    const child = spawn(DOUBLE, ['-p', '--output-format', 'stream-json', '--verbose'], { cwd, env: { ...process.env, ...env }, stdio: [stdin, stdout, 'ignore'] });
    return new Promise((resolve, reject) => {
      child.on('error', reject);
      child.on('exit', () => resolve({ pid: child.pid!, exitedAt: Date.now() }));
    });
  } finally {
    closeSync(stdin);
    closeSync(stdout);
  }
}

/** When the double wrote its result line (it records the time right after the write). */
function doubleResultTime(records: string, pid: number): number {
  const file = readdirSync(records).find((name) => name === `${pid}.json`);
  if (!file) throw new Error(`the double left no record for pid ${pid}`);
  const endedAt = (JSON.parse(readFileSync(path.join(records, file), 'utf8')) as { endedAt: number | null }).endedAt;
  if (!endedAt) throw new Error(`pid ${pid} never wrote its result`);
  return endedAt;
}
