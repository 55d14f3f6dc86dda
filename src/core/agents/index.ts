export { buildAgentArgs, BASE_ARGS, MAX_ARGUMENT_BYTES, type AgentFlags } from './agentArgs';
export { agentCommandFrom, resolveAgentCommand, DEFAULT_AGENT_COMMAND } from './agentCommand';
export { usdToMicros, microsToUsdString, formatUsd } from '../money';
export { RunRegistry, DEFAULT_TIMEOUT_MS, TERMINAL_RETENTION_MS, type RunRegistryOptions } from './runRegistry';
export { StreamJsonParser, parseStreamJson, type AgentResult, type StreamEvent } from './streamParser';
export type { RunEvent, RunHandle, RunRecord, RunStatus, StartRunOptions } from './types';
