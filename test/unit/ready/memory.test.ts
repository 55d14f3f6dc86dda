import { strict as assert } from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { groupResidentBytes, MemoryGate, procMemAvailable, withResidentMemory } from '../../../src/core/ready/memory';
import { closeHarnesses, harness } from '../../helpers/engineHarness';
import type { TaskSnapshot } from '../../../src/core/engine/types';

/** A real process group: a leader and a child, each holding `mb` MB resident. */
function hog(mb: number): Promise<ChildProcess> {
  const script = `const b = Buffer.alloc(${mb} * 1024 * 1024, 1); const c = require('child_process').spawn(process.execPath, ['-e', 'const b = Buffer.alloc(${mb} * 1024 * 1024, 1); console.log("child"); setInterval(() => b[0]++, 1000)'], { stdio: ['ignore', 'pipe', 'inherit'] }); c.stdout.once('data', () => console.log('up')); setInterval(() => b[0]++, 1000);`;
  const child = spawn(process.execPath, ['-e', script], { detached: true, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.stdout!.once('data', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`hog exited ${code}`)));
  });
}

describe('ready: memory', () => {
  const groups: ChildProcess[] = [];
  afterEach(() => {
    for (const child of groups.splice(0)) {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    closeHarnesses();
  });

  it('reads the resident memory of a whole process group from /proc, and MemAvailable', async () => {
    const group = await hog(60);
    groups.push(group);
    const bytes = await groupResidentBytes(group.pid!);
    assert.ok(bytes !== null && bytes >= 2 * 60 * 1024 * 1024, `leader and child together hold 120 MB+, read ${bytes}`);
    assert.equal(await groupResidentBytes(2 ** 22 + 12345), null, 'no such group');
    const available = await procMemAvailable();
    assert.ok(available !== null && available > 0 && available < 1e15, `MemAvailable ${available}`);
    const [live, done] = await withResidentMemory([{ pid: group.pid!, status: 'active' }, { pid: group.pid!, status: 'completed' }]);
    assert.ok((live.residentBytes ?? 0) >= 2 * 60 * 1024 * 1024);
    assert.equal(done.residentBytes, null, 'only live runs are measured');
  });

  it('holds a task back while available memory is below the threshold, saying how much is free', async () => {
    let free = 0.4e9;
    const gate = new MemoryGate({ minFreeGb: 1, read: async () => free });
    assert.equal(await gate.waitReason(), 'waiting for memory (0.4 GB free, 1.0 GB wanted)');
    free = 8e9;
    assert.equal(await gate.waitReason(), null);
    assert.equal(await new MemoryGate({ minFreeGb: 0, read: async () => 1 }).waitReason(), null, '0 turns it off');
    assert.equal(await new MemoryGate({ read: async () => null }).waitReason(), null, 'no reading: no holding back');
  });

  it('a queued task waits for memory instead of failing, and starts once there is enough', async () => {
    let free = 0.2e9;
    const made = await harness({ slots: 2, memory: { minFreeGb: 1, read: async () => free } });
    const engine = made.opened.engine;
    const queued: TaskSnapshot[] = [];
    engine.events.onType('task-queued', (event) => queued.push(event.task));
    const id = engine.submit({ prompt: 'hello' });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const waiting = engine.result(id);
    assert.equal(waiting?.status, 'queued', 'still queued, not failed');
    assert.match(waiting?.waitingFor ?? '', /^waiting for memory \(0\.2 GB free/);
    assert.ok(queued.some((task) => task.waitingFor?.startsWith('waiting for memory')), 'the wait is announced');
    assert.equal(engine.slots().filter((slot) => slot.state === 'busy').length, 0);
    free = 16e9;
    const result = await engine.wait(id);
    assert.equal(result.status, 'succeeded', result.error ?? '');
    assert.equal(result.waitingFor, null);
  });
});
