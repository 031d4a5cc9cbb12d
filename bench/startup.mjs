// Measures how fast the packaged service starts: the time from spawning the process to the first 200 answer of
// /q/health/ready, and the resident memory at that moment, for the plain jar, the jar with the AOT cache and, when one
// is given, the native executable.
// Usage: node startup.mjs <quarkus-app dir> <java> <runs> [native executable [native option...]]
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';

const [appDir, java, runsArg, nativeExecutable, ...nativeOptions] = process.argv.slice(2);
const runs = Number(runsArg ?? 5);
const POLL_MS = 2;
const GIVE_UP_MS = 60_000;

function freePort() {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function ready(port) {
  return new Promise((resolve) => {
    const request = http.get({ host: '127.0.0.1', port, path: '/q/health/ready', timeout: 500 }, (response) => {
      response.resume();
      resolve(response.statusCode === 200);
    });
    request.on('error', () => resolve(false));
    request.on('timeout', () => { request.destroy(); resolve(false); });
  });
}

// resident memory, and the part of it that is pages mapped from files (for the native executable, mostly its own
// code and prebuilt heap: shared with every process started from it, and reclaimable)
function memoryMiB(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kiB = (field) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)[1]);
  return { rssMiB: kiB('VmRSS') / 1024, fileMiB: kiB('RssFile') / 1024 };
}

async function startOnce(variant) {
  const port = await freePort();
  const started = process.hrtime.bigint();
  const child = spawn(variant.command, variant.args(`-Dquarkus.http.port=${port}`), {
    cwd: appDir,
    stdio: 'ignore',
    env: {
      ...process.env,
      // nothing is called at start-up: the token is fetched when the first retry needs it
      GENESYS_CLIENT_ID: 'startup-measurement',
      GENESYS_CLIENT_SECRET: 'startup-measurement',
      GENESYS_BASE_URL: 'http://127.0.0.1:9',
      ORCHESTRATOR_API_KEYS: 'startup-measurement',
      QUARKUS_SHUTDOWN_DELAY: '0s',
    },
  });
  try {
    for (;;) {
      const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
      if (elapsedMs > GIVE_UP_MS) throw new Error(`not ready within ${GIVE_UP_MS} ms`);
      if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode} before it was ready`);
      if (await ready(port)) return { readyMs: elapsedMs, ...memoryMiB(child.pid) };
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', resolve)));
  }
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

const variants = [
  { name: 'jar', command: java, args: (setting) => [setting, '-jar', 'quarkus-run.jar'] },
  { name: 'jar + AOT cache', command: java, args: (setting) => ['-XX:AOTCache=app.aot', setting, '-jar', 'quarkus-run.jar'] },
];
if (nativeExecutable) {
  const name = ['native', ...nativeOptions].join(' ');
  variants.push({ name, command: nativeExecutable, args: (setting) => [...nativeOptions, setting] });
}
const results = Object.fromEntries(variants.map((variant) => [variant.name, []]));
// alternate the variants so that a change in the machine's load affects them all alike
for (let run = 0; run < runs; run++) {
  for (const variant of variants) {
    results[variant.name].push(await startOnce(variant));
  }
}

const plain = median(results['jar'].map((r) => r.readyMs));
console.log(`| variant | ready (median of ${runs}) | runs (ms) | RSS when ready (median) | of which mapped from files |`);
console.log('| --- | --- | --- | --- | --- |');
for (const variant of variants) {
  const measured = results[variant.name];
  const readyMs = median(measured.map((r) => r.readyMs));
  const ratio = variant.name === 'jar' ? '' : ` (${(readyMs / plain).toFixed(2)} of the jar's)`;
  console.log(`| ${variant.name} | ${readyMs.toFixed(0)} ms${ratio} | ${measured.map((r) => r.readyMs.toFixed(0)).join(', ')} | ${median(measured.map((r) => r.rssMiB)).toFixed(0)} MiB | ${median(measured.map((r) => r.fileMiB)).toFixed(0)} MiB |`);
}
