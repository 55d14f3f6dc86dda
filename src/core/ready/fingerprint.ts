import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { readJson, writeJsonAtomic } from '../store/atomicJson';
import { gitOutput, runGit } from '../git/run';
import { FOREIGN_CONFIG_PATHS, importForeignConfig, type ForeignConfigPath } from './foreignConfig';
import { DEFAULT_FINGERPRINT, emptyConfig, parseWorktreeConfig, WORKTREE_CONFIG_PATH, type WorktreeConfig } from './worktreeConfig';

/**
 * What a commit says about making a worktree ready: its config (read from the commit, never
 * from the main worktree, whose files may be anything) and its dependency fingerprint, a hash
 * of the fingerprint files' blob ids (git's content hashes: equal ids, equal content, and no
 * file has to be read). A commit never changes, so this is cached per commit on disk, and a
 * lease at an already-seen base costs one small file read.
 */
export interface CommitReadiness {
  commit: string;
  config: WorktreeConfig;
  /** Which file the config came from, or null when the commit has none. */
  source: string | null;
  /** The fingerprint files found at this commit. */
  files: string[];
  fingerprint: string;
}

const CACHE_VERSION = 1;

export function commitCacheFile(readyDir: string, commit: string): string {
  return path.join(readyDir, 'commits', `${commit}.json`);
}

export async function commitReadiness(repoDir: string, readyDir: string, commit: string): Promise<CommitReadiness> {
  const cacheFile = commitCacheFile(readyDir, commit);
  const cached = await readJson<CommitReadiness & { version: number }>(cacheFile);
  if (cached.kind === 'ok' && cached.value.version === CACHE_VERSION && cached.value.commit === commit) return cached.value;
  const computed = await computeReadiness(repoDir, commit);
  await fs.mkdir(path.dirname(cacheFile), { recursive: true }).then(() => writeJsonAtomic(cacheFile, { version: CACHE_VERSION, ...computed })).catch(() => undefined); // a cache: losing a write costs a recompute
  return computed;
}

async function computeReadiness(repoDir: string, commit: string): Promise<CommitReadiness> {
  const [root, configs] = await Promise.all([
    lsTree(repoDir, commit, []),
    lsTree(repoDir, commit, [WORKTREE_CONFIG_PATH, ...FOREIGN_CONFIG_PATHS]),
  ]);
  const { config, source } = await readConfig(repoDir, configs);
  const wanted = config.fingerprint ?? DEFAULT_FINGERPRINT;
  const nested = wanted.filter((entry) => entry.includes('/'));
  const found = new Map<string, string>();
  for (const [name, oid] of root) if (wanted.some((pattern) => !pattern.includes('/') && globMatch(pattern, name))) found.set(name, oid);
  if (nested.length) for (const [name, oid] of await lsTree(repoDir, commit, nested)) found.set(name, oid);
  const files = [...found.keys()].sort();
  const hash = createHash('sha256');
  for (const file of files) hash.update(`${file}\0${found.get(file)}\n`);
  return { commit, config, source, files, fingerprint: hash.digest('hex').slice(0, 32) };
}

async function readConfig(repoDir: string, entries: Map<string, string>): Promise<{ config: WorktreeConfig; source: string | null }> {
  for (const source of [WORKTREE_CONFIG_PATH, ...FOREIGN_CONFIG_PATHS]) {
    const oid = entries.get(source);
    if (!oid) continue;
    const text = await gitOutput(repoDir, ['cat-file', 'blob', oid]);
    const config = source === WORKTREE_CONFIG_PATH ? parseWorktreeConfig(text) : importForeignConfig(source as ForeignConfigPath, text);
    return { config, source };
  }
  return { config: emptyConfig(), source: null };
}

/** Blob entries of a tree (the root without paths; else exactly those paths), name -> blob id. */
async function lsTree(repoDir: string, commit: string, paths: string[]): Promise<Map<string, string>> {
  const result = await runGit(repoDir, ['ls-tree', '-z', '--full-tree', commit, ...(paths.length ? ['--', ...paths] : [])]);
  const entries = new Map<string, string>();
  for (const line of result.stdout.split('\0')) {
    const match = /^\d+ blob ([0-9a-f]+)\t(.+)$/.exec(line);
    if (match) entries.set(match[2], match[1]);
  }
  return entries;
}

function globMatch(pattern: string, name: string): boolean {
  if (!pattern.includes('*')) return pattern === name;
  const expression = new RegExp(`^${pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*')}$`);
  return expression.test(name);
}
