import { simpleGit, type SimpleGit } from 'simple-git';

import { gitEnvironment } from './environment';

export { gitEnvironment };

/** A simple-git instance for one folder, set up for parsing. */
export function gitAt(baseDir: string): SimpleGit {
  return simpleGit({ baseDir, trimmed: false, maxConcurrentProcesses: 8 }).env(gitEnvironment());
}
