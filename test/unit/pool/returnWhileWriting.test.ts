import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { isGroveError } from '../../../src/core/errors';
import { cleanupTempDirs, git, tempDir } from '../../helpers/tempRepo';
import { createPool } from '../../helpers/pool';

/**
 * A real writer: creates f-<n>.txt in `folder` every 2 ms (for `forMs` ms, or for ever), and
 * appends each name to `log` once the file is written in full (so the log lists exactly the
 * files that must not vanish).
 */
const WRITER = `
const fs = require('fs'), path = require('path');
const [folder, log, forMs] = process.argv.slice(1);
const until = forMs ? Date.now() + Number(forMs) : Infinity;
let n = 0;
function tick() {
  if (Date.now() > until) return;
  const name = 'f-' + n + '.txt';
  try {
    fs.writeFileSync(path.join(folder, name), 'content ' + n + '\\n');
    fs.appendFileSync(log, name + '\\n');
  } catch {}
  n++;
  setTimeout(tick, 2);
}
tick();
`;

/** A real writer that rewrites one tracked file every 3 ms for `forMs` ms, logging each version written. */
const REWRITER = `
const fs = require('fs');
const [file, log, forMs] = process.argv.slice(1);
const until = Date.now() + Number(forMs);
let n = 100000;
function tick() {
  if (Date.now() > until) return;
  fs.writeFileSync(file, 'version ' + n + '\\n');
  fs.appendFileSync(log, n + '\\n');
  n++;
  setTimeout(tick, 3);
}
tick();
`;

function startWriter(folder: string, log: string, cwd: string, forMs?: number): ChildProcess {
  writeFileSync(log, '');
  return spawn(process.execPath, ['-e', WRITER, folder, log, ...(forMs ? [String(forMs)] : [])], { cwd, stdio: 'ignore' });
}

async function waitForLines(log: string, count: number): Promise<void> {
  // Generous: a node process can take seconds to start on a loaded machine.
  for (let i = 0; i < 2000; i++) {
    if (readFileSync(log, 'utf8').split('\n').filter(Boolean).length >= count) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`the writer wrote fewer than ${count} files in 20 s`);
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

/** Every parked file's content, across every ref under refs/grove/parked/. */
function parkedContents(repo: string): Map<string, Set<string>> {
  const found = new Map<string, Set<string>>();
  const refs = git(repo, 'for-each-ref', '--format=%(refname)', 'refs/grove/parked/').split('\n').filter(Boolean);
  for (const ref of refs) {
    for (const file of git(repo, 'ls-tree', '--name-only', ref).split('\n').filter((name) => name.startsWith('f-'))) {
      const contents = found.get(file) ?? new Set<string>();
      contents.add(git(repo, 'show', `${ref}:${file}`));
      found.set(file, contents);
    }
  }
  return found;
}

describe('return --force while a process writes in the worktree (issue 9, 4d)', function () {
  this.timeout(600_000);
  const children: ChildProcess[] = [];
  afterEach(async () => {
    for (const child of children.splice(0)) await stop(child);
    cleanupTempDirs();
  });

  it('refuses (exit 4 kind) while the writer sits inside, naming it, and leaves the lease and every file', async () => {
    const { pool } = await createPool();
    for (let round = 0; round < 5; round++) {
      const lease = await pool.lease({ holder: 'a' });
      const log = path.join(tempDir(), 'written.log');
      const writer = startWriter(lease.path, log, lease.path);
      children.push(writer);
      await waitForLines(log, 10);
      await assert.rejects(pool.returnWorktree(lease.name, { force: true }), (error: unknown) => {
        assert.ok(isGroveError(error, 'refused'), String(error));
        assert.match(error.message, new RegExp(`inside \\(pid ${writer.pid}\\)`));
        return true;
      });
      await stop(writer);
      const written = readFileSync(log, 'utf8').split('\n').filter(Boolean);
      for (const name of written) assert.ok(existsSync(path.join(lease.path, name)), `${name} is still there`);
      assert.equal((await pool.status())[0].holder, 'a', 'the lease is kept');
      await pool.returnWorktree(lease.name, { force: true });
    }
  });

  it('a writer outside the worktree writing into it: over many rounds no file written is lost (each is in the worktree or parked, with its content)', async () => {
    let lost = 0;
    let total = 0;
    let refusedRounds = 0;
    const rounds = 16;
    for (let round = 0; round < rounds; round++) {
      const { repo, pool } = await createPool();
      const lease = await pool.lease({ holder: 'a' });
      const log = path.join(tempDir(), 'written.log');
      // Bursts of 0.1 to 1.3 s land in every phase of the return (look, park, switch, look
      // again); the last round's writer never stops, so that return must give up.
      const writer = startWriter(lease.path, log, tempDir(), round === rounds - 1 ? undefined : 100 + ((round * 397) % 1200));
      children.push(writer);
      await waitForLines(log, 5);
      try {
        await pool.returnWorktree(lease.name, { force: true });
      } catch (error) {
        if (!isGroveError(error, 'refused')) throw error;
        refusedRounds++; // kept changing: refused with the lease kept; nothing may be lost either way
      }
      await stop(writer);
      const parked = parkedContents(repo);
      for (const name of readFileSync(log, 'utf8').split('\n').filter(Boolean)) {
        total++;
        const expected = `content ${name.slice(2, -4)}`;
        const onDisk = existsSync(path.join(lease.path, name)) ? readFileSync(path.join(lease.path, name), 'utf8').trim() : null;
        if (onDisk !== expected && !parked.get(name)?.has(expected)) lost++;
      }
    }
    console.log(`      ${total} files written during ${rounds} forced returns, ${lost} lost, ${refusedRounds} round(s) refused as still changing`);
    assert.equal(lost, 0, `${lost} of ${total} files were lost`);
    assert.ok(refusedRounds >= 1, 'a writer that never stops makes the return give up, lease kept');
    assert.ok(refusedRounds < rounds, 'returns whose writer stopped went through');
  });

  it('a file rewritten from outside during the return: its last version is never lost (same size each time, so only git\'s racy-timestamp care tells)', async () => {
    let lost = 0;
    let lateParks = 0;
    const rounds = 12;
    for (let round = 0; round < rounds; round++) {
      const { repo, pool } = await createPool();
      const lease = await pool.lease({ holder: 'a' });
      const file = path.join(lease.path, 'README.md');
      const log = path.join(tempDir(), 'versions.log');
      writeFileSync(log, '');
      const writer = spawn(process.execPath, ['-e', REWRITER, file, log, String(200 + round * 100)], { cwd: tempDir(), stdio: 'ignore' });
      children.push(writer);
      await waitForLines(log, 3);
      await pool.returnWorktree(lease.name, { force: true }).catch((error: unknown) => {
        if (!isGroveError(error, 'refused')) throw error;
      });
      await stop(writer);
      const last = `version ${readFileSync(log, 'utf8').trim().split('\n').pop()}`;
      const onDisk = readFileSync(file, 'utf8').trim();
      const refs = git(repo, 'for-each-ref', '--format=%(refname)', 'refs/grove/parked/').split('\n').filter(Boolean);
      if (onDisk !== last && !refs.some((ref) => git(repo, 'show', `${ref}:README.md`) === last)) lost++;
      lateParks += refs.filter((ref) => ref.endsWith('-late')).length;
    }
    // A version written between git's check of the file and its replacement is kept by a hard link and parked as `…-late`.
    console.log(`      ${rounds} forced returns during rewrites: the last version lost in ${lost}; ${lateParks} version(s) written inside git's switch parked as -late`);
    assert.equal(lost, 0, `the last version was lost in ${lost} of ${rounds} rounds`);
  });
});
