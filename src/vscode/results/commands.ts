import * as vscode from 'vscode';
import { GroveError } from '../../core/errors';
import type { Logger } from '../../core/logger';
import { blockedOf, type ParkedEntry, type ResultRecord, type Results } from '../../core/results';
import { usd } from '../format';
import type { GroveSession } from '../session';
import { requireTrust } from '../trust';
import type { ReviewComments } from './comments';
import { compareUri, outputUri, type OutputContentProvider } from './documents';
import type { ResultsFeature } from './index';
import { openFileDiff, openReview, reviewResources, variantTriples } from './review';
import type { ResultNode, ResultsView } from './resultsView';
import type { ResultCommandId } from './commandIds';
import { landFromEditor, type ReviewedResult } from './land';


type Handler = (...args: unknown[]) => Promise<unknown>;

interface Deps {
  session: GroveSession;
  results: Results;
  view: ResultsView;
  comments: ReviewComments;
  output: OutputContentProvider;
  refresh: () => Promise<void>;
  log: Logger;
  feature: ResultsFeature;
  /** Which result the active Review Changes tab shows (Land… in its title bar). */
  reviewed?: ReviewedResult;
}

/** The Results view's commands. Each takes a tree row, a result id (tests, other commands), or nothing (then asks). */
export function resultCommands(d: Deps): Record<ResultCommandId, Handler> {
  const service = d.results.service;
  const repoDir = d.session.repo.mainWorktree;

  const pickResult = async (given: unknown, title: string, filter: (record: ResultRecord) => boolean = () => true): Promise<ResultRecord | undefined> => {
    // An id from a toast: the task may have ended a moment ago, its result still being recorded.
    if (typeof given === 'string') {
      await d.results.recorder?.flush();
      return service.find(given);
    }
    const node = given as ResultNode | undefined;
    if (node?.kind === 'result' || node?.kind === 'file') return service.find(node.record.id);
    if (node?.kind === 'group') return service.find(node.records[0].id);
    const records = (await service.list()).filter(filter);
    if (records.length === 0) throw new GroveError('usage', 'no result to choose from', 'Results appear when a task, chain or fan-out ends.');
    const picked = await d.session.ui.pick(records.map((record) => ({ label: record.title, description: `${record.status} · ${usd(record.costMicros)}`, detail: record.id, record })), { title });
    return picked?.record;
  };

  const continueWith = async (record: ResultRecord, prompt: string, send: () => Promise<{ task: { status: string; error: string | null } }>) => {
    requireTrust('Continuing a task');
    const outcome = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Grove: following up on "${record.title}"` }, send);
    await d.refresh();
    const text = outcome.task.status === 'succeeded'
      ? `Grove: follow-up on "${record.title}" done.`
      : `Grove: follow-up on "${record.title}" ${outcome.task.status}: ${outcome.task.error ?? ''} (the work is untouched).`;
    d.log.info(`${text} (${prompt.length} characters sent)`);
    void (outcome.task.status === 'succeeded' ? vscode.window.showInformationMessage(text, 'Show Agent Output') : vscode.window.showWarningMessage(text, 'Show Agent Output'))
      .then((choice) => { if (choice) void vscode.commands.executeCommand('grove.results.showOutput', record.id); });
    return outcome;
  };

  const parkedRef = (given: unknown): string | undefined => {
    if (typeof given === 'string') return given;
    const node = given as { kind?: string; entry?: ParkedEntry } | undefined;
    return node?.kind === 'parked' ? node.entry?.ref : undefined;
  };

  return {
    'grove.results.refresh': () => d.refresh(),

    // Issue 11: from a row, an id, or the Review Changes tab's title bar (no argument: the reviewed result).
    'grove.results.land': async (given?: unknown) => {
      const reviewed = given === undefined || given instanceof vscode.Uri ? d.reviewed?.current : null;
      const record = await pickResult(reviewed ?? given, 'Land', (candidate) => candidate.worktree !== null && candidate.review !== 'landed');
      return record ? landFromEditor({ session: d.session, results: d.results, refresh: d.refresh, continueWith }, record) : undefined;
    },

    'grove.results.reviewChanges': async (given?: unknown) => {
      const record = await pickResult(given, 'Review the changes of', (candidate) => candidate.worktree !== null);
      if (!record) return undefined;
      const { triples, ms } = await reviewResources(service, record, repoDir);
      d.feature.lastReviewMs = ms;
      if (triples.length === 0) {
        void vscode.window.showInformationMessage(`Grove: "${record.title}" changed nothing.`);
        return triples;
      }
      await openReview(`Review: ${record.title}`, triples);
      d.reviewed?.opened(`Review: ${record.title}`, record.id);
      void d.refresh();
      return triples;
    },

    'grove.results.openFileDiff': async (given?: unknown) => {
      const target = given as { resultId?: string; file?: string; kind?: string; record?: ResultRecord; file_?: unknown } | undefined;
      const node = given as ResultNode | undefined;
      const resultId = node?.kind === 'file' ? node.record.id : target?.resultId;
      const filePath = node?.kind === 'file' ? node.file.path : target?.file;
      if (!resultId || typeof filePath !== 'string') throw new GroveError('usage', 'open a file\'s changes from a row under a result');
      const record = await service.find(resultId);
      const worktree = service.worktreeOf(record);
      const file = record.changes?.files.find((candidate) => candidate.path === filePath);
      if (!file) throw new GroveError('usage', `${filePath} is not among the changes of "${record.title}"`, 'Refresh the Results view.');
      await openFileDiff(record, file, repoDir, worktree.path);
      return file;
    },

    'grove.results.showOutput': async (given?: unknown) => {
      const record = await pickResult(given, 'Show the agent output of');
      if (!record) return undefined;
      const uri = outputUri(record.id);
      return showMarkdown(d.output, uri);
    },

    'grove.results.continue': async (given?: unknown, promptGiven?: unknown) => {
      const record = await pickResult(given, 'Continue', (candidate) => candidate.runs.some((run) => run.sessionId));
      if (!record) return undefined;
      const prompt = typeof promptGiven === 'string' ? promptGiven : await d.session.ui.input({
        title: `Continue "${record.title}"`, prompt: 'A follow-up for the agent (same session, same worktree)',
        validateInput: (value) => (value.trim() ? undefined : 'Say what the agent should do next'),
      });
      if (!prompt?.trim()) return undefined;
      return continueWith(record, prompt, () => service.continue(record, prompt));
    },

    // Issue 12: a blocked result again, allowed what it wanted (picked from the list), with an answer to its question.
    'grove.results.rerunAllowing': async (given?: unknown, choice?: unknown) => {
      const record = await pickResult(given, 'Re-run allowing what it wanted', (candidate) => blockedOf(candidate) !== null);
      if (!record) return undefined;
      const blocked = blockedOf(record);
      if (!blocked) throw new GroveError('usage', `"${record.title}" is not blocked`, 'Re-run Allowing… is for a result whose agent was denied a tool or asked a question; Continue it otherwise.');
      const preset = (choice ?? {}) as { only?: string[]; answer?: string };
      const only = preset.only ?? (blocked.wanted.length ? await pickWanted(d, record.title, blocked.wanted) : []);
      if (!only || (blocked.wanted.length && only.length === 0 && blocked.questions.length === 0)) return undefined;
      const answer = preset.answer ?? (blocked.questions.length ? await d.session.ui.input({
        title: `"${record.title}" asked: ${blocked.questions.join(' ')}`.slice(0, 200), prompt: 'Your answer (sent with the re-run)',
        validateInput: (value) => (value.trim() ? undefined : 'The agent waits for an answer'),
      }) : undefined);
      if (blocked.questions.length && !answer?.trim()) return undefined;
      return continueWith(record, `re-run allowing ${only.join(', ') || 'an answer'}`, () => service.rerunAllowing(record, { only, answer }));
    },

    'grove.results.openWorktree': async (given?: unknown) => {
      const record = await pickResult(given, 'Open the worktree of', (candidate) => candidate.worktree !== null);
      if (record) await vscode.commands.executeCommand('grove.addToWorkspace', service.worktreeOf(record).path);
    },

    'grove.results.openInNewWindow': async (given?: unknown) => {
      const record = await pickResult(given, 'Open in a new window', (candidate) => candidate.worktree !== null);
      if (record) await vscode.commands.executeCommand('grove.openInNewWindow', service.worktreeOf(record).path);
    },

    'grove.results.discard': async (given?: unknown) => {
      const record = await pickResult(given, 'Discard', (candidate) => candidate.worktree !== null);
      if (!record) return undefined;
      const answer = await d.session.ui.confirm(`Discard "${record.title}"?`,
        `Everything in ${record.worktree?.name ?? 'its worktree'} is parked under refs/grove/parked/ (restore it from Parked Work), and the worktree goes back to the pool.`, 'Discard');
      if (answer !== 'Discard') return undefined;
      const discarded = await service.discard(record);
      await d.refresh();
      void vscode.window.showInformationMessage(discarded.parkedRef ? `Grove: discarded "${record.title}"; its work is parked under ${discarded.parkedRef}.` : `Grove: discarded "${record.title}".`);
      return discarded;
    },

    'grove.results.keep': async (given?: unknown) => {
      const record = await pickResult(given, 'Keep this variant', (candidate) => candidate.group !== null);
      if (!record) return undefined;
      const others = (await service.list()).filter((other) => other.group?.id === record.group?.id && other.id !== record.id && other.review !== 'discarded');
      const answer = await d.session.ui.confirm(`Keep variant #${record.group?.index ?? '?'} of "${record.title}"?`,
        `The other ${others.length} variant${others.length === 1 ? '' : 's'} are discarded: their work is parked under refs/grove/parked/, their worktrees go back to the pool.`, 'Keep This One');
      if (answer !== 'Keep This One') return undefined;
      const kept = await service.keep(record.id);
      await d.refresh();
      // The winner is what a person lands next: offer it right here.
      void vscode.window.showInformationMessage(`Grove: kept variant #${record.group?.index ?? '?'} of "${record.title}".`, 'Land…')
        .then((choice) => { if (choice) void vscode.commands.executeCommand('grove.results.land', record.id); });
      return kept;
    },

    'grove.results.compare': async (given?: unknown) => {
      const record = await pickResult(given, 'Compare the fan-out of', (candidate) => candidate.group !== null);
      if (!record?.group) throw new GroveError('usage', 'compare works on a fan-out', 'Pick a fan-out group or one of its variants.');
      const uri = compareUri(record.group.id);
      return showMarkdown(d.output, uri);
    },

    'grove.results.compareVariants': async (given?: unknown, otherGiven?: unknown) => {
      const first = await pickResult(given, 'Compare variant', (candidate) => candidate.group !== null);
      if (!first?.group) return undefined;
      const siblings = (await service.list()).filter((other) => other.group?.id === first.group?.id && other.id !== first.id);
      const second = typeof otherGiven === 'string' ? await service.find(otherGiven)
        : (await d.session.ui.pick(siblings.map((record) => ({ label: `#${record.group?.index} ${record.title}`, description: record.id, record })), { title: `Compare variant #${first.group.index} with` }))?.record;
      if (!second) return undefined;
      const triples = variantTriples(first, second, repoDir);
      await openReview(`Variant #${first.group.index} ↔ #${second.group?.index ?? '?'}: ${first.title}`, triples);
      return triples;
    },

    'grove.results.addComment': async (reply?: unknown) => {
      const stored = await d.comments.add(reply as vscode.CommentReply);
      await d.refresh();
      return stored;
    },

    'grove.results.deleteComment': async (comment?: unknown) => {
      await d.comments.remove(comment as never);
      await d.refresh();
    },

    'grove.results.sendReview': async (given?: unknown) => {
      const fromComments = d.comments.resultIdOf(given as vscode.CommentThread);
      const record = fromComments ? await service.find(fromComments) : await pickResult(given, 'Send the review of', (candidate) => candidate.pendingComments.length > 0);
      if (!record) return undefined;
      const count = record.pendingComments.length;
      return continueWith(record, `${count} review comments`, () => service.sendReview(record.id));
    },

    'grove.results.restoreParked': async (given?: unknown) => {
      requireTrust('Restoring parked work');
      const ref = parkedRef(given) ?? (await pickParked(d, 'Restore parked work'));
      if (!ref) return undefined;
      const restored = await service.restoreParked(ref, d.session.config().holder ?? 'grove:restored');
      await Promise.all([d.refresh(), d.session.refreshWorktrees()]);
      void vscode.window.showInformationMessage(`Grove: restored into ${restored.name} (leased to you). The parked ref stays until you delete it.`, 'Open in New Window')
        .then((choice) => { if (choice) void vscode.commands.executeCommand('grove.openInNewWindow', restored.path); });
      return restored;
    },

    'grove.results.dropParked': async (given?: unknown) => {
      const ref = parkedRef(given) ?? (await pickParked(d, 'Delete parked work'));
      if (!ref) return undefined;
      const answer = await d.session.ui.confirm(`Delete the parked work ${ref}?`,
        'Its commits become unreachable and git gc will remove them in time. Restore it first if you may want it.', 'Delete');
      if (answer !== 'Delete') return undefined;
      const dropped = await service.dropParked(ref);
      await d.refresh();
      return dropped;
    },
  };
}

/** Which of the denied tools to allow this time: all picked to start with, in the agent CLI's own terms. */
async function pickWanted(d: Deps, title: string, wanted: string[]): Promise<string[] | undefined> {
  const picked = await d.session.ui.pickMany(wanted.map((name) => ({ label: name, picked: true })), {
    title: `Re-run "${title}" allowing`, placeHolder: 'The tools it was denied: allowed for this re-run only',
  });
  return picked?.map((item) => item.label);
}

async function pickParked(d: Deps, title: string): Promise<string | undefined> {
  const entries = await d.results.service.parked();
  if (entries.length === 0) throw new GroveError('usage', 'nothing is parked');
  const picked = await d.session.ui.pick(entries.map((entry) => ({ label: entry.ref, description: `${entry.parkedAt} · ${entry.files?.length ?? 0} files` })), { title });
  return picked?.label;
}

/** Opens a Grove Markdown document fresh: rendered when the preview is there, the source otherwise (it reads fine as text). */
async function showMarkdown(output: { refresh(uri: vscode.Uri): void }, uri: vscode.Uri): Promise<string> {
  output.refresh(uri);
  const document = await vscode.workspace.openTextDocument(uri);
  await vscode.languages.setTextDocumentLanguage(document, 'markdown');
  try {
    await vscode.commands.executeCommand('markdown.showPreview', uri);
  } catch {
    await vscode.window.showTextDocument(document, { preview: true });
  }
  return document.getText();
}
