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
    const params: Record<string, string> = {};
    for (let i = 0; i < names.length; i++) params[names[i]!] = decodeSegment(m[i + 1]!);
    return params;
  };
}

function decodeSegment(s: string): string {
  if (!s.includes('%')) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    return '\u0000';
  }
}
