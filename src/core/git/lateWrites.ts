import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { createUniqueRef, PARKING_IDENTITY, refTime, restoreHint, type ParkedWork } from './park';
import { gitOutput, runGit } from './run';

/**
 * Git checks a file against its index entry and then replaces it (unlink, write anew): two
 * steps, so a process outside the worktree that rewrites the file in between loses that version
 * to the switch, and nothing else can stop it. A hard link taken to every file the switch will
 * touch keeps the inode the writer wrote into; after the switch, a held file whose content is
 * not what was parked holds a version written late, and is parked on top of the parked tree.
 * (A writer that replaces files by rename makes a new inode each time: the window stays for it.)
 */
export interface HeldFiles {
  dir: string;
  /** Worktree-relative path → its hard link in `dir`. */
  links: Map<string, string>;
}

/** Links the files the switch from `parkedTree` to `base` changes or removes; none where a link cannot be made (another file system). */
export async function holdFiles(worktree: string, parkedTree: string, base: string, scratchDir: string): Promise<HeldFiles> {
  const changed = (await gitOutput(worktree, ['diff-tree', '-r', '--name-only', '-z', '--no-renames', parkedTree, base])).split('\0').filter(Boolean);
  const held: HeldFiles = { dir: path.join(scratchDir, `held-${process.pid}-${randomBytes(6).toString('hex')}`), links: new Map() };
  if (changed.length) await fs.mkdir(held.dir, { recursive: true });
  for (const [index, relative] of changed.entries()) {
    const file = path.join(worktree, relative);
    const stat = await fs.lstat(file).catch(() => null);
    if (!stat?.isFile()) continue;
    const link = path.join(held.dir, String(index));
    try {
      await fs.link(file, link);
      held.links.set(relative, link);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EXDEV' || code === 'EPERM' || code === 'ENOENT') continue; // nothing to hold it with, or gone already
      throw error;
    }
  }
  return held;
}

/**
 * The held files whose content differs from the parked tree's: versions written after the park.
 * Only files touched since shortly before `parkedAt` are hashed (one git process each, with the
 * worktree path's attributes, so filters such as autocrlf or LFS hash them as `git add` did).
 */
export async function lateVersions(worktree: string, held: HeldFiles, parkedTree: string, parkedAt: number): Promise<LateVersion[]> {
  const touched: string[] = [];
  for (const [relative, link] of held.links) {
    const stat = await fs.stat(link).catch(() => null);
    if (stat && stat.mtimeMs >= parkedAt - TOUCHED_SLACK_MS) touched.push(relative);
  }
  if (touched.length === 0) return [];
  const parked = await entriesIn(worktree, parkedTree, touched);
  const late: LateVersion[] = [];
  for (const relative of touched) {
    // -w: the late version is stored now, so the parked commit below can name it.
    const blob = await gitOutput(worktree, ['hash-object', '-w', `--path=${relative}`, '--', held.links.get(relative)!]);
    const was = parked.get(relative);
    if (blob !== was?.blob) late.push({ path: relative, blob, mode: was?.mode ?? '100644' });
  }
  return late;
}

export interface LateVersion {
  path: string;
  blob: string;
  mode: string;
}

/** mtime granularity and clock steps: a file touched this close before the park is checked too. */
const TOUCHED_SLACK_MS = 2_000;

/** One more parked ref: the parked tree with the late versions in it, its parent the parking they came after. */
export async function parkLateVersions(worktree: string, name: string, now: Date, after: ParkedWork, parkedTree: string, late: LateVersion[], scratchDir: string): Promise<ParkedWork> {
  const index = path.join(scratchDir, `late-${process.pid}-${randomBytes(6).toString('hex')}.index`);
  const env = { GIT_INDEX_FILE: index };
  try {
    await runGit(worktree, ['read-tree', parkedTree], { env });
    await runGit(worktree, ['update-index', '--add', '--index-info'], { env, input: late.map((entry) => `${entry.mode} ${entry.blob}\t${entry.path}`).join('\n') + '\n' });
    const tree = await gitOutput(worktree, ['write-tree'], { env });
    const commit = await gitOutput(worktree, ['commit-tree', tree, '-p', after.commit, '-m',
      `grove: parked work of ${name} written during its reset (${late.map((entry) => entry.path).join(', ').slice(0, 200)})`], { env: PARKING_IDENTITY });
    const ref = await createUniqueRef(worktree, `refs/grove/parked/${name}/${refTime(now)}-late`, commit);
    return { ref, commit, head: after.head, branch: after.branch, restoreHint: restoreHint(ref, after.branch) };
  } finally {
    await fs.rm(index, { force: true });
  }
}

export async function releaseHeld(held: HeldFiles): Promise<void> {
  await fs.rm(held.dir, { recursive: true, force: true });
}

async function entriesIn(worktree: string, tree: string, paths: string[]): Promise<Map<string, { mode: string; blob: string }>> {
  const out = await gitOutput(worktree, ['ls-tree', '-r', '-z', '--full-tree', tree, '--', ...paths.map((p) => `:(literal)${p}`)]);
  const entries = new Map<string, { mode: string; blob: string }>();
  for (const line of out.split('\0').filter(Boolean)) {
    const tab = line.indexOf('\t');
    const [mode, , blob] = line.slice(0, tab).split(' ');
    entries.set(line.slice(tab + 1), { mode, blob });
  }
  return entries;
}
