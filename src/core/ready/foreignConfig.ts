import { isObject } from '../util/objects';
import { parseToml, type TomlTable } from './toml';
import { emptyConfig, type WorktreeConfig } from './worktreeConfig';

/**
 * What users of other tools already have checked in, read (never written) when a repository
 * has no `.grove/worktree.json`. Those tools take shell strings; Grove runs no shell strings of
 * its own, so each is imported as an explicit ["sh", "-c", script] step, and the import says so.
 * Cursor's steps may use $ROOT_WORKTREE_PATH: every step gets it (see steps.ts).
 */
export const FOREIGN_CONFIG_PATHS = ['.conductor/settings.toml', '.cursor/worktrees.json', '.codex/environments/environment.toml'] as const;
export type ForeignConfigPath = (typeof FOREIGN_CONFIG_PATHS)[number];

export function importForeignConfig(file: ForeignConfigPath, text: string): WorktreeConfig {
  if (file === '.conductor/settings.toml') return fromConductor(parseToml(text));
  if (file === '.cursor/worktrees.json') return fromCursor(JSON.parse(text) as unknown);
  return fromCodex(parseToml(text));
}

/** Conductor: `[scripts]` setup (on creation) and archive (before removal); `run` is a dev server, not a step. */
function fromConductor(toml: TomlTable): WorktreeConfig {
  const scripts = isObject(toml.scripts) ? (toml.scripts as TomlTable) : {};
  return { ...emptyConfig(), setup: shellSteps(scripts.setup), teardown: shellSteps(scripts.archive) };
}

/**
 * Cursor: "setup-worktree-unix" (else "setup-worktree") is a list of commands, or the name of
 * a script file next to worktrees.json.
 */
function fromCursor(json: unknown): WorktreeConfig {
  if (!isObject(json)) return emptyConfig();
  const value = (json as Record<string, unknown>)['setup-worktree-unix'] ?? (json as Record<string, unknown>)['setup-worktree'];
  if (typeof value === 'string') return { ...emptyConfig(), setup: [['sh', `.cursor/${value}`]] };
  return { ...emptyConfig(), setup: shellSteps(value) };
}

/** Codex app: `[setup] script`, run when a worktree is made. */
function fromCodex(toml: TomlTable): WorktreeConfig {
  const setup = isObject(toml.setup) ? (toml.setup as TomlTable) : {};
  return { ...emptyConfig(), setup: shellSteps(setup.script) };
}

function shellSteps(value: unknown): string[][] {
  const scripts = Array.isArray(value) ? value : [value];
  return scripts.filter((script): script is string => typeof script === 'string' && script.trim() !== '').map((script) => ['sh', '-c', script]);
}
