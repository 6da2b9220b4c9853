/**
 * Remediation for the resource that grew the most: batch delete commands, the etcd key prefix to
 * hand to AWS Support, and notes for known culprits. The tool never runs any of it.
 *
 * Decisions:
 * - Deletes go through `kubectl delete --raw` on the namespaced collection URL with `?limit=1000`,
 *   i.e. a deletecollection of at most 1000 objects per call, so one call never asks the apiserver
 *   (and etcd) for one huge transaction.
 * - Many namespaces: a namespaced resource has no cluster-wide deletecollection, so the commands
 *   name the top namespaces one by one (at most MAX_NAMESPACES) and the loop form walks every
 *   namespace. For AWS Support there is one key prefix per top namespace when the growth sits in a
 *   few namespaces, and the resource-level prefix (`/registry/GROUP/RESOURCE/`) when it is spread
 *   over more than MAX_NAMESPACES: that prefix covers every namespace and is one line to review.
 * - etcd keys: custom resources live under `/registry/GROUP/RESOURCE/NS/NAME`; built-in resources
 *   (core and the Kubernetes API groups) under `/registry/RESOURCE/NS/NAME`, with a few historical
 *   exceptions (services/specs, minions for nodes, ingress). AWS Support confirms before deleting.
 */
import type { ObjectGrowth, Remediation, TopWriter } from './incident-report.js';
import { pathSegment, shellQuote } from './shell-quote.js';

/** The most namespaces that get their own commands and key prefixes. */
export const MAX_NAMESPACES = 5;

const BATCH = 1000;

/** API groups served by kube-apiserver itself (not CRDs); their objects are stored without the group. */
const BUILT_IN_GROUPS = new Set([
  '',
  'core',
  'apps',
  'batch',
  'autoscaling',
  'policy',
  'extensions',
  'networking.k8s.io',
  'coordination.k8s.io',
  'events.k8s.io',
  'rbac.authorization.k8s.io',
  'storage.k8s.io',
  'discovery.k8s.io',
  'scheduling.k8s.io',
  'node.k8s.io',
  'certificates.k8s.io',
  'admissionregistration.k8s.io',
  'apiextensions.k8s.io',
  'flowcontrol.apiserver.k8s.io',
  'resource.k8s.io',
  'internal.apiserver.k8s.io',
  'storagemigration.k8s.io',
  'authentication.k8s.io',
  'authorization.k8s.io',
]);

/** Built-in resources whose etcd prefix is not their resource name (kubernetes pkg/registry). */
const BUILT_IN_KEY_NAMES: Record<string, string> = {
  services: 'services/specs',
  nodes: 'minions',
  ingresses: 'ingress',
};

/** Known culprits: resources (resource.group) and what to do about the controller behind them. */
const KNOWN_CULPRITS: { name: string; resources: string[]; notes: string[] }[] = [
  {
    name: 'Kyverno reports',
    resources: [
      'admissionreports.kyverno.io',
      'clusteradmissionreports.kyverno.io',
      'backgroundscanreports.kyverno.io',
      'clusterbackgroundscanreports.kyverno.io',
      'ephemeralreports.reports.kyverno.io',
      'clusterephemeralreports.reports.kyverno.io',
    ],
    notes: [
      'Kyverno before 1.12.4 can create admission/ephemeral reports faster than it aggregates and deletes them; upgrade Kyverno to 1.12.4 or later.',
      'Consider the Kyverno reports server, which keeps reports out of etcd.',
      'Tune the reports controller (--aggregationWorkers) so aggregation keeps up with admission traffic.',
      'Scale the Kyverno reports/admission controllers down before deleting, or the reports come straight back.',
    ],
  },
];

function isBuiltIn(apiGroup: string): boolean {
  return BUILT_IN_GROUPS.has(apiGroup);
}

/** The etcd key prefix for a resource, per namespace ('' for cluster-scoped or every namespace). */
export function etcdKeyPrefix(resource: string, apiGroup: string, namespace: string): string {
  const base = isBuiltIn(apiGroup)
    ? `/registry/${BUILT_IN_KEY_NAMES[resource] ?? resource}`
    : `/registry/${apiGroup}/${resource}`;
  return namespace === '' ? `${base}/` : `${base}/${namespace}/`;
}

function apiRoot(apiGroup: string, apiVersion: string): string {
  const core = apiGroup === '' || apiGroup === 'core';
  const version = apiVersion === '' ? (core ? 'v1' : 'VERSION') : apiVersion;
  return core ? `/api/${pathSegment(version)}` : `/apis/${pathSegment(apiGroup)}/${pathSegment(version)}`;
}

/** The collection URL of a resource in a namespace ('' = cluster-scoped). */
export function collectionPath(
  resource: string,
  apiGroup: string,
  apiVersion: string,
  namespace: string,
): string {
  const root = apiRoot(apiGroup, apiVersion);
  return namespace === ''
    ? `${root}/${pathSegment(resource)}`
    : `${root}/namespaces/${pathSegment(namespace)}/${pathSegment(resource)}`;
}

interface ResourceGrowth {
  resource: string;
  apiGroup: string;
  apiVersion: string;
  net: number;
  namespaces: { namespace: string; net: number }[];
}

/** Sums object growth per resource (over namespaces) and orders resources by net growth. */
export function growthByResource(growth: readonly ObjectGrowth[]): ResourceGrowth[] {
  const byResource = new Map<string, ResourceGrowth>();
  for (const row of growth) {
    const key = `${row.apiGroup}\u0000${row.resource}`;
    const entry = byResource.get(key) ?? {
      resource: row.resource,
      apiGroup: row.apiGroup,
      apiVersion: row.apiVersion,
      net: 0,
      namespaces: [],
    };
    if (entry.apiVersion === '' && row.apiVersion !== '') entry.apiVersion = row.apiVersion;
    entry.net += row.net;
    const ns = entry.namespaces.find((n) => n.namespace === row.namespace);
    if (ns === undefined) entry.namespaces.push({ namespace: row.namespace, net: row.net });
    else ns.net += row.net;
    byResource.set(key, entry);
  }
  const list = [...byResource.values()];
  for (const entry of list)
    entry.namespaces.sort((a, b) => b.net - a.net || a.namespace.localeCompare(b.namespace));
  return list.sort((a, b) => b.net - a.net || a.resource.localeCompare(b.resource));
}

export interface RemediationInput {
  objectGrowth: readonly ObjectGrowth[];
  /** The top writer of the lead-up: the controller to stop first. */
  topWriter: TopWriter | null;
  /** etcd is (or was) out of space: deletes may fail. */
  nospace: boolean;
}

/** Builds the remediation for the resource with the largest net growth, or null when nothing grew. */
export function buildRemediation(input: RemediationInput): Remediation | null {
  const top = growthByResource(input.objectGrowth)[0];
  if (top === undefined || top.net <= 0) return null;
  const growing = top.namespaces.filter((n) => n.net > 0);
  const named = growing.slice(0, MAX_NAMESPACES);
  const namespaced = growing.some((n) => n.namespace !== '');
  const fullName = top.apiGroup === '' ? top.resource : `${top.resource}.${top.apiGroup}`;
  const commands: string[] = [];
  for (const ns of named) {
    const path = collectionPath(top.resource, top.apiGroup, top.apiVersion, ns.namespace);
    commands.push(`kubectl delete --raw ${shellQuote(`${path}?limit=${BATCH}`)}`);
  }
  // The loop form repeats the batch until the collection is empty (a list with limit=1 finds no uid).
  const loopFor = (path: string): string =>
    `while kubectl get --raw ${path}'?limit=1' | grep -q '"uid"'; do kubectl delete --raw ${path}'?limit=${BATCH}' >/dev/null || break; sleep 2; done`;
  if (namespaced) {
    const before = shellQuote(`${apiRoot(top.apiGroup, top.apiVersion)}/namespaces/`);
    const after = shellQuote(`/${pathSegment(top.resource)}`);
    const path = `${before}"$ns"${after}`;
    commands.push(
      `for ns in $(kubectl get namespaces -o jsonpath='{.items[*].metadata.name}'); do ${loopFor(path)}; done`,
    );
  } else {
    commands.push(loopFor(shellQuote(collectionPath(top.resource, top.apiGroup, top.apiVersion, ''))));
  }
  const spread = growing.length > MAX_NAMESPACES;
  const prefixes =
    !namespaced || spread
      ? [etcdKeyPrefix(top.resource, top.apiGroup, '')]
      : named.map((n) => etcdKeyPrefix(top.resource, top.apiGroup, n.namespace));
  const warnings: string[] = [
    'This tool never deletes anything: review each command before you run it.',
    'Stop the writer first, or the objects come straight back' +
      (input.topWriter !== null
        ? ` (top writer: ${input.topWriter.user}, user agent ${input.topWriter.userAgent}).`
        : '.'),
  ];
  if (input.nospace) {
    warnings.push(
      'While etcd is out of space (NOSPACE alarm) the cluster is read-only and these deletes can fail with "database space exceeded"; then open an AWS Support case with the etcd key prefix below so they can remove the objects.',
    );
  }
  if (top.apiVersion === '')
    warnings.push(
      `The audit log did not record the API version of ${fullName}: replace VERSION in the commands.`,
    );
  if (spread)
    warnings.push(
      `${fullName} grew in ${growing.length} namespaces; the commands name the top ${MAX_NAMESPACES} and the loop walks every namespace.`,
    );
  warnings.push(
    'The object count is what the audit log shows in the lead-up (creates minus deletes); objects created earlier are not counted.',
  );
  const culprit = KNOWN_CULPRITS.find((c) => c.resources.includes(fullName));
  return {
    resource: top.resource,
    apiGroup: top.apiGroup,
    apiVersion: top.apiVersion,
    namespace: !namespaced ? '' : growing.length === 1 ? (growing[0]?.namespace ?? '') : '*',
    namespaces: growing.map((n) => ({ namespace: n.namespace, net: n.net })),
    estimatedObjects: top.net,
    commands,
    etcdKeyPrefix:
      prefixes.length === 1 ? (prefixes[0] ?? '') : etcdKeyPrefix(top.resource, top.apiGroup, ''),
    etcdKeyPrefixes: prefixes,
    warnings,
    knownCulprit: culprit === undefined ? null : { name: culprit.name, notes: culprit.notes },
  };
}
