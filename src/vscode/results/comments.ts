import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ResultRecord, ResultsService, ReviewComment } from '../../core/results';

/** A pending comment as the Comments API shows it; it remembers which result and stored comment it is. */
class PendingComment implements vscode.Comment {
  body: string;
  mode = vscode.CommentMode.Preview;
  author = { name: 'You' };
  label = 'pending';
  contextValue = 'grove.pendingComment';
  constructor(readonly resultId: string, readonly stored: ReviewComment) {
    this.body = stored.body;
  }
}

/**
 * Review comments on a result's worktree files, batched: each one is stored on the result at
 * once (so a reload keeps it) and shown as a pending thread; Send Review sends them together.
 */
export class ReviewComments implements vscode.Disposable {
  readonly controller: vscode.CommentController;
  private readonly threads = new Map<string, vscode.CommentThread>();
  private records: readonly ResultRecord[] = [];

  constructor(private readonly service: () => ResultsService) {
    this.controller = vscode.comments.createCommentController('grove.review', 'Grove Review');
    this.controller.options = { prompt: 'Comment for the agent (sent with Send Review)', placeHolder: 'What should the agent change here?' };
    this.controller.commentingRangeProvider = {
      provideCommentingRanges: (document) => {
        if (!this.resultOf(document.uri)) return [];
        return [new vscode.Range(0, 0, Math.max(0, document.lineCount - 1), 0)];
      },
    };
  }

  /** The result whose worktree holds this file and that can still take a follow-up. */
  resultOf(uri: vscode.Uri): ResultRecord | undefined {
    if (uri.scheme !== 'file') return undefined;
    return this.records.find((record) => record.worktree && record.review !== 'discarded' && isInside(record.worktree.path, uri.fsPath));
  }

  /** Shows every stored pending comment as a thread (after a reload too); drops threads of sent or removed ones. */
  sync(records: readonly ResultRecord[]): void {
    this.records = records;
    const live = new Set<string>();
    for (const record of records) {
      if (!record.worktree) continue;
      for (const comment of record.pendingComments) {
        live.add(comment.id);
        if (this.threads.has(comment.id)) continue;
        const uri = vscode.Uri.file(path.join(record.worktree.path, comment.file));
        const thread = this.controller.createCommentThread(uri, new vscode.Range(comment.line - 1, 0, comment.line - 1, 0), [new PendingComment(record.id, comment)]);
        this.dress(thread, record);
        this.threads.set(comment.id, thread);
      }
    }
    for (const [id, thread] of this.threads) {
      if (!live.has(id)) {
        thread.dispose();
        this.threads.delete(id);
      }
    }
  }

  /** The "Add Review Comment" button of a new thread. */
  async add(reply: vscode.CommentReply): Promise<ReviewComment | undefined> {
    const { thread, text } = reply;
    const record = this.resultOf(thread.uri);
    if (!record || !record.worktree || !thread.range) {
      thread.dispose();
      throw new Error('comments go on files of a result\'s worktree (open it with Review Changes)');
    }
    const line = thread.range.start.line;
    const document = await vscode.workspace.openTextDocument(thread.uri);
    const stored = await this.service().addComment(record.id, {
      file: path.relative(record.worktree.path, thread.uri.fsPath).split(path.sep).join('/'),
      line: line + 1, lineText: line < document.lineCount ? document.lineAt(line).text : '', body: text,
    });
    thread.comments = [new PendingComment(record.id, stored)];
    this.dress(thread, record);
    this.threads.set(stored.id, thread);
    return stored;
  }

  async remove(comment: PendingComment | undefined): Promise<void> {
    if (!(comment instanceof PendingComment)) return;
    await this.service().removeComment(comment.resultId, comment.stored.id);
    this.threads.get(comment.stored.id)?.dispose();
    this.threads.delete(comment.stored.id);
  }

  /** The result a thread (or one of its comments) belongs to. */
  resultIdOf(target: vscode.CommentThread | PendingComment | undefined): string | undefined {
    if (target instanceof PendingComment) return target.resultId;
    // Commands also get tree rows and result ids: only a real thread has comments and a uri.
    if (typeof target !== 'object' || target === null || !Array.isArray(target.comments) || !(target.uri instanceof vscode.Uri)) return undefined;
    const first = target.comments[0];
    return first instanceof PendingComment ? first.resultId : this.resultOf(target.uri)?.id;
  }

  get threadCount(): number {
    return this.threads.size;
  }

  private dress(thread: vscode.CommentThread, record: ResultRecord): void {
    thread.label = `Pending review for "${record.title}"`;
    thread.contextValue = 'grove.pendingThread';
    thread.canReply = false;
    thread.collapsibleState = vscode.CommentThreadCollapsibleState.Expanded;
  }

  dispose(): void {
    for (const thread of this.threads.values()) thread.dispose();
    this.threads.clear();
    this.controller.dispose();
  }
}

function isInside(root: string, file: string): boolean {
  const relative = path.relative(root, file);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}
