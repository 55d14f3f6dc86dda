import type { Command } from 'commander';
import { locateRepository, type RepositoryLocation } from '../core/git/repository';

/** The repository a command works on: --repo, else GROVE_REPO, else the current folder. */
export function repositoryFor(command: Command): Promise<RepositoryLocation> {
  const repo = (command.optsWithGlobals() as { repo?: string }).repo ?? process.env.GROVE_REPO ?? process.cwd();
  return locateRepository(repo);
}
