import type { ResultRecord } from './types';

/**
 * What a result file must hold for Grove to show, continue, land or discard it. Result files are
 * plain JSON a person (or another tool) can edit, so every field the views and commands read is
 * checked; a file that fails names its first problem and is skipped, never half-shown ("$NaN",
 * "undefined") or a crash. Fields added after the first version are filled in when absent.
 */
export function checkResultRecord(value: unknown, expectedId?: string): { ok: true; record: ResultRecord } | { ok: false; reason: string } {
  const problem = firstProblem(value, expectedId);
  if (problem) return { ok: false, reason: problem };
  const record = value as ResultRecord;
  // Written by versions before review comments and landing were kept.
  record.pendingComments ??= [];
  record.landed ??= null;
  return { ok: true, record };
}

type Check = (value: unknown) => boolean;

const text: Check = (value) => typeof value === 'string';
const textOrNull: Check = (value) => value === null || typeof value === 'string';
const count: Check = (value) => typeof value === 'number' && Number.isFinite(value) && value >= 0;
const countOrNull: Check = (value) => value === null || count(value);
const oneOf = (...allowed: string[]): Check => (value) => typeof value === 'string' && allowed.includes(value);
const object = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

const RECORD: Record<string, Check> = {
  id: text, kind: oneOf('task', 'chain'), title: text, prompt: text, status: oneOf('succeeded', 'failed', 'cancelled', 'interrupted'),
  review: oneOf('awaiting', 'kept', 'discarded', 'landed'), finalMessage: textOrNull, error: textOrNull, costMicros: count,
  worktreeName: textOrNull, baseCommit: textOrNull, parkedRef: textOrNull, createdAt: text, updatedAt: text, taskId: textOrNull, chainRunId: textOrNull,
};
const RUN: Record<string, Check> = { taskId: text, prompt: text, status: text, sessionId: textOrNull, costMicros: count, resultText: textOrNull, error: textOrNull };
const WORKTREE: Record<string, Check> = { name: text, path: text, leaseId: text, holder: text };
const FILE: Record<string, Check> = { path: text, oldPath: text, kind: oneOf('added', 'modified', 'deleted', 'renamed'), added: countOrNull, removed: countOrNull, untracked: (value) => typeof value === 'boolean' };
const COMMENT: Record<string, Check> = { id: text, file: text, line: count, lineText: text, body: text };

function fields(value: Record<string, unknown>, checks: Record<string, Check>, where: string): string | null {
  for (const [key, check] of Object.entries(checks)) {
    if (!check(value[key])) return `${where}${key} is ${describe(value[key])}`;
  }
  return null;
}

function each(value: unknown, checks: Record<string, Check>, where: string): string | null {
  if (!Array.isArray(value)) return `${where} is ${describe(value)}, not a list`;
  for (const [index, item] of value.entries()) {
    if (!object(item)) return `${where}[${index}] is ${describe(item)}`;
    const problem = fields(item, checks, `${where}[${index}].`);
    if (problem) return problem;
  }
  return null;
}

function firstProblem(value: unknown, expectedId?: string): string | null {
  if (!object(value)) return `it holds ${describe(value)}, not a result record`;
  if (value.version !== 1) return `its version is ${describe(value.version)} (this Grove reads version 1)`;
  const top = fields(value, RECORD, '');
  if (top) return top;
  if (expectedId !== undefined && value.id !== expectedId) return `its id is "${String(value.id)}", not the file's name "${expectedId}"`;
  const runs = each(value.runs, RUN, 'runs');
  if (runs) return runs;
  if (value.pendingComments !== undefined) {
    const comments = each(value.pendingComments, COMMENT, 'pendingComments');
    if (comments) return comments;
  }
  if (value.worktree !== null) {
    if (!object(value.worktree)) return `worktree is ${describe(value.worktree)}`;
    const worktree = fields(value.worktree, WORKTREE, 'worktree.');
    if (worktree) return worktree;
  }
  return changesProblem(value.changes) ?? groupProblem(value.group);
}

function changesProblem(changes: unknown): string | null {
  if (changes === null) return null;
  if (!object(changes)) return `changes is ${describe(changes)}`;
  const files = each(changes.files, FILE, 'changes.files');
  if (files) return files;
  if (!count(changes.added) || !count(changes.removed)) return 'changes.added or changes.removed is not a count';
  if (!Array.isArray(changes.commits) || !Array.isArray(changes.untracked)) return 'changes.commits or changes.untracked is not a list';
  return null;
}

function groupProblem(group: unknown): string | null {
  if (group === null || group === undefined) return null;
  if (!object(group) || !text(group.id) || !count(group.index) || !count(group.count)) return `group is ${describe(group)}`;
  return null;
}

function describe(value: unknown): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return `the text ${JSON.stringify(value.length > 30 ? `${value.slice(0, 29)}…` : value)}`;
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`;
}
