import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { adapterFor, commandForKind, parseAgentKind, type AgentEvent, type AgentKind } from '../../src/core/agents/adapters';
import { claudeToolPattern } from '../../src/core/agents/adapters/claude';
import { buildAgentArgs } from '../../src/core/agents/agentArgs';
import { parseStreamJson } from '../../src/core/agents/streamParser';
import { isGroveError } from '../../src/core/errors';

const FIXTURES = path.resolve(__dirname, '../fixtures');
const fixture = (kind: string, name: string) => readFileSync(path.join(FIXTURES, `${kind}-cli`, name), 'utf8');

function parse(kind: AgentKind, text: string, chunk = 0) {
  const log = adapterFor(kind).createLog();
  const events: AgentEvent[] = [];
  if (chunk > 0) for (let i = 0; i < text.length; i += chunk) events.push(...log.push(Buffer.from(text.slice(i, i + chunk))));
  else events.push(...log.push(text));
  events.push(...log.end());
  return { log, events, types: events.map((e) => e.type) };
}

const usageOf = (events: AgentEvent[]) => events.filter((e): e is Extract<AgentEvent, { type: 'usage' }> => e.type === 'usage');

describe('agent adapters: Claude', () => {
  it('keeps today\'s result mapping exactly (same result as streamParser) and adds tools and usage per message', () => {
    const text = fixture('claude', 'success.stream.jsonl');
    const { log, types, events } = parse('claude', text, 7);
    const legacy = parseStreamJson(text).result!;
    const { reportedMicros, denials, errorText, ...same } = log.result!;
    assert.deepEqual(same, legacy);
    assert.equal(reportedMicros, 241674);
    assert.deepEqual(denials, []);
    assert.equal(errorText, null);
    assert.deepEqual(types, ['session', 'text', 'toolStart', 'usage', 'toolEnd', 'text', 'usage', 'result']);
    assert.deepEqual(usageOf(events).map((e) => e.usage), [
      { inputTokens: 12, outputTokens: 96, cacheReadTokens: 0, cacheWriteTokens: 1400 },
      { inputTokens: 6, outputTokens: 14, cacheReadTokens: 1400, cacheWriteTokens: 0 },
    ]);
  });

  it('counts an assistant message\'s usage once even when the CLI streams it on every content block', () => {
    const line = fixture('claude', 'success.stream.jsonl').split('\n')[1];
    const { events } = parse('claude', `${line}\n${line}\n`);
    assert.equal(usageOf(events).length, 1);
  });

  it('reads permission_denials into the result with the tool and its input; Re-run Allowing gives Bash(npm test)', () => {
    const { log } = parse('claude', fixture('claude', 'permission-denied.json'));
    assert.equal(log.result!.success, true);
    assert.deepEqual(log.result!.denials, [{ tool: 'Bash', input: { command: 'npm test', description: 'Run the tests' } }]);
    assert.deepEqual(adapterFor('claude').allowFlags(log.result!.denials), { allowedTools: ['Bash(npm test)'] });
    assert.equal(claudeToolPattern({ tool: 'Edit', input: { file_path: 'x' } }), 'Edit');
  });

  it('a rejected rate_limit_event becomes a rate limit with its reset time; allowed ones are ignored', () => {
    const rejected = JSON.stringify({ type: 'rate_limit_event', rate_limit_info: { status: 'rejected', resetsAt: 1796160000, rateLimitType: 'five_hour' } });
    const allowed = JSON.stringify({ type: 'rate_limit_event', rate_limit_info: { status: 'allowed', resetsAt: 1796160000 } });
    const { events } = parse('claude', `${allowed}\n${rejected}\n`);
    assert.deepEqual(events, [{ type: 'rateLimit', resetAt: new Date(1796160000 * 1000).toISOString(), message: 'Claude rate limit reached (five_hour)' }]);
  });

  it('builds exactly today\'s argv', () => {
    const flags = { model: 'opus', maxBudgetUsd: 0.5, allowedTools: ['Bash(git log:*)'], resume: 'abc' };
    assert.deepEqual(adapterFor('claude').buildArgs({ flags }).args, buildAgentArgs(flags));
  });
});

describe('agent adapters: Codex', () => {
  it('real no-network output (codex-cli 0.171.0): a session, then only notices (no progress, no result), in its own words', () => {
    const { log, types } = parse('codex', fixture('codex', 'no-network.stream.jsonl'), 13);
    assert.equal(types[0], 'session');
    assert.ok(types.slice(1).every((t) => t === 'notice'), types.join(','));
    assert.equal(log.result, null);
    assert.match(log.lastNotice!, /^Reconnecting\.\.\. waiting for network/);
    assert.match(adapterFor('codex').describeExit(null, fixture('codex', 'no-network.stderr').split('\n'), log)!, /waiting for network/);
  });

  it('success: tools, a file change, the message, usage with cached input split out, a metered result', () => {
    const { log, types, events } = parse('codex', fixture('codex', 'success.stream.jsonl'));
    assert.deepEqual(types, ['session', 'toolStart', 'toolEnd', 'fileChange', 'text', 'usage', 'result']);
    assert.deepEqual(usageOf(events)[0].usage, { inputTokens: 315, outputTokens: 122, cacheReadTokens: 24448, cacheWriteTokens: 0 });
    assert.equal(log.result!.success, true);
    assert.equal(log.result!.reportedMicros, null);
    assert.equal(log.result!.resultText, 'Done. Added `add` in src/add.ts.');
    assert.equal(log.sessionId, '0199a213-81c0-7800-8aa1-bbab2a035a53');
  });

  it('turn.failed is a failed result in the agent\'s words; request_user_input needs input', () => {
    const { log } = parse('codex', fixture('codex', 'turn-failed.stream.jsonl'));
    assert.equal(log.result!.success, false);
    assert.match(log.result!.errorText!, /401 Unauthorized/);
    const ask = parse('codex', JSON.stringify({ type: 'request_user_input', id: 't', call_id: 'c', questions: [{ id: 'q', header: 'H', question: 'Which branch?' }] }) + '\n');
    assert.deepEqual(ask.log.needsInput.map((n) => [n.kind, n.message]), [['question', 'Which branch?']]);
  });

  it('argv: exec --json, never an approval prompt, sandbox in Codex terms, prompt from stdin; resume as exec resume', () => {
    assert.deepEqual(adapterFor('codex').buildArgs({ flags: { model: 'gpt-5-codex', permissionMode: 'acceptEdits' } }).args,
      ['exec', '--json', '-c', 'approval_policy="never"', '--model=gpt-5-codex', '-c', 'sandbox_mode="workspace-write"', '-']);
    assert.deepEqual(adapterFor('codex').buildArgs({ flags: { resume: '0199a213' } }).args, ['exec', 'resume', '--json', '-c', 'approval_policy="never"', '0199a213', '-']);
    assert.throws(() => adapterFor('codex').buildArgs({ flags: { permissionMode: 'sometimes' } }), (e: unknown) => isGroveError(e) && /read-only, workspace-write/.test(e.hint ?? ''));
    assert.throws(() => adapterFor('codex').buildArgs({ flags: { model: '--dangerously-bypass-approvals-and-sandbox' } }), /looks like a flag/);
  });
});

describe('agent adapters: Gemini', () => {
  it('real no-network output (gemini-cli 0.61.0 with a key): init then the user message; no result, no usage', () => {
    const { log, types } = parse('gemini', fixture('gemini', 'no-network.stream.jsonl'));
    assert.deepEqual(types, ['session']);
    assert.equal(log.model, 'auto');
    assert.equal(log.result, null);
  });

  it('real not-logged-in exit 41: described in its own words', () => {
    const log = adapterFor('gemini').createLog();
    const words = adapterFor('gemini').describeExit(41, fixture('gemini', 'not-logged-in.stderr').split('\n'), log)!;
    assert.match(words, /^not logged in: Please set an Auth method/);
    const untrusted = adapterFor('gemini').describeExit(55, fixture('gemini', 'untrusted.stderr').split('\n'), log)!;
    assert.match(untrusted, /^untrusted folder: Gemini CLI is not running in a trusted directory/);
  });

  it('success: tool use and result, usage per model from result.stats (non-cached input split from cached)', () => {
    const { log, types, events } = parse('gemini', fixture('gemini', 'success.stream.jsonl'));
    assert.deepEqual(types, ['session', 'toolStart', 'toolEnd', 'text', 'usage', 'result']);
    assert.deepEqual(usageOf(events).map((e) => [e.model, e.usage]), [['gemini-2.5-pro', { inputTokens: 8830, outputTokens: 162, cacheReadTokens: 8120, cacheWriteTokens: 0 }]]);
    assert.equal(log.result!.success, true);
  });

  it('argv: prompt from stdin (-p ""), stream-json, approval mode in Gemini terms', () => {
    assert.deepEqual(adapterFor('gemini').buildArgs({ flags: { model: 'gemini-2.5-pro', permissionMode: 'acceptEdits', resume: 'latest' } }).args,
      ['-p', '', '--output-format', 'stream-json', '--skip-trust', '--model=gemini-2.5-pro', '--approval-mode=auto_edit', '--resume=latest']);
  });
});

describe('agent adapters: OpenCode', () => {
  it('real no-network output (opencode 1.18.33): the error in its own words, a failed result that cost nothing', () => {
    const { log } = parse('opencode', fixture('opencode', 'no-network.stream.jsonl'));
    assert.equal(log.result!.success, false);
    assert.match(log.result!.errorText!, /Cannot connect to API/);
    assert.equal(log.result!.costMicros, 0);
    assert.equal(log.result!.reportedMicros, null);
    assert.equal(log.sessionId, 'ses_dccd1c4c8ffeVwTUxqIw4PEs1l');
  });

  it('success: step_finish carries the dollars (reported) and tokens; the result sums the steps', () => {
    const { log, events } = parse('opencode', fixture('opencode', 'success.stream.jsonl'), 50);
    assert.deepEqual(usageOf(events).map((e) => e.costMicros), [12300, 4100]);
    assert.deepEqual(usageOf(events)[1].usage, { inputTokens: 60, outputTokens: 14, cacheReadTokens: 1200, cacheWriteTokens: 0 });
    assert.equal(log.result!.success, true);
    assert.equal(log.result!.reportedMicros, 16400);
    assert.equal(log.result!.resultText, 'Done. Added `add` in src/add.ts.');
  });

  it('real auto-rejected permission (opencode 1.18.33): the failed tool_use becomes a denial with its input, the result a success', () => {
    const { log, events } = parse('opencode', fixture('opencode', 'permission-rejected.stream.jsonl'), 64);
    assert.deepEqual(log.result!.denials, [{ tool: 'bash', input: { command: 'npm test', description: 'Run the tests' } }]);
    assert.equal(log.result!.success, true);
    assert.deepEqual(events.filter((e) => e.type === 'toolEnd').map((e) => (e as { ok: boolean }).ok), [false]);
    // Re-run Allowing is `--auto`, which approves what no rule denies.
    assert.ok(adapterFor('opencode').buildArgs({ flags: adapterFor('opencode').allowFlags(log.result!.denials) }).args.includes('--auto'));
  });

  it('reads the real stderr line ("! permission requested: bash (npm test); auto-rejecting", coloured) as a denial; other lines are not', () => {
    const stderr = fixture('opencode', 'permission-rejected.stderr').split('\n');
    assert.ok(stderr[0].startsWith('\u001b[93m\u001b[1m! \u001b[0mpermission requested: bash'), JSON.stringify(stderr[0]));
    const stderrDenials = adapterFor('opencode').stderrDenials!;
    assert.deepEqual(stderrDenials(stderr), [{ tool: 'bash', input: { requested: 'npm test' } }]);
    assert.deepEqual(stderrDenials(['Error: permission requested: bash (x); auto-rejecting later', 'permission denied', 'ESC']), []);
    assert.deepEqual(stderrDenials(['! permission requested: external_directory (/etc/*); auto-rejecting']), [{ tool: 'external_directory', input: { requested: '/etc/*' } }]);
  });

  it('a call a config rule denies is not a denial (--auto would not allow it, and the agent goes on): real rule-denied output', () => {
    const { log } = parse('opencode', fixture('opencode', 'rule-denied.stream.jsonl'));
    assert.deepEqual(log.result!.denials, []);
    assert.equal(log.result!.success, true);
    assert.match(log.result!.resultText!, /^I could not run the tests/);
  });

  it('argv: run --format json, prompt from stdin, session to continue', () => {
    assert.deepEqual(adapterFor('opencode').buildArgs({ flags: { model: 'anthropic/claude-sonnet-4-5', resume: 'ses_1' } }).args,
      ['run', '--format', 'json', '--model=anthropic/claude-sonnet-4-5', '--session=ses_1']);
  });
});

describe('agent kinds', () => {
  it('parses kinds with a clear error, and finds each kind\'s command (override, env, default)', () => {
    assert.equal(parseAgentKind(' Codex '), 'codex');
    assert.throws(() => parseAgentKind('cursor'), (e: unknown) => isGroveError(e) && /claude, codex, gemini, opencode/.test(e.hint ?? ''));
    assert.equal(commandForKind('codex', {}), 'codex');
    assert.equal(commandForKind('codex', { env: { GROVE_CODEX_COMMAND: '/x/codex' } }), '/x/codex');
    assert.equal(commandForKind('gemini', { overrides: { gemini: '/y/gemini' }, env: { GROVE_GEMINI_COMMAND: '/x' } }), '/y/gemini');
    assert.equal(commandForKind('claude', { claudeCommand: '/z/claude' }), '/z/claude');
    assert.equal(commandForKind('codex', { claudeCommand: '/z/claude' }), 'codex');
  });

  it('garbage and half lines never throw; they are counted', () => {
    for (const kind of ['claude', 'codex', 'gemini', 'opencode'] as const) {
      const { log } = parse(kind, '~~ not json {{{\n{"no":"type"}\n[1,2]\n{"type":"x"', 3);
      assert.equal(log.unreadableLines, 4, kind);
    }
  });
});
