import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { ResultStore, resultsDir, type ResultRecord } from '../../src/core/results';
import { collect, waitUntilStopped } from '../helpers/processes';
import { cleanupTempDirs, createRepo, tempDir } from '../helpers/tempRepo';

const STORE = path.resolve(__dirname, '../../src/core/results/store.ts');
const ENV = { GROVE_LOCK_STALE_MS: '500' };

/** A process that adds one review comment to a result through the store (real process, real lock, real files). */
function commenter(groveDir: string, resultId: string, body: string, env: Record<string, string> = {}) {
  const script = path.join(tempDir('grove-commenter-'), 'comment.ts');
  writeFileSync(script, `import { ResultStore } from ${JSON.stringify(STORE)};
new ResultStore(${JSON.stringify(groveDir)}).update(${JSON.stringify(resultId)}, (record) => ({ ...record,
  pendingComments: [...record.pendingComments, { id: ${JSON.stringify(body)}, file: 'a.txt', line: 1, lineText: 'a', body: ${JSON.stringify(body)}, createdAt: new Date().toISOString() }] }))
  .then(() => process.stdout.write('ok\\n'), (error) => { process.stderr.write(String(error.message) + '\\n'); process.exit(3); });
`);
  return spawn(process.execPath, ['--import', 'tsx', script], { env: { ...process.env, ...ENV, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
}

function record(id: string): ResultRecord {
  const at = new Date().toISOString();
  return {
    version: 1, id, kind: 'task', taskId: 'task-x', chainRunId: null, group: null, title: 'x', prompt: 'x', chain: null, status: 'succeeded',
    review: 'awaiting', finalMessage: null, error: null, errorKind: null, runs: [], costMicros: 0, worktree: null, worktreeName: null,
    baseCommit: null, changes: null, parkedRef: null, pendingComments: [], createdAt: at, updatedAt: at,
  };
}

/**
 * Issue 9's promise for the results store: a writer paused inside a result's lock past its stale
 * time (a frozen editor adding a review comment) must not put back the record it read over newer
 * ones; and a writer killed at any moment leaves the record whole.
 */
describe('results store: fenced writes under one result\'s lock', function () {
  this.timeout(600_000);
  afterEach(cleanupTempDirs);

  it('10 rounds of a commenter SIGSTOPped inside the lock, two more commenting past it, SIGCONT: 0 comments lost', async () => {
    const groveDir = path.join(createRepo(), '.git', 'grove');
    const store = new ResultStore(groveDir);
    await store.save(record('result-fenced'));
    const expected: string[] = [];
    for (let round = 1; round <= 10; round++) {
      const victim = commenter(groveDir, 'result-fenced', `victim-${round}`, { GROVE_TEST_STOP_BEFORE_COMMIT: '1' });
      const victimDone = collect(victim);
      await waitUntilStopped(victim);
      for (const other of ['a', 'b']) {
        const done = await collect(commenter(groveDir, 'result-fenced', `other-${round}-${other}`));
        assert.equal(done.code, 0, done.stderr);
      }
      victim.kill('SIGCONT');
      const resumed = await victimDone;
      // Its first commit was refused (the lock was taken over); its change went onto the newer record.
      assert.equal(resumed.code, 0, resumed.stderr);
      expected.push(`other-${round}-a`, `other-${round}-b`, `victim-${round}`);
    }
    const comments = (await store.get('result-fenced'))!.pendingComments.map((comment) => comment.body);
    assert.deepEqual([...comments].sort(), [...expected].sort(), 'every comment of every process is there');
    // The copy views read says the same as the newest generation.
    assert.deepEqual((await store.list())[0].pendingComments.map((comment) => comment.body).sort(), [...expected].sort());
  });

  it('commenters SIGKILLed at random moments: the record is always whole, and every comment a process confirmed is in it', async () => {
    const groveDir = path.join(createRepo(), '.git', 'grove');
    const store = new ResultStore(groveDir);
    await store.save(record('result-killed'));
    const confirmed: string[] = [];
    let killed = 0;
    for (let round = 1; round <= 12; round++) {
      const children = [1, 2, 3].map((n) => ({ name: `c-${round}-${n}`, child: commenter(groveDir, 'result-killed', `c-${round}-${n}`) }));
      const results = children.map(({ child }) => collect(child));
      await new Promise((resolve) => setTimeout(resolve, 300 + Math.random() * 600));
      const victim = children[round % 3];
      if (victim.child.exitCode === null) {
        victim.child.kill('SIGKILL');
        killed++;
      }
      const outcomes = await Promise.all(results);
      outcomes.forEach((outcome, i) => { if (outcome.code === 0) confirmed.push(children[i].name); });
      const current = await store.get('result-killed');
      assert.ok(current, `round ${round}: the record is readable`);
      for (const name of confirmed) assert.ok(current.pendingComments.some((comment) => comment.body === name), `round ${round}: ${name} was confirmed and is gone`);
    }
    assert.ok(killed > 0, 'some commenter was killed mid-way');
    const leftovers = readdirSync(resultsDir(groveDir)).filter((name) => name.endsWith('.tmp'));
    assert.deepEqual(leftovers, [], 'no half-written copy where views read');
    process.stderr.write(`      figures: ${confirmed.length} comments confirmed and kept, ${killed} commenters killed\n`);
  });
});
