/**
 * The environment a target process gets: only what a program needs to run (an allow-list),
 * the manifest's `env`, the variables the adapter protocol defines and any `--pass-env` names.
 * Everything else of the runner's environment (API keys, tokens) stays out.
 */
export const PASSED_ENV = [
  'PATH',
  'HOME',
  'USER',
  'LOGNAME',
  'SHELL',
  'LANG',
  'LANGUAGE',
  'TERM',
  'TZ',
  'TMPDIR',
  'TMP',
  'TEMP',
  'NODE_OPTIONS',
  'NODE_PATH',
  'NODE_EXTRA_CA_CERTS',
  'PYTHONPATH',
  'PYTHONIOENCODING',
  'VIRTUAL_ENV',
  'SYSTEMROOT',
  'SystemRoot',
  'COMSPEC',
  'PATHEXT',
  'WINDIR',
  'APPDATA',
  'LOCALAPPDATA',
  'USERPROFILE',
] as const;

/** Names that look like they hold a secret; their values are redacted from reports. */
export const SECRET_NAME = /KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|AUTH|COOKIE/i;

/** The environment for a target: the allow-list (plus `LC_*`, `SWARAM_*`), `passEnv`, `extra`. */
export function targetEnv(
  source: NodeJS.ProcessEnv,
  extra: Readonly<Record<string, string>>,
  passEnv: readonly string[] = [],
): Record<string, string> {
  const env: Record<string, string> = {};
  const allowed = new Set<string>([...PASSED_ENV, ...passEnv]);
  for (const [name, value] of Object.entries(source)) {
    if (value === undefined) continue;
    if (allowed.has(name) || name.startsWith('LC_') || name.startsWith('SWARAM_'))
      env[name] = value;
  }
  return { ...env, ...extra };
}

/** Shortest value redacted: shorter ones (`1`, `true`) would blank out ordinary text. */
const MIN_SECRET_LENGTH = 6;

/**
 * Replaces known secrets in text with `[redacted]`: given values, and the values of the
 * runner's environment variables whose names look secret.
 */
export class Redactor {
  private readonly secrets: string[];

  /** The secrets it replaces. */
  get values(): readonly string[] {
    return this.secrets;
  }

  constructor(values: Iterable<string>, source: NodeJS.ProcessEnv = process.env) {
    const all = new Set<string>();
    for (const v of values) if (v.length >= MIN_SECRET_LENGTH) all.add(v);
    for (const [name, v] of Object.entries(source))
      if (v && v.length >= MIN_SECRET_LENGTH && SECRET_NAME.test(name)) all.add(v);
    // Longest first, so a secret containing another is replaced whole.
    this.secrets = [...all].sort((a, b) => b.length - a.length);
  }

  /** `text` with every known secret replaced. */
  text(text: string): string {
    let out = text;
    for (const s of this.secrets) if (out.includes(s)) out = out.split(s).join('[redacted]');
    return out;
  }

  /** Serialized JSON with every secret replaced, also in its JSON-escaped spelling. */
  json(json: string): string {
    let out = json;
    for (const s of this.secrets) {
      const escaped = JSON.stringify(s).slice(1, -1);
      if (out.includes(escaped)) out = out.split(escaped).join('[redacted]');
    }
    return out;
  }
}
