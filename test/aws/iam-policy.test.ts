import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildIamPolicy, policyActions } from '../../src/aws/iam-policy.js';
import { projectRoot } from '../support/build.js';

const SERVICE_PREFIX: Record<string, string> = {
  '@aws-sdk/client-eks': 'eks',
  '@aws-sdk/client-cloudwatch-logs': 'logs',
  '@aws-sdk/client-cloudwatch': 'cloudwatch',
};

/** Only `logging enable` may call these. */
const WRITE_ACTIONS = new Set(['eks:UpdateClusterConfig', 'logs:PutRetentionPolicy']);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(full);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [full] : [];
  });
}

/** Every `new XCommand(` in src/, resolved to `service:X` through the file's static or dynamic SDK imports. */
function sdkCallsInSource(): { action: string; file: string }[] {
  const calls: { action: string; file: string }[] = [];
  for (const file of sourceFiles(path.join(projectRoot, 'src'))) {
    const text = readFileSync(file, 'utf8');
    const providers = new Map<string, string>();
    const importPattern =
      /import\s*(?:type\s*)?\{([^}]*)\}\s*from\s*['"](@aws-sdk\/[a-z-]+)['"]|\{([^}]*)\}\s*=\s*await\s+import\(\s*['"](@aws-sdk\/[a-z-]+)['"]\s*\)/g;
    for (const m of text.matchAll(importPattern)) {
      const names = m[1] ?? m[3] ?? '';
      const pkg = m[2] ?? m[4] ?? '';
      for (const raw of names.split(',')) {
        const name = raw
          .replace(/\btype\b/, '')
          .split(/\s+as\s+|:/)[0]
          ?.trim();
        if (name !== undefined && name !== '') providers.set(name, pkg);
      }
    }
    // Namespace imports: `import * as eks from '@aws-sdk/client-eks'` or `const eks = await import(...)`.
    const namespaces = new Map<string, string>();
    for (const m of text.matchAll(
      /import\s*\*\s*as\s+(\w+)\s+from\s*['"](@aws-sdk\/[a-z-]+)['"]|(?:const|let)\s+(\w+)\s*=\s*await\s+import\(\s*['"](@aws-sdk\/[a-z-]+)['"]\s*\)/g,
    )) {
      namespaces.set(m[1] ?? m[3] ?? '', m[2] ?? m[4] ?? '');
    }
    for (const m of text.matchAll(/new\s+(?:(\w+)\.)?([A-Z][A-Za-z0-9]*)Command\s*\(/g)) {
      const commandName = `${m[2] ?? ''}Command`;
      const pkg = m[1] !== undefined ? namespaces.get(m[1]) : providers.get(commandName);
      if (pkg === undefined) continue; // not an SDK command (no @aws-sdk import provides it)
      const prefix = SERVICE_PREFIX[pkg];
      calls.push({
        action: `${prefix ?? `unknown(${pkg})`}:${m[2] ?? ''}`,
        file: path.relative(projectRoot, file),
      });
    }
  }
  return calls;
}

describe('iam-policy', () => {
  it('finds the SDK calls this project makes (the scan itself works)', () => {
    const actions = new Set(sdkCallsInSource().map((c) => c.action));
    expect(actions).toContain('eks:DescribeCluster');
    expect(actions).toContain('logs:DescribeLogStreams');
    expect(actions).toContain('eks:UpdateClusterConfig');
  });

  it('allows every AWS call the code makes: read-only ones in the read-only policy, writes only with --write', () => {
    const readOnly = policyActions(buildIamPolicy());
    const write = policyActions(buildIamPolicy({ write: true }));
    for (const call of sdkCallsInSource()) {
      if (WRITE_ACTIONS.has(call.action)) {
        expect(readOnly, `${call.action} (${call.file}) must not be in the read-only policy`).not.toContain(
          call.action,
        );
        expect(write, `${call.action} (${call.file})`).toContain(call.action);
      } else {
        expect(readOnly, `${call.action} (${call.file}) is missing from the read-only policy`).toContain(
          call.action,
        );
      }
    }
  });

  it('adds exactly the write permissions with --write', () => {
    const readOnly = policyActions(buildIamPolicy());
    const write = policyActions(buildIamPolicy({ write: true }));
    expect([...write].filter((a) => !readOnly.has(a)).sort()).toEqual([...WRITE_ACTIONS].sort());
  });

  it('scopes the EKS and log-stream actions to clusters and EKS log groups, never logs:* or eks:*', () => {
    const policy = buildIamPolicy({ write: true });
    for (const statement of policy.Statement) {
      expect(statement.Action.every((a) => !a.endsWith(':*'))).toBe(true);
      if (statement.Action.some((a) => a.startsWith('eks:')))
        expect(statement.Resource).toBe('arn:aws:eks:*:*:cluster/*');
    }
    const streams = policy.Statement.find((s) => s.Action.includes('logs:DescribeLogStreams'));
    expect(streams?.Resource).toBe('arn:aws:logs:*:*:log-group:/aws/eks/*/cluster:*');
    expect(policy.Version).toBe('2012-10-17');
  });

  it('is read-only by default: the write calls are made only by `logging enable`', () => {
    // The wrappers that send UpdateClusterConfig / PutRetentionPolicy live in src/aws; only the
    // logging-enable command may call them.
    const writers = sdkCallsInSource()
      .filter((c) => WRITE_ACTIONS.has(c.action))
      .map((c) => c.file);
    expect(new Set(writers)).toEqual(new Set(['src/aws/eks.ts', 'src/aws/log-groups.ts']));
    const callers = sourceFiles(path.join(projectRoot, 'src'))
      .filter((file) => /\b(startLoggingUpdate|putRetention)\(/.test(readFileSync(file, 'utf8')))
      .map((file) => path.relative(projectRoot, file))
      .filter((file) => !file.startsWith('src/aws/'));
    expect(callers).toEqual(['src/cli/commands/logging-enable.ts']);
  });
});
