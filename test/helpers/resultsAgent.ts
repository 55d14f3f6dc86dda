import { chmodSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { DOUBLE } from './claudeDouble';
import { tempDir } from './tempRepo';

/**
 * An agent command for results tests: does real work in its worktree, steered by markers in the
 * prompt (in the order they appear), then runs the claude double (which records argv and cwd):
 *   [edit:FILE]   append a line to FILE        [add:FILE]    create FILE with two lines
 *   [delete:FILE] delete FILE                  [commit]      commit everything tracked (git add -u)
 *   [mv:A:B]      git mv A B                   [scenario:X]  GROVE_DOUBLE_SCENARIO=X
 */
export function workingAgent(): string {
  const dir = tempDir('grove-results-agent-');
  const file = path.join(dir, 'agent');
  writeFileSync(file, `#!/usr/bin/env node
const fs = require('fs');
const { spawnSync, execFileSync } = require('child_process');
const input = fs.readFileSync(0, 'utf8');
const env = { ...process.env };
const git = (...args) => execFileSync('git', args, { env: { ...process.env, GIT_AUTHOR_NAME: 'Agent', GIT_AUTHOR_EMAIL: 'a@example.com', GIT_COMMITTER_NAME: 'Agent', GIT_COMMITTER_EMAIL: 'a@example.com' } });
for (const m of input.matchAll(/\\[(edit|add|delete|mv|commit)(?::([\\w./-]+))?(?::([\\w./-]+))?\\]/g)) {
  const [, what, a, b] = m;
  if (what === 'edit') fs.appendFileSync(a, 'changed by the agent\\n');
  if (what === 'add') { fs.mkdirSync(require('path').dirname(a), { recursive: true }); fs.writeFileSync(a, 'one\\ntwo\\n'); }
  if (what === 'delete') fs.rmSync(a);
  if (what === 'mv') git('mv', a, b);
  if (what === 'commit') { git('add', '-u'); git('commit', '-q', '-m', 'agent commit'); }
}
const scenario = input.match(/\\[scenario:([a-z-]+)\\]/);
if (scenario) env.GROVE_DOUBLE_SCENARIO = scenario[1];
const result = spawnSync(${JSON.stringify(DOUBLE)}, process.argv.slice(2), { input, stdio: ['pipe', 'inherit', 'inherit'], env });
process.exit(result.status === null ? 1 : result.status);
`);
  chmodSync(file, 0o755);
  return file;
}
