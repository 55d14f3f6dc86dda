import type { Command } from 'commander';
import { RunRegistry } from '../../core/agents/runRegistry';
import { GroveError } from '../../core/errors';
import type { LandHow } from '../../core/land';
import { describeLanding, landResult, openResults, type LandResultOutcome } from '../../core/results';
import { repositoryFor } from '../context';
import { note, printJson } from '../io';
import { poolFor, wantsJson, withPoolOptions } from '../pool';

interface LandFlags {
  apply?: boolean;
  branch?: string | boolean;
  squash?: boolean;
  merge?: boolean;
  push?: boolean;
  into?: string;
  remote?: string;
  message?: string;
  force?: boolean;
  keep?: boolean;
}

const WAYS: LandHow[] = ['apply', 'branch', 'squash', 'merge', 'push'];

export function register(program: Command): void {
  withPoolOptions(program.command('land')
    .description('land a result: apply it, make a branch, squash or merge it into a branch, or push it; then its worktree goes back to the pool')
    .argument('<id>', 'a result id, a task id or a worktree name')
    .option('--apply', 'its changes become uncommitted changes in the main worktree')
    .option('--branch [name]', 'a branch holding the whole result (default grove/<slug of the prompt>); no checkout is touched')
    .option('--squash', 'one commit on --into (default: the main worktree\'s branch)')
    .option('--merge', 'a merge commit on --into (default: the main worktree\'s branch)')
    .option('--push', 'push a branch to --remote and open a pull request when gh is logged in')
    .option('--into <branch>', 'squash, merge: the branch to land into; push: the pull request\'s base')
    .option('--remote <name>', 'push: the remote (default origin, or the only one)')
    .option('--message <text>', 'squash, merge: the commit message (default: drafted from the prompt and the agent\'s final message)')
    .option('--force', 'branch, push: move an existing branch of that name')
    .option('--keep', 'keep the worktree leased to the result instead of giving it back to the pool'))
    .action(async (id: string, flags: LandFlags, command: Command) => {
      const how = wayOf(flags);
      const repo = await repositoryFor(command);
      const pool = await poolFor(command);
      const { service } = openResults({ repo, pool, registry: new RunRegistry({ groveDir: repo.groveDir }) });
      const outcome = await landResult({ service, pool, repoDir: repo.mainWorktree }, id, {
        how, branch: typeof flags.branch === 'string' ? flags.branch : undefined, into: flags.into, remote: flags.remote,
        message: flags.message, force: flags.force, keep: flags.keep,
      });
      if (wantsJson(command)) printJson({ result: outcome.record, landed: outcome.landed, worktree: outcome.worktree });
      for (const line of summary(outcome)) note(line);
    });
}

/** Exactly one way, or a usage error that lists them. */
function wayOf(flags: LandFlags): LandHow {
  const given = WAYS.filter((way) => flags[way] !== undefined && flags[way] !== false);
  if (given.length !== 1) {
    throw new GroveError('usage', given.length === 0 ? 'how should it land?' : `pick one way to land, not ${given.map((way) => `--${way}`).join(' and ')}`,
      'Give one of --apply, --branch [NAME], --squash, --merge or --push (grove land --help).');
  }
  const how = given[0];
  if (flags.into !== undefined && !['squash', 'merge', 'push'].includes(how)) throw new GroveError('usage', `--into goes with --squash, --merge or --push, not --${how}`, 'Drop --into, or pick a way that lands into a branch.');
  if (flags.remote !== undefined && how !== 'push') throw new GroveError('usage', `--remote goes with --push, not --${how}`, 'Drop --remote, or use --push.');
  return how;
}

function summary({ record, landed, worktree }: LandResultOutcome): string[] {
  const lines = [`grove: landed ${record.id} (${record.title}): ${record.landed ? describeLanding(record.landed) : landed.how}`];
  if (landed.nextStep) lines.push(`grove: next: ${landed.nextStep}`);
  if (worktree.problem) lines.push(`grove: ${worktree.problem}`);
  else if (!worktree.returned) lines.push(`grove: ${worktree.name} kept for ${record.id} (--keep); give it back with grove return --force ${worktree.name}`);
  else if (worktree.parkedRef) lines.push(`grove: ${worktree.name} is back in the pool; what changed there after the land is parked under ${worktree.parkedRef}`);
  else lines.push(`grove: ${worktree.name} is back in the pool, ignored files kept`);
  return lines;
}
