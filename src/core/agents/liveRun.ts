import type { ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { GroveError } from '../errors';
import type { Logger } from '../logger';
import { liveness, type ProcessIdentity } from '../util/liveness';
import { LogTail } from './logTail';
import { freezeGroup, groupAlive, killGroup } from './processGroup';
import { NOT_OBSERVED, type ExitObservation } from './runOutcome';
import type { RunFiles } from './runFiles';
import type { StreamEvent } from './streamParser';
import { RunWatch, type StoredAgentSpec } from './agentRun';
import type { AgentKind } from './adapters/types';
import type { RunEvent, RunHandle, RunRecord } from './types';

/** What a live run needs from its registry: recording (under the lock) and kill marks. */
export interface RunCoordinator {
  readonly logger: Logger;
  readonly killGraceMs: number;
  finish(id: string, exit: ExitObservation): Promise<RunRecord>;
  markKill(id: string, reason: 'cancel' | 'timeout' | 'budget' | 'stalled'): Promise<void>;
  forget(id: string, run: LiveRun): void;
  /** The run's agent kind is rate limited (rateLimits.ts): the queue for that kind pauses. */
  rateLimited?(id: string, kind: AgentKind, event: { resetAt: string | null; message: string }): void;
}

/** How often a re-attached host checks whether an agent it did not start is still alive. */
export const ATTACHED_LIVENESS_POLL_MS = 250;
/** Once the result line is in, the agent is about to exit: look often so recording is prompt. */
const AFTER_RESULT_POLL_MS = 10;
/** The CLI exits right after its result line; one that lingers longer than this is killed. */
export const RESULT_EXIT_GRACE_MS = 10_000;
// setTimeout's limit; a longer timeout is re-armed.
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * One run as seen by one Grove process: the process that started it (it holds the child and
 * hears its exit code) or one that re-attached after the starter died (it polls liveness).
 * Either way it tails the run's log for live events and records the run once it ends.
 */
export class LiveRun implements RunHandle {
  readonly done: Promise<RunRecord>;
  private resolveDone!: (record: RunRecord) => void;
  private rejectDone!: (error: unknown) => void;
  private readonly emitter = new EventEmitter();
  private readonly parser: RunWatch;
  private readonly tail: LogTail;
  private record: RunRecord;
  private exit: ExitObservation | undefined;
  private finishing: Promise<RunRecord> | undefined;
  private timeoutTimer: NodeJS.Timeout | undefined;
  private livenessTimer: NodeJS.Timeout | undefined;
  private resultTimer: NodeJS.Timeout | undefined;
  private killing: Promise<void> | undefined;
  private stopped = false;
  private tailing = false;
  /** Events heard before `begin`: kept for the caller, who subscribes between the two. */
  private held: RunEvent[] | undefined;

  constructor(
    private readonly coordinator: RunCoordinator,
    initial: RunRecord,
    files: RunFiles,
    private readonly child?: ChildProcess,
    agent?: StoredAgentSpec,
  ) {
    this.record = { ...initial };
    // The agent kind's stream (adapters/): metering against the hold, and the stall clock.
    this.parser = new RunWatch(agent ?? null, { onBudget: () => void this.stop('budget'), onStall: () => void this.stop('stalled'),
      onRateLimit: (event) => coordinator.rateLimited?.(initial.id, agent?.kind ?? 'claude', event) });
    this.done = new Promise<RunRecord>((resolve, reject) => {
      this.resolveDone = resolve;
      this.rejectDone = reject;
    });
    // A caller that never awaits `done` must not turn a recording failure into a crash.
    this.done.catch(() => undefined);
    this.tail = new LogTail(files.log, (chunk) => this.deliver(this.parser.push(chunk)), (error) => coordinator.logger.warn(`run ${this.id}: reading its log failed: ${error.message}`));
  }

  get id(): string {
    return this.record.id;
  }

  /** A handle on a run that is already recorded. */
  static finished(coordinator: RunCoordinator, record: RunRecord, files: RunFiles): LiveRun {
    const run = new LiveRun(coordinator, record, files);
    run.stopped = true;
    run.finishing = Promise.resolve(record);
    run.resolveDone(record);
    return run;
  }

  /**
   * Meters the agent from the moment it exists, before its pid is on record: recording it waits
   * for the pool lock, which takes seconds when many processes contend, and an agent must not
   * spend unwatched meanwhile. Only the stream is followed here; `begin` adds the rest.
   */
  watchFromSpawn(): void {
    this.held = [];
    this.startTail();
  }

  /** Starts watching; events begin after the caller had a chance to subscribe. */
  begin(recorded?: RunRecord): void {
    if (recorded) this.record = { ...recorded, sessionId: this.record.sessionId ?? recorded.sessionId };
    if (this.child) {
      const exited = (code: number | null, signal: NodeJS.Signals | null) => {
        this.exit = { exitCode: code, signal };
        // Detached: this process no longer speaks for the run; the next reconcile records it.
        if (!this.stopped) void this.finish();
      };
      // An agent that fails at once may have exited while its entry was being written.
      if (this.child.exitCode !== null || this.child.signalCode !== null) exited(this.child.exitCode, this.child.signalCode);
      else this.child.once('exit', exited);
    } else {
      this.pollLiveness();
    }
    this.armTimeout();
    setImmediate(() => {
      const held = this.held ?? [];
      this.held = undefined;
      for (const event of held) this.emit(event);
      if (!this.stopped) this.startTail();
    });
  }

  private startTail(): void {
    if (this.tailing) return;
    this.tailing = true;
    this.tail.start();
  }

  on(event: 'event', listener: (event: RunEvent) => void): void {
    this.emitter.on(event, listener);
  }

  off(event: 'event', listener: (event: RunEvent) => void): void {
    this.emitter.off(event, listener);
  }

  snapshot(): RunRecord {
    return { ...this.record, stderrTail: [...this.record.stderrTail] };
  }

  async cancel(): Promise<void> {
    if (this.stopped && !this.finishing) {
      throw new GroveError('usage', `this handle on run ${this.id} was detached`, `Cancel it through the registry: grove cancel ${this.id}`);
    }
    if (!this.finishing) await this.stop('cancel');
    await this.done;
  }

  /** For a reconciler: a run past its deadline is killed and recorded now, watched or not. */
  async enforceTimeout(now: Date): Promise<boolean> {
    if (!this.record.timeoutAt || Date.parse(this.record.timeoutAt) > now.getTime() || this.stopped) return false;
    await this.stop('timeout');
    await this.done;
    return true;
  }

  detach(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.clearTimers();
    void this.tail.close();
    this.coordinator.forget(this.id, this);
  }

  private deliver(events: StreamEvent[]): void {
    for (const event of events) {
      if (event.type === 'init') {
        this.record.sessionId = event.sessionId;
        this.emit({ type: 'init', sessionId: event.sessionId });
      } else if (event.type === 'text') {
        this.emit({ type: 'text', text: event.text });
      } else if (!this.resultTimer && !this.finishing) {
        this.resultTimer = setTimeout(() => void this.stop('lingering'), RESULT_EXIT_GRACE_MS);
        this.resultTimer.unref();
        if (!this.child && this.livenessTimer) {
          clearTimeout(this.livenessTimer);
          this.pollLiveness();
        }
      }
    }
  }

  private emit(event: RunEvent): void {
    if (this.held) {
      this.held.push(event);
      return;
    }
    try {
      this.emitter.emit('event', event);
    } catch (error) {
      this.coordinator.logger.error(`run ${this.id}: an event listener threw: ${(error as Error).message}`);
    }
  }

  /**
   * Cancel, timeout, budget, stall, or an agent that printed its result and does not exit: kill
   * the group. The group is frozen first, so it neither spends nor writes while the reason is
   * recorded under the pool lock; a host that dies meanwhile leaves a frozen run that the next
   * one to attach meters (or times out) again and stops the same way.
   */
  private stop(reason: 'cancel' | 'timeout' | 'lingering' | 'budget' | 'stalled'): Promise<void> {
    this.killing ??= (async () => {
      const pid = await this.signalablePid();
      if (pid !== null) {
        if (reason !== 'lingering') {
          freezeGroup(pid);
          // Kill even when the mark fails: a frozen group must not be left behind by this host.
          await this.coordinator.markKill(this.id, reason)
            .catch((error: Error) => this.coordinator.logger.error(`run ${this.id}: could not record why it was stopped (${reason}): ${error.message}`));
        }
        await this.killGroup(pid);
      }
      // The starter hears the exit; a re-attached host has nothing to wait for.
      if (!this.child) await this.finish();
    })().catch((error: Error) => this.coordinator.logger.error(`run ${this.id}: could not stop it (${reason}): ${error.message}`));
    return this.killing;
  }

  /** The group id when it may be signalled: it is still the agent's, and something in it runs. */
  private async signalablePid(): Promise<number | null> {
    const pid = this.record.pid;
    if (pid === null) return null;
    if (this.child) {
      // Our own child cannot have been reaped (and its pid reused) before we heard its exit.
      return this.exit && !(await groupAlive(pid)) ? null : pid;
    }
    const state = await liveness(this.identity());
    if (state === 'unknown') {
      this.coordinator.logger.warn(`run ${this.id}: cannot tell whether pid ${pid} is still the agent; not signalling it`);
      return null;
    }
    // A dead leader with live members means the group id is still theirs (Linux never reuses it while it exists).
    return state === 'dead' && !(await groupAlive(pid)) ? null : pid;
  }

  private async killGroup(pid: number): Promise<void> {
    const { escalated, survivors } = await killGroup(pid, this.coordinator.killGraceMs);
    if (escalated) this.coordinator.logger.info(`run ${this.id}: processes ignored SIGTERM for ${this.coordinator.killGraceMs} ms and were killed`);
    if (survivors.length) this.coordinator.logger.warn(`run ${this.id}: processes ${survivors.join(', ')} survived SIGKILL`);
  }

  private identity(): ProcessIdentity {
    return { pid: this.record.pid ?? -1, startTime: this.record.pidStartTime, bootId: this.record.bootId };
  }

  private finish(): Promise<RunRecord> {
    this.finishing ??= (async () => {
      this.clearTimers();
      await this.tail.drain();
      this.deliver(this.parser.end());
      await this.tail.close();
      const record = await this.coordinator.finish(this.id, this.exit ?? NOT_OBSERVED);
      this.record = record;
      this.stopped = true;
      this.coordinator.forget(this.id, this);
      // Processes the agent left behind would hold the worktree: done means none of the run's processes runs.
      const leftover = this.record.pid !== null && (await groupAlive(this.record.pid)) ? await this.signalablePid() : null;
      if (leftover !== null) await this.killGroup(leftover);
      this.emit({ type: 'finished', record });
      this.resolveDone(record);
      return record;
    })();
    this.finishing.catch((error: unknown) => {
      this.coordinator.logger.error(`run ${this.id}: recording it failed: ${(error as Error).message}`);
      this.rejectDone(error);
    });
    return this.finishing;
  }

  private pollLiveness(): void {
    this.livenessTimer = setTimeout(async () => {
      this.livenessTimer = undefined;
      if (this.stopped || this.finishing) return;
      const state = await liveness(this.identity()).catch(() => 'unknown' as const);
      if (state === 'dead') void this.finish();
      else if (!this.stopped) this.pollLiveness();
    }, this.parser.result ? AFTER_RESULT_POLL_MS : ATTACHED_LIVENESS_POLL_MS);
  }

  private armTimeout(): void {
    if (!this.record.timeoutAt) return;
    const remaining = Date.parse(this.record.timeoutAt) - Date.now();
    this.timeoutTimer = setTimeout(() => {
      if (Date.parse(this.record.timeoutAt!) > Date.now()) this.armTimeout();
      else void this.stop('timeout');
    }, Math.max(0, Math.min(remaining, MAX_TIMER_MS)));
    this.timeoutTimer.unref();
  }

  private clearTimers(): void {
    this.parser.close();
    for (const timer of [this.timeoutTimer, this.livenessTimer, this.resultTimer]) if (timer) clearTimeout(timer);
    this.timeoutTimer = this.livenessTimer = this.resultTimer = undefined;
  }
}
