// One repository is written many ways: https://github.com/Acme/Checkout.git in
// gantry.yaml, git@github.com:acme/checkout.git in a clone, "acme/checkout"
// plus a clone URL in a webhook. Inbound events name the repository one way,
// services another; both are reduced to the same identity before they are
// compared.

/**
 * The comparable identity of a repository: `host/path` in lower case, without
 * scheme, user, port, `.git` suffix or trailing slashes (`github.com/acme/checkout`).
 * Local paths and file:// URLs keep their path as written (minus a trailing
 * slash and `.git`), since a file system may be case-sensitive. Undefined for
 * text that names no repository.
 */
export function repositoryIdentity(text: string): string | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  const scp = /^[A-Za-z0-9._-]+@([A-Za-z0-9.-]+):(?!\/\/)(\S+)$/.exec(trimmed);
  if (scp) return hostPath(scp[1]!, scp[2]!);
  if (trimmed.startsWith('/') || trimmed.startsWith('./') || trimmed.startsWith('../')) {
    return withoutGitSuffix(trimmed);
  }
  if (/^file:\/\//i.test(trimmed)) return withoutGitSuffix(trimmed.slice('file://'.length));
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed)) {
    try {
      const url = new URL(trimmed);
      if (url.hostname === '') return undefined;
      return hostPath(url.hostname, decodeURIComponent(url.pathname));
    } catch {
      return undefined;
    }
  }
  return undefined;
}

function hostPath(host: string, path: string): string | undefined {
  const cleanPath = withoutGitSuffix(path.replace(/^\/+/, '')).toLowerCase();
  if (cleanPath === '') return undefined;
  return `${host.toLowerCase()}/${cleanPath}`;
}

function withoutGitSuffix(path: string): string {
  return path.replace(/\/+$/, '').replace(/\.git$/i, '');
}

/** Whether two ways of writing a repository name the same one. */
export function sameRepository(a: string, b: string): boolean {
  const left = repositoryIdentity(a);
  return left !== undefined && left === repositoryIdentity(b);
}
