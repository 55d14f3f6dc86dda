import * as vscode from 'vscode';
import { runGit } from '../../core/git/run';
import { changeLine, readTranscript, runLogOf, transcriptMarkdown, type ResultRecord, type ResultsService } from '../../core/results';
import { usd } from '../format';

export const BASE_SCHEME = 'grove-base';
export const OUTPUT_SCHEME = 'grove-output';

/** The base side of a diff: a file at a commit, read-only because it is a virtual document. */
export function baseUri(repoDir: string, commit: string, file: string | null): vscode.Uri {
  // `file: null` is "no file on this side" (the right side of a deleted file).
  return vscode.Uri.from({ scheme: BASE_SCHEME, path: `/${file ?? 'deleted'}`, query: JSON.stringify({ repo: repoDir, commit, file }) });
}

export class BaseContentProvider implements vscode.TextDocumentContentProvider {
  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const { repo, commit, file } = JSON.parse(uri.query) as { repo: string; commit: string; file: string | null };
    if (!file) return '';
    const shown = await runGit(repo, ['show', `${commit}:${file}`], { allowFailure: true });
    return shown.code === 0 ? shown.stdout : '';
  }
}

/**
 * Agent output and fan-out comparisons as Markdown documents made on demand from the results
 * store and the run logs: `grove-output:/<result id>.md`, `grove-output:/compare/<group id>.md`.
 */
export class OutputContentProvider implements vscode.TextDocumentContentProvider {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  constructor(private readonly service: () => ResultsService, private readonly groveDir: () => string) {}

  refresh(uri: vscode.Uri): void {
    this.changed.fire(uri);
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const compare = uri.path.match(/^\/compare\/(.+)\.md$/);
    if (compare) return compareMarkdown((await this.service().list()).filter((record) => record.group?.id === compare[1]));
    const id = uri.path.replace(/^\//, '').replace(/\.md$/, '');
    return outputMarkdown(await this.service().find(id), this.groveDir());
  }

  dispose(): void {
    this.changed.dispose();
  }
}

export function outputUri(resultId: string): vscode.Uri {
  return vscode.Uri.from({ scheme: OUTPUT_SCHEME, path: `/${resultId}.md` });
}

export function compareUri(groupId: string): vscode.Uri {
  return vscode.Uri.from({ scheme: OUTPUT_SCHEME, path: `/compare/${groupId}.md` });
}

/** The final message first (what a person reads), then each run's transcript: per step for chains. */
export async function outputMarkdown(record: ResultRecord, groveDir: string): Promise<string> {
  const lines = [`# ${record.title}`, '', `${record.status} · ${usd(record.costMicros)} · ${changeLine(record.changes)} · ${record.runs.length} run${record.runs.length === 1 ? '' : 's'}`, ''];
  if (record.error) lines.push(`> **${record.status}:** ${record.error.replace(/\n/g, '\n> ')}`, '');
  lines.push('## Final message', '', record.finalMessage ?? '_The agent gave no final message._', '');
  for (const [index, run] of record.runs.entries()) {
    const what = run.step ? `${run.step}` : 'task';
    lines.push(`## Run ${index + 1}: ${what}`, '');
    lines.push(`${run.status} · ${usd(run.costMicros)} · ${run.numTurns ?? '?'} turns · ${run.durationMs === null ? '?' : `${(run.durationMs / 1000).toFixed(1)} s`} · ${run.model ?? 'model unknown'} · session \`${run.sessionId ?? '-'}\``, '');
    lines.push('<details><summary>Prompt</summary>', '', '```text', run.prompt.replace(/```/g, "'''"), '```', '', '</details>', '');
    if (run.runId) lines.push(transcriptMarkdown(await readTranscript(runLogOf(groveDir, run.runId))));
  }
  return lines.join('\n');
}

/** Variants side by side: status, cost, turns, duration, files and +/−, and how each answer starts. */
export function compareMarkdown(variants: ResultRecord[]): string {
  const sorted = [...variants].sort((a, b) => (a.group?.index ?? 0) - (b.group?.index ?? 0));
  const first = sorted[0];
  const lines = [`# Compare fan-out: ${first?.title ?? 'no variants'}`, '', '| # | status | review | cost | turns | duration | files | +/− | answer starts |', '|---|---|---|---|---|---|---|---|---|'];
  for (const record of sorted) {
    const turns = record.runs.reduce((sum, run) => sum + (run.numTurns ?? 0), 0);
    const ms = record.runs.reduce((sum, run) => sum + (run.durationMs ?? 0), 0);
    const start = (record.finalMessage ?? record.error ?? '').replace(/\s+/g, ' ').slice(0, 80).replace(/\|/g, '\\|');
    lines.push(`| ${record.group?.index ?? '?'} | ${record.status} | ${record.review} | ${usd(record.costMicros)} | ${turns} | ${(ms / 1000).toFixed(1)} s | ${record.changes?.files.length ?? 0} | +${record.changes?.added ?? 0} −${record.changes?.removed ?? 0} | ${start} |`);
  }
  lines.push('', 'Diff two variants with **Grove: Compare Two Variants**; pick the winner with **Keep This One** (the others are parked).');
  return lines.join('\n');
}
