import { spawn } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import * as path from 'node:path';

interface ProgramResult { code: number; stdout: string; stderr: string }

/** An executable file called `name` in one of PATH's folders, or null. */
export function findOnPath(name: string, env: NodeJS.ProcessEnv): string | null {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

/** Runs a program with an argument array (no shell); a hung `gh` is killed after `timeoutMs`. */
function runProgram(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv; input?: string; timeoutMs?: number }): Promise<ProgramResult> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['pipe', 'pipe', 'pipe'], timeout: options.timeoutMs ?? 60_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
    child.on('error', (error) => resolve({ code: 127, stdout, stderr: error.message }));
    child.on('close', (code) => resolve({ code: code ?? 128, stdout, stderr }));
  });
}

export interface PullRequestOutcome {
  url?: string;
  nextStep?: string;
}

export interface PullRequestDraft {
  branch: string;
  base?: string;
  title: string;
  body: string;
  /** The remote's URL, for a compare link when it is on GitHub. */
  remoteUrl?: string;
}

/** `https://github.com/<owner>/<repo>/compare/<base>...<branch>?expand=1` for a GitHub remote URL, else null. */
export function compareUrl(remoteUrl: string, branch: string, base?: string): string | null {
  const match = /^(?:https:\/\/(?:[^@/]+@)?github\.com\/|git@github\.com:|ssh:\/\/git@github\.com\/)([^/]+)\/([^/]+?)(?:\.git)?\/?$/.exec(remoteUrl.trim());
  if (!match) return null;
  const range = base ? `${encodeURIComponent(base)}...${encodeURIComponent(branch)}` : encodeURIComponent(branch);
  return `https://github.com/${match[1]}/${match[2]}/compare/${range.replace(/%2F/g, '/')}?expand=1`;
}

/**
 * Opens a pull request with the GitHub CLI when it is on PATH and logged in; otherwise says what
 * to run. The branch is already pushed, so a gh that fails is a next step, never a failed land.
 */
export async function openPullRequest(cwd: string, draft: PullRequestDraft, baseEnv: NodeJS.ProcessEnv): Promise<PullRequestOutcome> {
  const byHand = `gh pr create --head ${draft.branch}${draft.base ? ` --base ${draft.base}` : ''}`;
  const link = draft.remoteUrl ? compareUrl(draft.remoteUrl, draft.branch, draft.base) : null;
  const onTheWeb = link ? `, or open ${link}` : ", or open one on the remote's web page";
  const gh = findOnPath('gh', baseEnv);
  if (!gh) return { nextStep: `Pushed. To open a pull request, install the GitHub CLI (gh) and run: ${byHand}${onTheWeb}.` };
  const env = { ...baseEnv, GH_PROMPT_DISABLED: '1', NO_COLOR: '1', GH_NO_UPDATE_NOTIFIER: '1' };
  const auth = await runProgram(gh, ['auth', 'status'], { cwd, env });
  if (auth.code !== 0) return { nextStep: `Pushed. gh is not logged in: run gh auth login, then ${byHand}${onTheWeb}.` };
  const args = ['pr', 'create', '--head', draft.branch, '--title', draft.title, '--body-file', '-'];
  if (draft.base) args.push('--base', draft.base);
  const created = await runProgram(gh, args, { cwd, env, input: draft.body });
  const url = /https?:\/\/\S+/.exec(created.stdout.trim().split('\n').reverse().find((line) => /https?:\/\//.test(line)) ?? '')?.[0];
  if (created.code === 0 && url) return { url };
  const why = (created.stderr.trim() || created.stdout.trim() || `exit code ${created.code}`).split('\n')[0];
  return { nextStep: `Pushed, but gh pr create failed (${why}). Run: ${byHand}${onTheWeb}.` };
}
