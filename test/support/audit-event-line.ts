/** One kube-apiserver audit event (audit.k8s.io/v1, Metadata level) as a log line, for hand-built test logs. */
export interface AuditEventSpec {
  ms: number;
  user: string;
  agent: string;
  verb: string;
  namespace: string;
  resource: string;
  /** objectRef.name; default `obj-<ms>`. */
  name?: string;
  /** Fails with `etcdserver: mvcc: database space exceeded` (code 500) instead of succeeding (201). */
  failed: boolean;
}

export function auditEventLine(spec: AuditEventSpec): string {
  const { ms, user, agent, verb, namespace, resource, failed } = spec;
  return JSON.stringify({
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: 'Metadata',
    auditID: `id-${ms}-${user.length}-${verb}`,
    stage: 'ResponseComplete',
    requestURI: `/apis/evil.example/v1/namespaces/${namespace}/${resource}`,
    verb,
    user: { username: user, groups: ['system:authenticated'] },
    sourceIPs: ['10.0.0.1'],
    userAgent: agent,
    objectRef: {
      resource,
      namespace,
      name: spec.name ?? `obj-${ms}`,
      apiGroup: 'evil.example',
      apiVersion: 'v1',
    },
    responseStatus: failed
      ? { metadata: {}, status: 'Failure', message: 'etcdserver: mvcc: database space exceeded', code: 500 }
      : { metadata: {}, code: 201 },
    requestReceivedTimestamp: new Date(ms - 3).toISOString(),
    stageTimestamp: new Date(ms).toISOString(),
  });
}
