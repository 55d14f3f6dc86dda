import * as vscode from 'vscode';
import { isAgentKind, type AgentKind } from '../core/agents/adapters';

/** Every `grove.*` setting, read in one place (descriptions live in package.json). */
export interface GroveConfig {
  slots: number;
  poolMax: number;
  poolRoot: string | null;
  baseRef: string | null;
  holder: string;
  capUsd: number | null;
  agentCommand: string;
  agentKind: AgentKind;
  agentCommands: Partial<Record<AgentKind, string>>;
  stallMinutes: number;
  agentPrices: Record<string, unknown>;
  agentModels: Partial<Record<AgentKind, string>>;
  model: string | null;
  permissionMode: string | null;
  timeoutMinutes: number;
  notifications: 'all' | 'failures' | 'off';
  /** Ready worktrees (src/core/ready): port blocks, disk budget, memory admission. */
  portBase: number;
  portsPerWorktree: number;
  diskBudgetGb: number | null;
  minFreeMemoryGb: number;
}

function nonEmpty(value: string | undefined | null): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
}

function positiveOrNull(value: number | null | undefined): number | null {
  return typeof value === 'number' && value > 0 ? value : null;
}

export function readConfig(): GroveConfig {
  const config = vscode.workspace.getConfiguration('grove');
  const cap = config.get<number | null>('budget.capUsd', null);
  return {
    slots: config.get<number>('slots', 4),
    poolMax: config.get<number>('pool.max', 8),
    poolRoot: nonEmpty(config.get<string>('pool.root')),
    baseRef: nonEmpty(config.get<string>('pool.baseRef')),
    holder: nonEmpty(config.get<string>('pool.holder')) ?? 'vscode',
    capUsd: typeof cap === 'number' && cap > 0 ? cap : null,
    agentCommand: nonEmpty(config.get<string>('agent.command')) ?? 'claude',
    agentKind: isAgentKind(config.get('agent.kind')) ? config.get<AgentKind>('agent.kind')! : 'claude',
    agentCommands: config.get<Partial<Record<AgentKind, string>>>('agent.commands', {}) ?? {},
    stallMinutes: config.get<number>('agent.stallMinutes', 5),
    agentPrices: config.get<Record<string, unknown>>('agent.prices', {}) ?? {},
    agentModels: config.get<Partial<Record<AgentKind, string>>>('agent.models', {}) ?? {},
    model: nonEmpty(config.get<string>('agent.model')),
    permissionMode: nonEmpty(config.get<string>('agent.permissionMode')),
    timeoutMinutes: config.get<number>('agent.timeoutMinutes', 30),
    notifications: config.get<'all' | 'failures' | 'off'>('notifications', 'all'),
    portBase: config.get<number>('pool.portBase', 20000),
    portsPerWorktree: config.get<number>('pool.portsPerWorktree', 10),
    diskBudgetGb: positiveOrNull(config.get<number | null>('pool.diskBudgetGb', null)),
    minFreeMemoryGb: config.get<number>('slots.minFreeMemoryGb', 1),
  };
}
