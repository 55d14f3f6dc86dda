import { existsSync } from 'node:fs';
import * as path from 'node:path';
import type { Engine } from '../engine/engine';
import type { TaskResult } from '../engine/types';
import { GroveError, isGroveError } from '../errors';
import type { WorktreePool } from '../pool/pool';
import { randomId } from '../util/ids';
import { unifiedDiff } from './changes';
import { dropParked, listParked, resolveParked, restoreInto, type ParkedEntry } from './parked';
import type { RunRegistry } from '../agents/runRegistry';
import { recordOrphans } from './orphans';
import type { ResultRecorder } from './recorder';
import { unknownResult, type ResultStore } from './store';
import type { ResultRecord, ReviewComment } from './types';
import { allowingPrompt, allowingSettings, blockedOf, kindOf } from './allowing';
import { wantedTools } from '../agents/agentOutcome';
import type { Denial } from '../agents/adapters/types';

export interface ContinueOptions {
  /** How the run shows on the result ("continue", "review", "resolve", "allowing"). */
  step?: string;
  /** Denials to allow this time, in the result's CLI's own terms (adapter.allowFlags). */
  allow?: Denial[];
}

export interface ResultsServiceOptions {
  store: ResultStore;
  /** The main worktree: where parked refs are read. */
  repoDir: string;
  pool: WorktreePool;
  /** Needed only to continue a result (a CLI command that only reads goes without). */
  engine?: Engine;
  recorder?: ResultRecorder;
  /** For results of work whose engine died before recording one (`recordOrphans`). */
  registry?: RunRegistry;
}

/**
 * Everything a person (or issue 11's landing) does with results, over the store, the pool and
 * the engine: find one, its diff, continue it, send review comments, discard it (parked, never
 * deleted), keep one fan-out variant, and the parked-work list.
 */
export class ResultsService {
  constructor(private readonly o: ResultsServiceOptions) {}

  get store(): ResultStore {
    return this.o.store;
  }

  list(): Promise<ResultRecord[]> {
    return this.o.store.list();
  }

  /** Records results for work left by tasks whose engine died first (see orphans.ts); returns the new ones. */
  async recordOrphans(now?: () => Date): Promise<ResultRecord[]> {
    if (!this.o.registry) return [];
    return recordOrphans({ store: this.o.store, pool: this.o.pool, registry: this.o.registry, now });
  }

  /** By result id, task id (any of its runs'), chain run id, or worktree name (the newest result there). */
  async find(ref: string): Promise<ResultRecord> {
    const given = ref.trim();
    if (!given) throw new GroveError('usage', 'which result?', 'Give a result id, a task id or a worktree name (grove results lists them).');
    const direct = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(given) ? await this.o.store.get(given) : null;
    if (direct) return direct;
    const all = await this.o.store.list();
    const match = all.find((record) => record.taskId === given || record.chainRunId === given || record.runs.some((run) => run.taskId === given))
      ?? all.find((record) => record.worktree?.name === given || record.worktree?.path === path.resolve(given))
      ?? all.find((record) => record.worktreeName === given);
    if (!match) throw unknownResult(given);
    return match;
  }

  /** The worktree holding the result's work, or a clear error: given back, discarded, or removed by hand. */
  worktreeOf(record: ResultRecord): { name: string; path: string; leaseId: string } {
    if (record.worktree && existsSync(record.worktree.path)) return record.worktree;
    if (record.worktree) {
      throw new GroveError('refused', `the worktree of ${record.id} (${record.worktree.path}) was removed`,
        record.parkedRef ? `Its work was parked under ${record.parkedRef}: grove parked restore ${record.parkedRef}` : `Nothing of it can be shown; grove discard ${record.id} clears the result (grove status shows the worktree as damaged until it is destroyed).`);
    }
    if (record.parkedRef) {
      throw new GroveError('refused', `${record.id} was discarded: its work is parked under ${record.parkedRef}`, `Bring it back with grove parked restore ${record.parkedRef}`);
    }
    throw new GroveError('refused', `${record.id} left no work: its worktree went back to the pool`, 'There is nothing to diff or discard; grove continue it to ask for more.');
  }

  /** What `land()` (src/core/land) takes, from a result that still holds its work. */
  landSource(record: ResultRecord): { repoRoot: string; worktreePath: string; baseCommit: string; title: string; prompt: string; finalMessage?: string; holderLeaseId?: string } {
    const worktree = this.worktreeOf(record);
    if (!record.baseCommit) throw new GroveError('internal', `${record.id} has no base commit recorded`);
    return { repoRoot: this.o.repoDir, worktreePath: worktree.path, baseCommit: record.baseCommit, title: record.title, prompt: record.prompt, finalMessage: record.finalMessage ?? undefined, holderLeaseId: worktree.leaseId };
  }

  async diff(record: ResultRecord, o: { stat?: boolean } = {}): Promise<string> {
    const worktree = this.worktreeOf(record);
    if (!record.baseCommit) throw new GroveError('internal', `${record.id} has no base commit recorded`, 'Compare by hand in the worktree with git diff.');
    return unifiedDiff(worktree.path, record.baseCommit, path.join(this.o.store.groveDir, 'tmp'), o);
  }

  /**
   * A follow-up prompt in the result's session and worktree, under the budget, with the CLI that
   * holds the session; the result gains a run. `allow` lets it use tools it was denied before.
   */
  async continue(ref: string | ResultRecord, prompt: string, how: string | ContinueOptions = 'continue'): Promise<{ record: ResultRecord; task: TaskResult }> {
    const { engine, recorder } = this.o;
    if (!engine || !recorder) throw new GroveError('internal', 'continuing needs the engine');
    if (!prompt.trim()) throw new GroveError('usage', 'a follow-up needs a prompt', 'Say what the agent should do next.');
    const { step = 'continue', allow } = typeof how === 'string' ? { step: how } : how;
    const record = typeof ref === 'string' ? await this.find(ref) : ref;
    const sessionRun = [...record.runs].reverse().find((run) => run.sessionId);
    const session = sessionRun?.sessionId;
    if (!session) throw new GroveError('refused', `${record.id} has no agent session to continue (its agent never started)`, 'Run a new task instead.');
    if (record.worktree) this.worktreeOf(record);
    else if (record.parkedRef) this.worktreeOf(record);
    const kind = kindOf(sessionRun);
    // The result knows its worktree and lease: pin them (the session's first run may have been elsewhere).
    const taskId = engine.submit({
      prompt, resumeSession: session, worktree: record.worktree?.name, leaseId: record.worktree?.leaseId,
      holderIfWorkLeft: record.worktree?.holder ?? `grove:${record.taskId ?? record.id}`,
      label: `${record.title} (follow-up)`,
      settings: { agentKind: kind, ...(allow?.length ? allowingSettings(kind, allow) : {}) },
    });
    recorder.expectContinuation(taskId, record.id, step);
    const task = await engine.wait(taskId);
    await recorder.flush();
    return { record: (await this.o.store.get(record.id)) ?? record, task };
  }

  /**
   * Re-run Allowing…: a follow-up that may use what the newest run was denied (all of it, or the
   * `only` ones, in the kind's terms), with the person's answer to any question it asked.
   */
  async rerunAllowing(ref: string | ResultRecord, o: { only?: string[]; answer?: string } = {}): Promise<{ record: ResultRecord; task: TaskResult }> {
    const record = typeof ref === 'string' ? await this.find(ref) : ref;
    const blocked = blockedOf(record);
    if (!blocked) throw new GroveError('usage', `${record.id} is not blocked`, 'Re-run Allowing… is for a result whose agent was denied a tool or asked a question; use grove continue otherwise.');
    const wanted = o.only ? blocked.wanted.filter((name) => o.only!.includes(name)) : blocked.wanted;
    const unknown = (o.only ?? []).filter((name) => !blocked.wanted.includes(name));
    if (unknown.length) throw new GroveError('usage', `${record.id} did not ask for ${unknown.join(', ')}`, `It wanted: ${blocked.wanted.join(', ') || 'no tool (it asked a question)'}.`);
    if (blocked.questions.length && !o.answer?.trim()) throw new GroveError('usage', `${record.id} asked a question: ${blocked.questions.join('; ')}`, 'Answer it (grove continue --allow-denied --answer "…").');
    const denials = blocked.denials.filter((denial) => wanted.includes(wantedTools(blocked.kind, [denial])[0]));
    return this.continue(record, allowingPrompt({ wanted, questions: blocked.questions }, o.answer), { step: 'allowing', allow: denials });
  }

  async addComment(id: string, comment: Omit<ReviewComment, 'id' | 'createdAt'>): Promise<ReviewComment> {
    const made: ReviewComment = { ...comment, id: randomId().slice(0, 12), createdAt: new Date().toISOString() };
    await this.o.store.update(id, (record) => ({ ...record, pendingComments: [...record.pendingComments, made] }));
    return made;
  }

  async removeComment(id: string, commentId: string): Promise<void> {
    await this.o.store.update(id, (record) => ({ ...record, pendingComments: record.pendingComments.filter((comment) => comment.id !== commentId) }));
  }

  /** All pending comments as one follow-up; they are cleared only once it ran, so a refusal loses none. */
  async sendReview(id: string): Promise<{ record: ResultRecord; task: TaskResult }> {
    const record = await this.find(id);
    if (record.pendingComments.length === 0) throw new GroveError('usage', `${record.id} has no pending review comments`, 'Add comments on the diff first.');
    const sent = new Set(record.pendingComments.map((comment) => comment.id));
    const outcome = await this.continue(record, reviewPrompt(record.pendingComments), 'review');
    const updated = await this.o.store.update(record.id, (current) => ({ ...current, pendingComments: current.pendingComments.filter((comment) => !sent.has(comment.id)) }));
    return { record: updated, task: outcome.task };
  }

  /** Parks whatever the worktree holds (as `return --force` does) and gives it back to the pool. */
  async discard(ref: string | ResultRecord): Promise<ResultRecord> {
    const record = typeof ref === 'string' ? await this.find(ref) : ref;
    if (!record.worktree) {
      if (record.review === 'discarded') return record;
      return this.o.store.update(record.id, (current) => ({ ...current, review: 'discarded' }));
    }
    if (!existsSync(record.worktree.path)) {
      // Removed by hand: there is nothing left to park; the pool's own record is for grove destroy/prune to settle.
      return this.o.store.update(record.id, (current) => ({ ...current, review: 'discarded', worktree: null, error: current.error ?? `its worktree ${record.worktree?.path} was removed by hand` }));
    }
    let parkedRef: string | null = null;
    try {
      const outcome = await this.o.pool.returnWorktree(record.worktree.name, { ifLeaseId: record.worktree.leaseId, force: true });
      parkedRef = outcome.parkedRef ?? null;
    } catch (error) {
      // Someone returned it already (or leased it anew): this result no longer owns it; say so.
      if (isGroveError(error, 'refused')) {
        throw new GroveError('refused', `the worktree ${record.worktree.name} is no longer held for ${record.id}: ${error.message}`, error.hint);
      }
      throw error;
    }
    return this.o.store.update(record.id, (current) => ({ ...current, review: 'discarded', parkedRef: parkedRef ?? current.parkedRef, worktree: null }));
  }

  /** Marks one fan-out variant the winner and discards the other variants of its group. */
  async keep(ref: string): Promise<{ kept: ResultRecord; discarded: ResultRecord[] }> {
    const record = await this.find(ref);
    if (!record.group) throw new GroveError('usage', `${record.id} is not a fan-out variant`, 'Keep This One picks among the variants of one fan-out.');
    const others = (await this.o.store.list()).filter((other) => other.group?.id === record.group?.id && other.id !== record.id && other.review !== 'discarded');
    const discarded: ResultRecord[] = [];
    for (const other of others) discarded.push(await this.discard(other));
    const kept = await this.o.store.update(record.id, (current) => ({ ...current, review: 'kept' }));
    return { kept, discarded };
  }

  parked(o: { files?: boolean } = {}): Promise<ParkedEntry[]> {
    return listParked(this.o.repoDir, o);
  }

  /** Restores parked work into a freshly leased worktree; the ref stays until dropped. */
  async restoreParked(given: string, holder = 'grove:restored'): Promise<{ ref: string; path: string; name: string; leaseId: string }> {
    const { ref, commit } = await resolveParked(this.o.repoDir, given);
    const lease = await this.o.pool.lease({ holder });
    await restoreInto(lease.path, commit);
    return { ref, path: lease.path, name: lease.name, leaseId: lease.leaseId };
  }

  async dropParked(given: string): Promise<{ ref: string; commit: string }> {
    const { ref, commit } = await resolveParked(this.o.repoDir, given);
    await dropParked(this.o.repoDir, ref, commit);
    return { ref, commit };
  }
}

/** What the agent reads for a batch of review comments: where, the line as the person saw it, and what they said. */
export function reviewPrompt(comments: ReviewComment[]): string {
  const parts = comments.map((comment, index) => [
    `${index + 1}. ${comment.file}, line ${comment.line}:`,
    `   > ${comment.lineText.trim()}`,
    `   ${comment.body.trim().replace(/\n/g, '\n   ')}`,
  ].join('\n'));
  return `Review comments on your changes. Address each one, then say briefly what you changed.\n\n${parts.join('\n\n')}\n`;
}
