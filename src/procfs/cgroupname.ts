/**
 * What a cgroup's directory name says about what runs in it (pure): the
 * container of docker, podman, containerd or CRI-O, or a kubernetes pod, as
 * their cgroup drivers name them (systemd: `docker-ID.scope`,
 * `kubepods-burstable-podUID.slice`; cgroupfs: `/docker/ID`,
 * `/kubepods/burstable/podUID/ID`); and the runtimes' state files that give
 * the names (docker's config.v2.json, podman's containers.json, the
 * kubelet's /var/log/pods and /var/log/containers entries).
 */

export type Runtime = 'docker' | 'podman' | 'containerd' | 'crio' | 'container';

export type GroupOwner = { kind: 'container'; runtime: Runtime; id: string } | { kind: 'pod'; uid: string };

const ID = '([0-9a-f]{64})';
const SCOPES: [RegExp, Runtime][] = [
  [new RegExp(`^docker-${ID}\\.scope$`), 'docker'],
  [new RegExp(`^libpod-${ID}\\.scope$`), 'podman'],
  [new RegExp(`^libpod-${ID}$`), 'podman'],
  [new RegExp(`^cri-containerd-${ID}\\.scope$`), 'containerd'],
  [new RegExp(`^crio-${ID}\\.scope$`), 'crio'],
];
const BARE_ID = new RegExp(`^${ID}$`);
const POD_SLICE = /^kubepods(?:-[a-z]+)*-pod([0-9a-f]{8}_[0-9a-f]{4}_[0-9a-f]{4}_[0-9a-f]{4}_[0-9a-f]{12})\.slice$/;
const POD_DIR = /^pod([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

/** The container or pod a group's directory `name` (under `parent`, the directory above) stands for. */
export function groupOwner(name: string, parent: string): GroupOwner | undefined {
  for (const [re, runtime] of SCOPES) {
    const m = re.exec(name);
    if (m) return { kind: 'container', runtime, id: m[1]! };
  }
  const pod = POD_SLICE.exec(name);
  // systemd cannot have '-' inside a slice's own name: the kubelet writes the uid's dashes as '_'.
  if (pod) return { kind: 'pod', uid: pod[1]!.replaceAll('_', '-') };
  const podDir = POD_DIR.exec(name);
  if (podDir) return { kind: 'pod', uid: podDir[1]! };
  if (BARE_ID.test(name)) {
    // The cgroupfs driver: /docker/ID; /kubepods/.../podUID/ID (the runtime not told).
    if (parent === 'docker') return { kind: 'container', runtime: 'docker', id: name };
    return { kind: 'container', runtime: 'container', id: name };
  }
  return undefined;
}

/** docker's /var/lib/docker/containers/ID/config.v2.json: its "Name" ("/web-1"), without the slash. */
export function dockerName(text: string): string | undefined {
  try {
    const name = (JSON.parse(text) as { Name?: unknown }).Name;
    return typeof name === 'string' && name.replace(/^\//, '') !== '' ? name.replace(/^\//, '') : undefined;
  } catch {
    return undefined;
  }
}

/** podman's (containers/storage) overlay-containers/containers.json: id -> its first name. */
export function podmanNames(text: string): Map<string, string> {
  const out = new Map<string, string>();
  let list: unknown;
  try {
    list = JSON.parse(text);
  } catch {
    return out;
  }
  if (!Array.isArray(list)) return out;
  for (const c of list as { id?: unknown; names?: unknown }[]) {
    const name = Array.isArray(c?.names) ? c.names[0] : undefined;
    if (typeof c?.id === 'string' && typeof name === 'string' && name !== '') out.set(c.id, name);
  }
  return out;
}

/** A directory of /var/log/pods: NAMESPACE_NAME_UID. */
export function podLogDir(entry: string): { namespace: string; name: string; uid: string } | undefined {
  const m = /^([a-z0-9-]+)_([a-z0-9.-]+)_([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/.exec(entry);
  return m ? { namespace: m[1]!, name: m[2]!, uid: m[3]! } : undefined;
}

/** A file of /var/log/containers: POD_NAMESPACE_CONTAINER-ID.log. */
export function containerLogFile(entry: string): { pod: string; namespace: string; container: string; id: string } | undefined {
  const m = /^([a-z0-9.-]+)_([a-z0-9-]+)_([a-z0-9-]+)-([0-9a-f]{64})\.log$/.exec(entry);
  return m ? { pod: m[1]!, namespace: m[2]!, container: m[3]!, id: m[4]! } : undefined;
}
