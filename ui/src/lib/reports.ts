// A supervisor's report as the window shows it: the span asked for by default, and the
// figures' formatting. The figures themselves come from the server.

import type { ActivityRow, ReportQuery } from './types';

/// The last `days` days up to today, in the window's own calendar.
export function lastDays(days: number, now: number): ReportQuery {
  const day = (offset: number) => {
    const date = new Date(now - offset * 86_400_000);
    const month = String(date.getMonth() + 1).padStart(2, '0');
    return `${date.getFullYear()}-${month}-${String(date.getDate()).padStart(2, '0')}`;
  };
  return { from: day(days - 1), to: day(0), by: 'day' };
}

/// An average duration as "m:ss", or a dash when there was nothing to average.
export function averageSeconds(millis: number | null): string {
  if (millis === null) return '–';
  const total = Math.round(millis / 1000);
  return `${Math.floor(total / 60)}:${String(total % 60).padStart(2, '0')}`;
}

/// The average rating with how many answered: "4.5 (2)", or a dash when nobody did.
export function averageRating(row: ActivityRow): string {
  if (row.average_rating === null || row.surveys === 0) return '–';
  return `${row.average_rating.toFixed(1)} (${row.surveys})`;
}

/// The wrap-up reasons given, most given first.
export function wrapUpsByCount(row: ActivityRow): [string, number][] {
  return Object.entries(row.wrap_ups)
    .filter((entry): entry is [string, number] => entry[1] !== undefined)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

/// What the chart draws from the rows: x (seconds since the epoch) and each series.
export function chartData(rows: ActivityRow[]): [number[], number[], number[], number[]] {
  return [
    rows.map((row) => row.start / 1000),
    rows.map((row) => row.offered),
    rows.map((row) => row.accepted),
    rows.map((row) => row.abandoned),
  ];
}
