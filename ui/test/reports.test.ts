import { describe, expect, it } from 'vitest';
import { averageRating, averageSeconds, chartData, lastDays, wrapUpsByCount } from '../src/lib/reports';
import type { ActivityRow } from '../src/lib/types';
import { activityRow } from './fixtures.js';

const row = (overrides: Partial<ActivityRow> = {}): ActivityRow => activityRow('2026-12-04', Date.UTC(2026, 11, 4), overrides);

describe('reports', () => {
  it('asks for the last days up to today by default', () => {
    const noon = new Date(2026, 11, 4, 12).getTime();
    expect(lastDays(7, noon)).toEqual({ from: '2026-11-28', to: '2026-12-04', by: 'day' });
    expect(lastDays(1, noon)).toEqual({ from: '2026-12-04', to: '2026-12-04', by: 'day' });
  });

  it('shows averages as minutes and seconds, and a dash when there is none', () => {
    expect(averageSeconds(null)).toBe('–');
    expect(averageSeconds(9_600)).toBe('0:10');
    expect(averageSeconds(450_000)).toBe('7:30');
  });

  it('shows the average rating with how many answered', () => {
    expect(averageRating(row())).toBe('–');
    expect(averageRating(row({ surveys: 2, average_rating: 4.5 }))).toBe('4.5 (2)');
  });

  it('lists wrap-up reasons most given first, then by name', () => {
    expect(wrapUpsByCount(row({ wrap_ups: { Resolved: 2, 'Follow-up': 5, Billing: 2 } }))).toEqual([
      ['Follow-up', 5],
      ['Billing', 2],
      ['Resolved', 2],
    ]);
  });

  it('charts each period at its start with offered, accepted and abandoned', () => {
    const rows = [row({ offered: 3, accepted: 2, abandoned: 1 }), row({ start: Date.UTC(2026, 11, 5), offered: 1 })];
    expect(chartData(rows)).toEqual([
      [Date.UTC(2026, 11, 4) / 1000, Date.UTC(2026, 11, 5) / 1000],
      [3, 1],
      [2, 0],
      [1, 0],
    ]);
  });
});
