import { buildIamPolicy, type IamPolicyDocument } from '../../aws/iam-policy.js';
import type { CommandIo } from '../io.js';

export interface IamPolicyOptions {
  write?: boolean;
}

/** `iam-policy [--write]`: prints the least-privilege policy JSON on stdout. */
export async function iamPolicyCommand(opts: IamPolicyOptions, io: CommandIo): Promise<IamPolicyDocument> {
  const policy = buildIamPolicy({ write: opts.write === true });
  io.stdout(`${JSON.stringify(policy, null, 2)}\n`);
  if (opts.write !== true)
    io.log('Read-only policy; add --write for the permissions `logging enable` needs.');
  return Promise.resolve(policy);
}
