import { describe, expect, it } from 'vitest';
import { SlidingWindow } from '../../server/services/sliding-window.js';

describe('a sliding window of counts', () => {
  it('counts each key’s events within the window, and forgets older ones', () => {
    const recent = new SlidingWindow(60_000);
    recent.record('1:7', 0);
    recent.record('1:7', 30_000);
    recent.record('2:7', 30_000);
    expect(recent.count('1:7', 59_000)).toBe(2);
    expect(recent.count('1:7', 60_000)).toBe(1);
    expect(recent.count('1:7', 90_000)).toBe(0);
    expect(recent.count('2:7', 30_001)).toBe(1);
    expect(recent.count('1:8', 30_001)).toBe(0);
  });

  it('stays bounded: past its size, keys quiet for a whole window are forgotten', () => {
    const recent = new SlidingWindow(60_000, 100);
    for (let sender = 0; sender < 100; sender += 1) recent.record(`1:${sender}`, 0);
    recent.record('1:100', 20_000);
    expect(recent.count('1:0', 20_000)).toBe(1);
    recent.record('1:101', 70_000);
    expect(recent.count('1:0', 70_000)).toBe(0);
    expect(recent.count('1:100', 70_000)).toBe(1);
    expect(recent.count('1:101', 70_000)).toBe(1);
    expect((recent as unknown as { times: Map<string, number[]> }).times.size).toBeLessThanOrEqual(2);
  });
});
