import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { processesInside } from '../../../src/core/pool/processes';
import { cleanupTempDirs, createRepo, tempDir } from '../../helpers/tempRepo';

describe('processes inside a folder (/proc/*/cwd)', () => {
  const children: ChildProcess[] = [];
  afterEach(() => {
    for (const child of children.splice(0)) child.kill('SIGKILL');
    cleanupTempDirs();
  });

  it('finds a process whose cwd is in the folder or below it, and not one elsewhere; git tool runs do not count (Linux; elsewhere none)', async () => {
    const repo = createRepo();
    const deep = path.join(repo, 'src', 'deeper');
    mkdirSync(deep);
    const elsewhere = tempDir();
    const inside = spawn('sleep', ['30'], { cwd: deep, stdio: 'ignore' });
    const outside = spawn('sleep', ['30'], { cwd: elsewhere, stdio: 'ignore' });
    const gitRun = spawn('git', ['cat-file', '--batch'], { cwd: repo, stdio: ['pipe', 'ignore', 'ignore'] }); // waits on stdin
    children.push(inside, outside, gitRun);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const found = await processesInside([repo, elsewhere]);
    const onLinux = process.platform === 'linux';
    assert.deepEqual(found.get(repo), onLinux ? [inside.pid] : []);
    assert.deepEqual(found.get(elsewhere), onLinux ? [outside.pid] : []);
  });
});
