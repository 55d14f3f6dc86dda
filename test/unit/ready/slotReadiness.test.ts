import { strict as assert } from 'node:assert';
import type { TaskSnapshot } from '../../../src/core/engine/types';
import { slotReadiness } from '../../../src/vscode/views/slotReadiness';
import { poolDiskTotal, readinessRows } from '../../../src/vscode/views/readinessRows';

describe('editor: readiness on slot rows and worktree tooltips', () => {
  const memory = { of: (runId: string | null) => (runId === 'run-1' ? 291e6 : null) };

  it('a busy slot shows its agent\'s resident memory; an idle one that the queue waits for memory', () => {
    const waiting = { status: 'queued', waitingFor: 'waiting for memory (0.4 GB free, 1.0 GB wanted)' } as TaskSnapshot;
    assert.deepEqual(slotReadiness('run-1', 'busy', memory, [waiting]), { residentBytes: 291e6, waiting: null });
    assert.deepEqual(slotReadiness(null, 'idle', memory, [waiting]), { residentBytes: null, waiting: waiting.waitingFor });
    assert.deepEqual(slotReadiness(null, 'idle', memory, [{ ...waiting, waitingFor: null }]), { residentBytes: null, waiting: null });
  });

  it('the worktree tooltip names the port block, warm or stale, a failure with its log, and the size', () => {
    const rows = readinessRows({
      ports: { base: 20030, ports: Array.from({ length: 10 }, (_, i) => 20030 + i) }, dependencies: 'stale', fingerprint: 'a', baseFingerprint: 'b',
      setupRuns: 1, refreshRuns: 0, failed: { at: '', phase: 'refresh', step: 'npm ci', error: 'exit code 1' }, configSource: '.grove/worktree.json',
      log: '/r/.git/grove/ready/wt-3.log', disk: { name: 'wt-3', checkoutBytes: 12e6, ignoredBytes: 2.4e9, measuredAt: '' },
    });
    assert.deepEqual(rows, [
      'Ports: 20030–20039 (GROVE_PORT_0…)',
      'Dependencies: stale (the next lease refreshes them) · from .grove/worktree.json',
      'Last step "npm ci" failed: exit code 1 (log: `/r/.git/grove/ready/wt-3.log`)',
      'Size: 12 MB checkout + 2.4 GB ignored',
    ]);
  });

  it('the Worktrees title adds the pool\'s measured total, and nothing before a measurement', () => {
    const disk = (bytes: number) => ({ ready: { disk: { name: 'x', checkoutBytes: bytes, ignoredBytes: bytes, measuredAt: '' } } as never });
    assert.equal(poolDiskTotal([disk(1e9), disk(0.5e9), {}]), ' · 3.0 GB');
    assert.equal(poolDiskTotal([{}, {}]), '');
  });
});
