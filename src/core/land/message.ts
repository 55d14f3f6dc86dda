import * as path from 'node:path';
import type { LandSource } from './types';

const SUBJECT_MAX = 72;
const BODY_MAX = 8_000;

/** The commit subject and pull request title: the prompt's first line, cut to 72 characters at a word. */
export function draftTitle(source: LandSource): string {
  const line = (source.title || source.prompt.split('\n')[0] || 'Agent result').replace(/\s+/g, ' ').trim() || 'Agent result';
  if (line.length <= SUBJECT_MAX) return line;
  const cut = line.slice(0, SUBJECT_MAX - 1);
  const space = cut.lastIndexOf(' ');
  return `${space > 40 ? cut.slice(0, space) : cut}…`;
}

/** The body: the agent's final message, then the prompt when it says more than its first line. */
export function draftBody(source: LandSource): string {
  const parts: string[] = [];
  const final = source.finalMessage?.trim();
  if (final) parts.push(clip(final));
  const prompt = source.prompt.trim();
  if (prompt && prompt !== draftTitle(source) && prompt !== source.title.trim()) {
    parts.push(`Prompt:\n${clip(prompt).split('\n').map((line) => (line ? `> ${line}` : '>')).join('\n')}`);
  }
  parts.push(`Landed by Grove from ${path.basename(source.worktreePath)} (base ${source.baseCommit.slice(0, 12)}).`);
  return parts.join('\n\n');
}

/** The squash commit's message, which the editor shows for editing before the commit is made. */
export function draftCommitMessage(source: LandSource): string {
  return `${draftTitle(source)}\n\n${draftBody(source)}\n`;
}

export function draftMergeMessage(source: LandSource, target: string): string {
  return `Merge ${draftTitle(source)} into ${target.replace(/^refs\/heads\//, '')}\n\n${draftBody(source)}\n`;
}

export function snapshotMessage(source: LandSource): string {
  return `${draftTitle(source)}\n\nUncommitted work left in ${path.basename(source.worktreePath)}, snapshotted by Grove to land it.\n`;
}

function clip(text: string): string {
  return text.length > BODY_MAX ? `${text.slice(0, BODY_MAX)}\n[…]` : text;
}

/**
 * The follow-up "Resolve with the Agent" sends (Continue, in the result's session and worktree)
 * after a conflict refusal that names a target branch: merge it in there, resolve, commit. The
 * next land then merges cleanly, with the agent's resolution.
 */
export function draftResolvePrompt(targetRef: string, files: string[]): string {
  const target = targetRef.replace(/^refs\/heads\//, '');
  return [
    `Landing your work into ${target} conflicts in ${files.length === 1 ? 'this file' : 'these files'}:`,
    ...files.map((file) => `- ${file}`),
    '',
    `In this worktree, commit your work if it is not committed, then run \`git merge ${target}\` and resolve every conflict,`,
    `keeping what ${target} changed as well as what you changed. Check that it still builds and its tests pass, then commit the merge.`,
    'Do not push, and do not switch branches.',
  ].join('\n');
}
