import { promises as fs } from 'node:fs';
import { AGENT_KINDS, isAgentKind } from '../../agents/adapters';
import * as path from 'node:path';
import { GroveError } from '../../errors';
import { usdToMicros } from '../../money';
import type { AgentSettings } from '../settings';
import { findSkill, type SkillSource } from './skills';
import { placeholdersIn } from './template';
import type { ChainArgument, ChainDefinition, ChainStep } from './types';
import { isObject } from '../../util/objects';

/**
 * Reads and validates a chain file. Every refusal names the file, the field (as a path such
 * as `steps[1].retries`) and what was expected, so a person can fix it without guessing.
 */

const TOP_FIELDS = ['name', 'description', 'arguments', 'isolation', 'steps', ...settingFields()];
const STEP_FIELDS = ['name', 'prompt', 'skill', 'retries', 'recoveryPrompt', ...settingFields()];
const ARGUMENT_FIELDS = ['name', 'description', 'required', 'default'];
const STEP_NAME = /^[A-Za-z0-9_-]+$/;
const ARGUMENT_NAME = /^[A-Za-z_][\w-]*$/;
const MAX_RETRIES = 10;

function settingFields(): string[] {
  return ['model', 'effort', 'maxTurns', 'permissionMode', 'allowedTools', 'disallowedTools', 'systemPrompt', 'timeoutMinutes', 'maxBudgetUsd', 'agent'];
}

class Invalid {
  constructor(readonly file: string) {}
  error(field: string, expected: string, ...got: unknown[]): GroveError {
    const gotText = got.length === 0 ? '' : `, got ${describe(got[0])}`;
    return new GroveError('usage', `${this.file}: ${field}: expected ${expected}${gotText}`,
      'Fix the chain file and run it again (see README, "Tasks, chains and budget").');
  }
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** Where a chain named on the command line is: an existing path, else `.grove/chains/<name>.json`. */
export async function resolveChainPath(fileOrName: string, repoRoot: string, cwd = process.cwd()): Promise<string> {
  const direct = path.resolve(cwd, fileOrName);
  if (await fs.stat(direct).then((stat) => stat.isFile(), () => false)) return direct;
  if (/^[A-Za-z0-9._-]+$/.test(fileOrName) && !fileOrName.includes('..')) {
    const named = path.join(repoRoot, '.grove', 'chains', fileOrName.endsWith('.json') ? fileOrName : `${fileOrName}.json`);
    if (await fs.stat(named).then((stat) => stat.isFile(), () => false)) return named;
  }
  throw new GroveError('usage', `no chain file ${fileOrName}`, `Give a path to a chain JSON file, or the name of one in ${path.join(repoRoot, '.grove', 'chains')}.`);
}

export async function loadChainFile(file: string, skills: SkillSource): Promise<ChainDefinition> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    throw new GroveError('usage', `cannot read chain file ${file}: ${(error as Error).message}`, 'Check the path.');
  }
  return parseChain(text, file, skills);
}

export async function parseChain(text: string, file: string, skills: SkillSource): Promise<ChainDefinition> {
  const invalid = new Invalid(file);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new GroveError('usage', `${file}: not valid JSON: ${(error as Error).message}`, 'A chain file is one JSON object; check for a missing comma or quote.');
  }
  if (!isObject(raw)) throw invalid.error('(top level)', 'an object with name and steps', raw);
  refuseUnknown(invalid, raw, TOP_FIELDS, '');

  const name = requiredString(invalid, raw.name, 'name');
  const description = optionalString(invalid, raw.description, 'description');
  const isolation = raw.isolation ?? 'slot';
  if (isolation !== 'slot' && isolation !== 'worktree') throw invalid.error('isolation', '"slot" or "worktree"', raw.isolation);
  const args = parseArguments(invalid, raw.arguments);
  const settings = parseSettings(invalid, raw, '');

  if (!Array.isArray(raw.steps) || raw.steps.length === 0) throw invalid.error('steps', 'a non-empty list of steps', raw.steps);
  const steps: ChainStep[] = [];
  for (const [index, value] of raw.steps.entries()) {
    steps.push(await parseStep(invalid, value, index, steps, args, skills));
  }
  return { name, description, file, arguments: args, isolation, settings, steps };
}

function refuseUnknown(invalid: Invalid, object: Record<string, unknown>, allowed: string[], prefix: string): void {
  for (const key of Object.keys(object)) {
    if (!allowed.includes(key)) throw invalid.error(`${prefix}${key}`, `no such field (allowed: ${allowed.join(', ')})`);
  }
}

function requiredString(invalid: Invalid, value: unknown, field: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw invalid.error(field, 'a non-empty string', value);
  return value;
}

function optionalString(invalid: Invalid, value: unknown, field: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw invalid.error(field, 'a string', value);
  return value;
}

function parseArguments(invalid: Invalid, value: unknown): ChainArgument[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw invalid.error('arguments', 'a list of argument names or {name, description, required, default} objects', value);
  const seen = new Set<string>();
  return value.map((entry, index) => {
    const field = `arguments[${index}]`;
    const argument = parseArgument(invalid, entry, field);
    if (seen.has(argument.name)) throw invalid.error(`${field}.name`, `a name not used by another argument ("${argument.name}" is repeated)`);
    seen.add(argument.name);
    return argument;
  });
}

function parseArgument(invalid: Invalid, entry: unknown, field: string): ChainArgument {
  if (typeof entry === 'string') {
    if (!ARGUMENT_NAME.test(entry)) throw invalid.error(field, 'an argument name (letters, digits, _ and -, not starting with a digit)', entry);
    return { name: entry, description: null, required: true, default: null };
  }
  if (!isObject(entry)) throw invalid.error(field, 'an argument name or an object', entry);
  refuseUnknown(invalid, entry, ARGUMENT_FIELDS, `${field}.`);
  const name = requiredString(invalid, entry.name, `${field}.name`);
  if (!ARGUMENT_NAME.test(name)) throw invalid.error(`${field}.name`, 'letters, digits, _ and -, not starting with a digit', name);
  const description = optionalString(invalid, entry.description, `${field}.description`);
  const defaultValue = optionalString(invalid, entry.default, `${field}.default`);
  if (entry.required !== undefined && typeof entry.required !== 'boolean') throw invalid.error(`${field}.required`, 'true or false', entry.required);
  const required = (entry.required as boolean | undefined) ?? defaultValue === null;
  return { name, description, required, default: defaultValue };
}

function parseSettings(invalid: Invalid, object: Record<string, unknown>, prefix: string): AgentSettings {
  const settings: AgentSettings = {};
  const string = (key: 'model' | 'effort' | 'permissionMode' | 'systemPrompt') => {
    if (object[key] !== undefined) settings[key] = requiredString(invalid, object[key], `${prefix}${key}`);
  };
  string('model');
  string('effort');
  string('permissionMode');
  string('systemPrompt');
  if (object.agent !== undefined) {
    // "agent": "codex": which CLI runs the chain or the step (adapters/).
    if (!isAgentKind(object.agent)) throw invalid.error(`${prefix}agent`, `one of ${AGENT_KINDS.join(', ')}`, object.agent);
    settings.agentKind = object.agent;
  }
  if (object.maxTurns !== undefined) {
    if (!Number.isSafeInteger(object.maxTurns) || (object.maxTurns as number) < 1) throw invalid.error(`${prefix}maxTurns`, 'a whole number of at least 1', object.maxTurns);
    settings.maxTurns = object.maxTurns as number;
  }
  for (const key of ['allowedTools', 'disallowedTools'] as const) {
    const list = object[key];
    if (list === undefined) continue;
    if (!Array.isArray(list) || list.some((tool) => typeof tool !== 'string' || tool.trim() === '')) {
      throw invalid.error(`${prefix}${key}`, 'a list of tool names such as ["Read", "Bash(git:*)"]', list);
    }
    settings[key] = list as string[];
  }
  if (object.timeoutMinutes !== undefined) {
    if (typeof object.timeoutMinutes !== 'number' || !(object.timeoutMinutes > 0) || !Number.isFinite(object.timeoutMinutes)) {
      throw invalid.error(`${prefix}timeoutMinutes`, 'a number of minutes above 0', object.timeoutMinutes);
    }
    settings.timeoutMs = Math.round(object.timeoutMinutes * 60_000);
  }
  if (object.maxBudgetUsd !== undefined) {
    if (typeof object.maxBudgetUsd !== 'number' || !(object.maxBudgetUsd > 0) || !Number.isFinite(object.maxBudgetUsd)) {
      throw invalid.error(`${prefix}maxBudgetUsd`, 'an amount in US dollars above 0', object.maxBudgetUsd);
    }
    settings.maxBudgetMicros = usdToMicros(object.maxBudgetUsd) ?? 0;
  }
  return settings;
}

async function parseStep(invalid: Invalid, value: unknown, index: number, earlier: ChainStep[], args: ChainArgument[], skills: SkillSource): Promise<ChainStep> {
  const field = `steps[${index}]`;
  if (!isObject(value)) throw invalid.error(field, 'an object with name and prompt or skill', value);
  refuseUnknown(invalid, value, STEP_FIELDS, `${field}.`);
  const name = requiredString(invalid, value.name, `${field}.name`);
  if (!STEP_NAME.test(name)) throw invalid.error(`${field}.name`, 'letters, digits, _ and - only (it is used in {{steps.NAME.output}})', name);
  if (earlier.some((step) => step.name === name)) throw invalid.error(`${field}.name`, `a name not used by an earlier step ("${name}" is repeated)`);

  const hasPrompt = value.prompt !== undefined;
  const hasSkill = value.skill !== undefined;
  if (hasPrompt === hasSkill) throw invalid.error(field, `exactly one of "prompt" and "skill" (it has ${hasPrompt ? 'both' : 'neither'})`);
  const prompt = hasPrompt ? requiredString(invalid, value.prompt, `${field}.prompt`) : null;
  const skill = hasSkill ? requiredString(invalid, value.skill, `${field}.skill`) : null;

  let retries = 0;
  if (value.retries !== undefined) {
    if (!Number.isSafeInteger(value.retries) || (value.retries as number) < 0 || (value.retries as number) > MAX_RETRIES) {
      throw invalid.error(`${field}.retries`, `a whole number from 0 to ${MAX_RETRIES}`, value.retries);
    }
    retries = value.retries as number;
  }
  const recoveryPrompt = value.recoveryPrompt === undefined ? null : requiredString(invalid, value.recoveryPrompt, `${field}.recoveryPrompt`);

  let body = prompt ?? '';
  let bodyField = `${field}.prompt`;
  let skillFile: string | null = null;
  if (skill !== null) {
    const found = await findSkill(skill, skills).catch((error: Error) => {
      throw invalid.error(`${field}.skill`, 'a skill name (letters, digits, ".", "_", "-")', skill ?? error.message);
    });
    if ('missing' in found) throw invalid.error(`${field}.skill`, `a skill with a SKILL.md at ${found.missing.join(' or ')}`, skill);
    body = found.body;
    skillFile = found.file;
    if (body === '') throw invalid.error(`${field}.skill`, `a SKILL.md with a body (${found.file} is empty)`, skill);
    bodyField = `${field}.skill (${found.file})`;
  }
  checkPlaceholders(invalid, body, bodyField, index, earlier, args, false);
  if (recoveryPrompt !== null) checkPlaceholders(invalid, recoveryPrompt, `${field}.recoveryPrompt`, index, earlier, args, true);

  return { name, prompt: body, skill, skillFile, settings: parseSettings(invalid, value, `${field}.`), retries, recoveryPrompt };
}

function checkPlaceholders(invalid: Invalid, text: string, field: string, index: number, earlier: ChainStep[], args: ChainArgument[], recovery: boolean): void {
  for (const placeholder of placeholdersIn(text)) {
    switch (placeholder.kind) {
      case 'arg':
        if (!args.some((argument) => argument.name === placeholder.name)) {
          throw invalid.error(field, `placeholders for declared arguments only (${placeholder.raw} is not in "arguments")`);
        }
        break;
      case 'previous_output':
        if (index === 0) throw invalid.error(field, `no ${placeholder.raw} in the first step (there is no previous step)`);
        break;
      case 'step_output':
        if (!earlier.some((step) => step.name === placeholder.step)) {
          throw invalid.error(field, `${placeholder.raw} to name an earlier step (have: ${earlier.map((step) => step.name).join(', ') || 'none'})`);
        }
        break;
      case 'error':
        if (!recovery) throw invalid.error(field, `${placeholder.raw} only in a recoveryPrompt`);
        break;
      case 'unknown':
        throw invalid.error(field, `placeholders {{args.X}}, {{previous_output}}, {{steps.NAME.output}} or {{error}}, got ${placeholder.raw}`);
    }
  }
}

/** The chain's arguments from `--arg k=v` values: unknown names and missing required ones are refused. */
export function bindArguments(chain: ChainDefinition, given: Record<string, string>): Record<string, string> {
  const bound: Record<string, string> = {};
  for (const name of Object.keys(given)) {
    if (!chain.arguments.some((argument) => argument.name === name)) {
      const known = chain.arguments.map((argument) => argument.name).join(', ') || 'none';
      throw new GroveError('usage', `chain ${chain.name} has no argument "${name}"`, `Its arguments: ${known}.`);
    }
  }
  for (const argument of chain.arguments) {
    const value = given[argument.name] ?? argument.default;
    if (value === null || value === undefined) {
      if (argument.required) {
        throw new GroveError('usage', `chain ${chain.name} needs the argument "${argument.name}"${argument.description ? ` (${argument.description})` : ''}`,
          `Pass it with --arg ${argument.name}=VALUE.`);
      }
      bound[argument.name] = '';
    } else {
      bound[argument.name] = value;
    }
  }
  return bound;
}
