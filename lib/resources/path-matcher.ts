/** Path params from a request path; null when the path is not this template's. */
export type PathMatcher = (pathname: string) => Record<string, string> | null;

/**
 * A matcher compiled from an operation's path template (`/api/recommendations/{id}`): each `{name}` is one
 * percent-decoded segment, the rest must match literally. An undecodable segment reads as '\u0000', which
 * no params schema accepts, so the route handler explains the error.
 */
export function pathMatcher(template: string): PathMatcher {
  const names: string[] = [];
  const source = template
    .split(/\{([A-Za-z_][A-Za-z0-9_]*)\}/)
    .map((part, i) => (i % 2 === 1 ? (names.push(part), '([^/]+)') : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  const pattern = new RegExp(`^${source}$`);
  return (pathname) => {
    const m = pattern.exec(pathname);
    if (!m) return null;
    return Object.fromEntries(names.map((name, i) => [name, decodeSegment(m[i + 1]!)]));
  };
}

function decodeSegment(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return '\u0000';
  }
}
