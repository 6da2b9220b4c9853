/**
 * An independent recount of a generated incident from its raw audit lines, written without the
 * generator's own bookkeeping so that the two can be compared.
 */
interface AuditEvent {
  stage: string;
  auditID: string;
  verb: string;
  requestURI: string;
  user: { username: string };
  userAgent: string;
  objectRef?: { resource?: string; namespace?: string; apiGroup?: string; subresource?: string };
  responseStatus?: { code: number; message?: string; status?: string };
  requestReceivedTimestamp: string;
  stageTimestamp: string;
}

export interface Recount {
  events: number;
  failures: AuditEvent[];
  timeouts: AuditEvent[];
  writesPerUser: Record<string, number>;
  net: Map<string, number>;
  parsed: AuditEvent[];
  firstFloodMs: number | null;
}

const WRITES = ['create', 'update', 'patch', 'delete', 'deletecollection'];

/** `@timestamp` of an event: stageTimestamp truncated to milliseconds. */
export function eventTimeMs(event: { stageTimestamp: string }): number {
  return Date.parse(event.stageTimestamp.slice(0, 23) + 'Z');
}

export function recount(lines: string[], flood: { user: string; resource: string }): Recount {
  const parsed = lines.map((line) => JSON.parse(line) as AuditEvent);
  const writesPerUser: Record<string, number> = {};
  const net = new Map<string, number>();
  const failures: AuditEvent[] = [];
  const timeouts: AuditEvent[] = [];
  let firstFloodMs: number | null = null;
  for (const event of parsed) {
    if (
      firstFloodMs === null &&
      event.user.username.endsWith(flood.user) &&
      event.verb === 'create' &&
      event.objectRef?.resource === flood.resource
    )
      firstFloodMs = eventTimeMs(event);
    if (event.stage !== 'ResponseComplete') continue;
    const message = event.responseStatus?.message ?? '';
    if (message.includes('database space exceeded')) failures.push(event);
    if (message.includes('request timed out')) timeouts.push(event);
    if (!WRITES.includes(event.verb)) continue;
    writesPerUser[event.user.username] = (writesPerUser[event.user.username] ?? 0) + 1;
    const code = event.responseStatus?.code ?? 0;
    if (
      code < 300 &&
      (event.verb === 'create' || event.verb === 'delete') &&
      event.objectRef?.subresource === undefined
    ) {
      const key = `${event.objectRef?.resource ?? ''}/${event.objectRef?.apiGroup ?? ''}`;
      net.set(key, (net.get(key) ?? 0) + (event.verb === 'create' ? 1 : -1));
    }
  }
  return { events: parsed.length, failures, timeouts, writesPerUser, net, parsed, firstFloodMs };
}
