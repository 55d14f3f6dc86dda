import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { RunRegistry } from '../agents/runRegistry';
import { runFiles } from '../agents/runFiles';
import type { RunRecord } from '../agents/types';
import type { WorktreePool } from '../pool/pool';
import { prefixedId } from '../util/ids';
import { computeChanges } from './changes';
import type { ResultStore } from './store';
import { titleOf, type ResultRecord, type ResultStatus } from './types';

/** A lease this young may belong to a task whose own engine is still writing its result. */
export const ORPHAN_GRACE_MS = 60_000;

const STATUS_OF_RUN: Record<string, ResultStatus> = { completed: 'succeeded', cancelled: 'cancelled', failed: 'failed', abandoned: 'failed' };

/**
 * Results for work whose engine died before it could record one: the run was finished by
 * whoever found it (issue 9 keeps its work leased to `grove:task-<id>`), but no task-finished
 * event ever reached a recorder. Found from the pool's leases and the run registry, so the work
 * shows in Results instead of sitting unseen in a leased worktree.
 */
export async function recordOrphans(o: { store: ResultStore; pool: WorktreePool; registry: RunRegistry; now?: () => Date }): Promise<ResultRecord[]> {
  const now = o.now ?? (() => new Date());
  const [statuses, records, runs] = await Promise.all([o.pool.status(), o.store.list(), o.registry.list()]);
  const held = new Set(records.flatMap((record) => (record.worktree ? [record.worktree.name] : [])));
  const knownTasks = new Set(records.flatMap((record) => [record.taskId, ...record.runs.map((run) => run.taskId)]));
  const made: ResultRecord[] = [];
  for (const status of statuses) {
    const taskId = status.holder?.match(/^grove:(task-.+)$/)?.[1];
    if (!taskId || held.has(status.name) || knownTasks.has(taskId) || !status.leaseId || !status.leasedAt) continue;
    if (now().getTime() - Date.parse(status.leasedAt) < ORPHAN_GRACE_MS) continue;
    const taskRuns = runs.filter((run) => run.taskId === taskId).sort((a, b) => a.startedAt.localeCompare(b.startedAt));
    if (taskRuns.length === 0 || taskRuns.some((run) => run.status === 'active' || run.status === 'starting')) continue;
    const lease = await o.pool.leaseOf(status.name);
    if (!lease || lease.leaseId !== status.leaseId) continue;
    const record = await orphanRecord(o.store, taskId, taskRuns, { name: status.name, path: status.path, leaseId: lease.leaseId, holder: lease.holder, head: lease.head }, now());
    await o.store.save(record);
    made.push(record);
  }
  return made;
}

async function orphanRecord(store: ResultStore, taskId: string, runs: RunRecord[], worktree: { name: string; path: string; leaseId: string; holder: string; head: string }, now: Date): Promise<ResultRecord> {
  const prompts = await Promise.all(runs.map((run) => fs.readFile(runFiles(store.groveDir, run.id).prompt, 'utf8').catch(() => '(the prompt was not kept)')));
  const last = runs[runs.length - 1];
  const at = now.toISOString();
  const changes = await computeChanges(worktree.path, worktree.head, path.join(store.groveDir, 'tmp'), now).catch(() => null);
  return {
    version: 1, id: prefixedId('result', now), kind: 'task', taskId, chainRunId: null, group: null, title: titleOf(prompts[0]), prompt: prompts[0], chain: null,
    status: STATUS_OF_RUN[last.status] ?? 'failed', review: 'awaiting', finalMessage: last.resultText,
    error: last.status === 'completed' ? null : last.error ?? `the run ${last.status}`, errorKind: last.status === 'completed' ? null : 'agent-failed',
    runs: runs.map((run, index) => ({
      runId: run.id, taskId, step: index === 0 ? null : 'continue', prompt: prompts[index], status: run.status, sessionId: run.sessionId, costMicros: run.costMicros,
      numTurns: run.numTurns, durationMs: run.durationMs, model: null, startedAt: run.startedAt, endedAt: run.endedAt, resultText: run.resultText, error: run.error, agentKind: run.agentKind, blockedOn: run.blockedOn,
    })),
    costMicros: runs.reduce((sum, run) => sum + run.costMicros, 0),
    worktree: { name: worktree.name, path: worktree.path, leaseId: worktree.leaseId, holder: worktree.holder }, worktreeName: worktree.name,
    baseCommit: worktree.head, changes, parkedRef: null, pendingComments: [], createdAt: last.endedAt ?? at, updatedAt: at,
  };
}
