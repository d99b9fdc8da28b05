// Which services a pushed commit counts for. A service built from a whole
// repository takes every commit of it; a service scoped to paths of a
// monorepo (`source.paths` globs) takes the commits that changed at least one
// matching path. A commit whose paths the provider did not give counts for
// every service of the repository: leaving a change out would shorten lead
// times, counting it in too many services does not.

import picomatch from 'picomatch';

/** Whether a commit that changed `paths` (empty: unknown) belongs to a service scoped by `globs` (empty: everything). */
export function commitTouchesService(paths: readonly string[], globs: readonly string[]): boolean {
  if (globs.length === 0 || paths.length === 0) return true;
  const matches = picomatch([...globs], { dot: true });
  return paths.some((path) => matches(path.replace(/^\/+/, '')));
}
