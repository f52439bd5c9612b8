/**
 * What a source hands back to `collect`: evidence, or explicit gaps. Sources
 * do I/O only; everything after them (redaction, promotion evidence, rules,
 * the hash chain) is a pure function in `src/`.
 */
import type { Config, ServiceConfig, SourceConfig } from './config.ts';
import type { Branch, Change, Declared, Deployment, Gap, Observed, PassedOver, StoredValue } from './snapshot.ts';

/** A config value as a source reads it, before redaction. */
export type RawValue = StoredValue;

/** A config record before redaction: values may still be secret. */
export interface RawConfigRecord {
  service: string;
  environment: string;
  source: string;
  values: Record<string, RawValue>;
  origin?: string;
  revision?: string;
  changedBy?: string;
  changedAt?: string;
}

/** One past deployment event from a source's own history (e.g. GitHub deployments), for promotion evidence. */
export interface HistoryEvent {
  service: string;
  environment: string;
  commit: string;
  artifact?: string;
  version?: string;
  /** When it reached the environment. */
  at: string;
  source: string;
  url?: string;
}

export interface Evidence {
  /** Current deployments; `promotion` is filled in later from history. */
  deployments: Omit<Deployment, 'promotion'>[];
  /** Past deployment events the source knows of (not stored whole; used as promotion evidence). */
  history: HistoryEvent[];
  observed: Observed[];
  declared: Declared[];
  configs: RawConfigRecord[];
  branches: Branch[];
  changes: Change[];
  gaps: Gap[];
  /**
   * Syncs of a deploying tool whose deployments another source records (Argo CD with `deployments: false`):
   * assembly attaches them to that source's deployment record of the same service and environment.
   */
  syncs: SyncHistory[];
  /** Successful deployments the source did not take as what runs, with why (absent: the source passes none over). */
  passedOver?: PassedOver[];
}

/** Every sync a deploying tool still remembers for one service and environment, newest first. */
export interface SyncHistory {
  service: string;
  environment: string;
  source: string;
  syncs: NonNullable<Deployment['syncs']>;
}

export function emptyEvidence(): Evidence {
  return { deployments: [], history: [], observed: [], declared: [], configs: [], branches: [], changes: [], gaps: [], syncs: [] };
}

/** Everything a source may use; all I/O handles and time are injected. */
export interface SourceContext<C extends SourceConfig = SourceConfig> {
  /** The source's name in the config. */
  name: string;
  /** Its settings. */
  settings: C;
  /** The whole validated config. */
  config: Config;
  /** The services that list this source. */
  services: ServiceConfig[];
  /** Folder of the config file; relative paths resolve against it. */
  configDir: string;
  /** The snapshot time. */
  now: Date;
  /** Environment variables (tokens are read from here, never stored). */
  env: Readonly<Record<string, string | undefined>>;
  /** HTTP client (global fetch by default). */
  fetch: typeof globalThis.fetch;
  /** DNS lookup of every address of a name (`node:dns` by default); the http source checks where a redirect leads before following it. */
  lookup?: (hostname: string) => Promise<{ address: string; family: number }[]>;
  /** Progress line on stderr. */
  progress: (message: string) => void;
}

export type Collector<C extends SourceConfig = SourceConfig> = (context: SourceContext<C>) => Promise<Evidence>;
