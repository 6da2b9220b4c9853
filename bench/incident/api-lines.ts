/**
 * Non-audit kube-apiserver lines (the EKS `api` log type, streams `kube-apiserver-<32 hex>`), in klog's
 * header format `Lmmdd hh:mm:ss.uuuuuu threadid file:line] msg`. They share the log group with the
 * audit streams, so a query that forgets `filter @logStream like /kube-apiserver-audit/` sees them.
 */
import type { SeededRandom } from './random.js';
import { NOSPACE_MESSAGE } from './audit-line.js';

function klogHeader(severity: 'I' | 'W' | 'E', epochUs: number, thread: number, source: string): string {
  const iso = new Date(Math.floor(epochUs / 1000)).toISOString();
  const micros = String(epochUs % 1_000_000).padStart(6, '0');
  return `${severity}${iso.slice(5, 7)}${iso.slice(8, 10)} ${iso.slice(11, 19)}.${micros} ${String(thread).padStart(7, ' ')} ${source}]`;
}

/** An everyday informational line (request traces, handler timings). */
export function routineApiLine(random: SeededRandom, epochUs: number): string {
  const thread = random.between(10, 12);
  switch (random.int(3)) {
    case 0:
      return `${klogHeader('I', epochUs, thread, 'trace.go:236')} Trace[${random.between(100000000, 2147483647)}]: "List(recursive=true) etcd3" audit-id:${random.uuid()},key:/pods,resourceVersion:,resourceVersionMatch:,limit:500,continue: (total time: ${random.between(500, 900)}ms):`;
    case 1:
      return `${klogHeader('I', epochUs, thread, 'controller.go:624')} quota admission added evaluator for: ${random.pick(['leases.coordination.k8s.io', 'endpointslices.discovery.k8s.io', 'events.events.k8s.io', 'ephemeralreports.reports.kyverno.io'])}`;
    default:
      return `${klogHeader('I', epochUs, thread, 'alloc.go:330')} "allocated clusterIPs" service="${random.pick(['payments-prod', 'search-prod', 'web'])}/${random.pick(['api', 'worker', 'web'])}" clusterIPs={"IPv4":"172.20.${random.between(0, 255)}.${random.between(1, 254)}"}`;
  }
}

/** The apiserver's own line for an etcd failure it returned to a client. */
export function etcdErrorApiLine(random: SeededRandom, epochUs: number, message: string): string {
  const quoted = message.replace(/"/g, '\\"');
  return `${klogHeader('E', epochUs, random.between(10, 12), 'status.go:71')} apiserver received an error that is not an metav1.Status: &errors.errorString{s:"${quoted}"}: ${message}`;
}

/** The periodic compaction failure kube-apiserver logs while etcd is out of space (kubernetes/kubernetes#94029). */
export function compactFailedApiLine(random: SeededRandom, epochUs: number): string {
  return `${klogHeader('E', epochUs, random.between(10, 12), 'compact.go:124')} etcd: endpoint ([https://127.0.0.1:2379]) compact failed: ${NOSPACE_MESSAGE}`;
}
