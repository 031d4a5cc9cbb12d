#!/usr/bin/env node
// Driver of the limits benchmark (bench/limits.sh): runs ONE scenario against services and a stand-in
// (bench/limits-stub.mjs) that limits.sh has started, and prints one JSON line with what it measured
// ({scenario, ok:true, metrics} or {scenario, ok:false, error}); `report` turns those lines into the Markdown table.
//
//   node limits.mjs backlog      --stub URL --services URL,URL --out DIR [--count 3000] [--outage-after-s 5]
//                                [--drain-timeout-s 120] [--db-name NAME --db-host HOST --db-user USER]
//   node limits.mjs rate-limited --stub URL --services URL --out DIR [--count 1500] [--rate-limit 50] [--timeout-s 150]
//   node limits.mjs cpu          --stub URL --services URL,URL --service-pids PID,PID --labels without,with
//                                [--count 5000] [--runs 3] [--warmups 1]
//   node limits.mjs report RESULTS.jsonl
//
// Every figure comes from the stand-in's log of execute requests (start and end of each), the database, /q/metrics or
// /proc. Every wait is bounded; a scenario that does not finish in time fails with what it saw.
import fs from 'node:fs';
import { execFileSync } from 'node:child_process';
import { httpClient, nowMs, pool, round, sleep } from './lib/http.mjs';
import { cpuSeconds } from './lib/proc.mjs';

// ------------------------------------------------------------------------------------------------------------------
// Arguments and small helpers
// ------------------------------------------------------------------------------------------------------------------
const [mode, ...rest] = process.argv.slice(2);
const opts = {};
for (let i = 0; i < rest.length; i += 2) {
  if (!rest[i].startsWith('--') || rest[i + 1] === undefined) {
    if (mode !== 'report') throw new Error(`bad argument ${rest[i]}`);
  } else opts[rest[i].slice(2)] = rest[i + 1];
}
const num = (name, fallback) => (opts[name] === undefined ? fallback : Number(opts[name]));
const API_KEY = opts['api-key'] || 'bench-key';

// Every request carries the API key; the stand-in ignores it.
const { request, destroy: closeConnections } = httpClient({ headers: { 'X-API-Key': API_KEY }, maxSockets: 32 });

// Submits `count` retries of `actionId` through POST /v1/retries/batch in chunks of 100, chunk k to services[k % n],
// four chunks at a time. Every item must be accepted. Returns when the last chunk is answered.
async function submit(services, prefix, actionId, count) {
  const chunks = [];
  for (let start = 0; start < count; start += 100) {
    chunks.push(Array.from({ length: Math.min(100, count - start) }, (_, k) => ({
      actionId,
      originalRunId: `${prefix}-${start + k}`,
      requestPayload: { customerId: `C-${100000 + start + k}`, reason: 'benchmark' },
    })));
  }
  await pool(chunks, 4, async (chunk, k) => {
    const service = services[k % services.length];
    const res = await request(service, 'POST', '/v1/retries/batch', { body: chunk });
    if (res.status !== 200) throw new Error(`batch to ${service} answered ${res.status}: ${JSON.stringify(res.body).slice(0, 300)}`);
    for (const item of res.body.results) {
      if (String(item.outcome).toUpperCase() !== 'ACCEPTED') {
        throw new Error(`batch item ${item.index} was ${item.outcome}: ${JSON.stringify(item).slice(0, 300)}`);
      }
    }
  });
}

const stubStats = async (stub) => (await request(stub, 'GET', '/__stats')).body;
async function stubLog(stub) {
  const res = await request(stub, 'GET', '/__log', { timeoutMs: 60_000 });
  if (res.status !== 200) throw new Error(`stand-in /__log answered ${res.status}`);
  return res.body;
}
async function stubReset(stub) {
  const res = await request(stub, 'POST', '/__reset');
  if (res.status !== 200) throw new Error(`stand-in /__reset answered ${res.status}`);
}

// Polls the stand-in until `n` distinct retries have been answered 2xx; fails after `timeoutMs` with `describe()`.
async function waitForSuccesses(stub, n, timeoutMs, describe = async () => '') {
  const deadline = nowMs() + timeoutMs;
  let stats;
  for (let i = 0; i < Math.ceil(timeoutMs / 100) + 1 && nowMs() < deadline; i++) {
    stats = await stubStats(stub);
    if (stats.succeededIds >= n) return stats;
    await sleep(100);
  }
  throw new Error(`timed out after ${timeoutMs / 1000} s: ${stats ? stats.succeededIds : '?'} of ${n} retries answered 2xx` +
    `, ${stats ? stats.executes : '?'} execute requests${await describe()}`);
}

// Sum of a Prometheus counter over the samples whose labels include `filter`.
async function metricSum(service, name, filter = {}) {
  const res = await request(service, 'GET', '/q/metrics', { timeoutMs: 10_000 });
  if (res.status !== 200) throw new Error(`${service}/q/metrics answered ${res.status}`);
  let sum = 0;
  for (const line of String(res.body).split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([^}]*)\})?\s+(\S+)/.exec(line);
    if (!m || m[1] !== name) continue;
    const labels = Object.fromEntries([...(m[3] || '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="([^"]*)"/g)].map((l) => [l[1], l[2]]));
    if (Object.entries(filter).every(([k, v]) => labels[k] === v)) sum += Number(m[4]);
  }
  return sum;
}

// Status counts of the retries table, through psql (the PostgreSQL store's database).
function dbStatusCounts(dbName) {
  const out = execFileSync('psql', ['-h', opts['db-host'] || '127.0.0.1', '-U', opts['db-user'] || 'postgres', '-d', dbName,
    '-At', '-F', ' ', '-c', 'SELECT status, count(*) FROM retries GROUP BY status'], { encoding: 'utf8', timeout: 10_000 });
  const counts = {};
  for (const line of out.trim().split('\n').filter(Boolean)) {
    const [status, n] = line.split(' ');
    counts[status] = Number(n);
  }
  return counts;
}

// Epoch ms (with the sub-millisecond digits) of an ISO-8601 instant such as 2026-01-02T03:04:05.123456789Z.
function instantMs(iso) {
  const m = /^(.*T\d\d:\d\d:\d\d)(\.(\d+))?Z$/.exec(iso);
  if (!m) throw new Error(`unexpected instant ${iso}`);
  return Date.parse(m[1] + 'Z') + (m[3] ? Number('0.' + m[3]) * 1000 : 0);
}

// Every attempt the services recorded, as [start, end] (their startedAt and startedAt + durationMs). An attempt's start
// is taken once it has its slot under the limits, before its IN_FLIGHT state is written, so the stand-in sees it later by
// the time that write takes.
function dbAttempts(dbName) {
  const out = execFileSync('psql', ['-h', opts['db-host'] || '127.0.0.1', '-U', opts['db-user'] || 'postgres', '-d', dbName,
    '-At', '-F', ' ', '-c', "SELECT a->>'startedAt', a->>'durationMs' FROM retries, jsonb_array_elements(attempts) a"],
  { encoding: 'utf8', timeout: 30_000, maxBuffer: 64 << 20 });
  return out.trim().split('\n').filter(Boolean).map((line) => {
    const [startedAt, durationMs] = line.split(' ');
    const start = instantMs(startedAt);
    return [start, start + Number(durationMs || 0)];
  });
}

// ------------------------------------------------------------------------------------------------------------------
// Measures over the stand-in's log: entries are [start, end, status, correlationId, listener]
// ------------------------------------------------------------------------------------------------------------------

// The most requests started within any one-second window [t, t + 1000), over the starts >= from.
function maxStartedInAnySecond(executes, from = -Infinity) {
  const starts = executes.map((e) => e[0]).filter((t) => t >= from).sort((a, b) => a - b);
  let best = 0;
  let bestAt = null;
  for (let i = 0, j = 0; i < starts.length; i++) {
    while (j < starts.length && starts[j] < starts[i] + 1000) j++;
    if (j - i > best) { best = j - i; bestAt = starts[i]; }
  }
  return { max: best, at: bestAt };
}

// The most requests started within one fixed second [origin + k·1000, origin + (k+1)·1000), k >= 0.
function maxStartedInFixedSecond(executes, origin) {
  const perSecond = new Map();
  for (const [t] of executes) {
    if (t < origin) continue;
    const k = Math.floor((t - origin) / 1000);
    perSecond.set(k, (perSecond.get(k) || 0) + 1);
  }
  return Math.max(0, ...perSecond.values());
}

// The most requests in flight at once (start to end), at instants >= from; `listener` restricts it to one replica.
function maxInFlight(executes, from = -Infinity, listener = null) {
  const events = [];
  for (const [start, end, , , l] of executes) {
    if (listener !== null && l !== listener) continue;
    const stop = end ?? Infinity;
    if (stop < from) continue;
    events.push([start, 1], [stop, -1]);
  }
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]); // an end before a start at the same instant
  let current = 0;
  let best = 0;
  let bestAt = null;
  for (const [t, delta] of events) {
    current += delta;
    if (t >= from && current > best) { best = current; bestAt = t; }
  }
  // requests already on the wire at `from` count from that instant
  if (from > -Infinity) {
    const atFrom = executes.filter(([s, e, , , l]) => (listener === null || l === listener) && s < from && (e ?? Infinity) >= from).length;
    if (atFrom > best) { best = atFrom; bestAt = from; }
  }
  return { max: best, at: bestAt };
}

// Median and p99 of how long the stand-in held the requests (start to end): above its --latency-ms, the stand-in or the
// machine was slow, and the times it logged are that much less exact.
function holdTimes(executes) {
  const held = executes.filter((e) => e[1] !== null).map((e) => e[1] - e[0]).sort((a, b) => a - b);
  const pick = (q) => held[Math.min(held.length - 1, Math.max(0, Math.ceil(q * held.length) - 1))];
  return { p50: round(pick(0.5), 1), p99: round(pick(0.99), 1) };
}

// Per one-second step from `origin`: requests started, of them 429, and the most in flight during the step.
function series(executes, origin, seconds) {
  const rows = Array.from({ length: seconds }, (_, k) => ({ s: k, started: 0, limited: 0, byListener: {} }));
  for (const [t, , status, , l] of executes) {
    const k = Math.floor((t - origin) / 1000);
    if (k < 0 || k >= seconds) continue;
    rows[k].started++;
    if (status === 429) rows[k].limited++;
    rows[k].byListener[l] = (rows[k].byListener[l] || 0) + 1;
  }
  return rows;
}

// ------------------------------------------------------------------------------------------------------------------
// Scenario 1: a backlog after an outage, two replicas on one database
// ------------------------------------------------------------------------------------------------------------------
async function backlog() {
  const stub = opts.stub;
  const services = opts.services.split(',');
  const count = num('count', 3000);
  const outageAfterS = num('outage-after-s', 5);
  const dbName = opts['db-name'] || 'bench_limits';
  await stubReset(stub);
  const t0 = nowMs();

  // 1. the outage: every attempt is answered 503 while the retries are submitted, and for a few seconds more
  await submit(services, `backlog-${Date.now()}`, 'bench-outage', count);
  const submittedAt = nowMs();
  await sleep(outageAfterS * 1000);

  // 2. the recovery: 200 from now on; wait until every retry has been answered 200 and is SUCCEEDED in the database
  const recovery = await request(stub, 'POST', '/__status', { body: { status: 200 } });
  if (recovery.status !== 200) throw new Error(`stand-in /__status answered ${recovery.status}`);
  const recoveredAt = recovery.body.at;
  const describeDb = async () => `; database: ${JSON.stringify(dbStatusCounts(dbName))}`;
  const lastSuccess = await waitForSuccesses(stub, count, num('drain-timeout-s', 120) * 1000, describeDb);
  let counts;
  let allSucceededAt = null;
  for (let i = 0; i < 200; i++) { // 20 s at most: each check is one psql query
    counts = dbStatusCounts(dbName);
    if ((counts.SUCCEEDED || 0) >= count) { allSucceededAt = nowMs(); break; }
    await sleep(100);
  }
  if (allSucceededAt === null) throw new Error(`the stand-in answered every retry 200 but the database holds ${JSON.stringify(counts)}`);

  // 3. the measures, from the stand-in's log
  const log = await stubLog(stub);
  fs.writeFileSync(`${opts.out}/backlog-requests.json`, JSON.stringify(log));
  const ex = log.executes;
  const after = ex.filter((e) => e[0] >= recoveredAt);
  const succeededCalls = ex.filter((e) => e[2] >= 200 && e[2] < 300).length;
  const firstSuccess = Math.min(...ex.filter((e) => e[2] === 200).map((e) => e[0]));
  const inFlightAll = maxInFlight(ex);
  const inFlightAfter = maxInFlight(ex, recoveredAt);
  const windowAll = maxStartedInAnySecond(ex);
  const windowAfter = maxStartedInAnySecond(ex, recoveredAt);
  const drainS = (allSucceededAt - recoveredAt) / 1000;
  const recorded = dbAttempts(dbName); // starts on the services' own clock, for comparison
  const seconds = Math.ceil((lastSuccess.lastSuccessAt - t0) / 1000) + 1;
  return {
    count,
    replicas: services.length,
    submitS: round((submittedAt - t0) / 1000, 2),
    recoveryAtS: round((recoveredAt - t0) / 1000, 2),
    requestsDuringOutage: ex.length - after.length,
    answered503: ex.filter((e) => e[2] === 503).length,
    requestsAfterRecovery: after.length,
    duplicateSuccesses: succeededCalls - count, // a second 200 for a retry that already had one
    stubHoldMs: holdTimes(after),
    maxInFlight: inFlightAll.max,
    maxInFlightAtS: round((inFlightAll.at - t0) / 1000, 2),
    maxInFlightAfterRecovery: inFlightAfter.max,
    maxInFlightPerReplica: [0, 1].map((l) => maxInFlight(ex, -Infinity, l).max),
    maxPerSecond: windowAll.max,
    maxPerSecondAtS: round((windowAll.at - t0) / 1000, 2),
    maxPerSecondAfterRecovery: windowAfter.max,
    maxPerSecondAfterRecoveryAtS: round((windowAfter.at - t0) / 1000, 2),
    recordedAttempts: recorded.length,
    recordedMaxPerSecond: maxStartedInAnySecond(recorded).max,
    firstSuccessAfterRecoveryS: round((firstSuccess - recoveredAt) / 1000, 3),
    lastSuccessAfterRecoveryS: round((lastSuccess.lastSuccessAt - recoveredAt) / 1000, 3),
    drainS: round(drainS, 2),
    drainRate: round(count / drainS, 1),
    database: counts,
    // one row per second since the first submission: requests started, and how many came from each replica
    perSecond: series(ex, t0, seconds).map((r) => [r.s, r.started, r.byListener[0] || 0, r.byListener[1] || 0]),
  };
}

// ------------------------------------------------------------------------------------------------------------------
// Scenario 2: an organisation rate-limited at 50 requests per second (sliding window at the stand-in)
// ------------------------------------------------------------------------------------------------------------------
async function rateLimited() {
  const stub = opts.stub;
  const [service] = opts.services.split(',');
  const count = num('count', 1500);
  const limit = num('rate-limit', 50);
  const settleMs = 5000;
  await stubReset(stub);
  const t0 = nowMs();
  await submit([service], `limited-${Date.now()}`, 'bench-limited', count);
  const submittedAt = nowMs();
  const last = await waitForSuccesses(stub, count, num('timeout-s', 150) * 1000,
    async () => `; service: ${await metricSum(service, 'orchestrator_retries_completed_total')} finished`);
  const finished = await metricSum(service, 'orchestrator_retries_completed_total', { status: 'SUCCEEDED' });

  const log = await stubLog(stub);
  fs.writeFileSync(`${opts.out}/rate-limited-requests.json`, JSON.stringify(log));
  const ex = log.executes;
  const first = Math.min(...ex.map((e) => e[0]));
  const settled = ex.filter((e) => e[0] >= first + settleMs);
  const limited = (list) => list.filter((e) => e[2] === 429).length;
  const seconds = Math.ceil((last.lastSuccessAt - first) / 1000) + 1;
  return {
    count,
    rateLimit: limit,
    submitS: round((submittedAt - t0) / 1000, 2),
    sendingS: round((last.lastSuccessAt - first) / 1000, 2), // first request to the last 200
    successRate: round(count / ((last.lastSuccessAt - first) / 1000), 1),
    requests: ex.length,
    answered429: limited(ex),
    limitedFraction: round(limited(ex) / ex.length, 4),
    requestsAfter5s: settled.length,
    answered429After5s: limited(settled),
    limitedFractionAfter5s: round(limited(settled) / Math.max(1, settled.length), 4),
    maxPerSecond: maxStartedInAnySecond(ex).max,
    maxPerSecondAfter5s: maxStartedInAnySecond(ex, first + settleMs).max,
    maxPerFixedSecondAfter5s: maxStartedInFixedSecond(ex, first + settleMs),
    maxInFlight: maxInFlight(ex).max,
    stubHoldMs: holdTimes(ex),
    succeededAtService: finished,
    // one row per second since the first request: requests started, of them answered 429
    perSecond: series(ex, first, seconds).map((r) => [r.s, r.started, r.limited]),
  };
}

// ------------------------------------------------------------------------------------------------------------------
// Scenario 3: the service's CPU per retry (every attempt answered 200 at once), for services configured differently.
// They run side by side and take turns, run by run (the order swapped every round), so that whatever else the machine
// does at the time weighs on each alike.
// ------------------------------------------------------------------------------------------------------------------
async function cpu() {
  const stub = opts.stub;
  const services = opts.services.split(',');
  const pids = opts['service-pids'].split(',').map(Number);
  const labels = opts.labels.split(',');
  const clkTck = num('clk-tck', 100);
  const count = num('count', 5000);
  const warmups = num('warmups', 1);
  const runs = labels.map(() => []);

  // one run: `count` retries submitted to service k, until the service has finished them all
  async function once(k, r) {
    await stubReset(stub);
    const before = await metricSum(services[k], 'orchestrator_retries_completed_total');
    const cpu0 = cpuSeconds(pids[k], clkTck);
    const t0 = nowMs();
    await submit([services[k]], `cpu-${labels[k]}-${r}-${Date.now()}`, 'bench-cpu', count);
    // only the stand-in is polled while the retries run, so that the polling costs the service nothing
    await waitForSuccesses(stub, count, 120_000);
    let done = 0;
    for (let i = 0; i < 100 && done < count; i++) { // the service records each outcome just after the answer
      done = (await metricSum(services[k], 'orchestrator_retries_completed_total')) - before;
      if (done < count) await sleep(50);
    }
    const cpu1 = cpuSeconds(pids[k], clkTck);
    if (done < count) throw new Error(`${labels[k]}: ${done} of ${count} retries finished at the service`);
    const wallS = (nowMs() - t0) / 1000;
    runs[k].push({ warmup: r < warmups, wallS: round(wallS, 2), retriesPerS: round(count / wallS, 0),
      cpuMsPerRetry: round(((cpu1 - cpu0) * 1000) / count, 3) });
  }

  for (let r = 0; r < warmups + num('runs', 3); r++) {
    const order = labels.map((_, k) => k);
    if (r % 2 === 1) order.reverse();
    for (const k of order) await once(k, r);
  }
  return {
    count,
    services: labels.map((label, k) => {
      const measured = runs[k].filter((x) => !x.warmup).map((x) => x.cpuMsPerRetry).sort((a, b) => a - b);
      return { label, cpuMsPerRetry: measured[Math.floor((measured.length - 1) / 2)], runs: runs[k] }; // the median
    }),
  };
}

// ------------------------------------------------------------------------------------------------------------------
// The table
// ------------------------------------------------------------------------------------------------------------------

// "second:value" for each second of a series, with a run of idle seconds written once as "from-to:idle".
function compactSeries(rows, format, idle) {
  const parts = [];
  for (let i = 0; i < rows.length; i++) {
    if (!idle(rows[i])) { parts.push(`${rows[i][0]}:${format(rows[i])}`); continue; }
    let j = i;
    while (j + 1 < rows.length && idle(rows[j + 1])) j++;
    parts.push(j > i ? `${rows[i][0]}-${rows[j][0]}:idle` : `${rows[i][0]}:0`);
    i = j;
  }
  return parts.join(' ');
}

// ------------------------------------------------------------------------------------------------------------------
function report(file) {
  const lines = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
  const out = [];
  const row = (scenario, measure, value, goal = '', pass = null) =>
    out.push(`| ${scenario} | ${measure} | ${value} | ${goal} | ${pass === null ? '' : pass ? 'PASS' : 'MISS'} |`);
  const notes = [];
  out.push('| Scenario | Measure | Value | Goal | Result |', '|---|---|---|---|---|');
  for (const r of lines.filter((l) => !l.ok)) {
    row(r.scenario, 'FAILED', r.error.replace(/\|/g, '\\|').slice(0, 400), '', false);
  }
  const backlogRun = lines.find((l) => l.scenario === 'backlog' && l.ok);
  if (backlogRun) {
    const m = backlogRun.metrics;
    const s = '1. backlog after an outage';
    row(s, 'retries (replicas)', `${m.count} (${m.replicas}), submitted in ${m.submitS} s; recovery at ${m.recoveryAtS} s`);
    row(s, 'requests during the outage / after recovery', `${m.requestsDuringOutage} / ${m.requestsAfterRecovery}`);
    row(s, 'max in flight at once, overall', `${m.maxInFlight} (at ${m.maxInFlightAtS} s; per replica ${m.maxInFlightPerReplica.join(', ')})`, '≤ 10', m.maxInFlight <= 10);
    row(s, 'max in flight at once, after recovery', m.maxInFlightAfterRecovery, '≤ 10', m.maxInFlightAfterRecovery <= 10);
    row(s, 'max started in any 1 s window, overall', `${m.maxPerSecond} (from ${m.maxPerSecondAtS} s)`, '≤ 105', m.maxPerSecond <= 105);
    row(s, 'max started in any 1 s window, after recovery', `${m.maxPerSecondAfterRecovery} (from ${m.maxPerSecondAfterRecoveryAtS} s)`, '≤ 105', m.maxPerSecondAfterRecovery <= 105);
    row(s, 'max started in any 1 s window, on the services\' clocks', `${m.recordedMaxPerSecond} (${m.recordedAttempts} attempts recorded; each starts when it has its slot, before its IN_FLIGHT write)`);
    row(s, 'recovery → all SUCCEEDED in the database', `${m.drainS} s (${m.drainRate}/s; first 200 after ${m.firstSuccessAfterRecoveryS} s, last after ${m.lastSuccessAfterRecoveryS} s)`, '≤ 33 s', m.drainS <= 33);
    row(s, 'retries SUCCEEDED / second 200s for one retry', `${m.database.SUCCEEDED || 0} of ${m.count} / ${m.duplicateSuccesses}`);
    row(s, 'stand-in hold time after recovery (20 ms set), p50 / p99', `${m.stubHoldMs.p50} / ${m.stubHoldMs.p99} ms`);
    notes.push(`Scenario 1, requests started per second since the first submission (second: all, replica a, replica b): ` +
      compactSeries(m.perSecond, ([, n, a, b]) => `${n} (${a}+${b})`, (r) => r[1] === 0));
  }
  const limitedRun = lines.find((l) => l.scenario === 'rate-limited' && l.ok);
  if (limitedRun) {
    const m = limitedRun.metrics;
    const s = '2. rate-limited org';
    row(s, 'retries; first request → last 200', `${m.count}; ${m.sendingS} s (${m.successRate} successes/s)`);
    row(s, 'max requests in any 1 s window, after 5 s', `${m.maxPerSecondAfter5s} (fixed 1 s windows: ${m.maxPerFixedSecondAfter5s}; first 5 s included: ${m.maxPerSecond})`, `≤ ${m.rateLimit}`, m.maxPerSecondAfter5s <= m.rateLimit);
    row(s, 'attempts answered 429, after 5 s', `${(m.limitedFractionAfter5s * 100).toFixed(1)} % (${m.answered429After5s} of ${m.requestsAfter5s})`, '< 5 %', m.limitedFractionAfter5s < 0.05);
    row(s, 'attempts answered 429, whole run', `${(m.limitedFraction * 100).toFixed(1)} % (${m.answered429} of ${m.requests})`);
    row(s, 'max in flight at once', m.maxInFlight);
    row(s, 'retries SUCCEEDED (service metric)', `${m.succeededAtService} of ${m.count}`);
    row(s, 'stand-in hold time (5 ms set), p50 / p99', `${m.stubHoldMs.p50} / ${m.stubHoldMs.p99} ms`);
    notes.push(`Scenario 2, requests started per second since the first (second: all/429): ` +
      compactSeries(m.perSecond, ([, n, l]) => `${n}/${l}`, (r) => r[1] === 0));
  }
  const cpuRun = lines.find((l) => l.scenario === 'cpu' && l.ok);
  if (cpuRun) {
    const byLabel = Object.fromEntries(cpuRun.metrics.services.map((x) => [x.label, x]));
    for (const x of cpuRun.metrics.services) {
      const measured = x.runs.filter((y) => !y.warmup);
      row('3. CPU per retry', `limiter ${x.label === 'with' ? 'in the way (max-concurrent 10)' : 'out of the way (max-concurrent 100000)'}`,
        `${x.cpuMsPerRetry} ms (runs ${measured.map((y) => y.cpuMsPerRetry).join(', ')}; ${measured.map((y) => y.retriesPerS).join(', ')} retries/s)`);
    }
    if (byLabel.with && byLabel.without) {
      // run by run: the two runs of one round saw the machine alike
      const [w, wo] = [byLabel.with, byLabel.without].map((x) => x.runs.filter((y) => !y.warmup).map((y) => y.cpuMsPerRetry));
      const paired = w.map((v, i) => round(v - wo[i], 3));
      const sorted = paired.slice().sort((a, b) => a - b);
      const d = sorted[Math.floor((sorted.length - 1) / 2)];
      row('3. CPU per retry', 'difference (with − without), median of the rounds', `${d} ms (${round((d / byLabel.without.cpuMsPerRetry) * 100, 1)} %; rounds ${paired.join(', ')})`);
    }
  }
  return out.join('\n') + '\n\n' + notes.map((n) => `- ${n}`).join('\n') + '\n';
}

// ------------------------------------------------------------------------------------------------------------------
async function main() {
  if (mode === 'report') {
    process.stdout.write(report(rest[0]));
    return;
  }
  const scenarios = { backlog, 'rate-limited': rateLimited, cpu };
  try {
    if (!scenarios[mode]) throw new Error(`unknown scenario ${mode}`);
    const metrics = await scenarios[mode]();
    process.stdout.write(JSON.stringify({ scenario: mode, ok: true, metrics }) + '\n');
  } catch (err) {
    process.stdout.write(JSON.stringify({ scenario: mode, ok: false, error: String((err && err.message) || err) }) + '\n');
    process.exitCode = 1;
  } finally {
    closeConnections();
  }
}

main();
