/** Every state path the case is in now: `{handling: {work: 'dispatched'}}` → handling, handling.work, handling.work.dispatched. */
export function activePaths(value: unknown, prefix = ''): string[] {
  if (typeof value === 'string') {
    const leaf = prefix ? `${prefix}.${value}` : value;
    return [...(prefix ? [prefix] : []), leaf];
  }
  if (value && typeof value === 'object') {
    return [...(prefix ? [prefix] : []), ...Object.entries(value).flatMap(([k, v]) => activePaths(v, prefix ? `${prefix}.${k}` : k))];
  }
  return [];
}
