// The editor layer's pure parts (no `vscode` import): the panel's message checks, its spend
// summary, and the worktrees tree's quick rows from the state file.
import * as assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { WorktreeStatus } from '../../src/core/pool/pool';
import { parseFromWebview } from '../../src/vscode/panel/protocol';
import { summarizeSpend } from '../../src/vscode/panel/spendSummary';
import { quickStatuses } from '../../src/vscode/views/quickStatus';
import { cleanupTempDirs, tempDir } from '../helpers/tempRepo';

describe('editor: panel protocol', () => {
  it('accepts only the messages the page may send, with valid fields', () => {
    assert.deepEqual(parseFromWebview({ type: 'ready' }), { type: 'ready' });
    assert.deepEqual(parseFromWebview({ type: 'cancelChain', chainRunId: 'chain-lz2k8f-1a2b3c4d' }), { type: 'cancelChain', chainRunId: 'chain-lz2k8f-1a2b3c4d' });
    assert.equal(parseFromWebview({ type: 'cancelChain', chainRunId: '../../etc' }), null);
    assert.equal(parseFromWebview({ type: 'openWorktree', path: 'relative/path' }), null);
    assert.equal(parseFromWebview({ type: 'runShell', command: 'rm -rf /' }), null);
    assert.equal(parseFromWebview('ready'), null);
    assert.equal(parseFromWebview(null), null);
  });
});

describe('editor: spend summary for the panel', () => {
  it('accumulates the ledger in time order and totals per slot and per task', () => {
    const summary = summarizeSpend([
      { runId: 'run-2', taskId: 'task-b', slot: 'slot-2', costMicros: 300_000, status: 'completed', at: '2026-01-01T00:00:02.000Z' },
      { runId: 'run-1', taskId: 'task-a', slot: 'slot-1', costMicros: 200_000, status: 'failed', at: '2026-01-01T00:00:01.000Z' },
      { runId: 'run-3', taskId: 'task-a', slot: 'slot-1', costMicros: 100_000, status: 'completed', at: '2026-01-01T00:00:03.000Z' },
    ], { capMicros: 1_000_000, spentMicros: 600_000, reservedMicros: 50_000, remainingMicros: 350_000 }, new Map([['task-a', 'fix the parser']]));
    assert.deepEqual(summary.points.map((point) => [point.runId, point.totalMicros]), [['run-1', 200_000], ['run-2', 500_000], ['run-3', 600_000]]);
    assert.deepEqual(summary.perSlot, [{ slot: 'slot-1', micros: 300_000, runs: 2 }, { slot: 'slot-2', micros: 300_000, runs: 1 }]);
    assert.deepEqual(summary.perTask.map((task) => [task.label, task.micros, task.runs]), [['fix the parser', 300_000, 2], ['task-b', 300_000, 1]]);
    assert.equal(summary.capMicros, 1_000_000);
    assert.equal(summary.reservedMicros, 50_000);
  });

  it('keeps the newest points of a long history', () => {
    const entries = Array.from({ length: 20 }, (_, i) => ({ runId: `run-${i}`, taskId: null, slot: null, costMicros: 1, status: 'completed', at: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString() }));
    const summary = summarizeSpend(entries, null, new Map(), 5);
    assert.deepEqual(summary.points.map((point) => point.runId), ['run-15', 'run-16', 'run-17', 'run-18', 'run-19']);
    assert.equal(summary.points.at(-1)?.totalMicros, 20);
    assert.equal(summary.spentMicros, 20);
  });
});

describe('editor: quick worktree rows from state.json', () => {
  afterEach(cleanupTempDirs);

  function writeState(dir: string, worktrees: Record<string, unknown>): string {
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, 'state.json');
    writeFileSync(file, JSON.stringify({ version: 1, worktrees }));
    return file;
  }

  const record = (name: string, extra: Record<string, unknown> = {}) => ({
    name, path: `/pool/${name}`, root: '/pool', createdAt: '2026-01-01T00:00:00.000Z', head: 'abc1234', lease: null, reservation: null, claim: null, damaged: null, ...extra,
  });

  it('derives each state the way the pool does, and keeps what only git knew from the last full status', async () => {
    const statePath = writeState(tempDir(), {
      'wt-1': record('wt-1'),
      'wt-2': record('wt-2', { lease: { leaseId: 'a'.repeat(32), holder: 'alice', leasedAt: '2026-01-01T00:00:00.000Z', head: 'abc1234' } }),
      'wt-3': record('wt-3', { reservation: { reservationId: 'r', owner: 'slot-1', identity: { pid: 1, startTime: null, bootId: null }, at: '2026-01-01T00:00:00.000Z', head: 'abc1234' } }),
      'wt-4': record('wt-4', { damaged: 'folder is missing' }),
      'wt-5': record('wt-5'),
    });
    const previous = new Map<string, WorktreeStatus>([['wt-5', {
      name: 'wt-5', path: '/pool/wt-5', state: 'dirty', holder: null, leaseId: null, leasedAt: null, head: 'def5678', branch: 'feature', dirty: true, reservedBy: null, processes: [], reason: 'uncommitted changes',
    }]]);
    const rows = new Map((await quickStatuses(statePath, previous))!.map((row) => [row.name, row]));
    assert.equal(rows.get('wt-1')!.state, 'available');
    assert.equal(rows.get('wt-2')!.state, 'leased');
    assert.equal(rows.get('wt-2')!.holder, 'alice');
    assert.equal(rows.get('wt-3')!.state, 'busy');
    assert.equal(rows.get('wt-3')!.reservedBy, 'slot-1');
    assert.equal(rows.get('wt-4')!.state, 'damaged');
    assert.equal(rows.get('wt-5')!.state, 'dirty');
    assert.equal(rows.get('wt-5')!.branch, 'feature');
  });

  it('reads a missing state file as an empty pool and an unreadable one as unknown', async () => {
    const dir = tempDir();
    assert.deepEqual(await quickStatuses(path.join(dir, 'state.json'), new Map()), []);
    writeFileSync(path.join(dir, 'state.json'), '{ not json');
    assert.equal(await quickStatuses(path.join(dir, 'state.json'), new Map()), null);
  });
});
