import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { FencedDocument } from '../../../src/core/store/fencedJson';
import type { LockContext } from '../../../src/core/store/lock';
import { cleanupTempDirs, tempDir } from '../../helpers/tempRepo';

/**
 * The compare-and-swap under every lock-protected document, driven directly: two "sessions"
 * stand for a holder that lost the lock (paused) and the one that took it over.
 */
function session(): LockContext {
  return { fence: new Map(), assertHeld: () => undefined };
}

async function valueOf(document: FencedDocument): Promise<unknown> {
  const read = await document.read();
  return read.kind === 'ok' ? read.value : read.kind;
}

describe('fenced JSON documents', () => {
  afterEach(cleanupTempDirs);

  it('refuses the commit of a session that read a generation another session has since replaced', async () => {
    const document = new FencedDocument(tempDir(), 'state');
    const first = session();
    await document.read(first);
    await document.commit(first, { n: 1 });
    const stale = session();
    await document.read(stale);
    const taker = session();
    await document.read(taker);
    await document.commit(taker, { n: 2 });
    await assert.rejects(document.commit(stale, { n: 'stale' }), /lost the pool lock.*nothing was written/);
    assert.deepEqual(await valueOf(document), { n: 2 });
    assert.deepEqual(JSON.parse(readFileSync(document.mirror, 'utf8')).n, 2, 'the readable copy is the newest too');
  });

  it('refuses a stale commit even when pruning freed its generation number', async () => {
    const document = new FencedDocument(tempDir(), 'state');
    const setup = session();
    await document.read(setup);
    await document.commit(setup, { n: 0 });
    const stale = session();
    await document.read(stale);
    for (let n = 1; n <= 20; n++) {
      const taker = session();
      await document.read(taker);
      await document.commit(taker, { n });
    }
    assert.ok(readdirSync(document.dir).length <= 8, 'old generations are pruned');
    await assert.rejects(document.commit(stale, { n: 'stale' }), /lost the pool lock/);
    assert.deepEqual(await valueOf(document), { n: 20 });
  });

  it('notices within one session that the document moved under it', async () => {
    const document = new FencedDocument(tempDir(), 'budget');
    const paused = session();
    await document.read(paused);
    const taker = session();
    await document.read(taker);
    await document.commit(taker, { n: 1 });
    await assert.rejects(document.read(paused), /lost the pool lock/);
  });

  it('reads a plain file from before generations, and its first commit is generation 1', async () => {
    const groveDir = tempDir();
    writeFileSync(path.join(groveDir, 'slots.json'), JSON.stringify({ claims: { a: 1 } }));
    const document = new FencedDocument(groveDir, 'slots');
    const lock = session();
    assert.deepEqual(await document.read(lock).then((read) => read.kind === 'ok' && read.value), { claims: { a: 1 } });
    await document.commit(lock, { claims: {} });
    assert.deepEqual(readdirSync(document.dir), ['000000000001.json']);
  });

  it('ignores a copy put back late by a paused writer, but honours a hand edit', async () => {
    const document = new FencedDocument(tempDir(), 'state');
    for (let n = 1; n <= 3; n++) {
      const lock = session();
      await document.read(lock);
      await document.commit(lock, { n });
    }
    const old = readFileSync(path.join(document.dir, '000000000002.json'), 'utf8');
    writeFileSync(document.mirror, old); // what a writer paused between its commit and its copy writes
    assert.deepEqual(await valueOf(document), { n: 3 });
    writeFileSync(document.mirror, JSON.stringify({ n: 'by hand' }));
    assert.deepEqual(await valueOf(document), { n: 'by hand' });
    const lock = session();
    await document.read(lock);
    await document.commit(lock, { n: 'after the hand edit' });
    assert.deepEqual(await valueOf(document), { n: 'after the hand edit' });
  });
});
