import { runGit } from '../git/run';
import { CONTROL_CHARACTERS } from '../pool/names';
import { LandRefusal } from './types';

/** `grove/<slug>`: lower-case words of the title joined by '-', cut at a word near 48 characters. */
export function defaultBranchName(title: string): string {
  const words = title.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, ' ').trim().split(' ').filter(Boolean);
  let slug = '';
  for (const word of words) {
    const next = slug ? `${slug}-${word}` : word;
    if (next.length > 48) break;
    slug = next;
  }
  return `grove/${slug || words[0]?.slice(0, 48) || 'result'}`;
}

/** Names git certainly accepts (checked without starting git): word characters, '-', '.', single '/' between parts. */
const PLAINLY_VALID = /^[A-Za-z0-9_][A-Za-z0-9_.-]*(\/[A-Za-z0-9_][A-Za-z0-9_.-]*)*$/;

/** A short branch name (`feature/x` or `refs/heads/feature/x`) as its full ref, or a refusal saying why not. */
export async function branchRef(repo: string, name: string): Promise<string> {
  const short = name.replace(/^refs\/heads\//, '');
  const why = badNameReason(short);
  if (why) throw badName(name, why);
  if (PLAINLY_VALID.test(short) && !short.split('/').some((part) => part.startsWith('.') || part.endsWith('.') || part.endsWith('.lock'))) return `refs/heads/${short}`;
  // git's own rules decide the rest (no '~', '^', ':', '?', '*', '[', '\\', '@{', '.lock', '//').
  const result = await runGit(repo, ['check-ref-format', `refs/heads/${short}`], { allowFailure: true });
  if (result.code !== 0) throw badName(name, 'git does not accept it as a branch name (git help check-ref-format lists the rules)');
  return `refs/heads/${short}`;
}

function badNameReason(short: string): string | null {
  if (short.trim() === '') return 'it is empty';
  if (/\s/.test(short)) return 'it contains spaces';
  if (short.includes('..')) return "it contains '..'";
  if (short.startsWith('-')) return "it starts with '-'";
  if (CONTROL_CHARACTERS.test(short)) return 'it contains control characters';
  if (short === 'HEAD' || short === '@') return `'${short}' is reserved by git`;
  return null;
}

function badName(name: string, why: string): LandRefusal {
  return new LandRefusal('bad-branch-name', `${JSON.stringify(name)} is not a usable branch name: ${why}`,
    'Pick a name like grove/fix-parser (letters, digits, "-", "_", "/", ".").');
}

/** The commit a branch points at, or null when there is no such branch. */
export async function branchTip(repo: string, ref: string): Promise<string | null> {
  const result = await runGit(repo, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`], { allowFailure: true });
  return result.code === 0 ? result.stdout.trim() : null;
}

/** A branch's commit and tree in one git call, or null when there is no such branch. */
export async function branchTipAndTree(repo: string, ref: string): Promise<{ tip: string; tree: string } | null> {
  const result = await runGit(repo, ['rev-parse', `${ref}^{commit}`, `${ref}^{tree}`], { allowFailure: true });
  if (result.code !== 0) return null;
  const [tip, tree] = result.stdout.trim().split('\n');
  return { tip, tree };
}
