import type { ParseCommand } from './ast.js';
import { QueryError, QueryErrorCode } from './errors.js';
import { compileRegex } from './regex-guard.js';

/** Extracts named values from a text, or returns null when the pattern does not match. */
export type Extractor = (text: string) => (string | undefined)[] | null;

/** The compiled pattern of a `parse` command and the names it creates, in order. */
export interface CompiledParse {
  names: string[];
  extract: Extractor;
}

/**
 * Compiles `parse`. A glob ("user=*, verb=*" as user, verb) matches anywhere in the text; each `*`
 * captures up to the first occurrence of the literal text after it, and a trailing `*` takes the
 * rest, i.e. the regex `l0(.*?)l1(.*?)...(.*)` (docs CWL_QuerySyntax-Parse.html). It is matched with
 * indexOf, not a regex, so it cannot backtrack. A regex creates one field per named group (?<name>...).
 */
export function compileParse(cmd: ParseCommand, query: string): CompiledParse {
  if (cmd.pattern.kind === 'regex') {
    const re = compileRegex(cmd.pattern.source, cmd.pattern.span, query);
    const names = [...re.groupNames];
    if (names.length === 0) {
      throw new QueryError(
        QueryErrorCode.ParseMismatch,
        'a parse regex needs at least one named group, e.g. (?<user>\\S+)',
        cmd.pattern.span,
        query,
      );
    }
    return {
      names,
      extract: (text) => {
        const m = re.exec(text);
        if (m === null) return null;
        const groups = m.groups ?? {};
        return names.map((n) => groups[n]);
      },
    };
  }
  const literals = cmd.pattern.value.split('*');
  const stars = literals.length - 1;
  if (stars === 0 || stars !== cmd.names.length) {
    throw new QueryError(
      QueryErrorCode.ParseMismatch,
      stars === 0
        ? 'a parse pattern needs at least one * to capture'
        : `the pattern has ${stars} * but ${cmd.names.length} name${cmd.names.length === 1 ? '' : 's'} after as`,
      cmd.names.length === 0 ? cmd.pattern.span : cmd.span,
      query,
    );
  }
  const first = literals[0] as string;
  const last = literals[stars] as string;
  return {
    names: cmd.names,
    extract: (text) => {
      const at = first === '' ? 0 : text.indexOf(first);
      if (at < 0) return null;
      let pos = at + first.length;
      const out: string[] = [];
      for (let i = 1; i < stars; i++) {
        const lit = literals[i] as string;
        const idx = lit === '' ? pos : text.indexOf(lit, pos);
        if (idx < 0) return null;
        out.push(text.slice(pos, idx));
        pos = idx + lit.length;
      }
      if (last === '') {
        out.push(text.slice(pos));
      } else {
        const idx = text.indexOf(last, pos);
        if (idx < 0) return null;
        out.push(text.slice(pos, idx));
      }
      return out;
    },
  };
}
