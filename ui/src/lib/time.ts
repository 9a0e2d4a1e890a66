// Durations as the window shows them: the workspace timer, the alert countdown, wait times.

/// "0:07", "4:05", "1:02:03".
export function formatElapsed(millis: number): string {
  const total = Math.max(0, Math.floor(millis / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  const ss = String(seconds).padStart(2, '0');
  if (hours > 0) return `${hours}:${String(minutes).padStart(2, '0')}:${ss}`;
  return `${minutes}:${ss}`;
}

/// Whole seconds left until `deadline`, never negative; a part-second left counts as one.
export function secondsLeft(deadline: number, now: number): number {
  return Math.max(0, Math.ceil((deadline - now) / 1000));
}

// Formatters are kept: each one holds ICU data, and making one per call for every task on every
// tick of the clock grows the window's memory until the next garbage collection.
const taskDateFormats = new Map<string, { time: Intl.DateTimeFormat; date: Intl.DateTimeFormat }>();

function taskDateFormat(locale: string) {
  let formats = taskDateFormats.get(locale);
  if (!formats) {
    formats = {
      time: new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit' }),
      date: new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'short' }),
    };
    taskDateFormats.set(locale, formats);
  }
  return formats;
}

/// A task's date: the time for today, otherwise the date.
export function formatTaskDate(millis: number, now: number, locale: string): string {
  const date = new Date(millis);
  const sameDay = date.toDateString() === new Date(now).toDateString();
  const formats = taskDateFormat(locale);
  return (sameDay ? formats.time : formats.date).format(date);
}
