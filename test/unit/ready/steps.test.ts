import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { runSteps } from '../../../src/core/ready/steps';
import { cleanupTempDirs, tempDir } from '../../helpers/tempRepo';

describe('ready steps and the host process\'s signals', () => {
  afterEach(cleanupTempDirs);

  // The extension host must still exit on SIGTERM while an `npm ci` runs: only the CLI forwards.
  for (const forwardInterrupts of [false, true]) {
    it(`${forwardInterrupts ? 'the CLI (forwardInterrupts)' : 'the editor (default)'}: ${forwardInterrupts ? 'listens for' : 'adds no listener for'} SIGINT and SIGTERM while a step runs, and none is left after`, async () => {
      const dir = tempDir('grove-steps-');
      const before = { int: process.listenerCount('SIGINT'), term: process.listenerCount('SIGTERM') };
      let during: { int: number; term: number } | undefined;
      const running = runSteps('setup', [[process.execPath, '-e', 'setTimeout(() => {}, 400)']], {
        cwd: dir, env: {}, logFile: path.join(dir, 'log'), forwardInterrupts,
        progress: () => setTimeout(() => { during = { int: process.listenerCount('SIGINT'), term: process.listenerCount('SIGTERM') }; }, 200),
      });
      const outcome = await running;
      assert.equal(outcome.ok, true, outcome.error);
      const added = forwardInterrupts ? 1 : 0;
      assert.deepEqual(during, { int: before.int + added, term: before.term + added });
      assert.deepEqual({ int: process.listenerCount('SIGINT'), term: process.listenerCount('SIGTERM') }, before);
    });
  }
});
