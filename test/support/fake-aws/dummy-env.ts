/**
 * The environment for running the CLI (or an SDK client in a child process) against the fake server
 * with dummy credentials. The secret values are distinctive so a test can grep output for them.
 */
export const DUMMY_ACCESS_KEY_ID = 'AKIDFAKEFAKEFAKE';
export const DUMMY_SECRET_ACCESS_KEY = 'fake-secret-DO-NOT-PRINT-8c1f0e';
export const DUMMY_SESSION_TOKEN = 'fake-session-token-DO-NOT-PRINT-77aa2b';

/** Env vars that point every SDK client at `url` with dummy credentials and no IMDS lookups. */
export function dummyAwsEnv(url: string, region = 'us-east-1'): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: url,
    AWS_ACCESS_KEY_ID: DUMMY_ACCESS_KEY_ID,
    AWS_SECRET_ACCESS_KEY: DUMMY_SECRET_ACCESS_KEY,
    AWS_SESSION_TOKEN: DUMMY_SESSION_TOKEN,
    AWS_REGION: region,
    AWS_EC2_METADATA_DISABLED: 'true',
    // Keep a developer's own config files out of the run.
    AWS_CONFIG_FILE: '/nonexistent/aws-config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials',
    NO_COLOR: '1',
  };
}
