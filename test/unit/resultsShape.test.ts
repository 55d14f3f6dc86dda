import { strict as assert } from 'node:assert';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { resultsDir, type ResultRecord } from '../../src/core/results';
import { workingAgent } from '../helpers/resultsAgent';
import { cleanupTempDirs, createRepo, runCli } from '../helpers/tempRepo';

/**
 * Hand-written, half-copied and wrong-shaped result files (a person edits JSON; a sync tool
 * copies half a file): each is skipped with its file and first problem named, the others still
 * list, and nothing shows "$NaN" or "undefined" or crashes. `runCli` runs dist/cli.js: `node esbuild.mjs` first.
 */
describe('result files of the wrong shape', function () {
  this.timeout(120_000);
  afterEach(cleanupTempDirs);

  it('are skipped by grove results with the reason, refused by grove result (exit 4), and an older record without newer fields still reads', async () => {
    const repo = createRepo();
    const env = { GROVE_AGENT_COMMAND: workingAgent() };
    const run = await runCli(['run', '--json', 'Write notes [add:notes.md]'], { cwd: repo, env });
    assert.equal(run.code, 0, run.stderr);
    const dir = resultsDir(path.join(repo, '.git', 'grove'));
    const id = (JSON.parse(run.stdout) as { resultIds: string[] }).resultIds[0];
    const good = JSON.parse(readFileSync(path.join(dir, `${id}.json`), 'utf8')) as ResultRecord & Record<string, unknown>;
    const variant = (name: string, change: (record: Record<string, unknown>) => void) => {
      const copy = structuredClone(good) as Record<string, unknown>;
      copy.id = name;
      change(copy);
      writeFileSync(path.join(dir, `${name}.json`), JSON.stringify(copy));
    };
    variant('title-number', (record) => { record.title = 5; });
    variant('runs-text', (record) => { record.runs = 'x'; });
    variant('added-text', (record) => { (record.changes as { files: { added: unknown }[] }).files[0].added = 'many'; });
    variant('cost-nan', (record) => { record.costMicros = 'NaN'; });
    variant('older', (record) => { delete record.pendingComments; delete record.landed; });
    variant('other-id', (record) => { record.id = 'someone-else'; });
    const whole = readFileSync(path.join(dir, `${id}.json`), 'utf8');
    writeFileSync(path.join(dir, 'half.json'), whole.slice(0, whole.length / 2));

    const listed = await runCli(['results', '--json'], { cwd: repo });
    assert.equal(listed.code, 0, listed.stderr);
    assert.deepEqual((JSON.parse(listed.stdout) as { results: ResultRecord[] }).results.map((record) => record.id).sort(), [id, 'older'].sort());
    for (const [file, reason] of [['title-number', 'title is number 5'], ['runs-text', 'runs is the text "x", not a list'], ['added-text', 'changes.files[0].added is the text "many"'],
      ['cost-nan', 'costMicros is the text "NaN"'], ['other-id', 'its id is "someone-else", not the file\'s name "other-id"'], ['half', 'it is not JSON']]) {
      assert.ok(listed.stderr.includes(`skipped ${path.join(dir, `${file}.json`)}: ${reason}`), `${file}: ${listed.stderr}`);
    }
    const text = await runCli(['results'], { cwd: repo });
    assert.doesNotMatch(text.stdout, /NaN|undefined/);
    assert.equal(text.stdout.trim().split('\n').length, 2);

    const refused = await runCli(['result', 'title-number'], { cwd: repo });
    assert.equal(refused.code, 4);
    assert.match(refused.stderr, /title-number\.json is not a result Grove can read: title is number 5\n.*move it out of the results folder/);
    const older = await runCli(['result', 'older', '--json'], { cwd: repo });
    assert.equal(older.code, 0, older.stderr);
    assert.deepEqual((JSON.parse(older.stdout) as ResultRecord).pendingComments, []);
  });
});
