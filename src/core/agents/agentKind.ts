/**
 * The agent CLIs Grove can run. Its own module, free of Node types, because the panel's
 * webview bundle reads chain settings, which name a kind.
 */
export const AGENT_KINDS = ['claude', 'codex', 'gemini', 'opencode'] as const;
export type AgentKind = (typeof AGENT_KINDS)[number];
