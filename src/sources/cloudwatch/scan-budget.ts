/**
 * Scan volume: an estimate before running (from the log group's stored bytes) and a running total
 * while queries run, checked against `--max-scan-gb`.
 */
import type { TimeRange } from '../source.js';

const DAY_MS = 86_400_000;

/** The DescribeLogGroups facts the estimate needs. */
export interface LogGroupSize {
  storedBytes?: number;
  /** Epoch ms. */
  creationTime?: number;
  /** Absent: events never expire (aws-facts A, `Days`). */
  retentionInDays?: number;
}

/**
 * Estimates the bytes a query over `range` scans: the group's stored bytes spread evenly over the
 * period they can cover (from creation, or from the retention horizon, to now), times the share of that
 * period the window overlaps. It is a rough figure: traffic is not even (an incident is a burst), and
 * `storedBytes` counts every stream, not just audit, and may be measured compressed while Insights bills
 * the bytes it reads; good enough to refuse a 30-day scan when the budget is a few GB.
 */
export function estimateScanBytes(group: LogGroupSize, range: TimeRange, nowMs: number): number {
  const stored = group.storedBytes ?? 0;
  if (stored <= 0) return 0;
  const retentionStart =
    group.retentionInDays === undefined ? Number.NEGATIVE_INFINITY : nowMs - group.retentionInDays * DAY_MS;
  const dataStart = Math.max(group.creationTime ?? Number.NEGATIVE_INFINITY, retentionStart);
  if (!Number.isFinite(dataStart) || dataStart >= nowMs) return stored;
  const span = nowMs - dataStart;
  const overlap = Math.min(range.endMs, nowMs) - Math.max(range.startMs, dataStart);
  if (overlap <= 0) return 0;
  return Math.round(stored * Math.min(1, overlap / span));
}

/** Running bytes of all queries of one run, against an optional budget. */
export class ScanBudget {
  private completedBytes = 0;
  private readonly running = new Map<string, number>();

  constructor(readonly maxBytes: number | undefined) {}

  /** Records a running query's bytes so far; true when the run as a whole is now over budget. */
  update(queryId: string, bytes: number): boolean {
    this.running.set(queryId, bytes);
    return this.exceeded();
  }

  /** Moves a finished query's final bytes into the completed total. */
  finish(queryId: string, bytes: number): void {
    this.running.delete(queryId);
    this.completedBytes += bytes;
  }

  /** Bytes scanned so far, running queries included. */
  total(): number {
    let sum = this.completedBytes;
    for (const bytes of this.running.values()) sum += bytes;
    return sum;
  }

  exceeded(): boolean {
    return this.maxBytes !== undefined && this.total() > this.maxBytes;
  }
}
