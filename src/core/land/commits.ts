import { gitOutput, runGit } from '../git/run';

/**
 * Landed commits carry the person's own identity. Where git has none configured (commit-tree
 * would fail with "Please tell me who you are"), Grove's fixed identity is used instead, so a
 * land never fails halfway for want of user.name.
 */
const GROVE_IDENTITY = {
  GIT_AUTHOR_NAME: 'Grove',
  GIT_AUTHOR_EMAIL: 'grove@localhost',
  GIT_COMMITTER_NAME: 'Grove',
  GIT_COMMITTER_EMAIL: 'grove@localhost',
};

const identities = new Map<string, Promise<Record<string, string>>>();

function identityFor(repo: string): Promise<Record<string, string>> {
  let found = identities.get(repo);
  if (!found) {
    found = runGit(repo, ['var', 'GIT_COMMITTER_IDENT'], { allowFailure: true })
      .then((result) => (result.code === 0 ? {} : GROVE_IDENTITY));
    identities.set(repo, found);
  }
  return found;
}

/** A commit of `tree` with `parents`, made in the object store only (no ref, no checkout). */
export async function commitTree(repo: string, tree: string, parents: string[], message: string): Promise<string> {
  const args = ['commit-tree', tree];
  for (const parent of parents) args.push('-p', parent);
  // The message goes on stdin (-F -): it may be long and may start with '-'.
  args.push('-F', '-');
  return gitOutput(repo, args, { env: await identityFor(repo), input: message.endsWith('\n') ? message : `${message}\n` });
}

export async function treeOf(repo: string, commit: string): Promise<string> {
  return gitOutput(repo, ['rev-parse', '--verify', '--end-of-options', `${commit}^{tree}`]);
}
