import { describe, expect, it } from 'vitest';
import { inFlightDuring, type Rec } from '../../bench/load/analyse';

const rec = (at: number, ms: number): Rec => ({ at, ms, status: 200, cache: 1, route: 0, dbMs: -1, bytesOk: true, item: 0, byNext: false });

describe("bench:load's attribution of slow requests to host stalls", () => {
  // Stalls as bench/load/stall-probe.mjs reports them: [epoch ms due, ms late], in any order.
  const during = inFlightDuring([
    [1_000, 10],
    [500, 600],
    [2_000, 6],
  ]);

  it('counts a request whose flight overlaps a stall, at either end or around it', () => {
    expect(during(rec(995, 8))).toBe(true); // answered during the stall at 1,000
    expect(during(rec(1_005, 20))).toBe(true); // sent during it
    expect(during(rec(1_990, 30))).toBe(true); // the stall at 2,000 inside its flight
  });

  it('does not count one before, between or after the stalls', () => {
    expect(during(rec(100, 50))).toBe(false);
    expect(during(rec(1_200, 500))).toBe(false);
    expect(during(rec(2_010, 5))).toBe(false);
  });

  it('finds a long stall that began before the one that began last before the request', () => {
    // The stall that began last before 1,060 (at 1,000) was over at 1,010; the one from 500 lasted to 1,100.
    expect(during(rec(1_050, 10))).toBe(true);
    expect(during(rec(1_101, 100))).toBe(false);
  });

  it('counts nothing when there were no stalls', () => {
    expect(inFlightDuring([])(rec(0, 1e9))).toBe(false);
  });
});
