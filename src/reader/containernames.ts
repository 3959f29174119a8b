/**
 * Names for the cgroups of containers and pods, from the runtimes' state
 * files under a root (`/` on the machine, a fake tree in tests): docker's
 * /var/lib/docker/containers/ID/config.v2.json, podman's (rootful)
 * /var/lib/containers/storage/overlay-containers/containers.json, and the
 * kubelet's /var/log/pods/NAMESPACE_NAME_UID and
 * /var/log/containers/POD_NAMESPACE_CONTAINER-ID.log entries (containerd and
 * CRI-O alike). Where none tells, the label holds the id (12 characters).
 *
 * Asked only when the cgroup reader lists the tree (a group made or removed,
 * or every CGROUP_RELIST_EVERY samples), never per sample for a group it
 * knows: each id is looked up once and kept (a miss is tried again after
 * RETRY_MS, as a container's state is written just after its cgroup), at
 * most MAX_IDS ids, the cache starting afresh beyond.
 */
import { readdirSync, statSync } from 'node:fs';
import { containerLogFile, dockerName, podLogDir, podmanNames, type GroupOwner } from '../procfs/cgroupname.js';
import { readText } from './readfile.js';

const MAX_IDS = 4096;
const RETRY_MS = 30_000;
/** A state file larger than this is not read (podman's list of every container is the big one). */
const STATE_MAX = 8 * 1024 * 1024;

/** A name from a state file as the screen may show it: letters, digits and `_.-/:@`, at most 63 characters. */
function clean(name: string): string {
  return name.replace(/[^\w.\-/:@]/g, '?').slice(0, 63);
}

export class ContainerNames {
  private readonly known = new Map<string, { label: string; named: boolean; at: number }>();
  private podman: { mtime: number; names: Map<string, string> } | undefined;
  /** The kubelet's directories as key -> name, by directory: pods by uid, container logs by id. */
  private readonly listed = new Map<string, { at: number; names: Map<string, string> }>();

  constructor(
    private readonly root = '/',
    private readonly now: () => number = Date.now,
  ) {}

  private path(rel: string): string {
    return `${this.root.replace(/\/+$/, '')}/${rel}`;
  }

  /** The label of a container's or pod's group: `docker:web-1`, `pod:default/nginx-7d9c`, or with the id when unnamed. */
  label(owner: GroupOwner): string {
    const key = owner.kind === 'pod' ? `pod:${owner.uid}` : `${owner.runtime}:${owner.id}`;
    const hit = this.known.get(key);
    const t = this.now();
    if (hit && (hit.named || t - hit.at < RETRY_MS)) return hit.label;
    const name = owner.kind === 'pod' ? this.podName(owner.uid) : this.containerName(owner.runtime, owner.id);
    const label = owner.kind === 'pod'
      ? `pod:${name ?? owner.uid}`
      : `${owner.runtime}:${name ?? owner.id.slice(0, 12)}`;
    if (this.known.size >= MAX_IDS) this.known.clear();
    this.known.set(key, { label, named: name !== undefined, at: t });
    return label;
  }

  private containerName(runtime: string, id: string): string | undefined {
    if (runtime === 'docker') {
      const text = this.text(`var/lib/docker/containers/${id}/config.v2.json`);
      const name = text === undefined ? undefined : dockerName(text);
      if (name) return clean(name);
    }
    if (runtime === 'podman') {
      const name = this.podmanName(id);
      if (name) return clean(name);
    }
    // containerd, CRI-O, or a runtime not told (cgroupfs): the kubelet's log file names the container.
    return this.logName(id);
  }

  private text(rel: string): string | undefined {
    const r = readText(this.path(rel), { max: STATE_MAX });
    return typeof r === 'string' ? r : undefined;
  }

  /** containers.json is read again only when it changed since the last read. */
  private podmanName(id: string): string | undefined {
    const rel = 'var/lib/containers/storage/overlay-containers/containers.json';
    let mtime: number;
    try {
      mtime = statSync(this.path(rel)).mtimeMs;
    } catch {
      return undefined;
    }
    if (!this.podman || this.podman.mtime !== mtime) {
      const text = this.text(rel);
      this.podman = { mtime, names: text === undefined ? new Map() : podmanNames(text) };
    }
    return this.podman.names.get(id);
  }

  private listing(rel: string): string[] {
    try {
      return readdirSync(this.path(rel));
    } catch {
      return [];
    }
  }

  /** A pod's namespace/name from /var/log/pods/NAMESPACE_NAME_UID. */
  private podName(uid: string): string | undefined {
    return this.fromListing('var/log/pods', uid, (entry) => {
      const pod = podLogDir(entry);
      return pod && [pod.uid, `${pod.namespace}/${pod.name}`];
    });
  }

  /** A container's name from the kubelet's /var/log/containers/POD_NAMESPACE_CONTAINER-ID.log. */
  private logName(id: string): string | undefined {
    return this.fromListing('var/log/containers', id, (entry) => {
      const c = containerLogFile(entry);
      return c && [c.id, c.container];
    });
  }

  /** `key`'s name among a directory's entries; the directory is listed again for a key it lacks, at most every RETRY_MS. */
  private fromListing(rel: string, key: string, entryName: (entry: string) => [string, string] | undefined): string | undefined {
    const t = this.now();
    let cached = this.listed.get(rel);
    if (!cached || (!cached.names.has(key) && t - cached.at >= RETRY_MS)) {
      const names = new Map<string, string>();
      for (const entry of this.listing(rel)) {
        const named = entryName(entry);
        if (named) names.set(named[0], clean(named[1]));
      }
      cached = { at: t, names };
      this.listed.set(rel, cached);
    }
    return cached.names.get(key);
  }
}
