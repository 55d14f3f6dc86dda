import { strict as assert } from 'node:assert';
import { parseMergeTree, supportsMergeTree } from '../../../src/core/land/preflight';

describe('land: merge-tree preflight parsing', () => {
  it('needs git 2.38 or later', () => {
    assert.equal(supportsMergeTree('git version 2.37.7'), false);
    assert.equal(supportsMergeTree('git version 1.9.0'), false);
    assert.equal(supportsMergeTree('git version 2.38.0'), true);
    assert.equal(supportsMergeTree('git version 2.39.5'), true);
    assert.equal(supportsMergeTree('git version 3.0.1'), true);
    assert.equal(supportsMergeTree('no version'), false);
  });

  it('reads the tree, the conflicted paths (with spaces and newlines) and the messages of -z --name-only output', () => {
    const tree = 'a'.repeat(40);
    const output = `${tree}\0dir/with space.txt\0new\nline\0\0` +
      `1\0dir/with space.txt\0Auto-merging\0Auto-merging dir/with space.txt\n\0` +
      `1\0dir/with space.txt\0CONFLICT (contents)\0CONFLICT (content): Merge conflict in dir/with space.txt\n\0` +
      `2\0new\nline\0other\0CONFLICT (rename/delete)\0CONFLICT (rename/delete): other renamed to new\nline\n\0`;
    const parsed = parseMergeTree(output, true);
    assert.equal(parsed.tree, tree);
    assert.deepEqual(parsed.conflicts, ['dir/with space.txt', 'new\nline']);
    assert.deepEqual(parsed.messages, ['CONFLICT (content): Merge conflict in dir/with space.txt', 'CONFLICT (rename/delete): other renamed to new\nline']);
  });

  it('reads a clean merge', () => {
    const tree = 'b'.repeat(40);
    assert.deepEqual(parseMergeTree(`${tree}\0\0`, false), { tree, conflicts: [], messages: [] });
    assert.throws(() => parseMergeTree('fatal: nonsense', false), /printed no tree/);
  });
});
