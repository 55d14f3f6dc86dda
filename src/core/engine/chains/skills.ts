import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { GroveError } from '../../errors';

/**
 * Skills are reusable step bodies: `<repo>/.grove/skills/<name>/SKILL.md` first (the team's,
 * committed with the code), then `~/.grove/skills/<name>/SKILL.md` (a person's own).
 */
export interface SkillSource {
  repoRoot?: string;
  homeDir?: string;
}

export interface Skill {
  name: string;
  file: string;
  body: string;
}

const SKILL_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export function isValidSkillName(name: string): boolean {
  return SKILL_NAME.test(name) && !name.includes('..');
}

export function skillSearchPaths(name: string, source: SkillSource): string[] {
  const dirs: string[] = [];
  if (source.repoRoot) dirs.push(path.join(source.repoRoot, '.grove', 'skills'));
  dirs.push(path.join(source.homeDir ?? os.homedir(), '.grove', 'skills'));
  return dirs.map((dir) => path.join(dir, name, 'SKILL.md'));
}

/** Reads a skill, or returns `{ missing }`: the places looked in (the caller words the refusal). */
export async function findSkill(name: string, source: SkillSource): Promise<Skill | { missing: string[] }> {
  if (!isValidSkillName(name)) throw new GroveError('usage', `"${name}" is not a valid skill name`, 'Use letters, digits, ".", "_" and "-".');
  const candidates = skillSearchPaths(name, source);
  for (const file of candidates) {
    let text: string;
    try {
      text = await fs.readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') continue;
      throw error;
    }
    return { name, file, body: skillBody(text) };
  }
  return { missing: candidates };
}

/** The SKILL.md body without its front matter (the `---` block of name/description metadata). */
export function skillBody(text: string): string {
  const normalized = text.replace(/^\uFEFF/, '').replace(/\r\n/g, '\n');
  const frontMatter = normalized.match(/^---\n[\s\S]*?\n---\n?/);
  return (frontMatter ? normalized.slice(frontMatter[0].length) : normalized).trim();
}
