/**
 * Runs the fake AWS server by hand, so `logging status`, `logging enable` and `queries run --cluster` can
 * be tried without an AWS account:
 *
 *   npx tsx test/support/fake-aws/serve.ts --cluster demo --log-file examples/sample-incident.jsonl.gz
 *
 * then paste the printed `export` lines into another shell. Audit events from the files go into the
 * cluster's log group /aws/eks/NAME/cluster under one audit stream, shifted (by default) so the newest
 * event is a minute old. Ctrl-C stops it.
 */
import { parseArgs } from 'node:util';
import type { LogRecord } from '../../../src/insights/record.js';
import { resolveLogInputs } from '../../../src/sources/readers/log-inputs.js';
import { readLogInput } from '../../../src/sources/readers/read-log-input.js';
import { dummyAwsEnv } from './dummy-env.js';
import { createFakeAwsServer } from './server.js';

const AUDIT_STREAM = 'kube-apiserver-audit-0f1e2d3c4b5a69788796a5b4c3d2e1f0';

const { values } = parseArgs({
  options: {
    cluster: { type: 'string', default: 'demo' },
    'log-file': { type: 'string', multiple: true, default: [] },
    logging: { type: 'string', default: 'audit' },
    'no-shift': { type: 'boolean', default: false },
    port: { type: 'string', default: '0' },
    region: { type: 'string', default: 'us-east-1' },
  },
});

const records: LogRecord[] = [];
if (values['log-file'].length > 0) {
  for (const input of await resolveLogInputs(values['log-file'])) {
    await readLogInput(input, {
      record: (record) =>
        void records.push({
          timestamp: record.timestamp,
          message: record.message,
          logStream: AUDIT_STREAM,
          log: '',
        }),
      skip: () => undefined,
    });
  }
}
if (!values['no-shift'] && records.length > 0) {
  const newest = records.reduce((max, r) => Math.max(max, r.timestamp), 0);
  const shift = Date.now() - 60_000 - newest;
  for (const r of records) r.timestamp += shift;
}

const cluster = values.cluster;
const enabled = values.logging === 'off' ? [] : values.logging.split(',');
const server = await createFakeAwsServer({
  region: values.region,
  port: Number(values.port),
  clusters: [
    {
      name: cluster,
      logging: [
        ...(enabled.length > 0 ? [{ types: enabled, enabled: true }] : []),
        {
          types: ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'].filter(
            (t) => !enabled.includes(t),
          ),
          enabled: false,
        },
      ],
    },
  ],
  logGroups:
    enabled.length > 0 || records.length > 0 ? [{ name: `/aws/eks/${cluster}/cluster`, records }] : [],
});

process.stdout.write(
  `Fake AWS on ${server.url}: cluster "${cluster}", ${records.length} audit events. Ctrl-C stops it.\n`,
);
for (const [key, value] of Object.entries(dummyAwsEnv(server.url, values.region)))
  process.stdout.write(`export ${key}=${value}\n`);
process.on('SIGINT', () => {
  void server.close().then(() => process.exit(0));
});
