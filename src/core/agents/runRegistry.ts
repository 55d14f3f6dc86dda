import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, promises as fs, openSync } from 'node:fs';
import { once } from 'node:events';
import { GroveError } from '../errors';
import { silentLogger, type Logger } from '../logger';
import { readJson, writeJsonAtomic } from '../store/atomicJson';
import { withLock, type LockContext } from '../store/lock';
import { appendSpend } from '../store/spendLedger';
import { currentBootId, identify, identifySelf, liveness, type Liveness } from '../util/liveness';
import { budgetMicros } from './agentArgs';
import { prepareAgentRun, type StoredAgentSpec } from './agentRun';
import { commandForKind, type AgentKind } from './adapters';
import { DEFAULT_RATE_LIMIT_MS, markRateLimited } from './rateLimits';
import type { MicroPrice } from './prices';
import { DEFAULT_AGENT_COMMAND, resolveAgentCommand } from './agentCommand';
import { LiveRun, type RunCoordinator } from './liveRun';
import { DEFAULT_KILL_GRACE_MS, killGroup, startTimeNow } from './processGroup';
import { checkRunId, isRunEntry, isTerminal, newRunId, runFiles, runsDir, toRecord, type RunEntry, type RunFiles } from './runFiles';
import { decideOutcome, NOT_OBSERVED, parseLogFile, readStderrTail, type ExitObservation } from './runOutcome';
import type { RunHandle, RunRecord, StartRunOptions } from './types';

export const DEFAULT_TIMEOUT_MS = 30 * 60_000;
/** Terminal entries (and their logs) are kept this long, then removed by reconcile. */
export const TERMINAL_RETENTION_MS = 7 * 24 * 60 * 60_000;
const MAX_KEPT_ARG = 200;
const TERMINAL_ENTRIES_KEPT = 256;

export interface RunRegistryOptions {
  groveDir: string;
  logger?: Logger;
  now?: () => Date;
  /** Between SIGTERM and SIGKILL on cancel and timeout (default 5 s). */
  killGraceMs?: number;
  /** Used when a start names none (default `claude`). */
  agentCommand?: string;
  /** The price table metering uses when a start names none (default: the shipped one). */
  prices?: Record<string, MicroPrice>;
}

/**
 * The run registry of one pool: one `<groveDir>/runs/<id>.json` per run, and the runs this
 * process watches. Reserving a slot or worktree, and recording a run's end (ledger first, then
 * the entry), happen under the pool lock; a run is recorded exactly once, by whichever process
 * gets there first (the starter hearing the exit, a re-attached host, or any `grove` command
 * that reconciles).
 */
export class RunRegistry implements RunCoordinator {
  readonly groveDir: string;
  readonly logger: Logger;
  readonly killGraceMs: number;
  private readonly now: () => Date;
  private readonly agentCommand: string;
  private readonly prices: Record<string, MicroPrice> | undefined;
  private readonly watched = new Map<string, LiveRun>();
  /**
   * Terminal entries never change again. Their ids are all remembered, so the path of every
   * start skips them without reading; their contents (result text, stderr) only for the most
   * recent ones, so a long-lived host does not grow with every run it has seen.
   */
  private readonly terminalIds = new Set<string>();
  private readonly terminalCache = new Map<string, RunEntry>();

  constructor(options: RunRegistryOptions) {
    this.groveDir = options.groveDir;
    this.logger = options.logger ?? silentLogger;
    this.now = options.now ?? (() => new Date());
    this.killGraceMs = options.killGraceMs ?? DEFAULT_KILL_GRACE_MS;
    this.agentCommand = options.agentCommand ?? DEFAULT_AGENT_COMMAND;
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
    let child: ChildProcess | undefined;
    let entry: RunEntry | undefined;
    try {
      entry = await withLock(this.groveDir, async (lock) => {
        if ((await readJson(files.entry)).kind !== 'missing') throw duplicateId(id);
        await this.reserve(lock, o.slot ?? null, o.worktree ?? null);
        lock.assertHeld();
        // Spawned under the lock, so the reservation and the process come into being together.
        child = spawnAgent(command, args, files, o.cwd, { ...env, GROVE_RUN_ID: id });
        const base: RunEntry = {
          version: 1, id, taskId: o.taskId ?? null, slot: o.slot ?? null, worktree: o.worktree ?? null, cwd: o.cwd,
          pid: child.pid ?? null, pidStartTime: null, bootId, status: 'active', sessionId: null, costMicros: 0, usage: null,
          numTurns: null, subtype: null, durationMs: null, exitCode: null, stderrTail: [], resultText: null, error: null,
          startedAt: startedAt.toISOString(), endedAt: null, timeoutAt: new Date(startedAt.getTime() + timeoutMs).toISOString(),
          maxBudgetMicros: o.flags?.maxBudgetUsd === undefined ? null : budgetMicros(o.flags.maxBudgetUsd),
          command, args: args.map(shorten), host, cancelRequestedAt: null, timedOutAt: null, agent, stoppedFor: null,
        };
        if (child.pid === undefined) return this.recordSpawnFailure(lock, base, child);
        base.pidStartTime = startTimeNow(child.pid) ?? (await identify(child.pid)).startTime;
        await writeJsonAtomic(files.entry, base);
        return base;
      });
    } catch (error) {
      if (child?.pid !== undefined && !entry) {
        // Whatever failed after the spawn, an unrecorded agent must not run on (and spend) unseen.
        await killGroup(child.pid, this.killGraceMs).catch(() => undefined);
      }
      if (!entry) await fs.rm(files.prompt, { force: true });
      throw error;
    }
    if (isTerminal(entry)) return LiveRun.finished(this, toRecord(entry), files);
    const run = new LiveRun(this, toRecord(entry), files, child, entry.agent);
    this.watched.set(id, run);
    run.begin();
    return run;
  }

  async attach(runId: string): Promise<RunHandle> {
    const id = checkRunId(runId);
    const watched = this.watched.get(id);
    if (watched) return watched;
    const entry = await this.readEntry(id);
    if (!entry) throw unknownRun(id);
    if (isTerminal(entry)) return LiveRun.finished(this, toRecord(entry), runFiles(this.groveDir, id));
    if ((await this.agentLiveness(entry)) === 'dead') {
      return LiveRun.finished(this, await this.finish(id, NOT_OBSERVED), runFiles(this.groveDir, id));
    }
    return this.watch(entry);
  }

  /**
   * What any process does when it looks: runs whose agent is dead are recorded from their log
   * (exactly once), live ones are watched from here, and terminal entries past retention go.
   */
  async reconcile(): Promise<{ attached: RunHandle[]; finished: RunRecord[] }> {
    const finished: RunRecord[] = [];
    const live: RunEntry[] = [];
    await withLock(this.groveDir, async (lock) => {
      for (const entry of await this.readAllEntries()) {
        if (isTerminal(entry)) {
          if (this.expired(entry)) await this.expire(lock, entry);
          continue;
        }
        if (this.watched.has(entry.id)) continue;
        const state = await this.agentLiveness(entry);
        if (state === 'dead') finished.push(await this.finishUnderLock(lock, entry.id, NOT_OBSERVED));
        else if (state === 'alive') live.push(entry);
      }
    });
    const attached: RunHandle[] = [];
    for (const entry of live) {
      const run = this.watched.get(entry.id) ?? this.watch(entry);
      // Whoever looks enforces the deadline, so a run whose host died still times out.
      if (await run.enforceTimeout(this.now())) finished.push(await run.done);
      else attached.push(run);
    }
    return { attached, finished };
  }

  async list(): Promise<RunRecord[]> {
    const entries = await this.readAllEntries();
    return entries.map((entry) => this.withLiveFields(entry)).sort((a, b) => a.startedAt.localeCompare(b.startedAt) || a.id.localeCompare(b.id));
  }

  async get(id: string): Promise<RunRecord | undefined> {
    const entry = await this.readEntry(checkRunId(id));
    return entry && this.withLiveFields(entry);
  }

  async cancel(id: string): Promise<RunRecord> {
    checkRunId(id);
    const watched = this.watched.get(id);
    if (watched) {
      await watched.cancel();
      return watched.done;
    }
    const entry = await this.readEntry(id);
    if (!entry) throw unknownRun(id);
    if (isTerminal(entry)) return toRecord(entry);
    // Another (maybe dead) process started it: signal the group from here, then record it.
    const state = await this.agentLiveness(entry);
    if (state === 'unknown') {
      throw new GroveError('refused', `cannot tell whether pid ${entry.pid} is still run ${id}'s agent, so it was not signalled`,
        'Check the process yourself (ps), kill it if it is the agent, then run grove runs.');
    }
    await this.markKill(id, 'cancel');
    if (entry.pid !== null) await killGroup(entry.pid, this.killGraceMs);
    return this.finish(id, NOT_OBSERVED);
  }

  // RunCoordinator: used by the live runs.

  async finish(id: string, exit: ExitObservation): Promise<RunRecord> {
    // The agent has exited: its log and stderr are read before taking the lock, so the locked
    // step is only the decision and the two writes.
    const files = runFiles(this.groveDir, id);
    const output = await readOutput(files, (await this.readEntry(id).catch(() => undefined))?.agent);
    return withLock(this.groveDir, (lock) => this.finishUnderLock(lock, id, exit, output));
  }

  async markKill(id: string, reason: 'cancel' | 'timeout' | 'budget' | 'stalled'): Promise<void> {
    await withLock(this.groveDir, async (lock) => {
      const entry = await this.readEntry(id);
      if (!entry || isTerminal(entry)) return;
      const at = this.now().toISOString();
      if (reason === 'cancel') entry.cancelRequestedAt ??= at;
      else if (reason === 'timeout') entry.timedOutAt ??= at;
      else entry.stoppedFor ??= { reason, at };
      lock.assertHeld();
      await writeJsonAtomic(runFiles(this.groveDir, id).entry, entry);
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
   * (it skips a runId it already has), so a crash between the two writes is repaired by the
   * next finisher without losing or doubling the spend.
   */
  private async finishUnderLock(lock: LockContext, id: string, exit: ExitObservation, output?: RunOutput): Promise<RunRecord> {
    const entry = await this.readEntry(id);
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
    lock.assertHeld();
    await writeJsonAtomic(files.entry, finished);
    this.rememberTerminal(finished);
    this.logger.debug(`run ${id} recorded: ${finished.status}, ${finished.costMicros} µ$`);
    return toRecord(finished);
  }

  /** At most one active run per slot and per worktree; a holder whose agent is provably dead is recorded first. */
  private async reserve(lock: LockContext, slot: string | null, worktree: string | null): Promise<void> {
    if (slot === null && worktree === null) return;
    for (const entry of await this.readAllEntries({ activeOnly: true })) {
      const sameSlot = slot !== null && entry.slot === slot;
      const sameWorktree = worktree !== null && entry.worktree === worktree;
      if (!sameSlot && !sameWorktree) continue;
      if (!this.watched.has(entry.id) && (await this.agentLiveness(entry)) === 'dead') {
        await this.finishUnderLock(lock, entry.id, NOT_OBSERVED);
        continue;
      }
      const what = sameSlot ? `slot ${slot}` : `worktree ${worktree}`;
      throw new GroveError('unavailable', `${what} is busy: run ${entry.id} (pid ${entry.pid ?? '?'}) is active in it`,
        `Wait for it to end, or cancel it: grove cancel ${entry.id}`);
    }
  }

  private async recordSpawnFailure(lock: LockContext, base: RunEntry, child: ChildProcess): Promise<RunEntry> {
    const [error] = (await once(child, 'error')) as [NodeJS.ErrnoException];
    const failed: RunEntry = { ...base, status: 'failed', error: `could not start ${base.command}: ${error.message}`, endedAt: this.now().toISOString() };
    lock.assertHeld();
    await appendSpend(this.groveDir, { runId: failed.id, taskId: failed.taskId, slot: failed.slot, costMicros: 0, status: 'failed', at: failed.endedAt! });
    await writeJsonAtomic(runFiles(this.groveDir, base.id).entry, failed);
    return failed;
  }

  private watch(entry: RunEntry): LiveRun {
    const run = new LiveRun(this, toRecord(entry), runFiles(this.groveDir, entry.id), undefined, entry.agent);
    this.watched.set(entry.id, run);
    run.begin();
    return run;
  }

  private agentLiveness(entry: RunEntry): Promise<Liveness> {
    if (entry.pid === null) return Promise.resolve(entry.host ? liveness(entry.host).then((state) => (state === 'dead' ? 'dead' : 'unknown')) : 'unknown');
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

  private async expire(lock: LockContext, entry: RunEntry): Promise<void> {
    const files = runFiles(this.groveDir, entry.id);
    lock.assertHeld();
    // The entry goes last: a crash midway leaves an entry that the next reconcile expires again.
    await Promise.all([files.log, files.stderr, files.prompt].map((file) => fs.rm(file, { force: true })));
    await fs.rm(files.entry, { force: true });
    this.terminalCache.delete(entry.id);
    this.terminalIds.delete(entry.id);
  }

  private rememberTerminal(entry: RunEntry): void {
    this.terminalIds.add(entry.id);
    this.terminalCache.delete(entry.id);
    this.terminalCache.set(entry.id, entry);
    // A Map iterates in insertion order: the first key is the least recently recorded.
    if (this.terminalCache.size > TERMINAL_ENTRIES_KEPT) this.terminalCache.delete(this.terminalCache.keys().next().value!);
  }

  private async readEntry(id: string): Promise<RunEntry | undefined> {
    const cached = this.terminalCache.get(id);
    if (cached) return { ...cached };
    const read = await readJson<unknown>(runFiles(this.groveDir, id).entry);
    if (read.kind === 'missing') return undefined;
    if (read.kind === 'corrupt' || !isRunEntry(read.value)) {
      throw new GroveError('internal', `the registry entry of run ${id} is unreadable`, `Look at ${runFiles(this.groveDir, id).entry}; move it aside to forget the run.`);
    }
    if (isTerminal(read.value)) this.rememberTerminal(read.value);
    return read.value;
  }

  /**
   * Every entry in runs/; with `activeOnly`, only the ones not known to be terminal (those
   * never change again): on the path of every start, under the lock, it must not grow with
   * the number of runs kept.
   */
  private async readAllEntries(o: { activeOnly?: boolean } = {}): Promise<RunEntry[]> {
    let names: string[];
    try {
      names = await fs.readdir(runsDir(this.groveDir));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const ids = names.filter((name) => name.endsWith('.json')).map((name) => name.slice(0, -'.json'.length))
      .filter((id) => !o.activeOnly || !this.terminalIds.has(id));
    const entries = await Promise.all(ids.map(async (id) => {
      try {
        return await this.readEntry(id);
      } catch (error) {
        this.logger.warn((error as Error).message);
        return undefined;
      }
    }));
    return entries.filter((entry): entry is RunEntry => entry !== undefined && !(o.activeOnly && isTerminal(entry)));
  }
}

type RunOutput = { log: Awaited<ReturnType<typeof parseLogFile>>; stderrTail: string[] };

async function readOutput(files: RunFiles, agent?: StoredAgentSpec): Promise<RunOutput> {
  const [log, stderrTail] = await Promise.all([parseLogFile(files.log, agent), readStderrTail(files.stderr)]);
  return { log, stderrTail };
}

function spawnAgent(command: string, args: string[], files: RunFiles, cwd: string, env: NodeJS.ProcessEnv): ChildProcess {
  // Plain spawn rather than execa: the child gets file descriptors, not pipes, leads its own
  // process group (detached = setsid), and must outlive this process (no cleanup-on-exit).
  const stdin = openSync(files.prompt, 'r');
  const stdout = openSync(files.log, 'a');
  const stderr = openSync(files.stderr, 'a');
  try {
    const child = spawn(command, args, { cwd, env, detached: true, stdio: [stdin, stdout, stderr], windowsHide: true });
    child.unref();
    // Without a listener an 'error' event would throw; spawn failures are read from it explicitly.
    child.on('error', () => undefined);
    return child;
  } finally {
    for (const fd of [stdin, stdout, stderr]) closeSync(fd);
  }
}

async function checkStartOptions(o: StartRunOptions): Promise<void> {
  if (typeof o.prompt !== 'string' || o.prompt.trim() === '') throw new GroveError('usage', 'the prompt is empty', 'Say what the agent should do.');
  if (o.timeoutMs !== undefined && (!Number.isFinite(o.timeoutMs) || o.timeoutMs <= 0)) {
    throw new GroveError('usage', `the timeout must be a positive number of milliseconds, got ${o.timeoutMs}`);
  }
  const stat = await fs.stat(o.cwd).catch(() => undefined);
  if (!stat?.isDirectory()) throw new GroveError('usage', `${o.cwd} is not a folder the agent can run in`, 'Pass an existing worktree path.');
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
