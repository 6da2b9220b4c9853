/**
 * The command lines of the baselines the benchmark times beside `analyze` (issue 5): jq computing the
 * top writers in one pass, and `grep -c 'database space exceeded'`, the raw scan floor.
 *
 * Each writes what it prints to a file, never to /dev/null. GNU grep treats output to /dev/null as
 * `-q`: it stops at the first matching line, even with -c (grep.c, `dev_null_output`). On the
 * benchmark's 1 GiB incident the first match sits 462 MB in, so a grep whose output went to
 * /dev/null (the benchmark ran its children that way until the fix) timed 43% of the file: 0.13 s
 * against 0.25 s for the whole file, and 4,714 read() calls against 10,895 (strace).
 */
import { shellQuote } from '../../src/analysis/shell-quote.js';
import type { Dataset } from './datasets.js';

/** jq's one pass over the writes, as issue 5 spells it. */
export const JQ_WRITERS =
  'select(.verb == "create" or .verb == "update" or .verb == "patch" or .verb == "delete" or .verb == "deletecollection") | .user.username';

/** What grep counts: the lines of failed writes once etcd is full. */
const GREP_PATTERN = 'database space exceeded';

export interface BaselineCommands {
  /** `bash -c` scripts; each writes what the tool prints to its output file. */
  jq: string;
  grep: string;
}

/**
 * The two baselines over `dataset` (gunzipped through a pipe first when it is gzipped), printing to
 * `output.jq` and `output.grep`: the top writers table, and the count of matching lines.
 */
export function baselineCommands(
  dataset: Pick<Dataset, 'file' | 'format' | 'gzip'>,
  output: { jq: string; grep: string },
): BaselineCommands {
  const file = shellQuote(dataset.file);
  const source = dataset.gzip ? `gzip -dc ${file} | ` : '';
  const input = dataset.gzip ? '' : ` ${file}`;
  const filter = dataset.format === 'audit-jsonl' ? JQ_WRITERS : `.message | fromjson | ${JQ_WRITERS}`;
  return {
    jq: `set -o pipefail; ${source}jq -r ${shellQuote(filter)}${input} | sort | uniq -c > ${shellQuote(output.jq)}`,
    grep: `set -o pipefail; ${source}grep -c ${shellQuote(GREP_PATTERN)}${input} > ${shellQuote(output.grep)}`,
  };
}
