import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { nextChangeMs, rateLimitNotices, resetClock, timeLeft, untilText } from '../../src/core/agents/rateLimitNotice';
import { markRateLimited, readRateLimits } from '../../src/core/agents/rateLimits';
import { cleanupTempDirs, createRepo } from '../helpers/tempRepo';

// Local wall-clock dates: the notice speaks the user's local time, whatever TZ the test runs in.
const at = (h: number, m: number, s = 0, day = 5) => new Date(2026, 2, day, h, m, s);

describe('rate limit notices (editor wording)', () => {
  afterEach(cleanupTempDirs);

  it('words a reset 12 minutes ahead as "until 14:05 (in 12 min)"', () => {
    const [notice] = rateLimitNotices({ claude: { until: at(14, 5).toISOString(), message: 'Claude rate limit reached (five_hour)', runId: 'run-1' } }, at(13, 53));
    assert.equal(notice.kind, 'claude');
    assert.equal(untilText(notice), 'until 14:05 (in 12 min)');
    assert.equal(notice.message, 'Claude rate limit reached (five_hour)');
    assert.equal(notice.runId, 'run-1');
  });

  it('rounds the clock and the countdown up, so neither promises the kind back early', () => {
    assert.equal(resetClock(at(14, 5, 30), at(13, 53)), '14:06');
    assert.equal(resetClock(at(14, 5, 0), at(13, 53)), '14:05');
    assert.equal(timeLeft(12.5 * 60_000), 'in 13 min');
    assert.equal(timeLeft(59_999), 'in under a minute');
    assert.equal(timeLeft(60_000), 'in 1 min');
    assert.equal(timeLeft(60 * 60_000), 'in 1 h');
    assert.equal(timeLeft(65 * 60_000), 'in 1 h 5 min');
    // A reset past midnight carries its date.
    assert.equal(resetClock(at(0, 10, 0, 6), at(23, 50)), '2026-03-06 00:10');
  });

  it('lists only kinds whose reset is ahead, soonest first; a past or unreadable time is not a pause', () => {
    const now = at(12, 0);
    const notices = rateLimitNotices({
      codex: { until: at(12, 30).toISOString(), message: '429', runId: 'r2' },
      gemini: { until: at(12, 5).toISOString(), message: 'quota', runId: 'r3' },
      opencode: { until: at(11, 59).toISOString(), message: 'old', runId: 'r4' },
      claude: { until: 'soon', message: 'bad', runId: 'r5' },
    }, now);
    assert.deepEqual(notices.map((n) => [n.kind, n.clock, n.remaining]), [['gemini', '12:05', 'in 5 min'], ['codex', '12:30', 'in 30 min']]);
  });

  it('times the next redraw to the next minute the countdown drops, or the reset itself', () => {
    const now = at(12, 0);
    // 5 min 20 s left: "in 6 min" becomes "in 5 min" in 20 s.
    assert.equal(nextChangeMs([{ until: new Date(now.getTime() + 5 * 60_000 + 20_000) }], now), 20_000);
    // Exactly 3 min left: the next drop is a whole minute away.
    assert.equal(nextChangeMs([{ until: new Date(now.getTime() + 3 * 60_000) }], now), 60_000);
    // Under a minute: the reset, when the notice goes.
    assert.equal(nextChangeMs([{ until: new Date(now.getTime() + 4_000) }, { until: new Date(now.getTime() + 90_000) }], now), 4_000);
    assert.equal(nextChangeMs([], now), null);
  });

  it('reads what markRateLimited wrote in the grove dir and drops it once the reset passes', async () => {
    const groveDir = path.join(createRepo(), '.git', 'grove');
    const until = new Date(Date.now() + 12 * 60_000);
    await markRateLimited(groveDir, 'claude', { until: until.toISOString(), message: 'Claude rate limit reached (five_hour)', runId: 'run-x' });
    const marks = await readRateLimits(groveDir);
    const [notice] = rateLimitNotices(marks, new Date());
    assert.equal(notice.kind, 'claude');
    // Past midnight the clock carries the date too ("until 2026-12-02 00:03").
    assert.match(untilText(notice), /^until (\d{4}-\d\d-\d\d )?\d\d:\d\d \(in 12 min\)$/);
    assert.deepEqual(rateLimitNotices(marks, new Date(until.getTime() + 1)), []);
  });
});
