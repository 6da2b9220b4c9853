/**
 * Fault injection for the fake AWS server, configurable per operation and changeable while it runs.
 * Request faults (errors, resets, delays) are rules matched against each call; query and update faults
 * change how StartQuery/GetQueryResults and UpdateClusterConfig/DescribeUpdate behave.
 */
import { createSeededRandom } from './random.js';

/** What a matching request gets. */
export type FaultKind =
  /** ThrottlingException (400 on Logs, 429 on EKS), "Rate exceeded". */
  | 'throttle'
  /** LimitExceededException 400, "Rate exceeded" (Logs). */
  | 'limit-exceeded'
  /** ServiceUnavailableException 503. */
  | 'unavailable'
  /** InternalFailure 500. */
  | 'internal'
  /** The socket is destroyed without an answer. */
  | 'reset'
  /** The answer comes after `delayMs`, otherwise unchanged. */
  | 'delay'
  /** ExpiredTokenException 400. */
  | 'expired-token'
  /** UnrecognizedClientException 400. */
  | 'unrecognized-client'
  /** AccessDeniedException naming the IAM action. */
  | 'access-denied'
  /** Any error: give `errorType`, `status`, `message`. */
  | 'error';

export interface FaultRule {
  /** Operation names (`StartQuery`, `DescribeCluster`, ...); omitted or `*` matches every call. */
  operation?: string | string[];
  kind: FaultKind;
  /** Fire only on the first N matching calls, then pass. */
  times?: number;
  /** Fire from the Nth matching call on (1-based). */
  fromCall?: number;
  /** Fire on this fraction of matching calls (seeded random). */
  probability?: number;
  /** Fire only during this many ms after the rule was set. */
  durationMs?: number;
  /** For `delay`: how long. */
  delayMs?: number;
  errorType?: string;
  status?: number;
  message?: string;
}

/** How one Logs Insights query behaves. */
export interface QueryBehaviour {
  /** GetQueryResults answers `Running` this many times before the final status (default 0). */
  runningPolls?: number;
  /** Also stay `Running` until this many ms after StartQuery (default 0). */
  runningMs?: number;
  /** The status after running (default Complete). */
  finalStatus?: 'Complete' | 'Failed' | 'Timeout' | 'Cancelled' | 'Unknown';
}

export interface QueryOverride extends QueryBehaviour {
  /** Applies to queries whose string contains this text or matches this pattern. */
  match: string | RegExp;
}

export interface FaultSettings {
  rules: FaultRule[];
  query: QueryBehaviour;
  queryOverrides: QueryOverride[];
  /** StartQuery refuses with LimitExceededException while this many queries are running. */
  maxConcurrentQueries: number | undefined;
  /** DescribeUpdate answers InProgress this many times before the final status (default 2). */
  updatePolls: number;
  updateFinalStatus: 'Successful' | 'Failed' | 'Cancelled';
}

export interface FaultDecision {
  rule: FaultRule;
}

interface ActiveRule {
  rule: FaultRule;
  setAt: number;
  matched: number;
}

/** The live fault configuration; `set` merges, `reset` restores the defaults. */
export interface Faults {
  /** Merges settings; `rules` given here replace the current rules. */
  set(settings: Partial<FaultSettings>): void;
  /** Adds one request rule. */
  addRule(rule: FaultRule): void;
  reset(): void;
  current(): Readonly<FaultSettings>;
  /** The rule that fires for this call, if any (counts the call against matching rules). */
  decide(operation: string, now: number): FaultRule | undefined;
  /** The behaviour of a query with this string. */
  queryBehaviour(queryString: string): Required<QueryBehaviour>;
}

function defaults(): FaultSettings {
  return {
    rules: [],
    query: {},
    queryOverrides: [],
    maxConcurrentQueries: undefined,
    updatePolls: 2,
    updateFinalStatus: 'Successful',
  };
}

/** Creates the fault configuration; `seed` drives the `probability` rules. */
export function createFaults(initial: Partial<FaultSettings> = {}, seed = 1): Faults {
  let settings: FaultSettings = { ...defaults() };
  let active: ActiveRule[] = [];
  const random = createSeededRandom(seed);
  const now = (): number => Date.now();

  const faults: Faults = {
    set(partial) {
      settings = { ...settings, ...partial };
      if (partial.rules !== undefined)
        active = partial.rules.map((rule) => ({ rule, setAt: now(), matched: 0 }));
    },
    addRule(rule) {
      settings = { ...settings, rules: [...settings.rules, rule] };
      active.push({ rule, setAt: now(), matched: 0 });
    },
    reset() {
      settings = defaults();
      active = [];
    },
    current: () => settings,
    decide(operation, at) {
      for (const entry of active) {
        const { rule } = entry;
        if (!matchesOperation(rule.operation, operation)) continue;
        if (rule.durationMs !== undefined && at - entry.setAt > rule.durationMs) continue;
        entry.matched += 1;
        if (rule.times !== undefined && entry.matched > rule.times) continue;
        if (rule.fromCall !== undefined && entry.matched < rule.fromCall) continue;
        if (rule.probability !== undefined && random() >= rule.probability) continue;
        return rule;
      }
      return undefined;
    },
    queryBehaviour(queryString) {
      const override = settings.queryOverrides.find((o) =>
        typeof o.match === 'string' ? queryString.includes(o.match) : o.match.test(queryString),
      );
      const merged = { ...settings.query, ...stripMatch(override) };
      return {
        runningPolls: merged.runningPolls ?? 0,
        runningMs: merged.runningMs ?? 0,
        finalStatus: merged.finalStatus ?? 'Complete',
      };
    },
  };
  faults.set(initial);
  return faults;
}

function stripMatch(override: QueryOverride | undefined): QueryBehaviour {
  if (override === undefined) return {};
  const { match: _match, ...rest } = override;
  return rest;
}

function matchesOperation(wanted: string | string[] | undefined, operation: string): boolean {
  if (wanted === undefined || wanted === '*') return true;
  return Array.isArray(wanted) ? wanted.includes(operation) : wanted === operation;
}
