/**
 * What the fake server has seen, for assertions: every request (never a credential, only whether it was
 * signed), every query with its status and scanned bytes, and the EKS updates.
 */

export interface SeenRequest {
  service: 'logs' | 'eks' | 'cloudwatch' | 'unknown';
  operation: string;
  time: number;
  /** Carried a SigV4 Authorization header. The header itself is never stored. */
  signed: boolean;
  /** Carried X-Amz-Security-Token (its value is never stored). */
  hadSessionToken: boolean;
  /** Region from the signature's credential scope. */
  region: string | undefined;
  /** HTTP status sent, or 0 when the connection was reset. */
  status: number;
  /** The fault rule kind that answered, if any. */
  fault: string | undefined;
}

export type QueryStatus =
  'Scheduled' | 'Running' | 'Complete' | 'Failed' | 'Cancelled' | 'Timeout' | 'Unknown';

export interface ResultField {
  field: string;
  value: string;
}

export interface FakeQueryStatistics {
  recordsMatched: number;
  recordsScanned: number;
  estimatedRecordsSkipped: number;
  bytesScanned: number;
  estimatedBytesSkipped: number;
  logGroupsScanned: number;
}

export interface FakeQuery {
  queryId: string;
  queryString: string;
  logGroupNames: string[];
  /** Epoch seconds, as given to StartQuery. */
  startTime: number;
  endTime: number;
  limit: number;
  createdAt: number;
  status: QueryStatus;
  polls: number;
  runningPolls: number;
  runningMs: number;
  finalStatus: QueryStatus;
  results: ResultField[][];
  statistics: FakeQueryStatistics;
  /** Streams named by a leading `filterIndex @logStream in [...]`, when the index applied. */
  indexedStreams: string[] | undefined;
  stoppedAt: number | undefined;
}

export interface FakeUpdate {
  id: string;
  cluster: string;
  type: string;
  status: 'InProgress' | 'Successful' | 'Failed' | 'Cancelled';
  params: { type: string; value: string }[];
  createdAt: number;
  errors: { errorCode: string; errorMessage: string; resourceIds: string[] }[];
  polls: number;
  pollsUntilDone: number;
  finalStatus: 'Successful' | 'Failed' | 'Cancelled';
  /** Applied to the cluster when the update succeeds. */
  apply: (() => void) | undefined;
}

/** The server's record of everything that happened. */
export class FakeAwsState {
  readonly requests: SeenRequest[] = [];
  readonly queries = new Map<string, FakeQuery>();
  readonly stoppedQueries: string[] = [];
  readonly updates = new Map<string, FakeUpdate>();

  /** Queries whose status is still Scheduled or Running. */
  runningQueries(now = Date.now()): FakeQuery[] {
    return [...this.queries.values()].filter((q) => {
      settleByTime(q, now);
      return q.status === 'Running' || q.status === 'Scheduled';
    });
  }

  /** Requests for one operation. */
  requestsFor(operation: string): SeenRequest[] {
    return this.requests.filter((r) => r.operation === operation);
  }

  /** Bytes scanned by every query started so far. */
  totalBytesScanned(): number {
    let total = 0;
    for (const q of this.queries.values()) total += q.statistics.bytesScanned;
    return total;
  }

  /** Bytes index-skipped by every query started so far. */
  totalBytesSkipped(): number {
    let total = 0;
    for (const q of this.queries.values()) total += q.statistics.estimatedBytesSkipped;
    return total;
  }
}

/**
 * A query with no polls left to wait for ends once its running time is over, even if nobody polls,
 * as a real query would.
 */
export function settleByTime(query: FakeQuery, now: number): void {
  if (query.status !== 'Running' && query.status !== 'Scheduled') return;
  if (query.polls >= query.runningPolls && now - query.createdAt >= query.runningMs)
    query.status = query.finalStatus;
}
