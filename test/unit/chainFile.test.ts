import { strict as assert } from 'node:assert';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { bindArguments, loadChainFile, parseChain, resolveChainPath } from '../../src/core/engine/chains/parse';
import { placeholdersIn, renderTemplate } from '../../src/core/engine/chains/template';
import { isGroveError } from '../../src/core/errors';
import { cleanupTempDirs, tempDir } from '../helpers/tempRepo';

const FILE = '/repo/.grove/chains/fix.json';

async function refusal(chain: unknown, skills = {}): Promise<string> {
  const text = typeof chain === 'string' ? chain : JSON.stringify(chain);
  try {
    await parseChain(text, FILE, { homeDir: '/nonexistent-home', ...skills });
  } catch (error) {
    assert.ok(isGroveError(error, 'usage'), `expected a usage error, got ${String(error)}`);
    return error.message;
  }
  assert.fail('the chain was accepted');
}

const good = {
  name: 'fix-bug',
  description: 'plan, fix, check',
  arguments: ['issue', { name: 'area', description: 'where', default: 'src' }],
  steps: [
    { name: 'plan', prompt: 'Plan a fix for {{args.issue}} in {{ args.area }}', model: 'opus' },
    { name: 'fix', prompt: 'Do this: {{previous_output}}', retries: 2, recoveryPrompt: 'It failed with {{error}}; try again' },
    { name: 'check', prompt: 'Check {{steps.plan.output}} against {{steps.fix.output}}', maxTurns: 3, allowedTools: ['Read'] },
  ],
};

describe('chain files', () => {
  afterEach(cleanupTempDirs);

  it('reads a valid chain with its arguments, steps and per-step overrides', async () => {
    const chain = await parseChain(JSON.stringify(good), FILE, { homeDir: '/nonexistent-home' });
    assert.equal(chain.name, 'fix-bug');
    assert.equal(chain.isolation, 'slot');
    assert.deepEqual(chain.arguments.map((a) => [a.name, a.required, a.default]), [['issue', true, null], ['area', false, 'src']]);
    assert.deepEqual(chain.steps.map((s) => s.name), ['plan', 'fix', 'check']);
    assert.equal(chain.steps[0].settings.model, 'opus');
    assert.equal(chain.steps[1].retries, 2);
    assert.deepEqual(chain.steps[2].settings, { maxTurns: 3, allowedTools: ['Read'] });
  });

  it('refuses malformed files naming the file, the field and what was expected', async () => {
    assert.match(await refusal('{"name": "x", "steps": ['), /fix\.json: not valid JSON/);
    assert.match(await refusal([1, 2]), /fix\.json: \(top level\): expected an object/);
    assert.match(await refusal({ steps: [{ name: 'a', prompt: 'p' }] }), /fix\.json: name: expected a non-empty string, got nothing/);
    assert.match(await refusal({ name: 'x', steps: [] }), /steps: expected a non-empty list of steps/);
    assert.match(await refusal({ name: 'x', step: [] }), /fix\.json: step: expected no such field/);
    assert.match(await refusal({ name: 'x', isolation: 'vm', steps: [{ name: 'a', prompt: 'p' }] }), /isolation: expected "slot" or "worktree", got "vm"/);
    assert.match(await refusal({ name: 'x', steps: [{ name: 'a' }] }), /steps\[0\]: expected exactly one of "prompt" and "skill" \(it has neither\)/);
    assert.match(await refusal({ name: 'x', steps: [{ name: 'a', prompt: 'p', skill: 's' }] }), /steps\[0\]: expected exactly one .*\(it has both\)/);
    assert.match(await refusal({ name: 'x', steps: [{ name: 'a', prompt: 'p', retries: -1 }] }), /steps\[0\]\.retries: expected a whole number from 0 to 10, got -1/);
    assert.match(await refusal({ name: 'x', steps: [{ name: 'a', prompt: 'p', retries: '2' }] }), /steps\[0\]\.retries: .* got "2"/);
    assert.match(await refusal({ name: 'x', steps: [{ name: 'a', prompt: 'p' }, { name: 'a', prompt: 'q' }] }), /steps\[1\]\.name: expected a name not used by an earlier step/);
    assert.match(await refusal({ name: 'x', steps: [{ name: 'a b', prompt: 'p' }] }), /steps\[0\]\.name: expected letters, digits/);
    assert.match(await refusal({ name: 'x', steps: [{ name: 'a', prompt: 'p', maxTurns: 0 }] }), /steps\[0\]\.maxTurns: expected a whole number of at least 1, got 0/);
    assert.match(await refusal({ name: 'x', steps: [{ name: 'a', prompt: 'p', maxBudgetUsd: 'lots' }] }), /steps\[0\]\.maxBudgetUsd: expected an amount in US dollars above 0, got "lots"/);
    assert.match(await refusal({ name: 'x', steps: [{ name: 'a', prompt: 'p', allowedTools: 'Read' }] }), /steps\[0\]\.allowedTools: expected a list of tool names/);
    assert.match(await refusal({ name: 'x', arguments: 'issue', steps: [{ name: 'a', prompt: 'p' }] }), /arguments: expected a list/);
    assert.match(await refusal({ name: 'x', arguments: [{ name: '1st' }], steps: [{ name: 'a', prompt: 'p' }] }), /arguments\[0\]\.name: expected letters/);
  });

  it('refuses placeholders that cannot be filled', async () => {
    assert.match(await refusal({ name: 'x', steps: [{ name: 'a', prompt: 'fix {{args.issue}}' }] }), /steps\[0\]\.prompt: expected placeholders for declared arguments only \(\{\{args\.issue\}\} is not in "arguments"\)/);
    assert.match(await refusal({ name: 'x', steps: [{ name: 'a', prompt: 'go on from {{previous_output}}' }] }), /steps\[0\]\.prompt: expected no \{\{previous_output\}\} in the first step/);
    assert.match(await refusal({ name: 'x', steps: [{ name: 'a', prompt: 'p' }, { name: 'b', prompt: '{{steps.c.output}}' }] }), /steps\[1\]\.prompt: expected \{\{steps\.c\.output\}\} to name an earlier step \(have: a\)/);
    assert.match(await refusal({ name: 'x', steps: [{ name: 'a', prompt: 'why {{error}}' }] }), /steps\[0\]\.prompt: expected \{\{error\}\} only in a recoveryPrompt/);
    assert.match(await refusal({ name: 'x', steps: [{ name: 'a', prompt: 'p', recoveryPrompt: '{{oops}}' }] }), /steps\[0\]\.recoveryPrompt: expected placeholders .* got \{\{oops\}\}/);
  });

  it('fills placeholders in one pass', () => {
    const text = renderTemplate('A {{args.x}} B {{previous_output}} C {{ steps.plan.output }} D {{error}}', {
      args: { x: '{{previous_output}}' }, previousOutput: 'prev', stepOutputs: { plan: 'the plan' }, error: 'boom',
    });
    assert.equal(text, 'A {{previous_output}} B prev C the plan D boom');
    assert.deepEqual(placeholdersIn('{{args.a}} {{nope}}').map((p) => p.kind), ['arg', 'unknown']);
  });

  it('binds --arg values: defaults fill in, unknown and missing arguments are refused', async () => {
    const chain = await parseChain(JSON.stringify(good), FILE, { homeDir: '/nonexistent-home' });
    assert.deepEqual(bindArguments(chain, { issue: '#12' }), { issue: '#12', area: 'src' });
    assert.throws(() => bindArguments(chain, {}), /needs the argument "issue"/);
    assert.throws(() => bindArguments(chain, { issue: '1', colour: 'red' }), /has no argument "colour"/);
  });

  it('reads skills from the repository first, then the home folder, without their front matter', async () => {
    const repo = tempDir();
    const home = tempDir();
    mkdirSync(path.join(repo, '.grove/skills/review'), { recursive: true });
    writeFileSync(path.join(repo, '.grove/skills/review/SKILL.md'), '---\nname: review\ndescription: reviews\n---\nReview the change for {{args.issue}}.\n');
    mkdirSync(path.join(home, '.grove/skills/review'), { recursive: true });
    writeFileSync(path.join(home, '.grove/skills/review/SKILL.md'), 'the home copy');
    mkdirSync(path.join(home, '.grove/skills/tidy'), { recursive: true });
    writeFileSync(path.join(home, '.grove/skills/tidy/SKILL.md'), 'Tidy up.');
    const chain = await parseChain(JSON.stringify({ name: 'x', arguments: ['issue'], steps: [{ name: 'a', skill: 'review' }, { name: 'b', skill: 'tidy' }] }), FILE, { repoRoot: repo, homeDir: home });
    assert.equal(chain.steps[0].prompt, 'Review the change for {{args.issue}}.');
    assert.equal(chain.steps[0].skillFile, path.join(repo, '.grove/skills/review/SKILL.md'));
    assert.equal(chain.steps[1].prompt, 'Tidy up.');
    const missing = await refusal({ name: 'x', steps: [{ name: 'a', skill: 'nope' }] }, { repoRoot: repo, homeDir: home });
    assert.match(missing, /steps\[0\]\.skill: expected a skill with a SKILL\.md at .*\.grove\/skills\/nope\/SKILL\.md or .*, got "nope"/);
    assert.match(await refusal({ name: 'x', steps: [{ name: 'a', skill: '../etc' }] }, { repoRoot: repo, homeDir: home }), /steps\[0\]\.skill: expected a skill name/);
    // A skill's placeholders are checked like a prompt's.
    assert.match(await refusal({ name: 'x', steps: [{ name: 'a', skill: 'review' }] }, { repoRoot: repo, homeDir: home }), /steps\[0\]\.skill .*: expected placeholders for declared arguments only/);
  });

  it('finds a chain by path or by name under .grove/chains', async () => {
    const repo = tempDir();
    mkdirSync(path.join(repo, '.grove/chains'), { recursive: true });
    const file = path.join(repo, '.grove/chains/fix-bug.json');
    writeFileSync(file, JSON.stringify(good));
    assert.equal(await resolveChainPath('fix-bug', repo, '/'), file);
    assert.equal(await resolveChainPath(file, repo, '/'), file);
    assert.equal((await loadChainFile(file, { repoRoot: repo })).name, 'fix-bug');
    await assert.rejects(resolveChainPath('missing', repo, '/'), /no chain file missing/);
  });
});
