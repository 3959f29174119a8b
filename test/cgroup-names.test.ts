/**
 * Containers, pods and units by name: the cgroup directory shapes of docker,
 * podman, containerd, CRI-O and the kubelet (systemd and cgroupfs drivers),
 * the runtimes' state files (fixtures/containers: docker's config.v2.json,
 * podman's containers.json, the kubelet's /var/log/pods and
 * /var/log/containers), then a fake v2 tree read with that state root: the
 * cgroup view, the CGROUP column, JSON and the cgroup filter by name; a name
 * is looked up once per id.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { column } from '../src/columns/process.js';
import { VIEWS } from '../src/columns/views.js';
import { buildInterval } from '../src/model/interval.js';
import { intervalJson } from '../src/output/json.js';
import { renderText } from '../src/output/text.js';
import { containerLogFile, dockerName, groupOwner, podLogDir, podmanNames } from '../src/procfs/cgroupname.js';
import { Sampler } from '../src/reader/sampler.js';
import { applyFilters, setFilter, type Filters } from '../src/view/filters.js';
import { fakeCgroupFiles, type FakeGroup } from './helpers/cgroups.js';
import { fakeProcFiles, FIXTURES, makeTree } from './helpers/trees.js';

const STATE = join(FIXTURES, 'containers');
const DOCKER = '3f4e1a2b9c0d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f';
/** Its config.v2.json is cut short (the daemon was writing it): no name, the id is shown. */
const DOCKER_DAMAGED = '9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b';
const PODMAN = 'c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00';
const K8S = '0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef';
const POD_UID = '5b7c1f0e-9d2a-4c3b-8e6f-1a2b3c4d5e6f';
const POD_SLICE = `/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${POD_UID.replaceAll('-', '_')}.slice`;

test('a group\'s directory name: which runtime\'s container, which pod, or neither', () => {
  assert.deepEqual(groupOwner(`docker-${DOCKER}.scope`, 'system.slice'), { kind: 'container', runtime: 'docker', id: DOCKER });
  assert.deepEqual(groupOwner(DOCKER, 'docker'), { kind: 'container', runtime: 'docker', id: DOCKER });
  assert.deepEqual(groupOwner(`libpod-${PODMAN}.scope`, 'machine.slice'), { kind: 'container', runtime: 'podman', id: PODMAN });
  assert.deepEqual(groupOwner(`libpod-${PODMAN}`, 'libpod_parent'), { kind: 'container', runtime: 'podman', id: PODMAN });
  assert.deepEqual(groupOwner(`cri-containerd-${K8S}.scope`, 'x'), { kind: 'container', runtime: 'containerd', id: K8S });
  assert.deepEqual(groupOwner(`crio-${K8S}.scope`, 'x'), { kind: 'container', runtime: 'crio', id: K8S });
  assert.deepEqual(groupOwner(`kubepods-burstable-pod${POD_UID.replaceAll('-', '_')}.slice`, 'x'), { kind: 'pod', uid: POD_UID });
  assert.deepEqual(groupOwner(`kubepods-pod${POD_UID.replaceAll('-', '_')}.slice`, 'x'), { kind: 'pod', uid: POD_UID });
  assert.deepEqual(groupOwner(`pod${POD_UID}`, 'burstable'), { kind: 'pod', uid: POD_UID });
  assert.deepEqual(groupOwner(K8S, `pod${POD_UID}`), { kind: 'container', runtime: 'container', id: K8S });
  for (const other of ['nginx.service', 'user-1000.slice', 'docker.service', `docker-${DOCKER.slice(1)}.scope`, `libpod-conmon-${PODMAN}.scope`, 'init.scope']) {
    assert.equal(groupOwner(other, 'system.slice'), undefined, other);
  }
});

test('the state files: docker\'s Name, podman\'s names, the kubelet\'s pod and container entries; damaged ones give nothing', () => {
  assert.equal(dockerName('{"ID":"x","Name":"/web-1"}'), 'web-1');
  for (const bad of ['', '{"State":{"Running":true', '[]', '{"Name":3}', '{"Name":"/"}']) assert.equal(dockerName(bad), undefined, bad);
  assert.deepEqual([...podmanNames('[{"id":"a","names":["db","x"]},{"id":"b","names":[]},{"names":["c"]},7]')], [['a', 'db']]);
  assert.equal(podmanNames('{"not":"a list"}').size, 0);
  assert.equal(podmanNames('[{"id":').size, 0);
  assert.deepEqual(podLogDir(`kube-system_coredns-5d78c9869d-abcde_${POD_UID}`), { namespace: 'kube-system', name: 'coredns-5d78c9869d-abcde', uid: POD_UID });
  assert.equal(podLogDir('not-a-pod'), undefined);
  assert.deepEqual(containerLogFile(`nginx-7d9c5b_default_nginx-${K8S}.log`), { pod: 'nginx-7d9c5b', namespace: 'default', container: 'nginx', id: K8S });
  assert.equal(containerLogFile('nginx.log'), undefined);
});

const GROUPS: FakeGroup[] = [
  { path: '/', pids: [1] },
  { path: '/system.slice', memory: 900 << 20 },
  { path: '/system.slice/nginx.service', pids: [100], memory: 50 << 20 },
  { path: `/system.slice/docker-${DOCKER}.scope`, pids: [300], memory: 300 << 20 },
  { path: `/system.slice/docker-${DOCKER_DAMAGED}.scope`, pids: [301], memory: 10 << 20 },
  { path: '/machine.slice', memory: 200 << 20 },
  { path: `/machine.slice/libpod-${PODMAN}.scope`, pids: [302], memory: 200 << 20 },
  { path: '/kubepods.slice', memory: 400 << 20 },
  { path: '/kubepods.slice/kubepods-burstable.slice', memory: 400 << 20 },
  { path: POD_SLICE, memory: 400 << 20 },
  { path: `${POD_SLICE}/cri-containerd-${K8S}.scope`, pids: [303], memory: 399 << 20 },
];
const PIDS = [1, 100, 300, 301, 302, 303];

function fakeMachine(t: { after(fn: () => void): void }) {
  const base = mkdtempSync(join(tmpdir(), 'memtop-names-'));
  t.after(() => rmSync(base, { recursive: true, force: true }));
  const cg = fakeCgroupFiles('v2', GROUPS);
  const proc = makeTree({ ...fakeProcFiles({ uptime: 1000, procs: PIDS.map((pid) => ({ pid, comm: `p${pid}` })) }), ...cg.proc }, join(base, 'proc'));
  const sys = makeTree(cg.sys, join(base, 'sys'));
  const state = join(base, 'state');
  cpSync(STATE, state, { recursive: true });
  return { proc, sys, state, sampler: new Sampler({ proc, sys, stateRoot: state, now: () => Date.UTC(2026, 11, 8, 4) }) };
}

test('a fake machine\'s containers and pods by name: the cgroup view, the CGROUP column, JSON, the filter', (t) => {
  const { sampler } = fakeMachine(t);
  const a = sampler.sample({ cgroups: true });
  const iv = buildInterval(a, sampler.sample({ cgroups: true }));
  const names = new Map(iv.cgroups.map((g) => [g.path, g.name]));
  assert.equal(names.get(`/system.slice/docker-${DOCKER}.scope`), 'docker:web-1');
  assert.equal(names.get(`/system.slice/docker-${DOCKER_DAMAGED}.scope`), `docker:${DOCKER_DAMAGED.slice(0, 12)}`);
  assert.equal(names.get(`/machine.slice/libpod-${PODMAN}.scope`), 'podman:db');
  assert.equal(names.get(POD_SLICE), 'pod:default/nginx-7d9c5b');
  assert.equal(names.get(`${POD_SLICE}/cri-containerd-${K8S}.scope`), 'containerd:nginx');
  assert.equal(names.get('/system.slice/nginx.service'), undefined, 'a unit is named by its directory');
  // The cgroup view's tree: names in place of the ids.
  const text = renderText(iv, { width: 160, view: VIEWS.cgroup }).split('\n');
  const row = (label: string) => text.find((l) => l.trimStart().startsWith(label));
  assert.ok(row('docker:web-1'), text.join('\n'));
  assert.ok(row('podman:db'));
  // Four levels down the 26-character cell cuts the pod's name, as atop cuts a deep group's.
  assert.ok(row('pod:default/nginx-7d'));
  assert.ok(row('containerd:nginx'));
  assert.ok(row('nginx.service'));
  assert.ok(!text.some((l) => l.includes(DOCKER.slice(0, 20))), 'no id where the name is known');
  // Sorted (flat), the cell holds the name too.
  assert.match(renderText(iv, { width: 160, view: VIEWS.cgroup, sort: 'MEMORY' }), /^containerd:nginx +\d/m);
  // The CGROUP column of the processes: the container's name, the unit's name, or the path.
  const cell = (pid: number) => column('CGROUP')!.format(iv.procs.find((p) => p.pid === pid)!).trim();
  assert.deepEqual([1, 100, 300, 301, 302, 303].map(cell), ['/', 'nginx.service', 'docker:web-1', `docker:${DOCKER_DAMAGED.slice(0, 12)}`, 'podman:db', 'containerd:nginx']);
  // JSON: each group's name, null where it has none.
  const json = intervalJson(iv).cgroups as { path: string; name: string | null }[];
  assert.equal(json.find((g) => g.path === POD_SLICE)?.name, 'pod:default/nginx-7d9c5b');
  assert.equal(json.find((g) => g.path === '/system.slice')?.name, null);
  // The filter by name: a container with or without its runtime, a pod (its containers), a unit; a path as before.
  const filtered = (text: string) => {
    const filters: Filters = {};
    assert.equal(setFilter(filters, 'cgroup', text), undefined);
    return applyFilters(iv.procs, filters).map((p) => p.pid).sort((x, y) => x - y);
  };
  assert.deepEqual(filtered('docker:web-1'), [300]);
  assert.deepEqual(filtered('web-1'), [300]);
  assert.deepEqual(filtered('DB'), [302]);
  assert.deepEqual(filtered('default/nginx-7d9c5b'), [303]);
  assert.deepEqual(filtered('pod:default/nginx-7d9c5b'), [303]);
  assert.deepEqual(filtered('nginx.service'), [100]);
  assert.deepEqual(filtered('system.slice'), [100, 300, 301]);
  assert.deepEqual(filtered('/machine.slice'), [302]);
  assert.deepEqual(filtered('nosuch'), []);
});

test('a name is looked up once per id: a changed state file is not read again for a group already named', (t) => {
  const { sampler, state } = fakeMachine(t);
  sampler.sample({ cgroups: true });
  writeFileSync(join(state, 'var/lib/docker/containers', DOCKER, 'config.v2.json'), '{"Name":"/renamed"}');
  writeFileSync(join(state, 'var/lib/docker/containers', DOCKER_DAMAGED, 'config.v2.json'), '{"Name":"/late"}');
  // Samples that list the tree again (every CGROUP_RELIST_EVERY) keep the name found; an unnamed id is tried again later.
  const later = Array.from({ length: 70 }, () => sampler.sample({ cgroups: true })).pop()!;
  const names = new Map(later.cgroups!.groups.map((g) => [g.path, g.name]));
  assert.equal(names.get(`/system.slice/docker-${DOCKER}.scope`), 'docker:web-1');
  assert.equal(names.get(`/system.slice/docker-${DOCKER_DAMAGED}.scope`), `docker:${DOCKER_DAMAGED.slice(0, 12)}`, 'within the retry time');
});
