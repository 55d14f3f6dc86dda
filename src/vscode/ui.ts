import * as vscode from 'vscode';

/**
 * The questions Grove asks the user. The extension-host tests swap in scripted answers
 * (GroveApi.testing.ui, switched on by useScriptedUi), because a modal dialog would otherwise
 * wait forever there; the e2e tests click the real ones.
 */
export interface Ui {
  /** A modal confirmation; resolves to the chosen action or undefined when dismissed. */
  confirm(message: string, detail: string, ...actions: string[]): Promise<string | undefined>;
  input(options: vscode.InputBoxOptions): Promise<string | undefined>;
  pick<T extends vscode.QuickPickItem>(items: T[], options: vscode.QuickPickOptions): Promise<T | undefined>;
  /** Several of the items (those with `picked` start ticked); undefined when dismissed. */
  pickMany<T extends vscode.QuickPickItem>(items: T[], options: vscode.QuickPickOptions): Promise<T[] | undefined>;
}

export const windowUi: Ui = {
  async confirm(message, detail, ...actions) {
    return vscode.window.showWarningMessage(message, { modal: true, detail }, ...actions);
  },
  async input(options) {
    return vscode.window.showInputBox(options);
  },
  async pick(items, options) {
    return vscode.window.showQuickPick(items, options);
  },
  async pickMany(items, options) {
    return vscode.window.showQuickPick(items, { ...options, canPickMany: true });
  },
};

/** Answers for the tests, consumed in order; falls back to the real window when none is left. */
export class ScriptedUi implements Ui {
  private readonly answers: (string | undefined)[] = [];
  readonly asked: string[] = [];
  /** The title of every input box and quick pick asked (they must match the command's name). */
  readonly titles: string[] = [];
  /** What each quick pick offered. */
  readonly offered: vscode.QuickPickItem[][] = [];

  push(...answers: (string | undefined)[]): void {
    this.answers.push(...answers);
  }

  private next(question: string): { answer: string | undefined; scripted: boolean } {
    this.asked.push(question);
    if (this.answers.length === 0) return { answer: undefined, scripted: false };
    return { answer: this.answers.shift(), scripted: true };
  }

  async confirm(message: string, detail: string, ...actions: string[]): Promise<string | undefined> {
    const { answer, scripted } = this.next(`${message}\n${detail}`);
    return scripted ? answer : windowUi.confirm(message, detail, ...actions);
  }

  async input(options: vscode.InputBoxOptions): Promise<string | undefined> {
    this.titles.push(options.title ?? '');
    const { answer, scripted } = this.next(options.prompt ?? options.title ?? 'input');
    return scripted ? answer : windowUi.input(options);
  }

  async pick<T extends vscode.QuickPickItem>(items: T[], options: vscode.QuickPickOptions): Promise<T | undefined> {
    this.titles.push(options.title ?? '');
    this.offered.push(items);
    const { answer, scripted } = this.next(options.title ?? options.placeHolder ?? 'pick');
    if (!scripted) return windowUi.pick(items, options);
    return items.find((item) => item.label === answer);
  }

  /** A scripted answer is the chosen labels joined by newlines ("" picks none). */
  async pickMany<T extends vscode.QuickPickItem>(items: T[], options: vscode.QuickPickOptions): Promise<T[] | undefined> {
    this.titles.push(options.title ?? '');
    this.offered.push(items);
    const { answer, scripted } = this.next(options.title ?? options.placeHolder ?? 'pick');
    if (!scripted) return windowUi.pickMany(items, options);
    if (answer === undefined) return undefined;
    const chosen = new Set(answer.split('\n').filter(Boolean));
    return items.filter((item) => chosen.has(item.label));
  }
}
