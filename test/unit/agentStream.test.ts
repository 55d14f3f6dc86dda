import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { BASE_ARGS, buildAgentArgs } from '../../src/core/agents/agentArgs';
import { agentCommandFrom } from '../../src/core/agents/agentCommand';
import { microsToUsdString, usdToMicros } from '../../src/core/money';
import { parseStreamJson, StreamJsonParser, type StreamEvent } from '../../src/core/agents/streamParser';
import { isGroveError } from '../../src/core/errors';

const FIXTURES = path.resolve(__dirname, '../fixtures/claude-cli');
const fixture = (name: string) => readFileSync(path.join(FIXTURES, name), 'utf8');

describe('stream-json parser', () => {
  it('maps the success stream: session id from system/init, live assistant text, result with cost in microdollars', () => {
    const parser = new StreamJsonParser();
    const events = parser.push(fixture('success.stream.jsonl'));
    assert.deepEqual(events.map((event) => event.type), ['init', 'text', 'text', 'result']);
    assert.deepEqual(events[0], { type: 'init', sessionId: '22795ca6-5f0e-4c1b-9a57-3d2f6f0d8e11' });
    assert.deepEqual(events.filter((event) => event.type === 'text').map((event) => (event as { text: string }).text),
      ["I'll add the function.", 'Done. Added `add` in src/add.ts.']);
    const result = parser.result!;
    assert.equal(result.success, true);
    assert.equal(result.subtype, 'success');
    // 0.2416735 USD is 241673.5 µ$: half rounds up (Math.round(0.2416735 * 1e6) would give 241673).
    assert.equal(result.costMicros, 241674);
    assert.equal(result.numTurns, 2);
    assert.equal(result.durationMs, 74096);
    assert.equal((result.usage as { output_tokens: number }).output_tokens, 2577);
    assert.equal(result.resultText, 'Done. Added `add` in src/add.ts.');
  });

  it('treats "subtype":"success" with "is_error":true (not logged in) as a failure', () => {
    const parser = parseStreamJson(fixture('not-logged-in.stream.jsonl'));
    assert.equal(parser.result!.subtype, 'success');
    assert.equal(parser.result!.success, false);
    assert.equal(parser.result!.resultText, 'Not logged in · Please run /login');
    assert.equal(parser.result!.costMicros, 0);
    assert.equal(parser.sessionId, '53c626d6-4431-4212-8cdb-b5b404e7f408');
  });

  for (const [file, subtype, micros] of [['error-max-turns.json', 'error_max_turns', 87300], ['error-max-budget.json', 'error_max_budget_usd', 501200]] as const) {
    it(`maps ${file} to a failure with subtype ${subtype} and its cost`, () => {
      const result = parseStreamJson(fixture(file)).result!;
      assert.equal(result.success, false);
      assert.equal(result.subtype, subtype);
      assert.equal(result.costMicros, micros);
      assert.equal(result.resultText, null);
    });
  }

  it('accepts the old cost_usd field', () => {
    const line = JSON.stringify({ type: 'result', subtype: 'success', is_error: false, cost_usd: 0.0123455, session_id: 's' });
    assert.equal(parseStreamJson(line + '\n').result!.costMicros, 12346);
  });

  it('needs is_error to be exactly false to call it a success', () => {
    for (const isError of [undefined, null, 'false', 0]) {
      const line = JSON.stringify({ type: 'result', subtype: 'success', is_error: isError, total_cost_usd: 0 });
      assert.equal(parseStreamJson(line).result!.success, false, `is_error ${String(isError)}`);
    }
  });

  it('gives the same events however the bytes are split, even inside a multi-byte character', () => {
    const whole = Buffer.from(fixture('not-logged-in.stream.jsonl') + fixture('success.stream.jsonl'), 'utf8');
    const expected = parseStreamJson(whole);
    const expectedEvents: StreamEvent[] = new StreamJsonParser().push(whole);
    for (const size of [1, 2, 3, 7, 64, 1000]) {
      const parser = new StreamJsonParser();
      const events: StreamEvent[] = [];
      for (let offset = 0; offset < whole.length; offset += size) events.push(...parser.push(whole.subarray(offset, offset + size)));
      events.push(...parser.end());
      assert.deepEqual(events, expectedEvents, `chunks of ${size}`);
      assert.deepEqual(parser.result, expected.result);
    }
  });

  it('skips garbage lines, counts them and keeps the last ones for the error message', () => {
    const text = 'not json\n{"no":"type"}\n[1,2]\n\u0000\u00ff binary\n' + fixture('success.stream.jsonl') + 'trailing {';
    const parser = parseStreamJson(text);
    assert.equal(parser.result!.success, true);
    assert.equal(parser.unreadableLines, 5);
    assert.equal(parser.lastUnreadable.at(-1), 'trailing {');
    assert.equal(parser.lastUnreadable.length, 3);
  });

  it('holds back an unfinished line until its newline, and counts a truncated last line as unreadable', () => {
    const result = fixture('success.json').trim();
    const parser = new StreamJsonParser();
    assert.deepEqual(parser.push(result.slice(0, 100)), []);
    assert.equal(parser.pendingLength, 100);
    assert.equal(parser.end().length, 0);
    assert.equal(parser.result, null);
    assert.equal(parser.unreadableLines, 1);
  });
});

describe('usdToMicros', () => {
  const cases: Array<[number, number]> = [
    [0, 0], [0.2416735, 241674], [0.5012, 501200], [1, 1_000_000], [0.0000005, 1], [0.00000049, 0],
    [1e-7, 0], [0.0000015, 2], [12.3456785, 12345679], [0.1 + 0.2, 300000], [1234.5, 1_234_500_000],
  ];
  for (const [usd, micros] of cases) it(`${usd} USD is ${micros} µ$`, () => assert.equal(usdToMicros(usd), micros));

  it('refuses what is not a finite, non-negative number', () => {
    for (const bad of [-0.01, NaN, Infinity, '0.5', null, undefined, 1e30]) assert.equal(usdToMicros(bad), null, String(bad));
  });

  it('prints microdollars back as plain decimals', () => {
    assert.equal(microsToUsdString(500_000), '0.5');
    assert.equal(microsToUsdString(1), '0.000001');
    assert.equal(microsToUsdString(3_000_000), '3');
  });
});

describe('agent arguments', () => {
  it('always asks for print mode with streamed JSON, and nothing else by default', () => {
    assert.deepEqual(buildAgentArgs(), ['-p', '--output-format', 'stream-json', '--verbose']);
    assert.deepEqual(BASE_ARGS, buildAgentArgs({}));
  });

  it('passes every flag, values attached with = so a value starting with - is never a flag', () => {
    const args = buildAgentArgs({
      model: 'sonnet', effort: 'high', maxTurns: 7, maxBudgetUsd: 0.25, permissionMode: 'acceptEdits',
      allowedTools: ['Read', 'Bash(git log:*)'], disallowedTools: ['WebFetch'], appendSystemPrompt: '--slot: slot-1', resume: 'abc-123',
    });
    assert.deepEqual(args.slice(4), [
      '--model=sonnet', '--effort=high', '--max-turns=7', '--max-budget-usd=0.25', '--permission-mode=acceptEdits',
      '--allowedTools', 'Read', 'Bash(git log:*)', '--disallowedTools', 'WebFetch', '--append-system-prompt=--slot: slot-1', '--resume=abc-123',
    ]);
  });

  const refusals: Array<[string, object, RegExp]> = [
    ['a zero budget', { maxBudgetUsd: 0 }, /--max-budget-usd expects a positive amount/],
    ['a negative budget', { maxBudgetUsd: -1 }, /--max-budget-usd/],
    ['a budget that is not a number', { maxBudgetUsd: Number('x') }, /--max-budget-usd/],
    ['a fractional max-turns', { maxTurns: 1.5 }, /--max-turns expects a whole number/],
    ['a tool that looks like a flag', { allowedTools: ['--evil'] }, /is not a tool name/],
    ['an argument over 128 KiB', { appendSystemPrompt: 'x'.repeat(129 * 1024) }, /capped at 128 KiB/],
    ['a NUL character', { model: 'a\0b' }, /NUL/],
  ];
  for (const [what, flags, message] of refusals) {
    it(`refuses ${what} with a usage error`, () => {
      assert.throws(() => buildAgentArgs(flags), (error: unknown) => isGroveError(error, 'usage') && message.test(error.message));
    });
  }

  it('picks the agent command from --agent, then GROVE_AGENT_COMMAND, then the setting, then claude', () => {
    assert.equal(agentCommandFrom({ option: 'a', env: { GROVE_AGENT_COMMAND: 'b' }, setting: 'c' }), 'a');
    assert.equal(agentCommandFrom({ env: { GROVE_AGENT_COMMAND: 'b' }, setting: 'c' }), 'b');
    assert.equal(agentCommandFrom({ env: {}, setting: 'c' }), 'c');
    assert.equal(agentCommandFrom({ env: { GROVE_AGENT_COMMAND: ' ' } }), 'claude');
  });
});
