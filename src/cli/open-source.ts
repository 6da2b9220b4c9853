/**
 * Picks the LogSource for a command: local files for `--log-file`, the cluster's CloudWatch log group
 * for `--cluster` (the AWS SDK is imported only then). Shared by `queries run` and `analyze`.
 */
import { UsageError } from '../errors.js';
import { createLocalSource } from '../sources/local-source.js';
import type { LogSource } from '../sources/source.js';
import type { CommandIo } from './io.js';
import type { OpenCloudWatchSourceOptions } from './open-cloudwatch-source.js';

export interface OpenSourceOptions extends Omit<Partial<OpenCloudWatchSourceOptions>, 'cluster'> {
  logFile?: string[];
  /** One cluster (analyze runs this once per `--cluster`). */
  cluster?: string | string[];
}

/** Which source the options ask for, checked without opening anything (usage errors come first). */
export function sourceKind(opts: OpenSourceOptions): 'local' | 'cloudwatch' {
  const clusters =
    opts.cluster === undefined ? [] : Array.isArray(opts.cluster) ? opts.cluster : [opts.cluster];
  const files = opts.logFile ?? [];
  if (clusters.length > 0 && files.length > 0) {
    throw new UsageError('Give either --cluster or --log-file, not both.', {
      hint: '--cluster reads the CloudWatch log group; --log-file reads audit logs on disk.',
    });
  }
  if (clusters.length === 0 && files.length === 0) {
    throw new UsageError('Say where the audit logs are: --cluster NAME or --log-file PATH.', {
      hint: 'e.g. --cluster prod (CloudWatch Logs Insights) or --log-file audit.log.gz (files on disk, - for stdin).',
    });
  }
  if (clusters.length > 1)
    throw new UsageError('This command reads one cluster at a time; give --cluster once.');
  return clusters.length === 1 ? 'cloudwatch' : 'local';
}

/** Opens the source the options name; throws UsageError when they name none or both. */
export async function openSource(opts: OpenSourceOptions, io: CommandIo): Promise<LogSource> {
  if (sourceKind(opts) === 'local') {
    const paths = opts.logFile ?? [];
    if (paths.includes('-') && process.stdin.isTTY === true) {
      // `--log-file -` with nothing piped in would otherwise wait in silence.
      io.stderr('reading audit events from the terminal (--log-file -); end with Ctrl-D\n');
    }
    return createLocalSource({ paths, stdin: process.stdin });
  }
  const cluster = Array.isArray(opts.cluster) ? (opts.cluster[0] ?? '') : (opts.cluster ?? '');
  const { openCloudWatchSource } = await import('./open-cloudwatch-source.js');
  return openCloudWatchSource({ ...opts, cluster }, io);
}
