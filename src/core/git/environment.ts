/**
 * Variables that make git run other programs (editor, pager, askpass). Grove's git work is
 * local and non-interactive and never needs them (a pager or an editor waiting for input would
 * hang a background operation), so they are left out of git's environment, and so is every
 * GIT_* variable: inherited from a hook or a terminal, GIT_DIR or GIT_WORK_TREE would point
 * git at another repository than the one Grove names.
 */
const PROGRAM_RUNNING_VARIABLES = new Set(['editor', 'visual', 'pager', 'prefix', 'ssh_askpass']);

export function gitEnvironment(base: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(base)) {
    const lower = key.toLowerCase();
    if (value === undefined || PROGRAM_RUNNING_VARIABLES.has(lower) || lower.startsWith('git_')) continue;
    env[key] = value;
  }
  // Parsed output must be English whatever the user's locale; never prompt for credentials.
  return { ...env, LANG: 'C', LC_ALL: 'C', GCM_INTERACTIVE: 'never' };
}
