import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { randomId } from '../util/ids';
import { lostLock, type FenceMark, type LockContext } from './lock';
import { stopBeforeCommitForTests } from './testHooks';

/**
 * A lock-protected JSON document that a writer who lost the lock cannot overwrite, whatever
 * timers did or did not notice. Each version is an immutable generation file,
 * `<name>.generations/<n>.json`, and a commit is a compare-and-swap: the writer that read
 * generation n creates n+1 exclusively (written aside, fsynced, then hard-linked into place,
 * which fails if n+1 exists). Two writers that read the same generation cannot both commit;
 * a writer paused past a takeover finds its generation taken and writes nothing. Readers take
 * the highest generation. Old generations are pruned (the last KEEP stay); a writer whose
 * generation number was freed by pruning is caught after its link (see `settle`).
 *
 * `<name>.json` stays, rewritten after every commit, as a copy for readers that want one file
 * (the editor's views and watcher, people). It is never what a writer builds on, except when a
 * person (or an older Grove) changed it by hand: see `pickSource`. A pool that has only a plain
 * `<name>.json` (from before generations) is read from it, and its first commit is generation 1.
 */
const KEEP = 8;
const NAME = /^(\d{12})\.json$/;
const FENCE_KEY = 'fence';

interface Stamp {
  generation: number;
  /** Random per commit; `parent` is the id of the generation it was made from. */
  id: string;
  parent: string | null;
}

export type FencedRead =
  | { kind: 'missing' }
  | { kind: 'ok'; value: unknown; file: string }
  | { kind: 'corrupt'; reason: string; text: string; file: string };

export class FencedDocument {
  readonly mirror: string;
  readonly dir: string;
  private readonly key: string;

  constructor(groveDir: string, readonly name: string) {
    this.mirror = path.join(groveDir, `${name}.json`);
    this.dir = path.join(groveDir, `${name}.generations`);
    this.key = path.resolve(this.dir);
  }

  /** The newest version. Inside a lock, also remembers which generation this session builds on. */
  async read(lock?: LockContext): Promise<FencedRead> {
    for (let attempt = 0; ; attempt++) {
      const generation = (await this.generations())[0] ?? 0;
      const genFile = this.generationFile(generation);
      const genText = generation ? await readText(genFile) : null;
      // A generation pruned between the listing and the read: list again.
      if (generation && genText === null && attempt < 5) continue;
      const mirrorText = await readText(this.mirror);
      const genRead = genText === null ? null : parse(genText, genFile);
      if (lock) this.remember(lock, { generation, id: genRead?.kind === 'ok' ? genRead.stamp?.id ?? null : null });
      return this.pickSource(genRead, genText, genFile, generation, mirrorText);
    }
  }

  /** Commits `value` as the generation after the one this session read; throws (writing nothing) if that is taken. */
  async commit(lock: LockContext, value: object): Promise<void> {
    lock.assertHeld();
    let base = lock.fence.get(this.key);
    if (!base) {
      await this.read(lock);
      base = lock.fence.get(this.key)!;
    }
    const stamp: Stamp = { generation: base.generation + 1, id: randomId(), parent: base.id };
    const text = JSON.stringify({ ...value, [FENCE_KEY]: stamp }, null, 2) + '\n';
    const final = this.generationFile(stamp.generation);
    const temp = `${final}.${stamp.id}.tmp`;
    const handle = await fs.open(temp, 'wx').catch(async (error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
      await fs.mkdir(this.dir, { recursive: true });
      return fs.open(temp, 'wx');
    });
    try {
      await handle.writeFile(text);
      await handle.sync();
    } finally {
      await handle.close();
    }
    stopBeforeCommitForTests();
    try {
      await fs.link(temp, final);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw lostLock(`${this.name} generation ${stamp.generation} was written by another process`);
      throw error;
    } finally {
      await fs.unlink(temp).catch(() => undefined);
    }
    const names = await this.settle(stamp);
    lock.fence.set(this.key, { generation: stamp.generation, id: stamp.id });
    await this.writeCopy(text, stamp.id);
    await this.prune(names, stamp.generation);
  }

  /** The readable copy: renamed into place whole, not fsynced (the generation file is the durable one). */
  private async writeCopy(text: string, id: string): Promise<void> {
    const temp = `${this.mirror}.${id}.tmp`;
    await fs.writeFile(temp, text);
    await fs.rename(temp, this.mirror);
  }

  /**
   * After the link: if a higher generation exists, either ours was made from a state others
   * had long moved past (its number freed by pruning: ours is ignored, since readers take the
   * highest, and the commit fails), or others built on ours while this process was paused
   * right after linking (the next generation names ours as its parent: the commit stands).
   */
  private async settle(stamp: Stamp): Promise<string[]> {
    const names = await this.listing();
    const newest = generationsIn(names)[0] ?? 0;
    if (newest <= stamp.generation) return names;
    const next = await readText(this.generationFile(stamp.generation + 1));
    if (next !== null && stampOf(next)?.parent === stamp.id) return names;
    await fs.unlink(this.generationFile(stamp.generation)).catch(() => undefined);
    throw lostLock(`${this.name} had moved on to generation ${newest} while this process held generation ${stamp.generation - 1}`);
  }

  private remember(lock: LockContext, mark: FenceMark): void {
    const known = lock.fence.get(this.key);
    if (!known) {
      lock.fence.set(this.key, mark);
      return;
    }
    // Under a held lock nobody else commits: a different generation means the lock was lost.
    if (known.generation !== mark.generation || known.id !== mark.id) {
      throw lostLock(`${this.name} changed from generation ${known.generation} to ${mark.generation} under this process`);
    }
  }

  /**
   * Which text is the newest version: the highest generation, unless `<name>.json` was
   * changed by hand after it (newer, and not simply a copy of an older generation that a
   * paused writer put back late). A hand edit is honoured as the content to build on (a
   * person's repair, or an unreadable file to quarantine), never a stale copy.
   */
  private async pickSource(genRead: Parsed | null, genText: string | null, genFile: string, generation: number, mirrorText: string | null): Promise<FencedRead> {
    if (genRead === null) return mirrorText === null ? { kind: 'missing' } : parse(mirrorText, this.mirror);
    if (mirrorText === null || mirrorText === genText) return genRead;
    const mirrorRead = parse(mirrorText, this.mirror);
    const mirrorStamp = mirrorRead.kind === 'ok' ? mirrorRead.stamp : null;
    if (mirrorStamp && mirrorStamp.generation < generation) return genRead;
    if (!mirrorStamp) {
      const [mirrorStat, genStat] = await Promise.all([fs.stat(this.mirror).catch(() => null), fs.stat(genFile).catch(() => null)]);
      if (!mirrorStat || (genStat && mirrorStat.mtimeMs < genStat.mtimeMs)) return genRead;
    }
    return mirrorRead;
  }

  /** Generation numbers present, highest first. */
  private async generations(): Promise<number[]> {
    return generationsIn(await this.listing());
  }

  private async listing(): Promise<string[]> {
    try {
      return await fs.readdir(this.dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
  }

  /** Generations (and temp files of crashed writers) KEEP behind the newest go. */
  private async prune(names: string[], newest: number): Promise<void> {
    await Promise.all(names.filter((name) => /^\d{12}\./.test(name) && Number(name.slice(0, 12)) <= newest - KEEP)
      .map((name) => fs.unlink(path.join(this.dir, name)).catch(() => undefined)));
  }

  private generationFile(generation: number): string {
    return path.join(this.dir, `${String(generation).padStart(12, '0')}.json`);
  }
}

function generationsIn(names: string[]): number[] {
  const numbers: number[] = [];
  for (const name of names) {
    const match = NAME.exec(name);
    if (match) numbers.push(Number(match[1]));
  }
  return numbers.sort((a, b) => b - a);
}

async function readText(file: string): Promise<string | null> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

type Parsed = Exclude<FencedRead, { kind: 'missing' }> & { stamp?: Stamp | null };

/** The document without its stamp, and the stamp (which generation it is, and what it was made from). */
function parse(text: string, file: string): Parsed {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { kind: 'corrupt', reason: (error as Error).message, text, file };
  }
  let stamp: Stamp | null = null;
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && FENCE_KEY in value) {
    const { [FENCE_KEY]: raw, ...rest } = value as Record<string, unknown>;
    stamp = stampFrom(raw);
    value = rest;
  }
  return { kind: 'ok', value, file, stamp };
}

function stampFrom(raw: unknown): Stamp | null {
  const stamp = raw as Partial<Stamp> | null | undefined;
  return stamp && Number.isSafeInteger(stamp.generation) && typeof stamp.id === 'string'
    ? { generation: stamp.generation!, id: stamp.id, parent: typeof stamp.parent === 'string' ? stamp.parent : null } : null;
}

function stampOf(text: string): Stamp | null {
  const parsed = parse(text, '');
  return parsed.kind === 'ok' ? parsed.stamp ?? null : null;
}
