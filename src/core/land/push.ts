import { gitOutput, runGit } from '../git/run';
import { readHead } from '../git/worktreeState';
import { createBranch } from './branch';
import type { LandContext } from './context';
import { openPullRequest } from './gh';
import { draftBody, draftTitle } from './message';
import { updateRefs } from './refs';
import { landStep } from './steps';
import { resolveTarget } from './target';
import { LandRefusal, type LandRecord } from './types';

/**
 * A branch at the snapshot (as --branch makes it), pushed to the remote, then a pull request
 * when gh can open one. A failed push takes the branch back to where it was, so a refused or
 * failed push changes nothing locally either.
 */
export async function landPush(context: LandContext): Promise<LandRecord> {
  const { repo, options, snapshot } = context;
  const remote = await chooseRemote(repo, options.remote);
  const prBase = options.into ? (await resolveTarget(repo, options.into)).short : await mainBranch(repo);
  const { ref, previous } = await createBranch(context, { reuseAtSnapshot: true });
  await landStep('branch');
  const short = ref.replace(/^refs\/heads\//, '');
  const pushed = await runGit(repo, ['push', '--porcelain', '--set-upstream', remote, `${ref}:${ref}`],
    { allowFailure: true, env: { GIT_TERMINAL_PROMPT: '0' } });
  if (pushed.code !== 0) {
    if (previous !== snapshot.commit) await takeBack(repo, ref, previous, snapshot.commit);
    throw new LandRefusal('push-failed', `git push ${remote} ${short} failed: ${pushed.stderr.trim() || `exit code ${pushed.code}`}`,
      previous ? `Branch ${short} was put back where it was. Fix the cause, then land again.` : 'The local branch was removed again. Fix the cause, then land again.');
  }
  await landStep('pushed');
  const body = options.message?.trim() ? `${options.message.trim()}\n\n${draftBody(context.source)}` : draftBody(context.source);
  const remoteUrl = (await runGit(repo, ['remote', 'get-url', remote], { allowFailure: true })).stdout.trim();
  const pr = await openPullRequest(repo, { branch: short, base: prBase ?? undefined, title: draftTitle(context.source), body, remoteUrl },
    options.env ?? process.env);
  return { how: 'push', commit: snapshot.commit, branch: ref, remote, pullRequestUrl: pr.url, nextStep: pr.nextStep,
    target: prBase ? `refs/heads/${prBase}` : undefined, at: context.now.toISOString(), snapshot: snapshot.commit };
}

async function chooseRemote(repo: string, wanted: string | undefined): Promise<string> {
  const remotes = (await gitOutput(repo, ['remote'])).split('\n').filter(Boolean);
  if (wanted) {
    if (remotes.includes(wanted)) return wanted;
    throw new LandRefusal('no-remote', `there is no remote ${JSON.stringify(wanted)}${remotes.length ? ` (there is ${remotes.join(', ')})` : ''}`,
      'Pass one of the remotes git remote lists, or add it with git remote add NAME URL.');
  }
  if (remotes.includes('origin')) return 'origin';
  if (remotes.length === 1) return remotes[0];
  throw new LandRefusal('no-remote', remotes.length ? `there are several remotes (${remotes.join(', ')}) and none is origin` : 'this repository has no remote to push to',
    remotes.length ? 'Pass --remote NAME.' : 'Add one with git remote add origin URL, or land with --branch.');
}

async function mainBranch(repo: string): Promise<string | null> {
  const head = await readHead(repo);
  return head.branch ? head.branch.replace(/^refs\/heads\//, '') : null;
}

/** Undo the local branch of a push that failed, only if it still points where this land put it. */
async function takeBack(repo: string, ref: string, previous: string | null, snapshot: string): Promise<void> {
  if (previous) {
    await updateRefs(repo, [{ ref, newValue: previous, oldValue: snapshot }], 'grove land --push: push failed');
  } else {
    await runGit(repo, ['update-ref', '-m', 'grove land --push: push failed', '-d', ref, snapshot], { allowFailure: true });
  }
}
