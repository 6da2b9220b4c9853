import { DescribeClusterCommand } from '@aws-sdk/client-eks';
import { DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { iamActionOf, toAppError } from '../../src/aws/aws-errors.js';
import { createAwsClients } from '../../src/aws/clients.js';
import { SourceError } from '../../src/errors.js';
import { createFakeAwsServer, dummyAwsEnv, type FakeAwsServer } from '../support/fake-aws/index.js';
import { DUMMY_SECRET_ACCESS_KEY, DUMMY_SESSION_TOKEN } from '../support/fake-aws/dummy-env.js';

let server: FakeAwsServer;
const saved = { ...process.env };
beforeAll(async () => {
  server = await createFakeAwsServer({
    clusters: [{ name: 'prod' }],
    logGroups: [{ name: '/aws/eks/prod/cluster' }],
  });
  // The clients never set `endpoint`: they must find the fake server through AWS_ENDPOINT_URL, as users' tools do.
  Object.assign(process.env, dummyAwsEnv(server.url, 'eu-central-1'));
});
afterAll(async () => {
  process.env = saved;
  await server.close();
});

describe('createAwsClients', () => {
  it('follows AWS_ENDPOINT_URL and the Region from the environment, signing with the default credential chain', async () => {
    const clients = createAwsClients();
    const eks = await clients.eks();
    await eks.send(new DescribeClusterCommand({ name: 'prod' }));
    expect(await clients.region()).toBe('eu-central-1');
    expect(server.state.requests.at(-1)).toMatchObject({
      operation: 'DescribeCluster',
      signed: true,
      hadSessionToken: true,
      region: 'eu-central-1',
    });
    expect(await clients.eks()).toBe(eks); // created once
    clients.destroy();
  });

  it('respects AWS_ENDPOINT_URL_<SERVICE> over AWS_ENDPOINT_URL', async () => {
    process.env['AWS_ENDPOINT_URL'] = 'http://127.0.0.1:9'; // nothing listens there
    process.env['AWS_ENDPOINT_URL_EKS'] = server.url;
    process.env['AWS_ENDPOINT_URL_CLOUDWATCH_LOGS'] = server.url;
    try {
      const clients = createAwsClients({ maxAttempts: 1 });
      await (await clients.eks()).send(new DescribeClusterCommand({ name: 'prod' }));
      await (await clients.logs()).send(new DescribeLogGroupsCommand({}));
      clients.destroy();
    } finally {
      process.env['AWS_ENDPOINT_URL'] = server.url;
      delete process.env['AWS_ENDPOINT_URL_EKS'];
      delete process.env['AWS_ENDPOINT_URL_CLOUDWATCH_LOGS'];
    }
    expect(server.state.requests.slice(-2).map((r) => r.operation)).toEqual([
      'DescribeCluster',
      'DescribeLogGroups',
    ]);
  });

  it('an explicit --region wins over the environment', async () => {
    const clients = createAwsClients({ region: 'ap-southeast-2' });
    await (await clients.logs()).send(new DescribeLogGroupsCommand({}));
    expect(server.state.requests.at(-1)).toMatchObject({
      operation: 'DescribeLogGroups',
      region: 'ap-southeast-2',
    });
    clients.destroy();
  });

  it('writes one --debug line per attempt and a --verbose line per retry, with no credential material', async () => {
    server.faults.set({ rules: [{ operation: 'DescribeCluster', kind: 'throttle', times: 1 }] });
    const debug: string[] = [];
    const verbose: string[] = [];
    const clients = createAwsClients({ debug: (l) => debug.push(l), verbose: (l) => verbose.push(l) });
    await (await clients.eks()).send(new DescribeClusterCommand({ name: 'prod' }));
    expect(debug).toHaveLength(2);
    expect(debug[0]).toMatch(
      /^aws: eks:DescribeCluster attempt 1 -> 429 ThrottlingException in \d+ ms \(GET \/clusters\/prod\)$/,
    );
    expect(debug[1]).toMatch(
      /^aws: eks:DescribeCluster attempt 2 -> 200 in \d+ ms \(GET \/clusters\/prod\)$/,
    );
    expect(verbose).toEqual(['aws: retrying eks:DescribeCluster (attempt 2)']);
    const all = [...debug, ...verbose].join('\n');
    for (const secret of [
      DUMMY_SECRET_ACCESS_KEY,
      DUMMY_SESSION_TOKEN,
      'Credential=',
      'Signature',
      'Authorization',
    ])
      expect(all).not.toContain(secret);
    server.faults.reset();
    clients.destroy();
  });

  it('honours maxAttempts and tags errors with the IAM action of the failed call', async () => {
    server.faults.set({
      rules: [
        { operation: 'DescribeLogGroups', kind: 'access-denied' },
        { operation: 'DescribeCluster', kind: 'throttle' },
      ],
    });
    const clients = createAwsClients({ maxAttempts: 2 });
    const denied = await (
      await clients.logs()
    )
      .send(new DescribeLogGroupsCommand({}))
      .catch((e: unknown) => e);
    expect(iamActionOf(denied)).toBe('logs:DescribeLogGroups');
    const mapped = toAppError(denied) as SourceError;
    expect(mapped.message).toBe('Access denied: this call needs logs:DescribeLogGroups.');
    const before = server.state.requestsFor('DescribeCluster').length;
    const throttled = await (
      await clients.eks()
    )
      .send(new DescribeClusterCommand({ name: 'prod' }))
      .catch((e: unknown) => e);
    expect(server.state.requestsFor('DescribeCluster').length - before).toBe(2);
    expect((toAppError(throttled) as SourceError).message).toBe(
      'AWS kept refusing eks:DescribeCluster (ThrottlingException: Rate exceeded) after 2 attempts.',
    );
    server.faults.reset();
    clients.destroy();
  });
});
