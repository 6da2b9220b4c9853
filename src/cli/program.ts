/**
 * The commander tree, and nothing else: every verb's options are declared here and its implementation
 * is imported only when it runs, so `--help` and `--version` never load the AWS SDK.
 */
import { Command, Option } from 'commander';
import { readFileSync } from 'node:fs';
import type { CommandIo, GlobalOptions } from './io.js';
import { choice, collect, parseDurationMs, positiveInt, positiveNumber } from './options.js';

function packageVersion(): string {
  const raw = readFileSync(new URL('../../../package.json', import.meta.url), 'utf8');
  return (JSON.parse(raw) as { version: string }).version;
}

const EXAMPLES = `
Examples:
  $ eks-etcd-insights analyze --cluster prod                      # what filled etcd, since when, and how to fix it
  $ eks-etcd-insights analyze --log-file audit.log.gz --format html --output incident.html
  $ eks-etcd-insights logging status --cluster prod               # can I investigate this cluster?
  $ eks-etcd-insights logging enable --cluster prod --retention-days 30
  $ eks-etcd-insights queries list
  $ eks-etcd-insights queries show first-nospace-failure
  $ eks-etcd-insights queries run top-writers-by-user --log-file audit.log --format csv
  $ eks-etcd-insights iam-policy --write
`;

/** Builds the program; `signal` is aborted on SIGINT/SIGTERM. */
export function buildProgram(signal: AbortSignal): Command {
  const program = new Command('eks-etcd-insights')
    .description(
      'Find what filled etcd on Amazon EKS, from audit logs in CloudWatch Logs Insights or local files.',
    )
    .version(packageVersion(), '-V, --version')
    .option('--verbose', 'say what is happening, on stderr')
    .option('--debug', 'stack traces and request details (credentials are never shown)')
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', EXAMPLES)
    .exitOverride();

  const run =
    <T>(handler: (opts: T, io: CommandIo, args: string[]) => Promise<unknown>) =>
    async (...actionArgs: unknown[]): Promise<void> => {
      const command = actionArgs[actionArgs.length - 1] as Command;
      const opts = command.optsWithGlobals<T & GlobalOptions>();
      const { createProcessIo } = await import('./process-io.js');
      await handler(opts, createProcessIo(opts, signal), command.processedArgs as string[]);
    };

  const awsOptions = (command: Command): Command =>
    command
      .option('--region <region>', 'AWS Region (default: from the environment or profile)')
      .option('--profile <profile>', 'AWS named profile');

  const windowOptions = (command: Command): Command =>
    command
      .option('--start <time>', 'window start: ISO 8601 (2024-06-14T03:00:00Z) or a duration ago (2h)')
      .option('--end <time>', 'window end: ISO 8601, "now", or a duration ago (default: now)')
      .option('--since <duration>', 'window of this length ending at --end (e.g. 6h)');

  const cloudWatchRunOptions = (command: Command): Command =>
    command
      .option('--max-concurrent <n>', 'queries running at once on CloudWatch', positiveInt, 4)
      .option(
        '--max-scan-gb <gb>',
        'refuse to scan more than this many GB (estimated first, enforced while running)',
        positiveNumber,
      )
      .option(
        '--price-per-gb <usd>',
        'Logs Insights price per GB scanned, for the cost estimate',
        positiveNumber,
        0.005,
      )
      .option(
        '--query-timeout <duration>',
        'stop a query still running after this long (e.g. 10m)',
        parseDurationMs,
      )
      .option('--links', 'print a CloudWatch console link for every query');

  // ---- queries ---------------------------------------------------------------------------------
  const queries = program
    .command('queries')
    .description('the stored Logs Insights query library')
    .addHelpText('after', '\nExample:\n  $ eks-etcd-insights queries list --format json\n');

  queries
    .command('list')
    .description('list the stored queries')
    .addOption(
      new Option('--format <format>', 'output format').argParser(choice(['table', 'json'])).default('table'),
    )
    .addHelpText('after', '\nExample:\n  $ eks-etcd-insights queries list\n')
    .action(
      run(async (opts, io) =>
        (await import('./commands/queries-list.js')).queriesListCommand(opts as never, io),
      ),
    );

  queries
    .command('show')
    .description('print a stored query with its header')
    .argument('<name>', 'stored query name')
    .addHelpText('after', '\nExample:\n  $ eks-etcd-insights queries show first-nospace-failure\n')
    .action(
      run(async (opts, io, [name]) =>
        (await import('./commands/queries-show.js')).queriesShowCommand(
          { ...(opts as object), name: name ?? '' },
          io,
        ),
      ),
    );

  const queriesRun = queries
    .command('run')
    .description(
      "run a stored query (or --query-string) on local audit logs or a cluster's CloudWatch log group",
    )
    .argument('[name]', 'stored query name')
    .option('--query-string <query>', 'run this Logs Insights query instead of a stored one')
    .option(
      '--log-file <path>',
      'audit log file, directory or - for stdin (repeatable; gzip is detected)',
      collect,
    )
    .option('--cluster <name>', 'EKS cluster whose /aws/eks/NAME/cluster log group to query')
    .option(
      '--param <key=value>',
      'stored query parameter (repeatable), e.g. --param namespace=trading',
      collect,
    )
    .option('--namespace <ns>', 'shorthand for --param namespace=NS')
    .option('--user <name>', 'shorthand for --param user=NAME')
    .option('--resource <resource>', 'shorthand for --param resource=RESOURCE')
    .option('--limit <n>', 'the most rows to return', positiveInt)
    .addOption(
      new Option('--format <format>', 'output format')
        .argParser(choice(['table', 'json', 'csv']))
        .default('table'),
    )
    .option('--output <file>', 'write the result to this file (atomically) instead of stdout')
    .addHelpText(
      'after',
      '\nExample:\n  $ eks-etcd-insights queries run top-writers-by-user --log-file audit.log --since 6h\n',
    );
  awsOptions(windowOptions(cloudWatchRunOptions(queriesRun))).action(
    run(async (opts, io, [name]) =>
      (await import('./commands/queries-run.js')).queriesRunCommand(
        { ...(opts as object), name } as never,
        io,
      ),
    ),
  );

  // ---- logging ---------------------------------------------------------------------------------
  const logging = program
    .command('logging')
    .description('validate or enable EKS control-plane audit logging')
    .addHelpText('after', '\nExample:\n  $ eks-etcd-insights logging status --cluster prod\n');

  awsOptions(
    logging
      .command('status')
      .description('is audit logging on and arriving, and how far back can an investigation reach?')
      .requiredOption('--cluster <name>', 'EKS cluster name')
      .addOption(
        new Option('--format <format>', 'output format').argParser(choice(['text', 'json'])).default('text'),
      )
      .addHelpText(
        'after',
        '\nExample:\n  $ eks-etcd-insights logging status --cluster prod --format json\n',
      ),
  ).action(
    run(async (opts, io) =>
      (await import('./commands/logging-status.js')).loggingStatusCommand(opts as never, io),
    ),
  );

  awsOptions(
    logging
      .command('enable')
      .description('enable control-plane log types (default: audit), keeping the ones already on')
      .requiredOption('--cluster <name>', 'EKS cluster name')
      .option(
        '--types <types>',
        'comma-separated log types: api, audit, authenticator, controllerManager, scheduler',
        'audit',
      )
      .option(
        '--retention-days <days>',
        'also set the log group retention (1, 3, 5, 7, 14, 30, 60, 90, ...)',
        positiveInt,
      )
      .option('--yes', 'do not ask for confirmation')
      .option('--dry-run', 'print the exact request and change nothing')
      .option('--no-wait', 'return the update id at once instead of waiting for it to finish')
      .option('--wait-for-other', 'if another cluster update is in progress, wait for it and then go on')
      .addHelpText(
        'after',
        '\nExample:\n  $ eks-etcd-insights logging enable --cluster prod --types audit,api --retention-days 30\n',
      ),
  ).action(
    run(async (opts, io) =>
      (await import('./commands/logging-enable.js')).loggingEnableCommand(opts as never, io),
    ),
  );

  // ---- analyze ---------------------------------------------------------------------------------
  const analyze = program
    .command('analyze')
    .description('the incident timeline: first failure, flood onset, top writers, object growth, remediation')
    .option(
      '--cluster <name>',
      'EKS cluster to analyse from CloudWatch (repeatable: one report per cluster)',
      collect,
    )
    .option(
      '--log-file <path>',
      'analyse local audit logs instead: file, directory or - (repeatable)',
      collect,
    )
    .option(
      '--metrics-file <path>',
      'output of `kubectl get --raw /metrics`, for the database size and object counts',
    )
    .option('--lookback <duration>', 'how far back to look for the first failure', '7d')
    .option('--bin <duration>', 'time bin for the charts and rates (default: chosen from the window)')
    .addOption(
      new Option('--format <format>', 'output format')
        .argParser(choice(['terminal', 'json', 'markdown', 'html', 'csv']))
        .default('terminal'),
    )
    .option(
      '--output <file>',
      'write the report to this file (atomically; partial with complete:false if interrupted)',
    )
    .addHelpText(
      'after',
      '\nExample:\n  $ eks-etcd-insights analyze --cluster prod --format markdown --output postmortem.md\n',
    );
  awsOptions(windowOptions(cloudWatchRunOptions(analyze))).action(
    run(async (opts, io) => (await import('./commands/analyze.js')).analyzeCommand(opts as never, io)),
  );

  // ---- iam-policy ------------------------------------------------------------------------------
  program
    .command('iam-policy')
    .description('print the least-privilege IAM policy this tool needs')
    .option('--write', 'include the permissions `logging enable` needs')
    .addHelpText('after', '\nExample:\n  $ eks-etcd-insights iam-policy --write > policy.json\n')
    .action(
      run(async (opts, io) => (await import('./commands/iam-policy.js')).iamPolicyCommand(opts as never, io)),
    );

  for (const command of [program, ...program.commands, ...program.commands.flatMap((c) => c.commands)]) {
    command.exitOverride();
  }
  return program;
}
