/**
 * Serialises one audit.k8s.io/v1 Event the way kube-apiserver writes it: same key order, Metadata
 * level, microsecond timestamps ("2023-06-12T13:30:25.756122Z"), core-group objectRefs without
 * apiGroup. Built by concatenation because JSON.stringify of a fresh object per event is the
 * generator's bottleneck; every variable part that could need escaping goes through JSON.stringify.
 */
import type { RequestSpec } from './actors.js';

export const NOSPACE_MESSAGE = 'etcdserver: mvcc: database space exceeded';
export const TIMEOUT_MESSAGE = 'etcdserver: request timed out';

/** What a request ended with. */
export interface RequestResult {
  code: number;
  /** Set on failures: the Status message copied into responseStatus. */
  message?: string;
  /** Set on failures with a known reason (NotFound). */
  reason?: string;
}

/** An ISO 8601 UTC time with microseconds, from epoch microseconds. */
export function formatMicros(epochUs: number): string {
  const ms = Math.floor(epochUs / 1000);
  const micros = epochUs - ms * 1000;
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 23)}${String(micros).padStart(3, '0')}Z`;
}

/** The request path the client used, as kube-apiserver logs it in requestURI. */
export function requestUri(spec: RequestSpec): string {
  let uri = spec.apiGroup === '' ? '/api/v1' : `/apis/${spec.apiGroup}/${spec.apiVersion}`;
  if (spec.namespace !== undefined && spec.namespace !== '') uri += `/namespaces/${spec.namespace}`;
  uri += `/${spec.resource}`;
  const collectionVerb =
    spec.verb === 'list' ||
    spec.verb === 'watch' ||
    (spec.verb === 'create' && spec.subresource === undefined) ||
    spec.verb === 'deletecollection';
  if (!collectionVerb && spec.name !== undefined && spec.name !== '') uri += `/${spec.name}`;
  if (spec.subresource !== undefined) uri += `/${spec.subresource}`;
  if (spec.verb === 'watch')
    return `${uri}?allowWatchBookmarks=true&resourceVersion=${spec.name === undefined ? '0' : '1'}&timeout=8m32s&timeoutSeconds=512&watch=true`;
  return uri + (spec.query ?? '');
}

function objectRefJson(spec: RequestSpec): string {
  let json = `{"resource":"${spec.resource}"`;
  if (spec.namespace !== undefined && spec.namespace !== '')
    json += `,"namespace":${JSON.stringify(spec.namespace)}`;
  const named = spec.verb !== 'list' && spec.verb !== 'watch' && spec.verb !== 'deletecollection';
  if (named && spec.name !== undefined && spec.name !== '') json += `,"name":${JSON.stringify(spec.name)}`;
  if (spec.apiGroup !== '') json += `,"apiGroup":"${spec.apiGroup}"`;
  json += `,"apiVersion":"${spec.apiVersion}"`;
  if (spec.subresource !== undefined) json += `,"subresource":"${spec.subresource}"`;
  return `${json}}`;
}

function responseStatusJson(result: RequestResult, spec: RequestSpec): string {
  if (result.message === undefined) return `{"metadata":{},"code":${result.code}}`;
  // apiserver converts raw etcd errors into a Status with no reason (aws-facts.md section F).
  if (result.reason === undefined)
    return `{"metadata":{},"status":"Failure","message":${JSON.stringify(result.message)},"code":${result.code}}`;
  return `{"metadata":{},"status":"Failure","message":${JSON.stringify(result.message)},"reason":"${result.reason}","details":{"name":${JSON.stringify(spec.name ?? '')},"kind":"${spec.resource}"},"code":${result.code}}`;
}

/** One audit event line (no trailing newline). `result` is undefined for the RequestReceived stage. */
export function auditLine(
  auditId: string,
  spec: RequestSpec,
  uri: string,
  receivedUs: number,
  stageUs: number,
  result: RequestResult | undefined,
): string {
  const stage = result === undefined ? 'RequestReceived' : 'ResponseComplete';
  const p = spec.principal;
  let line =
    `{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"${auditId}","stage":"${stage}",` +
    `"requestURI":${JSON.stringify(uri)},"verb":"${spec.verb}","user":${p.userJson},"sourceIPs":["${p.sourceIp}"],` +
    `"userAgent":${JSON.stringify(p.userAgent)},"objectRef":${objectRefJson(spec)},`;
  if (result !== undefined) line += `"responseStatus":${responseStatusJson(result, spec)},`;
  line += `"requestReceivedTimestamp":"${formatMicros(receivedUs)}","stageTimestamp":"${formatMicros(stageUs)}"`;
  if (result !== undefined) line += `,"annotations":${p.annotationsJson}`;
  return `${line}}`;
}
