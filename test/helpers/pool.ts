import { promises as fs, readdirSync, statSync, readFileSync, lstatSync, readlinkSync } from 'node:fs';
import * as path from 'node:path';
import { locateRepository, type RepositoryLocation } from '../../src/core/git/repository';
import { WorktreePool, type PoolOptions } from '../../src/core/pool/pool';
import { createRepo, git, type RepoOptions } from './tempRepo';

export interface PoolFixture {
  repo: string;
  location: RepositoryLocation;
  pool: WorktreePool;
  root: string;
}

/** A repository with an ignored node_modules and a pool on it (root: `<repo>.grove`). */
export async function createPool(options: { repo?: RepoOptions; pool?: Partial<PoolOptions> } = {}): Promise<PoolFixture> {
  const repo = createRepo({ gitignore: 'node_modules/\n*.log\n', ...options.repo });
  const location = await locateRepository(repo);
  const pool = new WorktreePool({ repo: location, ...options.pool });
  return { repo, location, pool, root: pool.root };
}

export function reopen(fixture: PoolFixture, options: Partial<PoolOptions> = {}): WorktreePool {
  return new WorktreePool({ repo: fixture.location, ...options });
}

/** Every file of a worktree that git does not ignore, with content and mode (the working tree as git would park it). */
export function snapshotFiles(worktree: string): Record<string, string> {
  const listed = git(worktree, 'ls-files', '--cached', '--others', '--exclude-standard', '-z').split('\0').filter(Boolean);
  const files: Record<string, string> = {};
  for (const relative of [...new Set(listed)].sort()) {
    const full = path.join(worktree, relative);
    let stat;
    try {
      stat = lstatSync(full);
    } catch {
      continue; // deleted from the working tree but still in the index
    }
    files[relative] = stat.isSymbolicLink() ? `link:${readlinkSync(full)}` : `${(stat.mode & 0o111) ? 'x' : '-'}:${readFileSync(full, 'utf8')}`;
  }
  return files;
}

export function folderNames(dir: string): string[] {
  try {
    return readdirSync(dir).filter((name) => statSync(path.join(dir, name)).isDirectory()).sort();
  } catch {
    return [];
  }
}

export async function readStateFile(statePath: string): Promise<{ worktrees: Record<string, { lease: { leaseId: string; holder: string } | null; claim: unknown; damaged: string | null }> }> {
  return JSON.parse(await fs.readFile(statePath, 'utf8'));
}
