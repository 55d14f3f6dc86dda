import type * as vscode from 'vscode';

/** What `activate` returns: a small surface for the extension-host tests and for other extensions. */
export interface GroveApi {
  /** Folder of the "Grove" log channel's file (`Grove.log`). */
  readonly logUri: vscode.Uri;
}
