import v8 from 'node:v8';
import { QueryError, QueryErrorCode, type Span } from './errors.js';

/**
 * Regexes run against log text that anyone with API access can shape, and JavaScript's engine
 * backtracks. CloudWatch runs Insights regexes on Hyperscan, which has no backreferences and no
 * lookarounds (docs CWL_QuerySyntax-operations-functions.html, "regular expressions"), so we reject
 * those too, and we also reject the classic catastrophic shape: a quantified group whose body has
 * its own quantifier or an alternation, e.g. (a+)+, (a|a)*, (.*)*. That rule is deliberately blunt:
 * it also refuses harmless forms like (get|list)+; write get|list or [a-z]+ instead.
 *
 * That leaves polynomial blow-up: /.*x/ or /a.*b.*c/ on a long line that almost matches costs
 * O(n^2) steps in a backtracking engine (measured: 13 s for 64 KiB). So:
 * - values up to BACKTRACKING_INPUT_LIMIT (8 KiB, worst case a few hundred ms) use V8's normal engine;
 * - longer values use V8's linear-time engine (the `l` flag, enabled here through
 *   --enable-experimental-regexp-engine), which has no backtracking at all;
 * - if the runtime has no linear engine, longer values fall back to the normal engine;
 * - either way a regex never sees more than the first MAX_REGEX_INPUT characters (1 MiB).
 * Substring and prefix patterns (no metacharacters) never use a regex engine and have no cap.
 */
export const MAX_REGEX_INPUT = 1024 * 1024;

/** Values longer than this are matched with the linear-time engine when the runtime has it. */
export const BACKTRACKING_INPUT_LIMIT = 8 * 1024;

/** The largest `{n,m}` bound accepted; bigger counts blow up the compiled program. */
export const MAX_REPEAT_BOUND = 1000;

let linearEngine: boolean | undefined;

/** True if V8's linear-time regex engine (the `l` flag) can be used. */
export function hasLinearRegexEngine(): boolean {
  if (linearEngine === undefined) {
    try {
      v8.setFlagsFromString('--enable-experimental-regexp-engine');
      new RegExp('a', LINEAR_FLAG);
      linearEngine = true;
    } catch {
      linearEngine = false;
    }
  }
  return linearEngine;
}

/** A compiled, guarded Insights regex. */
export interface CompiledRegex {
  /** True if the pattern matches somewhere in `text`. */
  test(text: string): boolean;
  /** Match with capture groups (for `parse`), or null. */
  exec(text: string): RegExpExecArray | null;
  /** Named groups in order of appearance. */
  readonly groupNames: readonly string[];
  /** Set when the pattern is a plain literal: the text that must occur (case-sensitive). */
  readonly literal: string | undefined;
}

const META = /[\\^$.|?*+()[\]{}]/;
// The linear engine's flag, held in a variable: linters do not know this V8 extension.
const LINEAR_FLAG = 'l';

/** Validates an Insights regex source and compiles it; throws QueryError with the regex's span. */
export function compileRegex(source: string, span: Span, query: string): CompiledRegex {
  let body = source;
  let flags = '';
  // Insights writes case-insensitivity inline, at the start: /(?i)error/.
  if (body.startsWith('(?i)')) {
    body = body.slice(4);
    flags = 'i';
  }
  const groupNames = checkShape(body, span, query);
  let regex: RegExp;
  try {
    regex = new RegExp(body, flags);
  } catch (err) {
    const reason =
      err instanceof Error ? err.message.replace(/^Invalid regular expression: /, '') : String(err);
    throw new QueryError(QueryErrorCode.InvalidRegex, `invalid regular expression: ${reason}`, span, query);
  }
  const literal = flags === '' && !META.test(body) ? body : undefined;
  const anchoredLiteral =
    flags === '' && body.startsWith('^') && !META.test(body.slice(1)) ? body.slice(1) : undefined;
  const long = longInputMatcher(body, flags === 'i', regex);
  // Two or more repetitions backtrack polynomially at any length (/a+a+$/ on 5,000 a's and a "!": 80 s),
  // so such patterns use the linear engine for every value, short ones too.
  const risky = repetitionCount(body) >= 2 && hasLinearRegexEngine();
  if (risky && !linearCompiles(body, flags === 'i')) {
    // V8's linear engine refuses bounded repeats over 16 ({1,30}); with another repetition beside
    // it, the backtracking engine could take minutes on one line, so the pattern is refused.
    throw new QueryError(
      QueryErrorCode.CatastrophicRegex,
      'this regex has several repetitions and one the linear-time engine cannot run (a bounded repeat over 16, like {1,30}); it could backtrack for minutes on a long line',
      span,
      query,
      { hint: 'Use an open repeat ({1,} or +) or a bound of at most 16.' },
    );
  }
  const limit = risky ? -1 : BACKTRACKING_INPUT_LIMIT;
  const exec = (text: string): RegExpExecArray | null =>
    text.length <= limit ? regex.exec(text) : long(text);
  let test: (text: string) => boolean;
  if (literal !== undefined) test = (text) => text.includes(literal);
  else if (anchoredLiteral !== undefined) test = (text) => text.startsWith(anchoredLiteral);
  else test = (text) => (text.length <= limit ? regex.test(text) : long(text) !== null);
  return { test, exec, groupNames, literal };
}

/** True if V8's linear engine accepts the pattern (as longInputMatcher would build it). */
function linearCompiles(body: string, caseInsensitive: boolean): boolean {
  try {
    new RegExp(caseInsensitive ? lowerCaseLiterals(body) : body, LINEAR_FLAG);
    return true;
  } catch {
    return false;
  }
}

/**
 * How many repetition operators (`*`, `+`, `?`, `{n,}`, `{n,m}` with m > 1) a pattern has outside
 * escapes and character classes. One repeated atom costs O(n) per start position; each further one
 * multiplies that by n in a backtracking engine on a line that almost matches.
 */
export function repetitionCount(body: string): number {
  let count = 0;
  let inClass = false;
  for (let i = 0; i < body.length; i++) {
    const ch = body[i];
    if (ch === '\\') {
      i++;
    } else if (inClass) {
      if (ch === ']') inClass = false;
    } else if (ch === '[') {
      inClass = true;
    } else if (ch === '*' || ch === '+' || (ch === '?' && body[i - 1] !== '(')) {
      count++;
      if (body[i + 1] === '?') i++; // lazy modifier, not another repetition
    } else if (ch === '{') {
      const bound = /^\{(\d+)(,(\d*))?\}/.exec(body.slice(i));
      if (bound !== null) {
        if (bound[2] !== undefined && (bound[3] === '' || Number(bound[3]) > 1)) count++;
        i += bound[0].length - 1;
        if (body[i + 1] === '?') i++;
      }
    }
  }
  return count;
}

/**
 * The matcher for values longer than BACKTRACKING_INPUT_LIMIT (and for every value of a pattern with
 * several repetitions). V8's linear engine has no `i` flag, so
 * a (?i) pattern is matched on lower-cased text with its literal letters lower-cased; its captures
 * (for parse) then come out lower-cased too.
 */
function longInputMatcher(
  body: string,
  caseInsensitive: boolean,
  fallback: RegExp,
): (text: string) => RegExpExecArray | null {
  const cap = (text: string): string =>
    text.length > MAX_REGEX_INPUT ? text.slice(0, MAX_REGEX_INPUT) : text;
  let linear: RegExp | undefined;
  if (hasLinearRegexEngine()) {
    try {
      linear = new RegExp(caseInsensitive ? lowerCaseLiterals(body) : body, LINEAR_FLAG);
    } catch {
      linear = undefined;
    }
  }
  if (linear === undefined) return (text) => fallback.exec(cap(text));
  const re = linear;
  return caseInsensitive ? (text) => re.exec(cap(text).toLowerCase()) : (text) => re.exec(cap(text));
}

/** Lower-cases the letters of a pattern that stand for themselves (not escapes like \S or \W). */
function lowerCaseLiterals(body: string): string {
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const ch = body[i] as string;
    if (ch === '\\') {
      out += ch + (body[i + 1] ?? '');
      i++;
    } else if (
      ch === '(' &&
      body.startsWith('(?<', i) &&
      !body.startsWith('(?<=', i) &&
      !body.startsWith('(?<!', i)
    ) {
      const close = body.indexOf('>', i);
      out += body.slice(i, close + 1); // keep group names as written
      i = close;
    } else {
      out += ch.toLowerCase();
    }
  }
  return out;
}

interface GroupFrame {
  start: number;
  risky: boolean; // the body has a quantifier or an alternation
}

/** Walks the pattern once; rejects unsupported and catastrophic constructs; returns named groups. */
function checkShape(body: string, span: Span, query: string): string[] {
  const names: string[] = [];
  const stack: GroupFrame[] = [];
  const fail = (code: string, message: string): never => {
    throw new QueryError(code, message, span, query);
  };
  const markRisky = (): void => {
    const top = stack[stack.length - 1];
    if (top) top.risky = true;
  };
  let i = 0;
  while (i < body.length) {
    const ch = body[i] as string;
    if (ch === '\\') {
      const e = body[i + 1] ?? '';
      if (/[1-9]/.test(e) || e === 'k') {
        fail(QueryErrorCode.UnsupportedRegex, 'backreferences are not supported (CloudWatch uses Hyperscan)');
      }
      i += 2;
      continue;
    }
    if (ch === '[') {
      // Skip a character class: nothing inside it is an operator.
      i++;
      if (body[i] === '^') i++;
      if (body[i] === ']') i++;
      while (i < body.length && body[i] !== ']') i += body[i] === '\\' ? 2 : 1;
      i++;
      continue;
    }
    if (ch === '(') {
      if (body[i + 1] === '?') {
        const rest = body.slice(i + 2, i + 4);
        if (rest.startsWith('=') || rest.startsWith('!') || rest === '<=' || rest === '<!') {
          fail(
            QueryErrorCode.UnsupportedRegex,
            'lookahead and lookbehind are not supported (CloudWatch uses Hyperscan)',
          );
        }
        if (rest.startsWith('<')) {
          const m = /^\(\?<([A-Za-z_][A-Za-z0-9_]*)>/.exec(body.slice(i));
          if (!m) fail(QueryErrorCode.InvalidRegex, 'invalid regular expression: bad named group');
          names.push((m as RegExpExecArray)[1] as string);
        } else if (rest.startsWith('P<')) {
          fail(QueryErrorCode.UnsupportedRegex, 'write named groups as (?<name>...)');
        } else if (!rest.startsWith(':')) {
          fail(QueryErrorCode.UnsupportedRegex, 'inline flags are supported only as a leading (?i)');
        }
      }
      stack.push({ start: i, risky: false });
      i++;
      continue;
    }
    if (ch === ')') {
      const frame = stack.pop();
      i++;
      const q = quantifierAt(body, i);
      if (q !== undefined) {
        if (frame?.risky && q.unbounded) {
          fail(
            QueryErrorCode.CatastrophicRegex,
            'a repeated group contains its own repetition or alternation (like (a+)+ or (a|b)*); this can backtrack for ever. Rewrite it without the outer repetition',
          );
        }
        markRisky();
      } else if (frame?.risky) {
        markRisky();
      }
      continue;
    }
    if (ch === '|') {
      markRisky();
      i++;
      continue;
    }
    const q = quantifierAt(body, i);
    if (q !== undefined) {
      if (q.bound > MAX_REPEAT_BOUND)
        fail(
          QueryErrorCode.UnsupportedRegex,
          `repetition counts above ${MAX_REPEAT_BOUND} are not supported`,
        );
      markRisky();
      i += q.length;
      continue;
    }
    i++;
  }
  return names;
}

/** A quantifier starting at `i`: *, +, ?, {n}, {n,}, {n,m}, with an optional lazy `?`. */
function quantifierAt(
  body: string,
  i: number,
): { length: number; unbounded: boolean; bound: number } | undefined {
  const ch = body[i];
  const lazy = (len: number): number => (body[i + len] === '?' || body[i + len] === '+' ? len + 1 : len);
  if (ch === '*' || ch === '+') return { length: lazy(1), unbounded: true, bound: 0 };
  if (ch === '?') return { length: lazy(1), unbounded: false, bound: 1 };
  if (ch === '{') {
    const m = /^\{(\d+)(,(\d*))?\}/.exec(body.slice(i, i + 24));
    if (!m) return undefined;
    const min = Number(m[1]);
    const max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
    const bound = Math.max(min, Number.isFinite(max) ? max : min);
    return { length: lazy(m[0].length), unbounded: max > 1, bound };
  }
  return undefined;
}
