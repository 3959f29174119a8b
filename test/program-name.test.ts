/** The program an interpreter runs, from real-shaped /proc/PID/cmdline text (NUL-separated). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isInterpreter, PROGRAM_MAX, programOfCmdline } from '../src/procfs/program.js';

const cmdline = (...argv: string[]) => argv.join('\0') + '\0';

test('node: the script after options (with or without an argument of their own); -e and the REPL name none', () => {
  assert.equal(programOfCmdline(cmdline('node', '/srv/billing/index.js')), 'billing/index.js', 'a generic name keeps its directory');
  assert.equal(programOfCmdline(cmdline('/usr/bin/node', '--max-old-space-size=4096', '--enable-source-maps', 'dist/server.js', '--port', '8080')), 'dist/server.js');
  assert.equal(programOfCmdline(cmdline('node', '-r', 'ts-node/register', '--inspect=0.0.0.0:9229', 'src/queue-consumer.ts')), 'queue-consumer.ts');
  assert.equal(programOfCmdline(cmdline('node', '--require=dotenv/config', 'worker.mjs')), 'worker.mjs');
  assert.equal(programOfCmdline(cmdline('node', '/usr/lib/node_modules/npm/bin/npm-cli.js', 'start')), 'npm-cli.js');
  assert.equal(programOfCmdline(cmdline('node', '-e', 'setInterval(()=>{},1000)')), undefined);
  assert.equal(programOfCmdline(cmdline('node')), undefined, 'the REPL');
  assert.equal(programOfCmdline('node\0--max-semi-space-size=4\0/opt/memtop/dist/bin.cjs\0-m'), 'bin.cjs', 'no trailing NUL');
});

test('python: the script, -m module, -c none; options with arguments skipped', () => {
  assert.equal(programOfCmdline(cmdline('/usr/bin/python3', '-u', '/opt/etl/load_orders.py', '--since', 'today')), 'load_orders.py');
  assert.equal(programOfCmdline(cmdline('python3.11', '-X', 'importtime', '-W', 'ignore', 'train.py')), 'train.py');
  assert.equal(programOfCmdline(cmdline('python3', '-m', 'http.server', '8000')), 'http.server');
  assert.equal(programOfCmdline(cmdline('python3', '-mgunicorn', 'app:wsgi')), 'gunicorn');
  assert.equal(programOfCmdline(cmdline('python', '-Bm', 'celery', 'worker')), 'celery');
  assert.equal(programOfCmdline(cmdline('python3', '-c', 'import time; time.sleep(9)')), undefined);
  assert.equal(programOfCmdline(cmdline('python3', '-uc', 'print(1)')), undefined, 'bundled -c');
  assert.equal(programOfCmdline(cmdline('/srv/venv/bin/python3', 'manage.py', 'runserver')), 'manage.py');
  assert.equal(programOfCmdline(cmdline('/srv/venv/bin/python3', '/srv/shop/manage.py', 'runserver')), 'shop/manage.py');
});

test('ruby, perl, php, shells: the script; code on the command line names none', () => {
  assert.equal(programOfCmdline(cmdline('ruby', '-I', 'lib', '-rjson', 'bin/sidekiq', '-C', 'config/sidekiq.yml')), 'sidekiq');
  assert.equal(programOfCmdline(cmdline('ruby3.1', '-e', 'loop{}')), undefined);
  assert.equal(programOfCmdline(cmdline('/usr/bin/perl', '-w', '-I/opt/lib', '/usr/sbin/amavisd', '-c', 'x')), 'amavisd');
  assert.equal(programOfCmdline(cmdline('perl', '-wle', 'print 1')), undefined);
  assert.equal(programOfCmdline(cmdline('php8.2', '-d', 'memory_limit=1G', 'artisan', 'queue:work')), 'artisan');
  assert.equal(programOfCmdline(cmdline('php', '-r', 'echo 1;')), undefined);
  assert.equal(programOfCmdline(cmdline('/bin/bash', '/usr/local/bin/backup.sh', '--full')), 'backup.sh');
  assert.equal(programOfCmdline(cmdline('bash', '-ex', './deploy.sh')), 'deploy.sh');
  assert.equal(programOfCmdline(cmdline('sh', '-c', 'sleep 100')), undefined);
  assert.equal(programOfCmdline(cmdline('-bash')), undefined, 'a login shell');
  assert.equal(programOfCmdline(cmdline('bash', '/dev/fd/3')), undefined, 'a script from a file descriptor: no name');
  assert.equal(programOfCmdline(cmdline('sh', '/dev/stdin')), undefined);
});

test('java: -jar names the jar, -cp the main class after the options, -m the module', () => {
  assert.equal(programOfCmdline(cmdline('/usr/lib/jvm/java-17/bin/java', '-Xmx4g', '-Dspring.profiles.active=prod', '-jar', '/opt/orders/orders-service-1.4.2.jar')), 'orders-service-1.4.2.jar');
  assert.equal(programOfCmdline(cmdline('java', '-cp', '/opt/kafka/libs/*', '-XX:+UseG1GC', 'kafka.Kafka', 'config/server.properties')), 'kafka.Kafka');
  assert.equal(programOfCmdline(cmdline('java', '--add-opens', 'java.base/java.lang=ALL-UNNAMED', '-classpath', 'a.jar:b.jar', 'org.example.Main')), 'org.example.Main');
  assert.equal(programOfCmdline(cmdline('java', '-m', 'com.example.app/com.example.app.Main')), 'com.example.app/com.example.app.Main');
  assert.equal(programOfCmdline(cmdline('java', '-version')), undefined);
});

test('not an interpreter: no program; a long name is bounded, its end kept', () => {
  assert.equal(programOfCmdline(cmdline('/usr/sbin/nginx', '-g', 'daemon off;')), undefined);
  assert.equal(programOfCmdline(cmdline('postgres: checkpointer')), undefined);
  assert.ok(isInterpreter('python3.12') && isInterpreter('node') && !isInterpreter('nginx'));
  const long = programOfCmdline(cmdline('python3', `${'x'.repeat(200)}.py`))!;
  assert.equal(long.length, PROGRAM_MAX);
  assert.ok(long.endsWith('x.py'));
  assert.equal(programOfCmdline(''), undefined);
});

test('the sampler names an interpreter\'s program without being asked for command lines; JSON and Prometheus carry it', async () => {
  const { Sampler } = await import('../src/reader/sampler.js');
  const { buildInterval } = await import('../src/model/interval.js');
  const { intervalJson } = await import('../src/output/json.js');
  const { renderExposition } = await import('../src/export/exposition.js');
  const { fakeProcFiles, makeTree } = await import('./helpers/trees.js');
  const { rmSync } = await import('node:fs');
  const files = {
    ...fakeProcFiles({ uptime: 100, procs: [{ pid: 7, comm: 'node', rss: 25600 }, { pid: 8, comm: 'python3', rss: 2560 }, { pid: 9, comm: 'nginx', rss: 256 }] }),
    '7/cmdline': cmdline('node', '/srv/billing/index.js'),
    '8/cmdline': cmdline('python3', '-c', 'pass'),
    '9/cmdline': cmdline('nginx: worker process'),
  };
  const dir = makeTree(files);
  try {
    const sampler = new Sampler({ proc: dir, sys: '/nonexistent' });
    const a = sampler.sample();
    const b = sampler.sample();
    assert.deepEqual(b.procs.map((p) => p.program), ['billing/index.js', undefined, undefined]);
    assert.equal(b.procs[0]!.cmdline, undefined, 'the command line itself is not kept: no view asked for it');
    const iv = buildInterval(a, b);
    const j = intervalJson(iv) as { procs: Record<string, unknown>[] };
    assert.deepEqual(j.procs.map((p) => [p.cmd, p.program]), [['node', 'billing/index.js'], ['python3', null], ['nginx', null]]);
    const text = renderExposition(iv, b, { top: 5, format: 'prometheus' });
    assert.match(text, /memtop_process_resident_bytes\{pid="7",comm="node",program="billing\/index\.js"\}/);
    assert.match(text, /memtop_process_resident_bytes\{pid="9",comm="nginx"\}/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
