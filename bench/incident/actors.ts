/**
 * Who talks to the API server in the generated cluster, and what they ask for. Shapes follow real
 * kube-apiserver audit events (../shared/real-audit-samples) and EKS specifics (aws-facts.md section F:
 * IAM principals carry `user.extra` with accessKeyId/arn/canonicalArn/principalId/sessionName and an
 * `aws-iam-authenticator:` uid).
 */
import { SeededRandom, cumulativeWeights } from './random.js';

/** Someone who sends requests: the pre-serialised `user` object plus the request headers we log. */
export interface Principal {
  username: string;
  /** JSON of the audit `user` object, serialised once. */
  userJson: string;
  userAgent: string;
  sourceIp: string;
  /** JSON of the annotations object on completed requests. */
  annotationsJson: string;
}

/** One API request before it is given a time and an outcome. */
export interface RequestSpec {
  principal: Principal;
  verb: string;
  resource: string;
  subresource?: string;
  /** '' for the core group (real events then omit objectRef.apiGroup). */
  apiGroup: string;
  apiVersion: string;
  namespace?: string;
  name?: string;
  query?: string;
  /** A leader-election lease renewal: fails first when etcd is strained. */
  leaderElection?: boolean;
  /** Sent by the flooding writer. */
  flood?: boolean;
  /** An administrator deleting the flood's objects after recovery. */
  cleanup?: boolean;
  /** For gets: the object does not exist (404). */
  notFound?: boolean;
}

export const WRITE_VERBS: ReadonlySet<string> = new Set([
  'create',
  'update',
  'patch',
  'delete',
  'deletecollection',
]);

const KUBE_VERSION = 'v1.29.4-eks-036c24b';
const GIT_COMMIT = '036c24b';
const CLUSTER_CIDR_PREFIX = '10.0';

interface UserInfo {
  username: string;
  uid: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

function principal(user: UserInfo, userAgent: string, sourceIp: string, reason: string): Principal {
  return {
    username: user.username,
    userJson: JSON.stringify(user),
    userAgent,
    sourceIp,
    annotationsJson: JSON.stringify({
      'authorization.k8s.io/decision': 'allow',
      'authorization.k8s.io/reason': reason,
    }),
  };
}

function rbacReason(
  kind: 'ClusterRoleBinding' | 'RoleBinding',
  binding: string,
  role: string,
  subject: string,
): string {
  return `RBAC: allowed by ${kind} "${binding}" of ClusterRole "${role}" to ${subject}`;
}

function serviceAccount(
  random: SeededRandom,
  namespace: string,
  name: string,
  pod: string,
  userAgent: string,
  role: string,
): Principal {
  const username = `system:serviceaccount:${namespace}:${name}`;
  return principal(
    {
      username,
      uid: random.uuid(),
      groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`, 'system:authenticated'],
      extra: {
        'authentication.kubernetes.io/credential-id': [`JTI=${random.uuid()}`],
        'authentication.kubernetes.io/node-name': [
          `ip-${CLUSTER_CIDR_PREFIX.replace('.', '-')}-${random.between(1, 254)}-${random.between(1, 254)}.us-west-2.compute.internal`,
        ],
        'authentication.kubernetes.io/pod-name': [pod],
        'authentication.kubernetes.io/pod-uid': [random.uuid()],
      },
    },
    userAgent,
    `${CLUSTER_CIDR_PREFIX}.${random.between(1, 250)}.${random.between(2, 250)}`,
    rbacReason('ClusterRoleBinding', role, role, `ServiceAccount "${name}/${namespace}"`),
  );
}

function iamPrincipal(
  random: SeededRandom,
  account: string,
  arn: string,
  session: string,
  userAgent: string,
  group: string,
): Principal {
  const isRole = arn.includes(':assumed-role/');
  const idPrefix = isRole ? 'AROA' : 'AIDA';
  const principalId = idPrefix + random.hex(17).toUpperCase();
  const canonicalArn = isRole
    ? arn
        .replace(':sts::', ':iam::')
        .replace(':assumed-role/', ':role/')
        .replace(/\/[^/]+$/, '')
    : arn;
  return principal(
    {
      username: arn,
      uid: `aws-iam-authenticator:${account}:${principalId}`,
      groups: [group, 'system:authenticated'],
      extra: {
        accessKeyId: [(isRole ? 'ASIA' : 'AKIA') + random.hex(16).toUpperCase()],
        arn: [arn],
        canonicalArn: [canonicalArn],
        principalId: [principalId],
        sessionName: [session],
      },
    },
    userAgent,
    `${random.between(20, 200)}.${random.between(0, 255)}.${random.between(0, 255)}.${random.between(1, 254)}`,
    rbacReason('ClusterRoleBinding', `${group}-binding`, 'cluster-admin', `Group "${group}"`),
  );
}

/** A request template: a weight in the normal mix and a way to fill in the details. */
interface Template {
  weight: number;
  make: (random: SeededRandom) => RequestSpec;
}

/** The simulated cluster: its principals, objects and the normal traffic mix. */
export interface Cluster {
  account: string;
  nodes: string[];
  tenantNamespaces: string[];
  /** Cumulative weights of tenantNamespaces: a few namespaces get most of the flood, as in real clusters. */
  tenantWeights: number[];
  kyvernoAdmission: Principal;
  ciDeployer: Principal;
  admin: Principal;
  /** A normal (non-flood) request drawn from the everyday mix. */
  normalRequest: (random: SeededRandom) => RequestSpec;
}

const TENANT_WORDS = [
  'payments',
  'checkout',
  'search',
  'catalog',
  'billing',
  'identity',
  'ledger',
  'orders',
  'inventory',
  'shipping',
  'pricing',
  'reviews',
  'ads',
  'media',
  'notify',
  'fraud',
];
const ENVS = ['prod', 'stage', 'dev'];
const APP_WORDS = ['api', 'worker', 'web', 'cron', 'gateway', 'consumer'];

/** Builds the cluster for one seed: the same seed always gives the same names and identities. */
export function createCluster(random: SeededRandom): Cluster {
  const account = String(random.between(100000000000, 999999999999));
  const nodes = Array.from(
    { length: 12 },
    () => `ip-10-0-${random.between(1, 190)}-${random.between(2, 250)}.us-west-2.compute.internal`,
  );
  const tenantNamespaces = TENANT_WORDS.flatMap((word) => ENVS.map((env) => `${word}-${env}`));
  const tenantWeights = cumulativeWeights(tenantNamespaces.map((_, i) => 1 / (i + 1) ** 0.9));
  const pods = tenantNamespaces
    .slice(0, 24)
    .flatMap((ns) =>
      APP_WORDS.slice(0, 3).map((app) => ({ ns, name: `${app}-${random.hex(10)}-${random.hex(5)}` })),
    );
  const deployments = tenantNamespaces
    .slice(0, 24)
    .flatMap((ns) => APP_WORDS.slice(0, 3).map((app) => ({ ns, name: app })));

  const kubelets = nodes.map((node) =>
    principal(
      {
        username: `system:node:${node}`,
        uid: `aws-iam-authenticator:${account}:AROA${random.hex(17).toUpperCase()}`,
        groups: ['system:bootstrappers', 'system:nodes', 'system:authenticated'],
      },
      `kubelet/${KUBE_VERSION} (linux/amd64) kubernetes/${GIT_COMMIT}`,
      `10.0.${random.between(1, 190)}.${random.between(2, 250)}`,
      '',
    ),
  );
  const controllerManager = principal(
    { username: 'system:kube-controller-manager', uid: random.uuid(), groups: ['system:authenticated'] },
    `kube-controller-manager/${KUBE_VERSION} (linux/amd64) kubernetes/${GIT_COMMIT}/leader-election`,
    `10.0.${random.between(1, 190)}.${random.between(2, 250)}`,
    rbacReason(
      'ClusterRoleBinding',
      'system:kube-controller-manager',
      'system:kube-controller-manager',
      'User "system:kube-controller-manager"',
    ),
  );
  const controllerManagerWork = {
    ...controllerManager,
    userAgent: `kube-controller-manager/${KUBE_VERSION} (linux/amd64) kubernetes/${GIT_COMMIT}/system:serviceaccount:kube-system:replicaset-controller`,
  };
  const scheduler = principal(
    { username: 'system:kube-scheduler', uid: random.uuid(), groups: ['system:authenticated'] },
    `kube-scheduler/${KUBE_VERSION} (linux/amd64) kubernetes/${GIT_COMMIT}/leader-election`,
    `10.0.${random.between(1, 190)}.${random.between(2, 250)}`,
    rbacReason(
      'ClusterRoleBinding',
      'system:kube-scheduler',
      'system:kube-scheduler',
      'User "system:kube-scheduler"',
    ),
  );
  const schedulerWork = {
    ...scheduler,
    userAgent: `kube-scheduler/${KUBE_VERSION} (linux/amd64) kubernetes/${GIT_COMMIT}/scheduler`,
  };
  const apiserver = principal(
    { username: 'system:apiserver', uid: random.uuid(), groups: ['system:authenticated', 'system:masters'] },
    `kube-apiserver/${KUBE_VERSION} (linux/amd64) kubernetes/${GIT_COMMIT}`,
    '::1',
    '',
  );
  const coredns = serviceAccount(
    random,
    'kube-system',
    'coredns',
    `coredns-5b8cc885bc-${random.hex(5)}`,
    'coredns/v1.11.1-eksbuild.9 (linux/amd64) kubernetes/v1.29',
    'system:coredns',
  );
  const awsNode = serviceAccount(
    random,
    'kube-system',
    'aws-node',
    `aws-node-${random.hex(5)}`,
    'aws-node/v1.18.2-eksbuild.1 (linux/amd64) kubernetes/v0.29.2',
    'aws-node',
  );
  const albController = serviceAccount(
    random,
    'kube-system',
    'aws-load-balancer-controller',
    `aws-load-balancer-controller-7d9b6c8f4-${random.hex(5)}`,
    'controller/v0.0.0 (linux/amd64) kubernetes/$Format',
    'aws-load-balancer-controller-rolebinding',
  );
  const karpenter = serviceAccount(
    random,
    'karpenter',
    'karpenter',
    `karpenter-6f5d8b7c9-${random.hex(5)}`,
    'karpenter/v0.36.1',
    'karpenter-core',
  );
  const certManager = serviceAccount(
    random,
    'cert-manager',
    'cert-manager',
    `cert-manager-5c8f7c6b9-${random.hex(5)}`,
    'cert-manager-certificates-issuing/v1.14.4 (linux/amd64) cert-manager/f8d6b8a2',
    'cert-manager-controller-certificates',
  );
  const kyvernoVersion = 'v1.12.3';
  const kyvernoCommit = 'b7a5e6c1f3';
  const kyvernoReports = serviceAccount(
    random,
    'kyverno',
    'kyverno-reports-controller',
    `kyverno-reports-controller-5d4f9b8c7-${random.hex(5)}`,
    `kyverno/${kyvernoVersion} (linux/amd64) kyverno/${kyvernoCommit}`,
    'kyverno:reports-controller',
  );
  const kyvernoAdmission = serviceAccount(
    random,
    'kyverno',
    'kyverno-admission-controller',
    `kyverno-admission-controller-6b9d8f7c5-${random.hex(5)}`,
    `kyverno/${kyvernoVersion} (linux/amd64) kyverno/${kyvernoCommit}`,
    'kyverno:admission-controller',
  );
  const argocd = serviceAccount(
    random,
    'argocd',
    'argocd-application-controller',
    'argocd-application-controller-0',
    'argocd-application-controller/v2.10.7 (linux/amd64) kubernetes/0ad4d5f',
    'argocd-application-controller',
  );
  const prometheus = serviceAccount(
    random,
    'monitoring',
    'prometheus-k8s',
    'prometheus-k8s-0',
    'Prometheus/2.51.1',
    'prometheus-k8s',
  );
  const kubectl = `kubectl/v1.29.3 (linux/amd64) kubernetes/6813625`;
  const alice = iamPrincipal(
    random,
    account,
    `arn:aws:sts::${account}:assumed-role/PlatformAdmin/alice@example.com`,
    'alice@example.com',
    kubectl,
    'platform-admins',
  );
  const bob = iamPrincipal(
    random,
    account,
    `arn:aws:sts::${account}:assumed-role/Developer/bob@example.com`,
    'bob@example.com',
    `kubectl/v1.28.8 (darwin/arm64) kubernetes/fc11ff3`,
    'developers',
  );
  const ciDeployer = iamPrincipal(
    random,
    account,
    `arn:aws:iam::${account}:user/ci-deployer`,
    'ci-deployer',
    kubectl,
    'ci-deployers',
  );

  const pod = (r: SeededRandom) => r.pick(pods);
  const deployment = (r: SeededRandom) => r.pick(deployments);
  const lease = (p: Principal, namespace: string, name: string): RequestSpec => ({
    principal: p,
    verb: 'update',
    resource: 'leases',
    apiGroup: 'coordination.k8s.io',
    apiVersion: 'v1',
    namespace,
    name,
    query: '?timeout=5s',
    leaderElection: true,
  });
  const event = (p: Principal, r: SeededRandom): RequestSpec => {
    const target = pod(r);
    return {
      principal: p,
      verb: 'create',
      resource: 'events',
      apiGroup: '',
      apiVersion: 'v1',
      namespace: target.ns,
      name: `${target.name}.${r.hex(16)}`,
    };
  };

  const templates: Template[] = [
    // Node heartbeats: one lease renewal per node every 10 s dominates every real audit log.
    {
      weight: 30,
      make: (r) => ({
        principal: r.pick(kubelets),
        verb: 'update',
        resource: 'leases',
        apiGroup: 'coordination.k8s.io',
        apiVersion: 'v1',
        namespace: 'kube-node-lease',
        name: '',
        query: '?timeout=10s',
      }),
    },
    {
      weight: 4,
      make: (r) => ({
        principal: r.pick(kubelets),
        verb: 'patch',
        resource: 'nodes',
        subresource: 'status',
        apiGroup: '',
        apiVersion: 'v1',
        name: r.pick(nodes),
        query: '?timeout=10s',
      }),
    },
    {
      weight: 8,
      make: (r) => {
        const p = pod(r);
        return {
          principal: r.pick(kubelets),
          verb: 'get',
          resource: 'pods',
          apiGroup: '',
          apiVersion: 'v1',
          namespace: p.ns,
          name: p.name,
        };
      },
    },
    {
      weight: 3,
      make: (r) => {
        const p = pod(r);
        return {
          principal: r.pick(kubelets),
          verb: 'get',
          resource: r.pick(['configmaps', 'secrets']),
          apiGroup: '',
          apiVersion: 'v1',
          namespace: p.ns,
          name: `${p.name.split('-')[0] ?? 'app'}-config`,
        };
      },
    },
    {
      weight: 3,
      make: (r) => {
        const p = pod(r);
        return {
          principal: r.pick(kubelets),
          verb: 'patch',
          resource: 'pods',
          subresource: 'status',
          apiGroup: '',
          apiVersion: 'v1',
          namespace: p.ns,
          name: p.name,
        };
      },
    },
    // Leader election in the control plane and in operators (renewed every 2 s, 5 s timeout).
    { weight: 5, make: () => lease(controllerManager, 'kube-system', 'kube-controller-manager') },
    { weight: 5, make: () => lease(scheduler, 'kube-system', 'kube-scheduler') },
    { weight: 1.5, make: () => lease(albController, 'kube-system', 'aws-load-balancer-controller-leader') },
    { weight: 1.5, make: () => lease(karpenter, 'karpenter', 'karpenter-leader-election') },
    { weight: 1, make: () => lease(certManager, 'kube-system', 'cert-manager-controller') },
    {
      weight: 1.5,
      make: (r) =>
        lease(
          r.chance(0.5) ? kyvernoAdmission : kyvernoReports,
          'kyverno',
          r.chance(0.5) ? 'kyverno' : 'kyverno-reports-controller',
        ),
    },
    {
      weight: 3,
      make: (r) => {
        const d = deployment(r);
        return {
          principal: controllerManagerWork,
          verb: r.pick(['get', 'update']),
          resource: 'replicasets',
          subresource: r.chance(0.5) ? 'status' : undefined,
          apiGroup: 'apps',
          apiVersion: 'v1',
          namespace: d.ns,
          name: `${d.name}-${r.hex(10)}`,
        };
      },
    },
    {
      weight: 3,
      make: (r) => {
        const d = deployment(r);
        return {
          principal: controllerManagerWork,
          verb: 'update',
          resource: 'endpointslices',
          apiGroup: 'discovery.k8s.io',
          apiVersion: 'v1',
          namespace: d.ns,
          name: `${d.name}-${r.hex(5)}`,
        };
      },
    },
    {
      weight: 1.5,
      make: (r) => {
        const p = pod(r);
        return {
          principal: schedulerWork,
          verb: 'create',
          resource: 'pods',
          subresource: 'binding',
          apiGroup: '',
          apiVersion: 'v1',
          namespace: p.ns,
          name: p.name,
        };
      },
    },
    {
      weight: 3,
      make: (r) => event(r.pick([kubelets[0]!, controllerManagerWork, schedulerWork, r.pick(kubelets)]), r),
    },
    {
      weight: 2.5,
      make: (r) => ({
        principal: coredns,
        verb: 'list',
        ...r.pick([
          { resource: 'endpointslices', apiGroup: 'discovery.k8s.io' },
          { resource: 'services', apiGroup: '' },
          { resource: 'namespaces', apiGroup: '' },
        ]),
        apiVersion: 'v1',
        query: '?limit=500&resourceVersion=0',
      }),
    },
    {
      weight: 2,
      make: (r) => ({
        principal: awsNode,
        verb: 'get',
        resource: 'nodes',
        apiGroup: '',
        apiVersion: 'v1',
        name: r.pick(nodes),
      }),
    },
    {
      weight: 2,
      make: (r) => {
        const d = deployment(r);
        return {
          principal: albController,
          verb: 'get',
          resource: 'targetgroupbindings',
          apiGroup: 'elbv2.k8s.aws',
          apiVersion: 'v1beta1',
          namespace: d.ns,
          name: `${d.name}-tgb`,
        };
      },
    },
    {
      weight: 2,
      make: (r) => ({
        principal: karpenter,
        verb: r.pick(['list', 'get', 'patch']),
        resource: 'nodeclaims',
        apiGroup: 'karpenter.sh',
        apiVersion: 'v1beta1',
        name: `default-${r.hex(5)}`,
      }),
    },
    {
      weight: 1.5,
      make: (r) => {
        const d = deployment(r);
        return {
          principal: certManager,
          verb: r.pick(['get', 'get', 'update']),
          resource: 'certificates',
          apiGroup: 'cert-manager.io',
          apiVersion: 'v1',
          namespace: d.ns,
          name: `${d.name}-tls`,
        };
      },
    },
    // Kyverno's reports controller normally creates and cleans up ephemeral reports at the same pace.
    {
      weight: 2,
      make: (r) => {
        const d = deployment(r);
        return {
          principal: kyvernoReports,
          verb: r.pick(['create', 'delete', 'get']),
          resource: 'ephemeralreports',
          apiGroup: 'reports.kyverno.io',
          apiVersion: 'v1',
          namespace: d.ns,
          name: r.uuid(),
        };
      },
    },
    {
      weight: 2.5,
      make: (r) => {
        const d = deployment(r);
        return {
          principal: argocd,
          verb: r.pick(['get', 'list', 'patch']),
          resource: 'deployments',
          apiGroup: 'apps',
          apiVersion: 'v1',
          namespace: d.ns,
          name: d.name,
        };
      },
    },
    {
      weight: 2.5,
      make: (r) => ({
        principal: prometheus,
        verb: r.pick(['list', 'get']),
        resource: r.pick(['pods', 'nodes', 'endpoints']),
        apiGroup: '',
        apiVersion: 'v1',
        query: '?limit=500&resourceVersion=0',
      }),
    },
    {
      weight: 1.5,
      make: (r) => ({
        principal: apiserver,
        verb: r.pick(['get', 'list']),
        ...r.pick([
          { resource: 'namespaces', apiGroup: '', name: 'kube-system' },
          { resource: 'apiservices', apiGroup: 'apiregistration.k8s.io', name: 'v1beta1.metrics.k8s.io' },
          { resource: 'priorityclasses', apiGroup: 'scheduling.k8s.io', name: 'system-node-critical' },
        ]),
        apiVersion: 'v1',
      }),
    },
    // People with kubectl: mostly reads, a few writes, the odd typo that 404s.
    {
      weight: 3,
      make: (r) => {
        const d = deployment(r);
        const [resource, apiGroup, name] = r.pick([
          ['pods', '', pod(r).name],
          ['deployments', 'apps', d.name],
          ['events', '', undefined],
          ['configmaps', '', `${d.name}-config`],
        ] as const);
        const verb = name === undefined || r.chance(0.4) ? 'list' : 'get';
        return {
          principal: r.pick([alice, bob]),
          verb,
          resource,
          apiGroup,
          apiVersion: 'v1',
          namespace: d.ns,
          name: verb === 'get' ? name : undefined,
          notFound: verb === 'get' && r.chance(0.04),
        };
      },
    },
    {
      weight: 0.6,
      make: (r) => {
        const d = deployment(r);
        return {
          principal: r.pick([alice, bob]),
          verb: r.pick(['create', 'delete', 'patch']),
          resource: 'configmaps',
          apiGroup: '',
          apiVersion: 'v1',
          namespace: d.ns,
          name: `${d.name}-override`,
        };
      },
    },
    {
      weight: 0.5,
      make: (r) => {
        const d = deployment(r);
        return {
          principal: ciDeployer,
          verb: 'patch',
          resource: 'deployments',
          apiGroup: 'apps',
          apiVersion: 'v1',
          namespace: d.ns,
          name: d.name,
        };
      },
    },
  ];
  const cumulative = cumulativeWeights(templates.map((t) => t.weight));

  return {
    account,
    nodes,
    tenantNamespaces,
    tenantWeights,
    kyvernoAdmission,
    ciDeployer,
    admin: alice,
    normalRequest: (r) => {
      const spec = templates[r.weighted(cumulative)]!.make(r);
      // The node lease is named after the node that renews it.
      if (spec.resource === 'leases' && spec.namespace === 'kube-node-lease')
        spec.name = spec.principal.username.slice('system:node:'.length);
      return spec;
    },
  };
}
