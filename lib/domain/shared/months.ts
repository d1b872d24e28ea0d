/** The last `count` calendar months in UTC ending with the month of `now`, as 'YYYY-MM', oldest first. */
export function lastMonths(now: Date, count: number): { keys: string[]; start: Date } {
  const y = now.getUTCFullYear();
  const m = now.getUTCMonth();
  const keys: string[] = [];
  for (let i = count - 1; i >= 0; i--) {
    const d = new Date(Date.UTC(y, m - i, 1));
    keys.push(`${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`);
  }
  return { keys, start: new Date(Date.UTC(y, m - (count - 1), 1)) };
}
