import picomatch from 'picomatch';

/** One predicate for a list of globs; `dot: true` so `.github/**` and `public/.well-known/**` match as written. */
export function compileGlobs(globs: string[]): (path: string) => boolean {
  if (globs.length === 0) return () => false;
  return picomatch(globs, { dot: true });
}
