import { strict as assert } from 'node:assert';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import * as path from 'node:path';
import { changeLine, parseTranscript, ResultStore, reviewPrompt, titleOf, transcriptMarkdown, type ResultRecord } from '../../src/core/results';
import { mergeDiffOutputs } from '../../src/core/results/changes';
import { cleanupTempDirs, tempDir } from '../helpers/tempRepo';

const FIXTURES = path.resolve(__dirname, '../fixtures/claude-cli');

function record(id: string, fields: Partial<ResultRecord> = {}): ResultRecord {
  const at = '2026-12-01T10:00:00.000Z';
  return {
    version: 1, id, kind: 'task', taskId: `task-${id}`, chainRunId: null, group: null, title: id, prompt: id, chain: null, status: 'succeeded',
    review: 'awaiting', finalMessage: null, error: null, errorKind: null, runs: [], costMicros: 0, worktree: null, worktreeName: null, baseCommit: null,
    changes: null, parkedRef: null, pendingComments: [], createdAt: at, updatedAt: at, ...fields,
  };
}

describe('results: the pure parts (diff parsing, transcript, prompts, store rules)', () => {
  afterEach(cleanupTempDirs);

  it('merges name-status and numstat, with renames, binary files and untracked marks', () => {
    const nameStatus = ['M', 'a.ts', 'R087', 'old name.ts', 'new name.ts', 'A', 'img.png', 'D', 'gone.ts', ''].join('\0');
    const numstat = ['3\t1\ta.ts', '2\t0\t', 'old name.ts', 'new name.ts', '-\t-\timg.png', '0\t4\tgone.ts', ''].join('\0');
    const files = mergeDiffOutputs(nameStatus, numstat, new Set(['img.png']));
    assert.deepEqual(files.map((file) => [file.path, file.oldPath, file.kind, file.added, file.removed, file.untracked]), [
      ['a.ts', 'a.ts', 'modified', 3, 1, false],
      ['gone.ts', 'gone.ts', 'deleted', 0, 4, false],
      ['img.png', 'img.png', 'added', null, null, true],
      ['new name.ts', 'old name.ts', 'renamed', 2, 0, false],
    ]);
  });

  it('reads a run log as a transcript: model, text, tools with the file they touched, the result', () => {
    const transcript = parseTranscript(readFileSync(path.join(FIXTURES, 'success.stream.jsonl'), 'utf8') + 'not json\n');
    assert.equal(transcript.model, 'claude-sonnet-4-5');
    assert.deepEqual(transcript.entries.map((entry) => entry.kind), ['text', 'tool', 'text', 'result']);
    assert.deepEqual(transcript.filesTouched, ['/home/dev/project/src/add.ts']);
    assert.equal(transcript.unreadableLines, 1);
    const markdown = transcriptMarkdown(transcript);
    assert.match(markdown, /- \*\*Edit\*\* `\/home\/dev\/project\/src\/add\.ts`/);
    assert.match(markdown, /\*\*Finished:\*\* Done\./);
    assert.match(markdown, /1 unreadable lines/);
    const failed = parseTranscript(readFileSync(path.join(FIXTURES, 'not-logged-in.stream.jsonl'), 'utf8'));
    assert.match(transcriptMarkdown(failed), /\*\*Failed:\*\* Not logged in/);
  });

  it('names a task by its prompt\'s first non-empty line and figures its changes in one line', () => {
    assert.equal(titleOf('\n\n  Fix the parser  \nthen more'), 'Fix the parser');
    assert.equal(titleOf('x'.repeat(100)).length, 80);
    assert.equal(changeLine(null), 'no changes');
    assert.equal(changeLine({ files: [{ path: 'a', oldPath: 'a', kind: 'added', added: 12, removed: 3, untracked: true }], added: 12, removed: 3, commits: [], untracked: ['a'], head: 'h', computedAt: '' }), '+12 −3 in 1 file');
  });

  it('puts every review comment in one follow-up: file, line, the line as seen, the comment', () => {
    const prompt = reviewPrompt([
      { id: '1', file: 'src/a.ts', line: 4, lineText: '  const x = 1;', body: 'Name it count', createdAt: '' },
      { id: '2', file: 'README.md', line: 1, lineText: '# demo', body: 'Say what it does\nin one line', createdAt: '' },
    ]);
    assert.match(prompt, /1\. src\/a\.ts, line 4:\n {3}> const x = 1;\n {3}Name it count/);
    assert.match(prompt, /2\. README\.md, line 1:\n {3}> # demo\n {3}Say what it does\n {3}in one line/);
  });

  it('keeps results like runs, but never drops one whose worktree still holds work; skips unreadable files', async () => {
    const groveDir = tempDir();
    const later = new Date('2026-12-20T10:00:00.000Z');
    const store = new ResultStore(groveDir, () => later);
    await store.save(record('result-old-empty'));
    await store.save(record('result-old-with-work', { worktree: { name: 'wt-1', path: '/x', leaseId: 'l', holder: 'h' } }));
    await store.save(record('result-new', { updatedAt: '2026-12-19T10:00:00.000Z' }));
    writeFileSync(path.join(store.dir, 'result-broken.json'), '{ not json');
    const ids = (await store.list()).map((entry) => entry.id).sort();
    assert.deepEqual(ids, ['result-new', 'result-old-with-work']);
    assert.ok(!existsSync(store.fileOf('result-old-empty')));
    assert.ok(existsSync(path.join(store.dir, 'result-broken.json')), 'an unreadable file is left for a person, not deleted');
    assert.throws(() => store.fileOf('../escape'), /not a valid result id/);
  });

  it('racing updates of one result lose nothing (each under the file\'s lock)', async () => {
    const store = new ResultStore(tempDir());
    await store.save(record('result-race'));
    await Promise.all(Array.from({ length: 12 }, (_, index) => store.update('result-race', (current) => ({
      ...current, pendingComments: [...current.pendingComments, { id: String(index), file: 'a', line: 1, lineText: '', body: `c${index}`, createdAt: '' }],
    }))));
    const final = await store.get('result-race');
    assert.equal(final?.pendingComments.length, 12);
    await assert.rejects(store.update('result-nope', (current) => current), /no result result-nope/);
  });
});
