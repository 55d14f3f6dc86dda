import * as assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { isGroveError } from '../../../src/core/errors';
import { cleanupTempDirs } from '../../helpers/tempRepo';
import { createPool } from '../../helpers/pool';

const GITIGNORE = 'node_modules/\ndist/\n*.log\n.env\nconfig/local.json\nsecrets/\nbig.bin\n';

async function poolWithSecrets() {
  const fixture = await createPool({ repo: { gitignore: GITIGNORE, files: { 'README.md': '# r\n', '.worktreeinclude': '.env\n' } } });
  writeFileSync(path.join(fixture.repo, '.env'), 'SECRET=main\n');
  return fixture;
}

function warm(worktree: string): void {
  mkdirSync(path.join(worktree, 'node_modules', 'dep'), { recursive: true });
  writeFileSync(path.join(worktree, 'node_modules', 'dep', 'index.js'), 'module.exports = 1;\n');
  mkdirSync(path.join(worktree, 'dist'));
  writeFileSync(path.join(worktree, 'dist', 'out.js'), 'built\n');
  writeFileSync(path.join(worktree, 'debug.log'), 'log\n');
}

describe('destroy names ignored files that are work, and --force saves them (issue 9, 4f)', () => {
  afterEach(cleanupTempDirs);

  it('goes through without a word for dependencies, build output, logs and an unchanged .worktreeinclude copy', async () => {
    const { pool } = await poolWithSecrets();
    const lease = await pool.lease({ holder: 'a' });
    assert.equal(readFileSync(path.join(lease.path, '.env'), 'utf8'), 'SECRET=main\n');
    warm(lease.path);
    await pool.returnWorktree(lease.name);
    const outcome = await pool.destroy(lease.name);
    assert.equal(outcome.ignoredSavedTo, undefined);
    assert.ok(!existsSync(lease.path));
  });

  it('refuses (exit 4 kind) naming a changed .env and other ignored files; --force saves them to a folder and names what was too big', async () => {
    const { pool, location } = await poolWithSecrets();
    const lease = await pool.lease({ holder: 'a' });
    warm(lease.path);
    writeFileSync(path.join(lease.path, '.env'), 'SECRET=changed-in-the-worktree\n');
    mkdirSync(path.join(lease.path, 'config'));
    writeFileSync(path.join(lease.path, 'config', 'local.json'), '{"port":1}\n');
    mkdirSync(path.join(lease.path, 'secrets'));
    writeFileSync(path.join(lease.path, 'secrets', 'key.pem'), 'KEY\n');
    writeFileSync(path.join(lease.path, 'big.bin'), Buffer.alloc(2 * 1024 * 1024, 1));
    await pool.returnWorktree(lease.name);
    await assert.rejects(pool.destroy(lease.name), (error: unknown) => {
      assert.ok(isGroveError(error, 'refused'), String(error));
      assert.match(error.message, /4 ignored file\(s\)/);
      for (const name of ['.env', 'config/local.json', 'secrets/key.pem', 'big.bin']) assert.ok(error.message.includes(name), `names ${name}`);
      assert.ok(!/node_modules|dist\/|debug\.log/.test(error.message), 'dependencies, build output and logs are not named');
      assert.match(error.hint ?? '', /--force/);
      return true;
    });
    assert.ok(existsSync(path.join(lease.path, '.env')));

    const outcome = await pool.destroy(lease.name, { force: true });
    assert.ok(!existsSync(lease.path));
    const saved = outcome.ignoredSavedTo!;
    assert.ok(saved.startsWith(path.join(location.groveDir, 'parked-files', lease.name)));
    assert.equal(readFileSync(path.join(saved, '.env'), 'utf8'), 'SECRET=changed-in-the-worktree\n');
    assert.equal(readFileSync(path.join(saved, 'config', 'local.json'), 'utf8'), '{"port":1}\n');
    assert.equal(readFileSync(path.join(saved, 'secrets', 'key.pem'), 'utf8'), 'KEY\n');
    assert.ok(!existsSync(path.join(saved, 'big.bin')), 'over 1 MiB: not saved');
    assert.ok(!existsSync(path.join(saved, 'node_modules')));
    assert.equal(statSync(saved).mode & 0o777, 0o700, 'private to the user');
    assert.match(outcome.restoreHint ?? '', /cp -a/);
    assert.match(outcome.restoreHint ?? '', /Deleted without saving.*big\.bin/);
  });

  it('prune leaves a worktree with such ignored files, in the dry run and the real one', async () => {
    const { pool } = await poolWithSecrets();
    const a = await pool.lease({ holder: 'a' });
    const b = await pool.lease({ holder: 'b' });
    warm(a.path);
    warm(b.path);
    writeFileSync(path.join(b.path, '.env'), 'SECRET=edited\n');
    await pool.returnWorktree(a.name);
    await pool.returnWorktree(b.name);
    assert.deepEqual((await pool.prune()).wouldRemove, [a.name]);
    assert.deepEqual((await pool.prune({ yes: true })).removed, [a.name]);
    assert.equal(readFileSync(path.join(b.path, '.env'), 'utf8'), 'SECRET=edited\n');
  });
});
