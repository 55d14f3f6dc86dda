import type { Command } from 'commander';
import { locateRepository, type RepositoryLocation } from '../core/git/repository';

/** One look per folder and process: a command that opens the pool and the results asked git twice. */
const located = new Map<string, Promise<RepositoryLocation>>();

/** The repository a command works on: --repo, else GROVE_REPO, else the current folder. */
export function repositoryFor(command: Command): Promise<RepositoryLocation> {
  const repo = (command.optsWithGlobals() as { repo?: string }).repo ?? process.env.GROVE_REPO ?? process.cwd();
  let location = located.get(repo);
  if (!location) {
    location = locateRepository(repo);
    // A refusal (not a repository) is not kept: the next look asks again.
    location.catch(() => located.delete(repo));
    located.set(repo, location);
  }
  return location;
}
