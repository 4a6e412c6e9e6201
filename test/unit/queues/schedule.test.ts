import { firstSlotAt, scheduleSlotMs, sessionCheckSchedulerId } from '../../../queues/producer';

const HOUR = 3_600_000;
/** ObjectIds as one process makes them: seconds, a fixed process part, a counter. */
const ids = Array.from(
  { length: 10_000 },
  (_, i) =>
    Math.floor(1_764_000_000 + i / 7).toString(16) +
    'a1b2c3d4e5' +
    (0x10000 + i).toString(16).padStart(6, '0'),
);

describe('session-check schedule slots', () => {
  it('gives each account a stable slot inside the interval', () => {
    const id = ids[0]!;
    const slot = scheduleSlotMs(id, 6 * HOUR);
    expect(slot).toBeGreaterThanOrEqual(0);
    expect(slot).toBeLessThan(6 * HOUR);
    expect(scheduleSlotMs(id, 6 * HOUR)).toBe(slot);
    expect(sessionCheckSchedulerId(id)).toBe(`session-check_${id}`);
  });

  it('spreads 10 000 accounts created seconds apart evenly over the interval', () => {
    const buckets = new Array<number>(60).fill(0);
    for (const id of ids)
      buckets[Math.floor(scheduleSlotMs(id, 6 * HOUR) / ((6 * HOUR) / 60))]! += 1;
    // 10 000 / 60 ≈ 167 per six-minute bucket; a uniform spread stays well inside ±40 %.
    expect(Math.min(...buckets)).toBeGreaterThan(100);
    expect(Math.max(...buckets)).toBeLessThan(234);
  });

  it('starts at the next occurrence of the slot, never in the past', () => {
    const every = 6 * HOUR;
    for (const id of ids.slice(0, 200)) {
      const now = 1_796_000_000_123;
      const at = firstSlotAt(id, every, now);
      expect(at).toBeGreaterThanOrEqual(now);
      expect(at - now).toBeLessThan(every);
      expect(((at % every) + every) % every).toBe(scheduleSlotMs(id, every));
    }
  });
});
