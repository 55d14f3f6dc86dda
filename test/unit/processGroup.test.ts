import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { freezeGroup, groupAlive, killGroup } from '../../src/core/agents/processGroup';

/** The process state letter from /proc (T: stopped). */
function state(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
}

describe('process groups: freeze, then kill', () => {
  it('a frozen group stops where it stands, and TERM still ends it without waiting for KILL', async function () {
    if (process.platform !== 'linux') this.skip();
    // A leader that counts, and a child in its group: both must freeze, both must die on TERM.
    const leader = spawn(process.execPath, ['-e', `
      require('node:child_process').spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
      let n = 0; setInterval(() => process.stdout.write(String(++n) + '\\n'), 20);`], { detached: true, stdio: ['ignore', 'pipe', 'ignore'] });
    let output = '';
    leader.stdout.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    while (!output.includes('\n3\n')) await new Promise((resolve) => setTimeout(resolve, 20));
    const pgid = leader.pid!;
    freezeGroup(pgid);
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(state(pgid), 'T');
    const frozenAt = output.length;
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(output.length, frozenAt, 'a frozen agent printed on');
    // A grace long enough that only TERM (delivered because of the CONT) can explain a quick end.
    const { escalated } = await killGroup(pgid, 20_000);
    assert.equal(escalated, false);
    assert.equal(await groupAlive(pgid), false);
  });

  it('refuses to signal group 0, 1 or a negative id', () => {
    for (const pgid of [0, 1, -5, 1.5]) assert.throws(() => freezeGroup(pgid), /refusing to signal process group/);
  });
});
