import { createSiteClock } from '../../../shared/site-clock';

const T0 = Date.UTC(2026, 11, 3, 9, 0, 0);
/** The Date header a site whose clock is `offsetMs` ahead sends at our time `localMs`. */
const dateAt = (localMs: number, offsetMs: number) => new Date(localMs + offsetMs).toUTCString();

describe('createSiteClock', () => {
  it('is 0 without samples', () => {
    const c = createSiteClock();
    expect(c.offsetMs()).toBe(0);
    expect(c.samples()).toBe(0);
  });

  it.each([40_000, -40_000, 0, 2_700])(
    'estimates an offset of %i ms within a second from truncated Date headers',
    (offset) => {
      const c = createSiteClock();
      for (let i = 0; i < 9; i++) {
        const start = T0 + i * 1_337;
        c.observe(dateAt(start + 40, offset), start, start + 80);
      }
      expect(Math.abs(c.offsetMs() - offset)).toBeLessThanOrEqual(1_000);
      expect(c.samples()).toBe(9);
    },
  );

  it('keeps the median: one slow response does not move it', () => {
    const c = createSiteClock();
    for (let i = 0; i < 5; i++)
      c.observe(dateAt(T0 + i * 1000, 10_000), T0 + i * 1000, T0 + i * 1000);
    const before = c.offsetMs();
    // A response that took 60 s: its midpoint is 30 s off.
    c.observe(dateAt(T0 + 10_000, 10_000), T0 + 10_000 - 60_000, T0 + 10_000);
    expect(Math.abs(c.offsetMs() - before)).toBeLessThanOrEqual(1_000);
  });

  it('ignores malformed Date headers and drops samples older than 30 minutes', () => {
    const c = createSiteClock();
    c.observe('yesterday', T0, T0);
    expect(c.samples()).toBe(0);
    c.observe(dateAt(T0, 50_000), T0, T0);
    c.observe(dateAt(T0 + 31 * 60_000, -3_000), T0 + 31 * 60_000, T0 + 31 * 60_000);
    expect(c.samples()).toBe(1);
    expect(Math.abs(c.offsetMs() + 3_000)).toBeLessThanOrEqual(1_000);
  });

  it('warns once when the offset passes 2 s, again only after it came back', () => {
    const seen: number[] = [];
    const warn = jest.fn((obj: unknown) => void seen.push((obj as { offsetMs: number }).offsetMs));
    const c = createSiteClock({ log: { warn } });
    const at = (i: number, offset: number) => {
      const t = T0 + i * 60_000;
      c.observe(dateAt(t, offset), t, t);
    };
    at(0, 500);
    expect(warn).not.toHaveBeenCalled();
    for (let i = 1; i <= 9; i++) at(i, 5_000);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(seen[0]).toBeGreaterThan(2_000);
    for (let i = 10; i <= 19; i++) at(i, 0);
    for (let i = 20; i <= 29; i++) at(i, -5_000);
    expect(warn).toHaveBeenCalledTimes(2);
  });
});
