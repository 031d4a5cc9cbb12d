#!/usr/bin/env node
// The benchmark's load driver: runs ONE run of ONE scenario against an already started service and stub, and prints
// one JSON line with what it measured ({ok:true, metrics:{...}} or {ok:false, error:"..."}). bench/run.sh starts and
// stops the processes; bench/report.js turns the lines into the table.
//
// Every number comes from a measurement: the stub's request log, the service's records and /q/metrics, /proc and jcmd.
// Every wait is bounded in time and every loop in count; a run that does not finish in time fails loudly.
'use strict';

const http = require('node:http');
const fs = require('node:fs');
const { execFileSync } = require('node:child_process');
const { performance } = require('node:perf_hooks');

// ------------------------------------------------------------------------------------------------------------------
// Arguments
// ------------------------------------------------------------------------------------------------------------------
function parseArgs(argv) {
  const a = {};
  for (let i = 2; i < argv.length; i += 2) {
    if (!argv[i].startsWith('--') || argv[i + 1] === undefined) throw new Error(`bad argument ${argv[i]}`);
    a[argv[i].slice(2)] = argv[i + 1];
  }
  for (const required of ['scenario', 'service', 'stub', 'service-pid', 'stub-pid', 'run']) {
    if (a[required] === undefined) throw new Error(`--${required} is required`);
  }
  return {
    scenario: a.scenario,
    service: a.service,
    stub: a.stub,
    servicePid: Number(a['service-pid']),
    stubPid: Number(a['stub-pid']),
    run: Number(a.run),
    quick: a.quick === '1',
    warmup: a.warmup === '1', // an unreported run that warms the JVM up before the measured ones
    serviceLog: a['service-log'],
    apiKey: a['api-key'] || 'bench-key',
    jcmd: a.jcmd ?? 'jcmd', // empty for a native executable, which jcmd cannot attach to
    clkTck: Number(a['clk-tck'] || 100),
    baseDelayMs: Number(a['base-delay-ms'] || 0),
    factor: Number(a.factor || 2),
    maxDelayMs: Number(a['max-delay-ms'] || 30000),
    jitter: Number(a.jitter || 0),
    stubLatencyMs: Number(a['stub-latency-ms'] || 0),
    rate: Number(a.rate || 500),
    durationS: Number(a['duration-s'] || 60),
    count: a.count === undefined ? undefined : Number(a.count),
  };
}

// ------------------------------------------------------------------------------------------------------------------
// Small helpers
// ------------------------------------------------------------------------------------------------------------------
const nowMs = () => performance.timeOrigin + performance.now(); // epoch ms, sub-ms resolution
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

// One HTTP request with a hard timeout; resolves {status, headers, body(parsed JSON or text)}.
function request(baseUrl, method, path, { body, headers = {}, timeoutMs = 30_000 } = {}) {
  return new Promise((resolve, reject) => {
    const url = new URL(path, baseUrl);
    if (url.hostname !== '127.0.0.1') return reject(new Error(`refusing non-loopback target ${url.hostname}`));
    const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const req = http.request(url, {
      method,
      agent,
      headers: {
        ...(payload !== undefined ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) } : {}),
        ...headers,
      },
      timeout: timeoutMs,
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed = text;
        if ((res.headers['content-type'] || '').includes('json')) {
          try { parsed = JSON.parse(text); } catch { /* leave as text */ }
        }
        resolve({ status: res.statusCode, headers: res.headers, body: parsed });
      });
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

// Runs `worker(item)` over `items` with at most `concurrency` at a time.
async function pool(items, concurrency, worker) {
  let next = 0;
  const results = new Array(items.length);
  async function lane() {
    while (next < items.length) {
      const i = next++;
      results[i] = await worker(items[i], i);
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, lane));
  return results;
}

// Parses Prometheus text into [{name, labels, value}].
function parseMetrics(text) {
  const out = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([^}]*)\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const labels = {};
    for (const l of (m[3] || '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2];
    out.push({ name: m[1], labels, value: Number(m[4]) });
  }
  return out;
}

function metricSum(metrics, name, filter = {}) {
  let sum = 0;
  let found = false;
  for (const m of metrics) {
    if (m.name !== name) continue;
    if (Object.entries(filter).every(([k, v]) => m.labels[k] === v)) {
      sum += m.value;
      found = true;
    }
  }
  return found ? sum : NaN;
}

const TERMINAL = ['SUCCEEDED', 'FAILED', 'EXHAUSTED', 'CANCELLED'];

async function scrape(ctx) {
  const res = await request(ctx.service, 'GET', '/q/metrics', { timeoutMs: 10_000 });
  if (res.status !== 200) throw new Error(`/q/metrics answered ${res.status}`);
  const metrics = parseMetrics(res.body);
  const completed = {};
  for (const s of TERMINAL) completed[s] = metricSum(metrics, 'orchestrator_retries_completed_total', { status: s }) || 0;
  return {
    metrics,
    completed,
    completedTotal: TERMINAL.reduce((t, s) => t + completed[s], 0),
    queueInUse: metricSum(metrics, 'orchestrator_queue_in_use'),
    attempts: (outcome) => metricSum(metrics, 'orchestrator_attempts_total', { outcome }) || 0,
    heapUsed: metricSum(metrics, 'jvm_memory_used_bytes', { area: 'heap' }),
    liveThreads: metricSum(metrics, 'jvm_threads_live_threads'),
  };
}

// Polls /q/metrics until `done(scrape)` holds; fails after `timeoutMs`. Returns {at (epoch ms when seen), scrape}.
async function waitFor(ctx, what, done, { timeoutMs, intervalMs = 50 }) {
  const deadline = nowMs() + timeoutMs;
  const maxPolls = Math.ceil(timeoutMs / intervalMs) + 1;
  let last;
  for (let i = 0; i < maxPolls && nowMs() < deadline; i++) {
    last = await scrape(ctx);
    if (done(last)) return { at: nowMs(), scrape: last };
    await sleep(intervalMs);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}` +
    (last ? ` (completed=${JSON.stringify(last.completed)}, queueInUse=${last.queueInUse}, ` +
      `rateLimited=${last.attempts('RATE_LIMITED')})` : ''));
}

// CPU seconds (user + system, all threads) of a process, from /proc/<pid>/stat.
function cpuSeconds(pid, clkTck) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields[0] is field 3 (state)
  return (Number(fields[11]) + Number(fields[12])) / clkTck; // utime (14), stime (15)
}

// A /proc/<pid>/status field: kB values in bytes, counts as numbers.
function procStatus(pid, field) {
  const m = new RegExp(`^${field}:\\s+(\\d+)( kB)?`, 'm').exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no ${field} in /proc/${pid}/status`);
  return Number(m[1]) * (m[2] ? 1024 : 1);
}

const driverCpuSeconds = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };

// Epoch ms (with the sub-millisecond digits) of an ISO-8601 instant such as 2026-01-02T03:04:05.123456789Z.
function instantMs(iso) {
  const m = /^(.*T\d\d:\d\d:\d\d)(\.(\d+))?Z$/.exec(iso);
  if (!m) throw new Error(`unexpected instant ${iso}`);
  return Date.parse(m[1] + 'Z') + (m[3] ? Number('0.' + m[3]) * 1000 : 0);
}

function stats(values) {
  if (values.length === 0) return { n: 0 };
  const s = Float64Array.from(values).sort();
  const pick = (q) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]; // nearest rank
  const mean = s.reduce((t, v) => t + v, 0) / s.length;
  return { n: s.length, min: s[0], p50: pick(0.5), p99: pick(0.99), max: s[s.length - 1], mean };
}

const round = (v, digits = 2) => (Number.isFinite(v) ? Number(v.toFixed(digits)) : v);

// The size of a run: full, --quick, or the warm-up run.
const size = (ctx, full, quick, warmup) => (ctx.warmup ? warmup : ctx.quick ? quick : full);

// How many retries the service has stopped so far because a timer was asked for less than 1 ms (an issue of earlier
// versions, see "Waits shorter than 1 ms" in bench/README.md), counted in its log.
const SUB_MS_TIMER = Buffer.from('Cannot schedule a timer with delay < 1 ms');
function subMsTimerErrors(ctx) {
  if (!ctx.serviceLog) return NaN;
  const log = fs.readFileSync(ctx.serviceLog);
  let n = 0;
  for (let at = log.indexOf(SUB_MS_TIMER); at >= 0; at = log.indexOf(SUB_MS_TIMER, at + 1)) n++;
  return n;
}

// ------------------------------------------------------------------------------------------------------------------
// Submitting retries
// ------------------------------------------------------------------------------------------------------------------
const ACTIONS = 8; // distinct action ids, so that several circuit breakers take part

function retryItem(prefix, i) {
  return {
    actionId: `bench-action-${i % ACTIONS}`,
    originalRunId: `${prefix}-${i}`,
    requestPayload: { customerId: `C-${100000 + i}`, phone: '+3531234567', reason: 'benchmark' },
  };
}

// Submits `count` retries in batches of 100 over `connections` concurrent connections. Every item must be ACCEPTED.
// Returns [{requestId, acceptedAtMs}] in submission order, and the time the last batch was answered.
async function submitBatches(ctx, prefix, count, connections) {
  const batches = [];
  for (let start = 0; start < count; start += 100) {
    batches.push(Array.from({ length: Math.min(100, count - start) }, (_, k) => retryItem(prefix, start + k)));
  }
  const accepted = [];
  await pool(batches, connections, async (batch) => {
    const res = await request(ctx.service, 'POST', '/v1/retries/batch', { body: batch, headers: { 'X-API-Key': ctx.apiKey } });
    if (res.status !== 200) throw new Error(`batch answered ${res.status}: ${JSON.stringify(res.body).slice(0, 300)}`);
    for (const item of res.body.results) {
      if (String(item.outcome).toUpperCase() !== 'ACCEPTED') throw new Error(`batch item ${item.index} was ${item.outcome}: ${JSON.stringify(item).slice(0, 300)}`);
      accepted.push({ requestId: item.retry.requestId, acceptedAtMs: instantMs(item.retry.acceptedAt) });
    }
  });
  return { accepted, answeredAt: nowMs() };
}

async function stubLog(ctx) {
  const res = await request(ctx.stub, 'GET', '/__log', { timeoutMs: 30_000 });
  if (res.status !== 200) throw new Error(`stub /__log answered ${res.status}`);
  return res.body;
}

// Polls the stub's request count until it reaches `n` (without touching the service); fails after `timeoutMs`.
async function waitForStub(ctx, n, timeoutMs) {
  const deadline = nowMs() + timeoutMs;
  for (let i = 0; i < Math.ceil(timeoutMs / 100) + 1 && nowMs() < deadline; i++) {
    const res = await request(ctx.stub, 'GET', '/__stats');
    if (res.status === 200 && res.body.executes >= n) return;
    await sleep(100);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for the stub to see ${n} requests`);
}

async function stubReset(ctx) {
  const res = await request(ctx.stub, 'POST', '/__reset');
  if (res.status !== 200) throw new Error(`stub /__reset answered ${res.status}`);
}

// Arrival times per correlation id, sorted.
function arrivalsById(log) {
  const byId = new Map();
  for (const [t, id] of log.executes) {
    if (!byId.has(id)) byId.set(id, []);
    byId.get(id).push(t);
  }
  for (const list of byId.values()) list.sort((x, y) => x - y);
  return byId;
}

// ------------------------------------------------------------------------------------------------------------------
// Scenario 1 (and 5): throughput, and the token requests it caused
// ------------------------------------------------------------------------------------------------------------------
async function throughput(ctx, { attemptsPerRetry }) {
  const count = ctx.count ?? size(ctx, 20000, 5000, 5000);
  const connections = 4;
  await stubReset(ctx);
  const timerErrors0 = subMsTimerErrors(ctx);
  const before = await scrape(ctx);
  const cpu0 = { service: cpuSeconds(ctx.servicePid, ctx.clkTck), stub: cpuSeconds(ctx.stubPid, ctx.clkTck), driver: driverCpuSeconds() };
  const t0 = nowMs();

  const { answeredAt } = await submitBatches(ctx, `${ctx.scenario}-r${ctx.run}-${Date.now()}`, count, connections);
  const target = before.completedTotal + count;
  const end = await waitFor(ctx, `${count} retries to finish`, (s) => s.completedTotal >= target,
    { timeoutMs: ctx.quick ? 60_000 : 180_000, intervalMs: 50 });

  const cpu1 = { service: cpuSeconds(ctx.servicePid, ctx.clkTck), stub: cpuSeconds(ctx.stubPid, ctx.clkTck), driver: driverCpuSeconds() };
  const wallS = (end.at - t0) / 1000;
  // Retries that ended otherwise than SUCCEEDED are counted and shown, not hidden: the run still measured the service.
  const succeeded = end.scrape.completed.SUCCEEDED - before.completed.SUCCEEDED;
  const log = await stubLog(ctx);
  if (log.executes.length < succeeded * attemptsPerRetry) {
    throw new Error(`the stub saw ${log.executes.length} execute requests, fewer than ${succeeded} × ${attemptsPerRetry}`);
  }
  const lastArrival = log.executes.reduce((latest, e) => Math.max(latest, e[0]), -Infinity);
  return {
    count,
    connections,
    wallS: round(wallS, 3),
    retriesPerS: round(count / wallS, 0),
    submitS: round((answeredAt - t0) / 1000, 3),
    lastStubArrivalS: round((lastArrival - t0) / 1000, 3), // a lower bound of the wall time, for the poll resolution
    serviceCpuS: round(cpu1.service - cpu0.service, 2),
    serviceCpuMsPerRetry: round(((cpu1.service - cpu0.service) * 1000) / count, 3),
    serviceCpuShare: round((cpu1.service - cpu0.service) / wallS, 3), // in cores
    stubCpuShare: round((cpu1.stub - cpu0.stub) / wallS, 3),
    driverCpuShare: round((cpu1.driver - cpu0.driver) / wallS, 3),
    peakRssMiB: round(procStatus(ctx.servicePid, 'VmHWM') / 2 ** 20, 1),
    stubRequests: log.executes.length,
    tokenRequests: log.tokenRequests, // since this service instance (and its stub) started
    notSucceeded: count - succeeded,
    subMsTimerErrors: subMsTimerErrors(ctx) - timerErrors0,
    // taken after the measurement: what stays live (the retained finished records); growth from run to run is a leak.
    // Not measured for a native executable (no jcmd).
    liveHeapAfterGcMiB: ctx.jcmd ? round(heapAfterGc(ctx) / 2 ** 20, 1) : null,
  };
}

// ------------------------------------------------------------------------------------------------------------------
// Scenario 2: scheduling lag and end-to-end overhead under a steady rate
// ------------------------------------------------------------------------------------------------------------------
async function overhead(ctx) {
  const rate = ctx.rate;
  const durationS = size(ctx, ctx.durationS, 10, 5);
  const count = rate * durationS;
  const maxInFlight = 256; // beyond this the driver stops sending and the shortfall shows as a lower achieved rate
  const prefix = `s2-r${ctx.run}-${Date.now()}`;
  await stubReset(ctx);
  const timerErrors0 = subMsTimerErrors(ctx);
  const before = await scrape(ctx);
  const cpu0 = cpuSeconds(ctx.servicePid, ctx.clkTck);

  const accepted = [];
  const postLatencies = [];
  const failures = [];
  let sent = 0;
  let inFlight = 0;
  let blockedTicks = 0;
  const t0 = nowMs();
  const sendOne = (i) => {
    inFlight++;
    const start = nowMs();
    request(ctx.service, 'POST', '/v1/retries', { body: retryItem(prefix, i), headers: { 'X-API-Key': ctx.apiKey } })
      .then((res) => {
        postLatencies.push(nowMs() - start);
        if (res.status !== 202) failures.push(`POST answered ${res.status}`);
        else accepted.push({ requestId: res.body.requestId, acceptedAtMs: instantMs(res.body.acceptedAt) });
      }, (err) => failures.push(String(err)))
      .finally(() => { inFlight--; });
  };
  // Paced sending: every tick, send whatever the schedule says is due by now (open loop, bounded by maxInFlight).
  const paceDeadline = t0 + durationS * 1000 + 30_000;
  for (let tick = 0; sent < count && nowMs() < paceDeadline && tick < durationS * 1000 + 30_000; tick++) {
    const due = Math.min(count, Math.floor(((nowMs() - t0) / 1000) * rate));
    if (due > sent && inFlight >= maxInFlight) blockedTicks++;
    while (sent < due && inFlight < maxInFlight) sendOne(sent++);
    await sleep(1);
  }
  const sendEnd = nowMs();
  for (let i = 0; i < 3000 && inFlight > 0; i++) await sleep(10); // bounded: 30 s at most
  if (sent < count) throw new Error(`only ${sent} of ${count} submissions were sent in time`);
  if (failures.length) throw new Error(`${failures.length} submissions failed, first: ${failures[0]}`);
  if (accepted.length !== count) throw new Error(`${accepted.length} of ${count} submissions were answered`);

  const target = before.completedTotal + count;
  const end = await waitFor(ctx, `${count} retries to finish`, (s) => s.completedTotal >= target,
    { timeoutMs: 60_000, intervalMs: 100 });
  const cpu1 = cpuSeconds(ctx.servicePid, ctx.clkTck);
  const succeeded = end.scrape.completed.SUCCEEDED - before.completed.SUCCEEDED;

  // The stub's arrival time of each retry's first attempt, and each record's completedAt.
  const log = await stubLog(ctx);
  const arrivals = arrivalsById(log);
  const held = log.executes.map((e) => e[3]);
  const records = await pool(accepted, 8, async (a) => {
    const res = await request(ctx.service, 'GET', `/v1/retries/${a.requestId}`, { headers: { 'X-API-Key': ctx.apiKey } });
    if (res.status !== 200) throw new Error(`GET /v1/retries/${a.requestId} answered ${res.status}`);
    return res.body;
  });
  // Only retries that succeeded with one attempt are measured; the others are counted (notSucceeded).
  const lags = [];
  const overheads = [];
  for (let i = 0; i < accepted.length; i++) {
    const a = accepted[i];
    const record = records[i];
    const first = arrivals.get(a.requestId);
    if (record.status !== 'SUCCEEDED') continue;
    if (!first || first.length !== 1) throw new Error(`retry ${a.requestId} SUCCEEDED after ${first ? first.length : 0} requests, expected 1`);
    lags.push(first[0] - (a.acceptedAtMs + ctx.baseDelayMs));
    overheads.push(instantMs(record.completedAt) - a.acceptedAtMs - ctx.baseDelayMs - ctx.stubLatencyMs);
  }
  const lag = stats(lags);
  const e2e = stats(overheads);
  const post = stats(postLatencies);
  const hold = stats(held);
  return {
    count,
    targetRate: rate,
    achievedRate: round(count / ((sendEnd - t0) / 1000), 1),
    blockedTicks,
    lagP50Ms: round(lag.p50), lagP99Ms: round(lag.p99), lagMaxMs: round(lag.max), lagMinMs: round(lag.min),
    e2eP50Ms: round(e2e.p50), e2eP99Ms: round(e2e.p99), e2eMaxMs: round(e2e.max),
    postP50Ms: round(post.p50), postP99Ms: round(post.p99),
    stubHoldP50Ms: round(hold.p50), stubHoldP99Ms: round(hold.p99),
    serviceCpuShare: round((cpu1 - cpu0) / ((end.at - t0) / 1000), 3),
    peakRssMiB: round(procStatus(ctx.servicePid, 'VmHWM') / 2 ** 20, 1),
    notSucceeded: count - succeeded,
    subMsTimerErrors: subMsTimerErrors(ctx) - timerErrors0,
  };
}

// ------------------------------------------------------------------------------------------------------------------
// Scenario 3: memory and threads per waiting retry
// ------------------------------------------------------------------------------------------------------------------
function heapAfterGc(ctx) {
  const opts = { encoding: 'utf8', timeout: 60_000 };
  execFileSync(ctx.jcmd, [String(ctx.servicePid), 'GC.run'], opts);
  execFileSync(ctx.jcmd, [String(ctx.servicePid), 'GC.run'], opts);
  const info = execFileSync(ctx.jcmd, [String(ctx.servicePid), 'GC.heap_info'], opts);
  const m = /heap\s+total[^\n]*?used (\d+)K/.exec(info);
  if (!m) throw new Error(`could not read the heap's use from jcmd GC.heap_info:\n${info}`);
  return Number(m[1]) * 1024;
}

// Names of the process's threads (from /proc/<pid>/task/*/comm, at most 15 characters each), sorted.
function threadNames(pid) {
  const names = [];
  for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
    try { names.push(fs.readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim()); } catch { /* thread ended */ }
  }
  return names.sort();
}

// The names in `after` that are not in `before` (as a multiset).
function added(before, after) {
  const left = new Map();
  for (const n of before) left.set(n, (left.get(n) || 0) + 1);
  return after.filter((n) => { const k = left.get(n) || 0; if (k > 0) { left.set(n, k - 1); return false; } return true; });
}

async function snapshot(ctx) {
  const heap = heapAfterGc(ctx);
  const s = await scrape(ctx);
  return {
    threadNames: threadNames(ctx.servicePid),
    heapBytes: heap,
    heapBytesMetric: s.heapUsed,
    rssBytes: procStatus(ctx.servicePid, 'VmRSS'),
    liveThreads: s.liveThreads,
    osThreads: procStatus(ctx.servicePid, 'Threads'),
    queueInUse: s.queueInUse,
  };
}

async function waiting(ctx) {
  const warmup = ctx.quick ? 100 : 200;
  const count = ctx.count ?? size(ctx, 10000, 2000, 2000);
  const prefix = `s3-r${ctx.run}-${Date.now()}`;
  await stubReset(ctx);
  const start = await scrape(ctx);
  const limited0 = start.attempts('RATE_LIMITED');

  // Warm-up: the same path once for every action id (breakers, classes, JIT) before the baseline is taken. Each
  // action's first 429 holds the action for its Retry-After (as Genesys asks), so its other retries wait for a slot in
  // the service instead of reaching the stub: a retry waits either on its own timer or behind its action's hold.
  await submitBatches(ctx, `${prefix}-warmup`, warmup, 2);
  const warmed = await waitFor(ctx, 'every action of the warm-up to be rate limited',
    (s) => (s.attempts('RATE_LIMITED') >= limited0 + ACTIONS && s.queueInUse >= (start.queueInUse || 0) + warmup) ||
      s.completedTotal > start.completedTotal,
    { timeoutMs: 30_000, intervalMs: 250 }); // polled gently: each scrape runs on a Quarkus worker thread
  if (warmed.scrape.completedTotal !== start.completedTotal) {
    throw new Error(`warm-up retries finished instead of waiting: ${JSON.stringify(warmed.scrape.completed)}`);
  }
  await sleep(1000); // for the warm-up's retries to reach their timers or their action's hold
  const before = await snapshot(ctx);

  const t0 = nowMs();
  await submitBatches(ctx, `${prefix}-held`, count, 2);
  // Between the two snapshots the service serves nothing but the submissions: /q/metrics and health checks run on
  // Quarkus worker threads, and polling them here would grow that pool and be counted as the service's threads.
  await sleep(2000); // for every retry to make its first attempt or join its action's hold
  const after = await snapshot(ctx);
  const elapsedS = (nowMs() - t0) / 1000;

  // Every retry must still be waiting: at most one request each at the stub, none finished.
  const log = await stubLog(ctx);
  if (log.executes.length > warmup + count) {
    throw new Error(`the stub saw ${log.executes.length} requests, more than ${warmup + count} (a second attempt came early?)`);
  }
  const finished = (await scrape(ctx)).completedTotal - start.completedTotal;
  if (after.queueInUse !== before.queueInUse + count || finished !== 0) {
    throw new Error(`queue in use went from ${before.queueInUse} to ${after.queueInUse} (expected +${count}), ` +
      `${finished} retries finished (expected none)`);
  }
  return {
    count,
    warmup,
    reachedTheStub: log.executes.length,
    measuredWithinS: round(elapsedS, 1),
    heapBeforeMiB: round(before.heapBytes / 2 ** 20, 1),
    heapAfterMiB: round(after.heapBytes / 2 ** 20, 1),
    bytesPerPending: round((after.heapBytes - before.heapBytes) / count, 0),
    bytesPerPendingMetric: round((after.heapBytesMetric - before.heapBytesMetric) / count, 0),
    rssBeforeMiB: round(before.rssBytes / 2 ** 20, 1),
    rssAfterMiB: round(after.rssBytes / 2 ** 20, 1),
    liveThreadsBefore: before.liveThreads,
    liveThreadsAfter: after.liveThreads,
    threadGrowth: after.liveThreads - before.liveThreads,
    osThreadsBefore: before.osThreads,
    osThreadsAfter: after.osThreads,
    newThreads: added(before.threadNames, after.threadNames).join(' '),
  };
}

// ------------------------------------------------------------------------------------------------------------------
// Scenario 4: backoff precision
// ------------------------------------------------------------------------------------------------------------------
async function backoff(ctx) {
  // the warm-up run is as large as a measured one: the burst's code paths are compiled before anything is measured
  const count = ctx.count ?? size(ctx, 1000, 200, 1000);
  const delayBefore = (n) => Math.min(ctx.baseDelayMs * ctx.factor ** (n - 1), ctx.maxDelayMs);
  await stubReset(ctx);
  const timerErrors0 = subMsTimerErrors(ctx);
  const before = await scrape(ctx);
  const { accepted } = await submitBatches(ctx, `s4-r${ctx.run}-${Date.now()}`, count, 4);
  const expectedMs = delayBefore(1) + delayBefore(2) + delayBefore(3);
  // While the retries run, only the stub is polled: a scrape of /q/metrics costs the service milliseconds of CPU, at
  // moments that would land inside the gaps being measured. The service is asked once all requests have arrived.
  await waitForStub(ctx, 3 * count, expectedMs + 60_000);
  const end = await waitFor(ctx, `${count} retries to finish`, (s) => s.completedTotal >= before.completedTotal + count,
    { timeoutMs: 30_000, intervalMs: 250 });
  const succeeded = end.scrape.completed.SUCCEEDED - before.completed.SUCCEEDED;
  const arrivals = arrivalsById(await stubLog(ctx));
  const firstLag = [];
  const gap12 = [];
  const gap23 = [];
  const ids = [];
  for (const a of accepted) {
    const t = arrivals.get(a.requestId);
    if (!t || t.length < 3) continue; // did not succeed (counted in notSucceeded)
    if (t.length > 3) throw new Error(`retry ${a.requestId} reached the stub ${t.length} times, expected 3`);
    ids.push(a.requestId);
    firstLag.push(t[0] - (a.acceptedAtMs + delayBefore(1)));
    gap12.push(t[1] - t[0] - delayBefore(2));
    gap23.push(t[2] - t[1] - delayBefore(3));
  }
  const [s1, s12, s23, all] = [stats(firstLag), stats(gap12), stats(gap23), stats(gap12.concat(gap23))];
  // the error beyond the configured jitter: how far a gap fell outside delay × (1 ± jitter)
  const beyond = (errors, n) => errors.map((e) => Math.max(0, Math.abs(e) - ctx.jitter * delayBefore(n)));
  const outside = stats(beyond(gap12, 2).concat(beyond(gap23, 3)));
  if (ids.length !== succeeded) throw new Error(`${succeeded} retries SUCCEEDED but ${ids.length} made 3 requests`);
  return {
    count,
    scheduleMs: [1, 2, 3].map(delayBefore),
    gap12MeanMs: round(s12.mean), gap12P99Ms: round(s12.p99), gap12MinMs: round(s12.min),
    gap23MeanMs: round(s23.mean), gap23P99Ms: round(s23.p99), gap23MinMs: round(s23.min),
    errorMeanMs: round(all.mean), errorP99Ms: round(all.p99), errorMaxMs: round(all.max),
    jitter: ctx.jitter,
    beyondJitterMeanMs: round(outside.mean), beyondJitterP99Ms: round(outside.p99), beyondJitterMaxMs: round(outside.max),
    firstLagP50Ms: round(s1.p50), firstLagP99Ms: round(s1.p99),
    ...(ctx.jitter === 0 ? await gapParts(ctx, ids, arrivals, delayBefore) : {}),
    notSucceeded: count - succeeded,
    subMsTimerErrors: subMsTimerErrors(ctx) - timerErrors0,
  };
}

// Splits each gap error (without jitter, where the service's schedule is known) into three parts, from the attempts the
// service recorded (start instant and whole-millisecond duration) and the stub's arrival times:
//   answer  = service's end of attempt n − stub's arrival of attempt n: the answer's way back, and the wait for an
//             event loop to read it;
//   timer   = service's start of attempt n+1 − (end of attempt n + configured delay): how late the service's own timer
//             started the next attempt (±1 ms, the duration's rounding);
//   request = stub's arrival of attempt n+1 − service's start of attempt n+1: the request's way out.
async function gapParts(ctx, ids, arrivals, delayBefore) {
  const parts = { answer: [], timer: [], request: [] };
  await pool(ids, 16, async (id) => {
    const res = await request(ctx.service, 'GET', `/v1/retries/${id}`, { headers: { 'X-API-Key': ctx.apiKey } });
    if (res.status !== 200) throw new Error(`GET /v1/retries/${id} answered ${res.status}`);
    const attempts = res.body.attempts.filter((a) => a.outcome !== 'INTERRUPTED');
    const t = arrivals.get(id);
    if (attempts.length !== 3) throw new Error(`retry ${id} recorded ${attempts.length} attempts, expected 3`);
    for (let n = 0; n < 2; n++) {
      const end = instantMs(attempts[n].startedAt) + attempts[n].durationMs;
      const next = instantMs(attempts[n + 1].startedAt);
      parts.answer.push(end - t[n]);
      parts.timer.push(next - (end + delayBefore(n + 2)));
      parts.request.push(t[n + 1] - next);
    }
  });
  const [answer, timer, out] = [stats(parts.answer), stats(parts.timer), stats(parts.request)];
  return {
    answerMeanMs: round(answer.mean), answerP99Ms: round(answer.p99),
    timerMeanMs: round(timer.mean), timerP99Ms: round(timer.p99),
    requestMeanMs: round(out.mean), requestP99Ms: round(out.p99),
  };
}

// ------------------------------------------------------------------------------------------------------------------
async function main() {
  let ctx;
  try {
    ctx = parseArgs(process.argv);
    const scenarios = {
      throughput: () => throughput(ctx, { attemptsPerRetry: 1 }),
      'throughput-503': () => throughput(ctx, { attemptsPerRetry: 2 }),
      overhead: () => overhead(ctx),
      waiting: () => waiting(ctx),
      backoff: () => backoff(ctx),
      'backoff-jitter': () => backoff(ctx),
    };
    if (!scenarios[ctx.scenario]) throw new Error(`unknown scenario ${ctx.scenario}`);
    const metrics = await scenarios[ctx.scenario]();
    process.stdout.write(JSON.stringify({ scenario: ctx.scenario, run: ctx.run, warmup: ctx.warmup, ok: true, metrics }) + '\n');
    agent.destroy();
  } catch (err) {
    process.stdout.write(JSON.stringify({ scenario: ctx && ctx.scenario, run: ctx && ctx.run, warmup: ctx && ctx.warmup, ok: false, error: String(err && err.message || err) }) + '\n');
    agent.destroy();
    process.exitCode = 1;
  }
}

main();
