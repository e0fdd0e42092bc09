function isoDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

export function rangeFor(days: number, now: Date = new Date()): { from: string; to: string } {
  const start = new Date(now);
  start.setUTCDate(start.getUTCDate() - (days - 1));
  return { from: isoDate(start), to: isoDate(now) };
}

