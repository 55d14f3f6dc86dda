import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as path from 'node:path';

const CLI = path.resolve(__dirname, '../../../dist/cli.js');

// dist/cli.js: `node esbuild.mjs` first.
describe('grove writing into a closed pipe (grove prices | head -1)', () => {
  it('finishes quietly with its own exit code: no EPIPE stack trace', async () => {
    const child = spawn(process.execPath, [CLI, 'prices'], { stdio: ['ignore', 'pipe', 'pipe'] });
    // The reader goes away before the first line arrives.
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    assert.doesNotMatch(stderr, /EPIPE|Unhandled 'error' event/);
    assert.equal(code, 0, stderr);
  });
});
