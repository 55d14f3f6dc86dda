import { promises as fs } from 'node:fs';
import { GroveError } from '../errors';
import { silentLogger, type Logger } from '../logger';
import { readJson } from '../store/atomicJson';
import { withLock, type LockContext } from '../store/lock';
import { appendSpend } from '../store/spendLedger';
import { currentBootId, identify, identifySelf, liveness, type Liveness } from '../util/liveness';
import { pausePoint } from '../util/testPause';
import { budgetMicros } from './agentArgs';
import { prepareAgentRun, type StoredAgentSpec } from './agentRun';
import { commandForKind, type AgentKind } from './adapters';
import { DEFAULT_RATE_LIMIT_MS, markRateLimited } from './rateLimits';
import type { MicroPrice } from './prices';
import { DEFAULT_AGENT_COMMAND, resolveAgentCommand } from './agentCommand';
import { checkStartOptions, spawnAgent } from './agentSpawn';
import { LiveRun, type RunCoordinator } from './liveRun';
import { DEFAULT_KILL_GRACE_MS, killGroup } from './processGroup';
import { RunEntries } from './runEntries';
import { checkRunId, isTerminal, newRunId, runFiles, runsDir, toRecord, type RunEntry, type RunFiles } from './runFiles';
import { decideOutcome, NOT_OBSERVED, parseLogFile, readStderrTail, type ExitObservation } from './runOutcome';
import { judgeStarting } from './startingRuns';
import { keepOrphanedWork, needsWorkKept, type WorkKeeper, type WorkKeeping } from './workKeeping';

export type { WorkKeeper } from './workKeeping';
import type { RunHandle, RunRecord, StartRunOptions } from './types';

export const DEFAULT_TIMEOUT_MS = 30 * 60_000;
/** Terminal entries (and their logs) are kept this long, then removed by reconcile. */
export const TERMINAL_RETENTION_MS = 7 * 24 * 60 * 60_000;
const MAX_KEPT_ARG = 200;

export interface RunRegistryOptions {
  groveDir: string;
  logger?: Logger;
  now?: () => Date;
  /** Between SIGTERM and SIGKILL on cancel and timeout (default 5 s). */
  killGraceMs?: number;
  /** Used when a start names none (default `claude`). */
  agentCommand?: string;
  /** Without it, runs are recorded but the work of runs whose engine died is left where it is. */
  workKeeper?: WorkKeeper;
  /** The price table metering uses when a start names none (default: the shipped one). */
  prices?: Record<string, MicroPrice>;
}

/**
 * The run registry of one pool: one `<groveDir>/runs/<id>.json` per run, and the runs this
 * process watches. Reserving a slot or worktree (with the entry, written `starting` before the
 * agent is spawned), and recording a run's end (ledger first, then the entry), happen under the
 * pool lock; a run is recorded exactly once, by whichever process gets there first (the
 * starter hearing the exit, a re-attached host, or any `grove` command that reconciles).
 */
export class RunRegistry implements RunCoordinator {
  readonly groveDir: string;
  readonly logger: Logger;
  readonly killGraceMs: number;
  private readonly now: () => Date;
  private readonly agentCommand: string;
  private readonly prices: Record<string, MicroPrice> | undefined;
  private readonly watched = new Map<string, LiveRun>();
  private readonly entries: RunEntries;
  private readonly workKeeper: WorkKeeper | undefined;

  constructor(options: RunRegistryOptions) {
    this.groveDir = options.groveDir;
    this.logger = options.logger ?? silentLogger;
    this.now = options.now ?? (() => new Date());
    this.killGraceMs = options.killGraceMs ?? DEFAULT_KILL_GRACE_MS;
    this.agentCommand = options.agentCommand ?? DEFAULT_AGENT_COMMAND;
    this.entries = new RunEntries(this.groveDir, this.logger);
    this.workKeeper = options.workKeeper;
    this.prices = options.prices;
  }

  async start(o: StartRunOptions): Promise<RunHandle> {
    await checkStartOptions(o);
    // The agent kind's seam (adapters/): its argv, its meter and stall limit, its command.
    const env = { ...process.env, ...o.env };
    const { args, prompt, spec: agent } = await prepareAgentRun({ ...o, prices: o.prices ?? this.prices, env });
    const commandName = commandForKind(agent.kind, { env, claudeCommand: o.agentCommand ?? this.agentCommand });
    const command = await resolveAgentCommand(commandName, { cwd: o.cwd, pathVariable: env.PATH });
    const startedAt = this.now();
    const id = checkRunId(o.runId ?? newRunId(startedAt));
    const files = runFiles(this.groveDir, id);
    await fs.mkdir(runsDir(this.groveDir), { recursive: true });
    try {
      // The prompt goes in through a file opened as the agent's stdin: no 128 KiB argument cap,
      // no flag parsing, and no pipe that would die with this process.
      await fs.writeFile(files.prompt, prompt, { flag: 'wx', mode: 0o600 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw duplicateId(id);
      throw error;
    }
    const [host, bootId] = await Promise.all([identifySelf(), currentBootId()]);
    const timeoutMs = o.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const starting: RunEntry = {
      version: 1, id, taskId: o.taskId ?? null, slot: o.slot ?? null, worktree: o.worktree ?? null, cwd: o.cwd,
      pid: null, pidStartTime: null, bootId, status: 'starting', sessionId: null, costMicros: 0, usage: null,
      numTurns: null, subtype: null, durationMs: null, exitCode: null, stderrTail: [], resultText: null, error: null,
      startedAt: startedAt.toISOString(), endedAt: null, timeoutAt: new Date(startedAt.getTime() + timeoutMs).toISOString(),
      maxBudgetMicros: o.flags?.maxBudgetUsd === undefined ? null : budgetMicros(o.flags.maxBudgetUsd),
      command, args: args.map(shorten), host, cancelRequestedAt: null, timedOutAt: null, keepWork: o.keepWork ?? null, workKeptAt: null,
      agent, stoppedFor: null, ...(o.origin ? { origin: o.origin } : {}),
    };
    try {
      await withLock(this.groveDir, async (lock) => {
        if ((await readJson(files.entry)).kind !== 'missing') throw duplicateId(id);
        await this.reserve(lock, starting.slot, starting.worktree);
        await this.entries.write(lock, starting);
      });
    } catch (error) {
      await fs.rm(files.prompt, { force: true });
      throw error;
    }
    // From here the run is on record before its agent exists: if this process dies now, whoever
    // looks next finds the agent by its run id, or finishes the run and releases its hold.
    await pausePoint('run:starting');
    const spawned = spawnAgent(command, args, files, o.cwd, { ...env, GROVE_RUN_ID: id });
    const run = spawned.pid === undefined ? undefined
      : new LiveRun(this, toRecord({ ...starting, status: 'active', pid: spawned.pid, pidStartTime: spawned.startTime ?? null }), files, spawned.child, agent);
    run?.watchFromSpawn();
    await pausePoint('run:spawned');
    let entry: RunEntry;
    try {
      entry = await withLock(this.groveDir, async (lock) => {
        const current = (await this.entries.read(id, lock)) ?? starting;
        // Nobody else decides a starting run while its host lives; never overwrite what someone recorded.
        if (current.status !== 'starting') return current;
        if (spawned.pid === undefined) return this.recordSpawnFailure(lock, current, await spawned.failure!);
        const pidStartTime = spawned.startTime ?? (await identify(spawned.pid)).startTime;
        const active: RunEntry = { ...current, status: 'active', pid: spawned.pid, pidStartTime };
        await this.entries.write(lock, active);
        return active;
      });
    } catch (error) {
      // Whatever failed, an agent whose pid is not on record must not run on (and spend) unwatched;
      // recording the run now gives its hold back while this process still runs.
      run?.detach();
      if (spawned.pid !== undefined) await killGroup(spawned.pid, this.killGraceMs).catch(() => undefined);
      await this.finish(id, NOT_OBSERVED).catch((cause: Error) => this.logger.warn(`run ${id}: could not record it after a failed start: ${cause.message}`));
      throw error;
    }
    if (isTerminal(entry) || !run) {
      run?.detach();
      return LiveRun.finished(this, toRecord(entry), files);
    }
    this.watched.set(id, run);
    run.begin(toRecord(entry));
    return run;
  }

  async attach(runId: string): Promise<RunHandle> {
    const id = checkRunId(runId);
    const watched = this.watched.get(id);
    if (watched) return watched;
    const found = await this.entries.read(id);
    if (!found) throw unknownRun(id);
    if (isTerminal(found)) return LiveRun.finished(this, toRecord(found), runFiles(this.groveDir, id));
    const { entry, state } = found.status === 'starting' ? await withLock(this.groveDir, (lock) => this.judge(lock, found)) : { entry: found, state: await this.agentLiveness(found) };
    if (state === 'starting') throw stillStarting(entry);
    if (state === 'dead') return LiveRun.finished(this, await this.finish(id, NOT_OBSERVED), runFiles(this.groveDir, id));
    return this.watch(entry);
  }

  /**
   * What any process does when it looks: runs whose agent is dead are recorded from their log
   * (exactly once), live ones are watched from here, runs whose host died before writing the
   * agent's pid are adopted or finished, the work of runs whose host died is kept, and terminal
   * entries past retention go.
   */
  async reconcile(): Promise<{ attached: RunHandle[]; finished: RunRecord[] }> {
    const finished: RunRecord[] = [];
    const live: RunEntry[] = [];
    const workToKeep: string[] = [];
    await withLock(this.groveDir, async (lock) => {
      for (const found of await this.entries.readAll({ lock })) {
        if (isTerminal(found)) {
          if (this.expired(found)) await this.entries.remove(lock, found.id);
          else if (needsWorkKept(found)) workToKeep.push(found.id);
          continue;
        }
        if (this.watched.has(found.id)) continue;
        const { entry, state } = await this.judge(lock, found);
        if (state !== 'dead') {
          if (state === 'alive') live.push(entry);
          continue;
        }
        finished.push(await this.finishUnderLock(lock, entry.id, NOT_OBSERVED));
        if (needsWorkKept(entry)) workToKeep.push(entry.id);
      }
    });
    const attached: RunHandle[] = [];
    for (const entry of live) {
      const run = this.watched.get(entry.id) ?? this.watch(entry);
      // Whoever looks enforces the deadline, so a run whose host died still times out.
      if (await run.enforceTimeout(this.now())) finished.push(await run.done);
      else attached.push(run);
    }
    await keepOrphanedWork(this.workKeeping(), workToKeep);
    return { attached, finished };
  }

  async list(): Promise<RunRecord[]> {
    const entries = await this.entries.readAll();
    return entries.map((entry) => this.withLiveFields(entry)).sort((a, b) => a.startedAt.localeCompare(b.startedAt) || a.id.localeCompare(b.id));
  }

  /**
   * For a budget hold: whether a run's agent may still spend. A `starting` run whose host died
   * without an agent never will, even before anyone records it; nothing is written here (the
   * caller holds the lock for its own file).
   */
  async mayStillSpend(id: string): Promise<'yes' | 'no' | 'unrecorded'> {
    const entry = await this.entries.read(checkRunId(id)).catch(() => undefined);
    if (!entry) return 'unrecorded';
    if (isTerminal(entry)) return 'no';
    if (entry.status !== 'starting') return 'yes';
    const verdict = await judgeStarting(entry, runFiles(this.groveDir, id), { killGraceMs: this.killGraceMs, logger: this.logger, lookOnly: true });
    return verdict.state === 'dead' ? 'no' : 'yes';
  }

  async get(id: string): Promise<RunRecord | undefined> {
    const entry = await this.entries.read(checkRunId(id));
    return entry && this.withLiveFields(entry);
  }

  async cancel(id: string): Promise<RunRecord> {
    checkRunId(id);
    const watched = this.watched.get(id);
    if (watched) {
      await watched.cancel();
      return watched.done;
    }
    const found = await this.entries.read(id);
    if (!found) throw unknownRun(id);
    if (isTerminal(found)) return toRecord(found);
    // Another (maybe dead) process started it: signal the group from here, then record it.
    const { entry, state } = found.status === 'starting' ? await withLock(this.groveDir, (lock) => this.judge(lock, found)) : { entry: found, state: await this.agentLiveness(found) };
    if (isTerminal(entry)) return toRecord(entry); // recorded while we took the lock
    if (state === 'starting') throw stillStarting(entry);
    if (state === 'unknown') {
      throw new GroveError('refused', `cannot tell whether pid ${entry.pid ?? '?'} is still run ${id}'s agent, so it was not signalled`,
        'Check the process yourself (ps), kill it if it is the agent, then run grove runs.');
    }
    await this.markKill(id, 'cancel');
    if (entry.pid !== null) await killGroup(entry.pid, this.killGraceMs);
    return this.finish(id, NOT_OBSERVED);
  }

  /**
   * For the engine that started the run: it has released the worktree with the keep-the-work
   * rule itself, so nobody who looks later has to.
   */
  async markWorkKept(id: string): Promise<void> {
    await withLock(this.groveDir, async (lock) => {
      const entry = await this.entries.read(id, lock);
      if (!entry || !isTerminal(entry) || entry.workKeptAt || !entry.keepWork) return;
      await this.entries.write(lock, { ...entry, workKeptAt: this.now().toISOString() });
    });
  }

  // RunCoordinator: used by the live runs.

  async finish(id: string, exit: ExitObservation): Promise<RunRecord> {
    // The agent has exited: its log and stderr are read before taking the lock, so the locked
    // step is only the decision and the two writes.
    const files = runFiles(this.groveDir, id);
    const output = await readOutput(files, (await this.entries.read(id).catch(() => undefined))?.agent);
    const record = await withLock(this.groveDir, (lock) => this.finishUnderLock(lock, id, exit, output));
    // A run this process did not start has no engine here to keep its work: do it now.
    const entry = await this.entries.read(id);
    if (entry && entry.host?.pid !== process.pid) await keepOrphanedWork(this.workKeeping(), [id]);
    return record;
  }

  async markKill(id: string, reason: 'cancel' | 'timeout' | 'budget' | 'stalled'): Promise<void> {
    await withLock(this.groveDir, async (lock) => {
      const entry = await this.entries.read(id, lock);
      if (!entry || isTerminal(entry)) return;
      const at = this.now().toISOString();
      if (reason === 'cancel') entry.cancelRequestedAt ??= at;
      else if (reason === 'timeout') entry.timedOutAt ??= at;
      else entry.stoppedFor ??= { reason, at };
      await this.entries.write(lock, entry);
    });
  }

  rateLimited(id: string, kind: AgentKind, event: { resetAt: string | null; message: string }): void {
    const until = event.resetAt ?? new Date(this.now().getTime() + DEFAULT_RATE_LIMIT_MS).toISOString();
    markRateLimited(this.groveDir, kind, { until, message: event.message, runId: id })
      .catch((error: Error) => this.logger.warn(`run ${id}: could not record the ${kind} rate limit: ${error.message}`));
  }

  forget(id: string, run: LiveRun): void {
    if (this.watched.get(id) === run) this.watched.delete(id);
  }

  // Internals.

  /**
   * Exactly once: an entry already terminal is returned as it is. The ledger line goes first
   * (it skips a runId it already has, and readers count a runId once), so a crash between the
   * two writes is repaired by the next finisher without losing or doubling the spend.
   */
  private async finishUnderLock(lock: LockContext, id: string, exit: ExitObservation, output?: RunOutput): Promise<RunRecord> {
    const entry = await this.entries.read(id, lock);
    if (!entry) throw unknownRun(id);
    if (isTerminal(entry)) return toRecord(entry);
    const files = runFiles(this.groveDir, id);
    const { log, stderrTail } = output ?? (await readOutput(files, entry.agent));
    const finished: RunEntry = { ...entry, ...decideOutcome(entry, log, exit, stderrTail), endedAt: this.now().toISOString() };
    lock.assertHeld();
    await appendSpend(this.groveDir, {
      runId: id, taskId: finished.taskId, slot: finished.slot, costMicros: finished.costMicros, status: finished.status, at: finished.endedAt!,
      costSource: finished.costSource ?? 'reported',
    });
    await this.entries.write(lock, finished);
    this.logger.debug(`run ${id} recorded: ${finished.status}, ${finished.costMicros} µ$`);
    return toRecord(finished);
  }

  /** The liveness of a non-terminal entry's agent; a `starting` one is adopted (written as active) when its agent is found. */
  private async judge(lock: LockContext, found: RunEntry): Promise<{ entry: RunEntry; state: Liveness | 'starting' }> {
    // What a caller read before taking the lock may be old: someone may have adopted or recorded it since.
    const entry = (await this.entries.read(found.id, lock)) ?? found;
    if (isTerminal(entry)) return { entry, state: 'dead' };
    if (entry.status !== 'starting') return { entry, state: await this.agentLiveness(entry) };
    const verdict = await judgeStarting(entry, runFiles(this.groveDir, entry.id), { killGraceMs: this.killGraceMs, logger: this.logger });
    if (verdict.state !== 'adopt') return { entry, state: verdict.state };
    const adopted: RunEntry = { ...entry, status: 'active', pid: verdict.pid, pidStartTime: verdict.startTime };
    await this.entries.write(lock, adopted);
    this.logger.info(`run ${entry.id}: its host died before recording the agent; found it as pid ${verdict.pid}`);
    return { entry: adopted, state: 'alive' };
  }

  /** At most one active run per slot and per worktree; a holder whose agent is provably dead is recorded first. */
  private async reserve(lock: LockContext, slot: string | null, worktree: string | null): Promise<void> {
    if (slot === null && worktree === null) return;
    for (const found of await this.entries.readAll({ activeOnly: true, lock })) {
      const sameSlot = slot !== null && found.slot === slot;
      const sameWorktree = worktree !== null && found.worktree === worktree;
      if (!sameSlot && !sameWorktree) continue;
      if (!this.watched.has(found.id)) {
        const { entry, state } = await this.judge(lock, found);
        if (state === 'dead') {
          await this.finishUnderLock(lock, entry.id, NOT_OBSERVED);
          continue;
        }
      }
      const what = sameSlot ? `slot ${slot}` : `worktree ${worktree}`;
      throw new GroveError('unavailable', `${what} is busy: run ${found.id} (pid ${found.pid ?? '?'}) is ${found.status} in it`,
        `Wait for it to end, or cancel it: grove cancel ${found.id}`);
    }
  }

  private async recordSpawnFailure(lock: LockContext, base: RunEntry, error: Error): Promise<RunEntry> {
    const failed: RunEntry = { ...base, status: 'failed', error: `could not start ${base.command}: ${error.message}`, endedAt: this.now().toISOString() };
    lock.assertHeld();
    await appendSpend(this.groveDir, { runId: failed.id, taskId: failed.taskId, slot: failed.slot, costMicros: 0, status: 'failed', at: failed.endedAt! });
    await this.entries.write(lock, failed);
    return failed;
  }

  private workKeeping(): WorkKeeping {
    return { keeper: this.workKeeper, logger: this.logger, read: (id) => this.entries.read(id), markKept: (id) => this.markWorkKept(id) };
  }

  private watch(entry: RunEntry): LiveRun {
    const run = new LiveRun(this, toRecord(entry), runFiles(this.groveDir, entry.id), undefined, entry.agent);
    this.watched.set(entry.id, run);
    run.begin();
    return run;
  }

  private agentLiveness(entry: RunEntry): Promise<Liveness> {
    if (entry.pid === null) return Promise.resolve('unknown');
    return liveness({ pid: entry.pid, startTime: entry.pidStartTime, bootId: entry.bootId });
  }

  /** A watched run's session id is known before its entry is written again at the end. */
  private withLiveFields(entry: RunEntry): RunRecord {
    const record = toRecord(entry);
    const watched = this.watched.get(entry.id);
    if (watched && !isTerminal(entry)) record.sessionId = watched.snapshot().sessionId;
    return record;
  }

  private expired(entry: RunEntry): boolean {
    const endedAt = Date.parse(entry.endedAt ?? entry.startedAt);
    return Number.isFinite(endedAt) && this.now().getTime() - endedAt > TERMINAL_RETENTION_MS;
  }
}

type RunOutput = { log: Awaited<ReturnType<typeof parseLogFile>>; stderrTail: string[] };

async function readOutput(files: RunFiles, agent?: StoredAgentSpec): Promise<RunOutput> {
  const [log, stderrTail] = await Promise.all([parseLogFile(files.log, agent), readStderrTail(files.stderr)]);
  return { log, stderrTail };
}

function shorten(arg: string): string {
  return arg.length > MAX_KEPT_ARG ? `${arg.slice(0, MAX_KEPT_ARG)}… (${arg.length} chars)` : arg;
}

function duplicateId(id: string): GroveError {
  return new GroveError('usage', `run id ${id} is already used`, 'Leave the run id out to get a fresh one.');
}

function unknownRun(id: string): GroveError {
  return new GroveError('usage', `no run ${id} in this repository`, 'List runs with: grove runs');
}

function stillStarting(entry: RunEntry): GroveError {
  return new GroveError('unavailable', `run ${entry.id} is still starting (its host, pid ${entry.host?.pid ?? '?'}, is spawning the agent)`, 'Try again in a moment.');
}
