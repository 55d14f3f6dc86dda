import * as vscode from 'vscode';

export type MessageLevel = 'info' | 'warning' | 'error';

export interface ShownMessage {
  level: MessageLevel;
  text: string;
  actions: string[];
}

/**
 * Every non-modal notification Grove shows goes through here, so the extension-host tests can
 * read what the user saw (the notification toasts have no read API) and answer one, the way
 * a click on its button would.
 */
export class Messages {
  private readonly log: ShownMessage[] = [];
  private readonly answers: (string | undefined)[] = [];

  get shown(): readonly ShownMessage[] {
    return this.log;
  }

  /** Tests: the next notification resolves with this choice instead of waiting for a click. */
  answerNext(choice: string | undefined): void {
    this.answers.push(choice);
  }

  show(level: MessageLevel, text: string, ...actions: string[]): Thenable<string | undefined> {
    this.log.push({ level, text, actions });
    if (this.log.length > 200) this.log.shift();
    if (this.answers.length > 0) return Promise.resolve(this.answers.shift());
    if (level === 'error') return vscode.window.showErrorMessage(text, ...actions);
    if (level === 'warning') return vscode.window.showWarningMessage(text, ...actions);
    return vscode.window.showInformationMessage(text, ...actions);
  }
}

/** One per extension host. */
export const messages = new Messages();
