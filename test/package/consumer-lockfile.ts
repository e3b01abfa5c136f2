/**
 * A package-lock.json for a scratch project that depends on nothing but the packed tarball,
 * so that `npm ci --offline` installs it from the npm cache that `npm ci` filled for this
 * repository: no network, and none of the repository's dev dependencies.
 *
 * A plain `npm install --offline <tarball>` cannot do this: it needs each dependency's
 * registry document, which `npm ci` never fetches. The lock names exact versions instead,
 * and npm finds their tarballs in the cache by integrity.
 */

/** The parts of a lockfile (v3) entry this needs. */
interface LockEntry {
  version?: string;
  resolved?: string;
  integrity?: string;
  dev?: boolean;
  devOptional?: boolean;
  link?: boolean;
  dependencies?: Record<string, string>;
  [key: string]: unknown;
}

interface Lockfile {
  lockfileVersion: number;
  packages: Record<string, LockEntry>;
}

/** What the tarball's own package.json says, and where the tarball is. */
export interface PackedPackage {
  name: string;
  version: string;
  /** Relative to the consumer project, e.g. `pack/swaram-conformance-0.1.0.tgz`. */
  tarball: string;
  /** `sha512-…` of the tarball. */
  integrity: string;
  dependencies: Record<string, string>;
  bin?: Record<string, string>;
}

/**
 * Builds the consumer's lock: the root depends on the tarball; every package the repository
 * installs for production (the entries not marked `dev`) is placed where the repository has
 * it. A dependency declared as a devDependency of the repository is therefore missing, as
 * it would be for a user who installs the published package.
 */
export function consumerLockfile(repoLock: Lockfile, pkg: PackedPackage, consumerName: string) {
  const packages: Record<string, LockEntry> = {
    '': { name: consumerName, dependencies: { [pkg.name]: `file:${pkg.tarball}` } },
    [`node_modules/${pkg.name}`]: {
      version: pkg.version,
      resolved: `file:${pkg.tarball}`,
      integrity: pkg.integrity,
      dependencies: pkg.dependencies,
      ...(pkg.bin ? { bin: pkg.bin } : {}),
    },
  };
  for (const [path, entry] of Object.entries(repoLock.packages)) {
    if (path === '' || entry.dev || entry.devOptional || entry.link) continue;
    if (!path.startsWith('node_modules/')) continue;
    packages[path] = entry;
  }
  return { name: consumerName, lockfileVersion: 3, requires: true, packages };
}
