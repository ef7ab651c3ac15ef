// deploy/kubernetes: every manifest validated against the Kubernetes object schemas (kubernetes-models: the API's
// OpenAPI schemas, generated per kind), and the manifests checked against each other and against the server's
// configuration: selectors that select, probes on /health, the Secret's two keys, variables the server reads.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Deployment } from "kubernetes-models/apps/v1";
import { HorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1";
import { ConfigMap, Service } from "kubernetes-models/v1";
import { expect, it } from "vitest";
import { parseAllDocuments } from "yaml";

const root = new URL("../../", import.meta.url).pathname;
const dir = join(root, "deploy", "kubernetes");
const KINDS = {
  "v1/ConfigMap": ConfigMap,
  "v1/Service": Service,
  "apps/v1/Deployment": Deployment,
  "autoscaling/v2/HorizontalPodAutoscaler": HorizontalPodAutoscaler,
  "policy/v1/PodDisruptionBudget": PodDisruptionBudget,
} as const;

interface Manifest {
  file: string;
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  // biome-ignore lint/suspicious/noExplicitAny: a manifest of any kind, checked by its schema
  spec?: any;
  data?: Record<string, string>;
}

function load(): Manifest[] {
  const files = readdirSync(dir).filter((f) => f.endsWith(".yaml") && f !== "kustomization.yaml");
  return files.flatMap((file) =>
    parseAllDocuments(readFileSync(join(dir, file), "utf8")).map((doc) => {
      if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors.map((e) => e.message).join("; ")}`);
      return { file, ...(doc.toJS() as Omit<Manifest, "file">) };
    }),
  );
}

function validate(manifest: Manifest): void {
  const { file: _file, ...object } = manifest;
  const Model = KINDS[`${manifest.apiVersion}/${manifest.kind}` as keyof typeof KINDS];
  if (!Model) throw new Error(`${manifest.file}: no schema for ${manifest.apiVersion} ${manifest.kind}`);
  // biome-ignore lint/suspicious/noExplicitAny: each model takes its own kind's shape
  new Model(object as any).validate();
}

const manifests = load();
const byName = (kind: string, name: string) => {
  const found = manifests.find((m) => m.kind === kind && m.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name}`);
  return found;
};
const matches = (selector: Record<string, string>, labels: Record<string, string>) =>
  Object.entries(selector).every(([k, v]) => labels[k] === v);

it("every manifest is valid against its Kubernetes object schema, and the kustomization lists every file", () => {
  expect(manifests.map((m) => `${m.kind}/${m.metadata.name}`).sort()).toEqual([
    "ConfigMap/wallet-pass-server",
    "Deployment/wallet-api",
    "Deployment/wallet-worker",
    "HorizontalPodAutoscaler/wallet-api",
    "PodDisruptionBudget/wallet-api",
    "PodDisruptionBudget/wallet-worker",
    "Service/wallet-api",
  ]);
  for (const manifest of manifests) expect(() => validate(manifest), manifest.file).not.toThrow();
  const kustomization = parseAllDocuments(readFileSync(join(dir, "kustomization.yaml"), "utf8"))[0]!.toJS() as {
    resources: string[];
    images: { name: string }[];
  };
  expect([...kustomization.resources].sort()).toEqual([...new Set(manifests.map((m) => m.file))].sort());
  for (const deployment of manifests.filter((m) => m.kind === "Deployment")) {
    for (const container of deployment.spec.template.spec.containers) {
      expect(kustomization.images.map((i) => i.name)).toContain(container.image);
    }
  }
});

/**
 * The schemas allow unknown fields (a misspelt `readinesProbe` passes them), so the manifests are also type-checked
 * as object literals against the models' interfaces: TypeScript refuses a property the interface lacks.
 */
function typeCheck(objects: Manifest[]): string {
  // Inside the project, so that the file's imports resolve to its node_modules.
  mkdirSync(join(root, "node_modules", ".cache"), { recursive: true });
  const work = mkdtempSync(join(root, "node_modules", ".cache", "k8s-types-"));
  const kinds: Record<string, [string, string]> = {
    "v1/ConfigMap": ["IConfigMap", "kubernetes-models/v1/ConfigMap"],
    "v1/Service": ["IService", "kubernetes-models/v1/Service"],
    "apps/v1/Deployment": ["IDeployment", "kubernetes-models/apps/v1/Deployment"],
    "autoscaling/v2/HorizontalPodAutoscaler": [
      "IHorizontalPodAutoscaler",
      "kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler",
    ],
    "policy/v1/PodDisruptionBudget": ["IPodDisruptionBudget", "kubernetes-models/policy/v1/PodDisruptionBudget"],
  };
  const lines = objects.map(({ file: _file, ...object }, i) => {
    const [type, module] = kinds[`${object.apiVersion}/${object.kind}`]!;
    return `import type { ${type} as T${i} } from "${module}";\nexport const m${i}: T${i} = ${JSON.stringify(object)};`;
  });
  writeFileSync(join(work, "manifests.ts"), lines.join("\n"));
  const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
  const result = spawnSync(
    process.execPath,
    [
      tsc,
      "--noEmit",
      "--strict",
      "--module",
      "nodenext",
      "--moduleResolution",
      "nodenext",
      "--skipLibCheck",
      join(work, "manifests.ts"),
    ],
    { cwd: root, encoding: "utf8" },
  );
  rmSync(work, { recursive: true, force: true });
  return result.status === 0 ? "" : `${result.stdout}${result.stderr}`;
}

it("every manifest has only fields its kind defines (type-checked against the models' interfaces)", () => {
  expect(typeCheck(manifests)).toBe("");
  const api = structuredClone(byName("Deployment", "wallet-api"));
  const container = api.spec.template.spec.containers[0];
  container.readinesProbe = container.readinessProbe;
  expect(typeCheck([api])).toMatch(/readinesProbe/);
}, 60_000);

it("the schema check fails on a broken manifest (the validation is real)", () => {
  const api = structuredClone(byName("Deployment", "wallet-api"));
  api.spec.template.spec.containers[0].ports[0].containerPort = "http";
  expect(() => validate(api)).toThrow(/containerPort/);
  const hpa = structuredClone(byName("HorizontalPodAutoscaler", "wallet-api"));
  hpa.spec.minReplicas = "two";
  expect(() => validate(hpa)).toThrow(/minReplicas/);
});

it("API pods run no worker and are probed on /health; workers run worker.js, probed on their metrics port", () => {
  const api = byName("Deployment", "wallet-api").spec.template.spec;
  const [apiContainer] = api.containers;
  expect(apiContainer.env).toContainEqual({ name: "RUN_WORKER", value: "false" });
  for (const probe of ["startupProbe", "readinessProbe", "livenessProbe"]) {
    expect(apiContainer[probe].httpGet).toEqual({ path: "/health", port: "http" });
  }
  const worker = byName("Deployment", "wallet-worker").spec.template.spec;
  const [workerContainer] = worker.containers;
  expect(workerContainer.command.join(" ")).toContain("dist/src/worker.js");
  expect(workerContainer.env).toContainEqual({ name: "WORKER_METRICS_PORT", value: "9465" });
  for (const probe of ["startupProbe", "readinessProbe", "livenessProbe"]) {
    expect(workerContainer[probe].httpGet).toEqual({ path: "/health", port: "metrics" });
  }
  for (const [pod, container] of [
    [api, apiContainer],
    [worker, workerContainer],
  ]) {
    // As the image: uid 1000, read-only root, a memory tmpfs on /tmp.
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
    expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
    expect(container.volumeMounts).toContainEqual({ name: "tmp", mountPath: "/tmp" });
    expect(container.resources.requests.cpu).toBeDefined();
    // Both secrets come from the Secret, by reference.
    for (const name of ["DATABASE_URL", "WALLET_ENCRYPTION_KEY"]) {
      expect(container.env).toContainEqual({
        name,
        valueFrom: { secretKeyRef: { name: "wallet-pass-server", key: name } },
      });
    }
  }
});

it("selectors select: the Service, the budgets and the autoscaler reach the pods they are for", () => {
  const apiLabels = byName("Deployment", "wallet-api").spec.template.metadata.labels;
  const workerLabels = byName("Deployment", "wallet-worker").spec.template.metadata.labels;
  const service = byName("Service", "wallet-api").spec;
  expect(matches(service.selector, apiLabels)).toBe(true);
  expect(matches(service.selector, workerLabels)).toBe(false);
  const apiPorts = byName("Deployment", "wallet-api").spec.template.spec.containers[0].ports;
  expect(apiPorts.map((p: { name: string }) => p.name)).toContain(service.ports[0].targetPort);
  expect(matches(byName("PodDisruptionBudget", "wallet-api").spec.selector.matchLabels, apiLabels)).toBe(true);
  expect(matches(byName("PodDisruptionBudget", "wallet-worker").spec.selector.matchLabels, workerLabels)).toBe(true);
  for (const name of ["wallet-api", "wallet-worker"]) {
    const deployment = byName("Deployment", name).spec;
    expect(matches(deployment.selector.matchLabels, deployment.template.metadata.labels)).toBe(true);
    // The scrape annotation names a port the container listens on.
    const annotations = deployment.template.metadata.annotations;
    expect(annotations["prometheus.io/scrape"]).toBe("true");
    const ports = deployment.template.spec.containers[0].ports.map((p: { containerPort: number }) => p.containerPort);
    expect(ports).toContain(Number(annotations["prometheus.io/port"]));
  }
  const hpa = byName("HorizontalPodAutoscaler", "wallet-api").spec;
  expect(hpa.scaleTargetRef).toEqual({ apiVersion: "apps/v1", kind: "Deployment", name: "wallet-api" });
  expect(hpa.metrics[0].resource.name).toBe("cpu");
});

it("every variable the manifests set is one the server reads (docs/configuration.md)", () => {
  const documented = readFileSync(new URL("../../docs/configuration.md", import.meta.url), "utf8");
  const names = new Set<string>(Object.keys(byName("ConfigMap", "wallet-pass-server").data ?? {}));
  for (const deployment of manifests.filter((m) => m.kind === "Deployment")) {
    for (const { name } of deployment.spec.template.spec.containers[0].env) names.add(name);
  }
  for (const name of names) expect(documented, name).toContain(`\`${name}\``);
});
