import { readFileSync, realpathSync, statSync, type Stats } from 'node:fs';
import * as path from 'node:path';
import type { RepositoryLocation } from './repository';

/**
 * Finds the repository that `cwd` is in by reading the file system only, the way git's own
 * discovery walks up: each folder's `.git` (a folder, or a file saying `gitdir: …`), a linked
 * worktree's `commondir`, HEAD and the ref it names. No git process: the editor draws its
 * first rows from this (a git process costs 10–80 ms on a loaded machine), and runs
 * `locateRepository` afterwards to confirm. Synchronous on purpose: a handful of stats and
 * small reads cost microseconds, while each on a busy extension host waits behind
 * every other extension's start-up work.
 *
 * Answers only when the answer is plain: it returns null whenever git might see it otherwise
 * (a bare repository or a `.git` folder on the way up, no commit yet, reftable refs,
 * core.worktree elsewhere, config includes, another owner, a file system boundary, a
 * symbolic ref it cannot follow) and the caller then asks git (`locateRepository`), which
 * also says why it refuses. When it answers, it agrees with `locateRepository`.
 */
export function findRepositoryOnDisk(cwd: string): RepositoryLocation | null {
  const start = path.resolve(cwd);
  const startStat = statOrNull(start);
  if (!startStat?.isDirectory()) return null;
  for (let dir = start; ; dir = path.dirname(dir)) {
    const dirStat = dir === start ? startStat : statOrNull(dir);
    // git stops at a mount point unless told otherwise, and refuses folders of another owner.
    if (!dirStat || dirStat.dev !== startStat.dev || !ownedByMe(dirStat)) return null;
    const dotGit = path.join(dir, '.git');
    const entry = statOrNull(dotGit);
    if (entry) return entry.isDirectory() || entry.isFile() ? fromDotGit(dir, dotGit, entry) : null;
    // A folder that is itself a git directory (bare, or we are inside .git): git stops here and refuses.
    if (looksLikeGitDir(dir)) return null;
    if (path.dirname(dir) === dir) return null;
  }
}

function fromDotGit(topLevel: string, dotGit: string, entry: Stats): RepositoryLocation | null {
  let gitDir = dotGit;
  if (entry.isFile()) {
    const pointer = /^gitdir: (.+)$/m.exec(readOrNull(dotGit) ?? '');
    if (!pointer) return null;
    gitDir = path.resolve(topLevel, pointer[1].trim());
  }
  const commonDirPointer = readOrNull(path.join(gitDir, 'commondir'));
  const commonDir = commonDirPointer === null ? gitDir : path.resolve(gitDir, commonDirPointer.trim());
  if (!(plainConfig(gitDir, commonDir, topLevel)) || !(hasCommit(gitDir, commonDir))) return null;
  // As locateRepository: the main worktree owns a common dir named .git; otherwise (a
  // submodule's gitdir under .git/modules, --separate-git-dir) it is the top level, which git
  // reports resolved, but only when this is not a linked worktree (locateRepository works that out).
  if (path.basename(commonDir) !== '.git' && commonDirPointer !== null) return null;
  const mainWorktree = path.basename(commonDir) === '.git' ? path.dirname(commonDir) : realpathSync(topLevel);
  return { mainWorktree, commonDir, groveDir: path.join(commonDir, 'grove') };
}

/**
 * The repository's config says nothing that changes where git finds the working tree or the
 * refs: not bare, core.worktree (a submodule's) pointing back at this folder, no includes,
 * no reftable. Only `[core]`, `[extensions]` and `[include…]` matter here.
 */
function plainConfig(gitDir: string, commonDir: string, topLevel: string): boolean {
  const texts = [readOrNull(path.join(commonDir, 'config')), readOrNull(path.join(gitDir, 'config.worktree'))];
  for (const text of texts) {
    if (text === null) continue;
    let section = '';
    for (const raw of text.split('\n')) {
      const line = raw.replace(/[;#].*$/, '').trim();
      const header = /^\[\s*([A-Za-z0-9.-]+)/.exec(line);
      if (header) {
        section = header[1].toLowerCase();
        if (section.startsWith('include')) return false;
        continue;
      }
      const setting = /^([A-Za-z0-9-]+)\s*(?:=\s*(.*))?$/.exec(line);
      if (!setting) continue;
      const key = `${section}.${setting[1].toLowerCase()}`;
      const value = (setting[2] ?? 'true').replace(/^"(.*)"$/, '$1').trim();
      if (key === 'core.bare' && !/^(false|no|off|0)$/i.test(value)) return false;
      if (key === 'extensions.refstorage' && value.toLowerCase() !== 'files') return false;
      if (key === 'core.worktree' && !(sameFolder(path.resolve(gitDir, value), topLevel))) return false;
    }
  }
  return true;
}

/** HEAD names a commit: detached at an id, or on a branch whose ref exists (loose or packed). */
function hasCommit(gitDir: string, commonDir: string): boolean {
  const head = (readOrNull(path.join(gitDir, 'HEAD')))?.trim();
  if (!head) return false;
  if (/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(head)) return true;
  const ref = /^ref: (refs\/heads\/\S+)$/.exec(head)?.[1];
  if (!ref) return false;
  const loose = (readOrNull(path.join(commonDir, ref)))?.trim();
  if (loose !== undefined) return /^[0-9a-f]{40}([0-9a-f]{24})?$/.test(loose);
  const packed = readOrNull(path.join(commonDir, 'packed-refs'));
  return packed !== null && packed.split('\n').some((line) => line.endsWith(` ${ref}`) && /^[0-9a-f]{40}/.test(line));
}

/** What git's is_git_directory checks: HEAD, objects/ and refs/. */
function looksLikeGitDir(dir: string): boolean {
  return ['HEAD', 'objects', 'refs'].every((name) => statOrNull(path.join(dir, name)) !== null);
}

function sameFolder(a: string, b: string): boolean {
  const real = (folder: string) => { try { return realpathSync(folder); } catch { return null; } };
  const realA = real(a);
  return realA !== null && realA === real(b);
}

function ownedByMe(stat: Stats): boolean {
  const uid = process.getuid?.();
  return uid === undefined || stat.uid === uid;
}

function statOrNull(file: string): Stats | null {
  return statSync(file, { throwIfNoEntry: false }) ?? null;
}

function readOrNull(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}
