/**
 * The GitHub source's payloads as evidence: plain functions over what a run
 * read (state.ts), no I/O. Every payload field is read by the mappers in
 * map.ts, payload.ts, version.ts and deployer.ts; this file puts one cell's
 * records together.
 */
import type { Change, Deployment, Evidence, ServiceConfig } from '../../src/model/index.ts';
import { emptyEvidence } from '../../src/model/index.ts';
import { ticketsIn } from '../../src/model/tickets.ts';
import {
  artifactOf,
  componentsFrom,
  configFileFor,
  environmentKey,
  environmentValues,
  isoUtc,
  mapProtection,
  mapPullRequests,
  parseConfigFile,
  payloadVersion,
  pullRequestApprovals,
  statusesOf,
  successAt,
  versionOf,
} from './index.ts';
import type { EnvState, Kind, RepoState } from './state.ts';

export interface CellInput {
  state: RepoState;
  service: ServiceConfig;
  env: EnvState;
  /** Library package name -> service name, for `components` from package.json. */
  libraries: Map<string, string>;
  ticketPattern: string;
  /** The source's name in the config. */
  source: string;
}

/**
 * The evidence of one service in one environment, from what the run read
 * (deployments, statuses, reviews, pull requests, files at the deployed
 * commit), whole or not at all: a throw leaves nothing half-recorded. A part
 * that cannot be used is a gap for its kind of evidence (`gap`).
 */
export function assembleCell({ state, service, env, libraries, ticketPattern: pattern, source }: CellInput, gap: (evidence: Kind, reason: string) => void): Evidence {
  const repo = state.repo!;
  const out = emptyEvidence();
  for (const d of env.deployments) {
    const at = successAt(d);
    if (!at) continue;
    const artifact = artifactOf(d, service.name);
    out.history.push({
      service: service.name,
      environment: env.ledger,
      commit: d.commitOid,
      ...(artifact ? { artifact } : {}),
      version: versionOf(d.commitOid, repo, d.ref, payloadVersion(d, service.name)),
      at: isoUtc(at),
      source,
      url: `${repo.url}/deployments/${encodeURIComponent(env.github)}`,
    });
  }
  // Passed over as not what runs (what-runs.ts): recorded with why, so the snapshot keeps the evidence (docs/sources.md).
  out.passedOver = (env.passedOver ?? []).map(({ deployment: d, why }) => {
    const runUrl = statusesOf(d).findLast((s) => s.logUrl)?.logUrl;
    return {
      service: service.name,
      environment: env.ledger,
      source,
      ...(d.databaseId !== null ? { deploymentId: d.databaseId } : {}),
      ...(d.ref?.name ? { ref: d.ref.name } : {}),
      ...(d.ref?.prefix === 'refs/heads/' ? { refType: 'branch' as const } : d.ref?.prefix === 'refs/tags/' ? { refType: 'tag' as const } : {}),
      commit: d.commitOid,
      createdBy: d.creator?.login ?? 'unknown',
      createdAt: isoUtc(d.createdAt),
      kind: why.kind,
      reason: why.reason,
      ...(why.kind === 'outside-branch-policy' && env.branchPolicies ? { branchPolicy: [...env.branchPolicies].sort() } : {}),
      url: runUrl ?? `${repo.url}/deployments/${encodeURIComponent(env.github)}`,
    };
  });
  if (env.variables) {
    const { values, changedAt } = environmentValues(env.variables.variables, env.variables.secrets);
    out.configs.push({ service: service.name, environment: env.ledger, source, values, origin: 'github:environment', ...(changedAt ? { changedAt } : {}) });
  }
  const active = env.active;
  if (!active) return out;
  const version = versionOf(active.commitOid, repo, active.ref, payloadVersion(active, service.name));
  const deployedAt = isoUtc(active.latestStatus!.createdAt);
  const approvals = [...(env.runApprovals ?? []), ...pullRequestApprovals(state.pulls.get(active.commitOid) ?? [])];
  const pullProblem = state.pullProblems.get(active.commitOid);
  if (pullProblem) gap('approvals', pullProblem);
  const ghEnvironment = state.environments?.get(environmentKey(env.github));
  const artifact = artifactOf(active, service.name);
  const deployment: Omit<Deployment, 'promotion'> = {
    service: service.name,
    environment: env.ledger,
    version,
    commit: active.commitOid,
    ...(active.ref?.name ? { ref: active.ref.name } : {}),
    ...(artifact ? { artifact } : {}),
    deployedAt,
    deployedBy: env.deployer ?? active.creator?.login ?? 'unknown',
    source,
    url: active.latestStatus?.logUrl ?? `${repo.url}/deployments/${encodeURIComponent(env.github)}`,
    status: 'success',
    approvals,
    ...(ghEnvironment ? { protection: mapProtection(ghEnvironment, env.branchPolicies) } : {}),
  };
  if (libraries.size > 0) {
    const manifest = state.blobs.get(`${active.commitOid}:package.json`);
    if (manifest) {
      try {
        const components = componentsFrom(manifest, libraries);
        delete components[service.name];
        if (Object.keys(components).length > 0) deployment.components = components;
      } catch (error) {
        gap('deployment', `${state.owner}/${state.name}@${active.commitOid.slice(0, 7)}: ${(error as Error).message}`);
      }
    }
  }
  out.deployments.push(deployment);

  const path = configFileFor(service.configFiles, env.ledger)?.replace(/^\.?\//, '');
  if (path) {
    const text = state.blobs.get(`${active.commitOid}:${path}`);
    if (typeof text === 'string') {
      try {
        out.configs.push({ service: service.name, environment: env.ledger, source, values: parseConfigFile(path, text), origin: path, revision: active.commitOid });
      } catch (error) {
        gap('config', `${state.owner}/${state.name}@${active.commitOid.slice(0, 7)}: ${(error as Error).message}`);
      }
    } else if (!state.failed) {
      gap('config', `${path} not found (or not text) in ${state.owner}/${state.name} at ${active.commitOid.slice(0, 7)}`);
    }
  }

  const prev = env.previous;
  const change: Change = {
    service: service.name,
    environment: env.ledger,
    commit: active.commitOid,
    version,
    fromCommit: prev?.commitOid ?? null,
    fromVersion: prev ? versionOf(prev.commitOid, repo, prev.ref, payloadVersion(prev, service.name)) : null,
    deployedAt,
    pullRequests: [],
    tickets: [],
    source,
  };
  if (env.compare) {
    const changeProblem = env.compare.commits.map((sha) => state.pullProblems.get(sha)).find((p) => p !== undefined);
    if (changeProblem) gap('changes', changeProblem);
    const pulls = mapPullRequests(env.compare.commits.flatMap((sha) => state.pulls.get(sha) ?? []));
    change.pullRequests = pulls;
    change.tickets = ticketsIn(pulls, pattern);
  }
  if (!prev || prev.commitOid === active.commitOid || env.compare) out.changes.push(change);
  return out;
}
