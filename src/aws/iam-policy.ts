/**
 * The least-privilege IAM policy the tool needs, as data. Action names are the service prefix plus the
 * API name (CloudWatch Logs permissions reference). Resources are scoped where the action is known to
 * support it, `*` where it does not or where support is unconfirmed (aws-facts E).
 * A test scans src/ for every SDK command the code sends and checks it is listed here.
 */

/** One IAM policy statement. */
export interface IamStatement {
  Sid: string;
  Effect: 'Allow';
  Action: string[];
  Resource: string | string[];
}

/** An IAM policy document. */
export interface IamPolicyDocument {
  Version: '2012-10-17';
  Statement: IamStatement[];
}

const EKS_CLUSTERS = 'arn:aws:eks:*:*:cluster/*';
const EKS_CLUSTER_LOG_GROUPS = 'arn:aws:logs:*:*:log-group:/aws/eks/*/cluster:*';

/** What read-only use (logging status, queries run, analyze) needs. */
export const READ_ONLY_STATEMENTS: readonly IamStatement[] = [
  {
    Sid: 'EksReadClusterAndUpdates',
    Effect: 'Allow',
    Action: ['eks:DescribeCluster', 'eks:ListUpdates', 'eks:DescribeUpdate'],
    Resource: EKS_CLUSTERS,
  },
  {
    Sid: 'LogsReadEksClusterLogGroups',
    Effect: 'Allow',
    Action: ['logs:DescribeLogStreams', 'logs:GetLogRecord', 'logs:FilterLogEvents'],
    Resource: EKS_CLUSTER_LOG_GROUPS,
  },
  {
    // DescribeLogGroups is a list call (no resource scoping); per-resource scoping of StartQuery,
    // GetQueryResults and StopQuery is unconfirmed, so they are granted on * rather than fail at run time.
    Sid: 'LogsInsightsQueriesResourceScopingUnconfirmed',
    Effect: 'Allow',
    Action: [
      'logs:DescribeLogGroups',
      'logs:StartQuery',
      'logs:GetQueryResults',
      'logs:StopQuery',
      'logs:DescribeQueries',
    ],
    Resource: '*',
  },
  {
    // CloudWatch metric reads do not support resource-level permissions.
    Sid: 'CloudWatchReadEksControlPlaneMetrics',
    Effect: 'Allow',
    Action: ['cloudwatch:ListMetrics', 'cloudwatch:GetMetricData', 'cloudwatch:GetMetricStatistics'],
    Resource: '*',
  },
];

/** What `logging enable` adds. */
export const WRITE_STATEMENTS: readonly IamStatement[] = [
  {
    Sid: 'EksEnableControlPlaneLogging',
    Effect: 'Allow',
    Action: ['eks:UpdateClusterConfig'],
    Resource: EKS_CLUSTERS,
  },
  {
    Sid: 'LogsSetEksLogGroupRetention',
    Effect: 'Allow',
    Action: ['logs:PutRetentionPolicy'],
    Resource: EKS_CLUSTER_LOG_GROUPS,
  },
];

/** The policy document; `write` adds the permissions of `logging enable`. */
export function buildIamPolicy(options: { write?: boolean } = {}): IamPolicyDocument {
  const statements =
    options.write === true ? [...READ_ONLY_STATEMENTS, ...WRITE_STATEMENTS] : [...READ_ONLY_STATEMENTS];
  return { Version: '2012-10-17', Statement: statements.map((s) => ({ ...s, Action: [...s.Action] })) };
}

/** Every action a policy allows. */
export function policyActions(policy: IamPolicyDocument): Set<string> {
  return new Set(policy.Statement.flatMap((s) => s.Action));
}
