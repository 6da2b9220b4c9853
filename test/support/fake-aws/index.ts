/** The fake AWS server's public surface for tests and benchmarks. */
export { createFakeAwsServer, type FakeAwsServer, type FakeAwsServerOptions } from './server.js';
export type { FaultRule, FaultKind, FaultSettings, QueryBehaviour, QueryOverride, Faults } from './faults.js';
export type { FakeLogGroupSpec, FakeLogStreamSpec, LogGroupClass } from './log-groups.js';
export type { FakeMetricSpec } from './metrics-service.js';
export type { FakeClusterSpec, FakeUpdateSpec, LogSetup } from './eks-service.js';
export type { FakeAwsState, FakeQuery, SeenRequest } from './state.js';
export { EngineCompileError, type FakeQueryEngine, type CompiledFakeQuery } from './query-engine.js';
export { dummyAwsEnv } from './dummy-env.js';
