#!/usr/bin/env node
// Turns the driver's JSON lines (one per run) into the benchmark's Markdown table: the median of each metric over the
// runs that succeeded, every run's value, and the goals with PASS / MISS. A scenario with a failed run says FAILED.
//
// Usage: node report.js results.jsonl --date D --cores N --memory M --jdk J --node V --commit C --load L
//                       --throughput-delay DELAY --command CMD --runs N --quick 0|1 --profile 0|1
'use strict';

const fs = require('node:fs');

const [file, ...rest] = process.argv.slice(2);
const info = {};
for (let i = 0; i < rest.length; i += 2) info[rest[i].replace(/^--/, '')] = rest[i + 1];

const lines = fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.trim());
const all = lines.map((l, i) => {
  try {
    return JSON.parse(l);
  } catch {
    return { scenario: 'unknown', run: i + 1, ok: false, error: `unreadable result line: ${l.slice(0, 200)}` };
  }
});
const runs = all.filter((r) => !r.warmup); // warm-up runs are not reported, except when they failed
const warmupFailures = all.filter((r) => r.warmup && !r.ok);

const median = (values) => {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};
const fmt = (v) => {
  if (v === undefined || v === null || Number.isNaN(v)) return 'n/a';
  if (Math.abs(v) >= 1000) return Math.round(v).toLocaleString('en-US');
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2);
};

// [scenario, metric, label, unit, goal, aggregate]. A goal is [test, text]; aggregate defaults to the median.
const lt = (limit) => [(v) => v < limit, `< ${fmt(limit)}`];
const ge = (limit) => [(v) => v >= limit, `≥ ${fmt(limit)}`];
const le = (limit) => [(v) => v <= limit, `≤ ${fmt(limit)}`];
const eq = (value) => [(v) => v === value, `= ${value}`];
const SECTIONS = [
  [`1. Throughput: stub answers 200 at once, base delay ${info['throughput-delay']}`, [
    ['throughput', 'retriesPerS', 'retries per second (first submission → last terminal)', 'retries/s', ge(3000)],
    ['throughput', 'wallS', 'wall time', 's'],
    ['throughput', 'submitS', 'time until every submission was accepted', 's'],
    ['throughput', 'serviceCpuS', 'service CPU (user + system)', 's'],
    ['throughput', 'serviceCpuMsPerRetry', 'service CPU per retry', 'ms'],
    ['throughput', 'serviceCpuShare', 'service CPU share over the wall time', 'cores'],
    ['throughput', 'peakRssMiB', 'service peak RSS (VmHWM)', 'MiB'],
    ['throughput', 'liveHeapAfterGcMiB', 'service heap used after a full GC, end of run', 'MiB'],
    ['throughput', 'stubCpuShare', 'stub CPU share over the wall time', 'cores'],
    ['throughput', 'driverCpuShare', 'load driver CPU share over the wall time', 'cores'],
    ['throughput', 'notSucceeded', 'retries that ended otherwise than SUCCEEDED', 'retries', eq(0)],
    ['throughput', 'subMsTimerErrors', '… of them stopped by the sub-millisecond timer error', 'retries'],
  ]],
  [`1b. Throughput: every action answers 503, then 200; base delay ${info['throughput-delay']}`, [
    ['throughput-503', 'retriesPerS', 'retries per second (first submission → last terminal)', 'retries/s', ge(3000)],
    ['throughput-503', 'wallS', 'wall time', 's'],
    ['throughput-503', 'submitS', 'time until every submission was accepted', 's'],
    ['throughput-503', 'serviceCpuS', 'service CPU (user + system)', 's'],
    ['throughput-503', 'serviceCpuMsPerRetry', 'service CPU per retry (2 attempts each)', 'ms'],
    ['throughput-503', 'peakRssMiB', 'service peak RSS (VmHWM)', 'MiB'],
    ['throughput-503', 'liveHeapAfterGcMiB', 'service heap used after a full GC, end of run', 'MiB'],
    ['throughput-503', 'stubCpuShare', 'stub CPU share over the wall time', 'cores'],
    ['throughput-503', 'driverCpuShare', 'load driver CPU share over the wall time', 'cores'],
    ['throughput-503', 'notSucceeded', 'retries that ended otherwise than SUCCEEDED', 'retries', eq(0)],
    ['throughput-503', 'subMsTimerErrors', '… of them stopped by the sub-millisecond timer error', 'retries'],
  ]],
  ['2. Overhead: steady 500 retries/s, base delay 100 ms, no jitter, stub latency 20 ms', [
    ['overhead', 'achievedRate', 'submission rate achieved', 'retries/s'],
    ['overhead', 'lagP50Ms', 'scheduling lag p50: stub arrival of attempt 1 − (acceptedAt + 100 ms)', 'ms'],
    ['overhead', 'lagP99Ms', 'scheduling lag p99', 'ms', lt(10)],
    ['overhead', 'lagMaxMs', 'scheduling lag max', 'ms'],
    ['overhead', 'e2eP50Ms', 'end-to-end overhead p50: completedAt − acceptedAt − 100 ms − 20 ms', 'ms'],
    ['overhead', 'e2eP99Ms', 'end-to-end overhead p99', 'ms'],
    ['overhead', 'e2eMaxMs', 'end-to-end overhead max', 'ms'],
    ['overhead', 'stubHoldP99Ms', 'stub hold time p99 (the 20 ms as the stub measured it)', 'ms'],
    ['overhead', 'postP99Ms', 'POST /v1/retries response time p99', 'ms'],
    ['overhead', 'serviceCpuShare', 'service CPU share', 'cores'],
    ['overhead', 'notSucceeded', 'retries that ended otherwise than SUCCEEDED (left out above)', 'retries', eq(0)],
    ['overhead', 'subMsTimerErrors', '… of them stopped by the sub-millisecond timer error', 'retries'],
  ]],
  ['3. Waiting capacity: retries held pending by 429 + Retry-After: 60', [
    ['waiting', 'count', 'pending retries added', 'retries'],
    ['waiting', 'heapBeforeMiB', 'heap used after GC, before', 'MiB'],
    ['waiting', 'heapAfterMiB', 'heap used after GC, after', 'MiB'],
    ['waiting', 'bytesPerPending', 'heap per pending retry', 'bytes', lt(4096)],
    ['waiting', 'rssBeforeMiB', 'RSS before', 'MiB'],
    ['waiting', 'rssAfterMiB', 'RSS after', 'MiB'],
    ['waiting', 'liveThreadsBefore', 'live JVM threads before', 'threads'],
    ['waiting', 'liveThreadsAfter', 'live JVM threads after', 'threads'],
    ['waiting', 'threadGrowth', 'thread growth', 'threads', le(0)],
  ]],
  ['4. Backoff precision: 503, 503, 200; base 200 ms, factor 2, no jitter (gaps 400 ms, 800 ms)', [
    ['backoff', 'gap12MeanMs', 'gap 1→2 minus 400 ms, mean', 'ms'],
    ['backoff', 'gap12P99Ms', 'gap 1→2 minus 400 ms, p99', 'ms'],
    ['backoff', 'gap23MeanMs', 'gap 2→3 minus 800 ms, mean', 'ms'],
    ['backoff', 'gap23P99Ms', 'gap 2→3 minus 800 ms, p99', 'ms'],
    ['backoff', 'errorMeanMs', 'both gaps, mean error', 'ms'],
    ['backoff', 'errorP99Ms', 'both gaps, p99 error (no jitter allowed: stricter than the goal)', 'ms', lt(25)],
    ['backoff', 'answerP99Ms', 'error part: the answer\'s way back (service end of attempt − stub arrival), p99', 'ms'],
    ['backoff', 'timerP99Ms', 'error part: the service\'s timer (next start − (end + delay)), p99', 'ms'],
    ['backoff', 'requestP99Ms', 'error part: the request\'s way out (stub arrival − service start), p99', 'ms'],
    ['backoff', 'firstLagP99Ms', 'attempt 1 lag p99 (all due at once)', 'ms'],
    ['backoff', 'notSucceeded', 'retries that ended otherwise than SUCCEEDED (left out above)', 'retries', eq(0)],
    ['backoff', 'subMsTimerErrors', '… of them stopped by the sub-millisecond timer error', 'retries'],
  ]],
  ['4b. Backoff precision with the default jitter of 0.1: the error beyond delay × (1 ± 0.1)', [
    ['backoff-jitter', 'errorMeanMs', 'both gaps, mean error (jitter included)', 'ms'],
    ['backoff-jitter', 'beyondJitterMeanMs', 'both gaps, mean error beyond the jitter', 'ms'],
    ['backoff-jitter', 'beyondJitterP99Ms', 'both gaps, p99 error beyond the jitter', 'ms', lt(25)],
    ['backoff-jitter', 'beyondJitterMaxMs', 'both gaps, max error beyond the jitter', 'ms'],
    ['backoff-jitter', 'firstLagP99Ms', 'attempt 1 lag p99', 'ms'],
    ['backoff-jitter', 'notSucceeded', 'retries that ended otherwise than SUCCEEDED (left out above)', 'retries', eq(0)],
  ]],
  ['5. Token economy: token requests per service instance during scenario 1', [
    ['throughput', 'tokenRequests', 'token requests, scenario 1 (all runs)', 'requests', eq(1), 'max'],
    ['throughput-503', 'tokenRequests', 'token requests, scenario 1b (all runs)', 'requests', eq(1), 'max'],
  ]],
];

const out = [];
out.push('# Benchmark: genesys-retry-orchestrator', '');
out.push(`- Date: ${info.date}`);
out.push(`- Machine: ${info.cores} cores, ${info.memory} memory; ${info.jdk}; Node.js ${info.node}`);
out.push(`- Load average (1, 5, 15 min) at start -> end: ${info.load}`);
out.push(`- Service commit: ${info.commit}`);
out.push(`- Command: \`${info.command}\``);
out.push(`- Runs per scenario: ${info.runs}; the median of the runs that succeeded is shown, then every run's value` +
  '; each service instance first serves unreported warm-up runs (listed under the table for scenarios 4 and 4b)' +
  (info.quick === '1' ? '\n- QUICK MODE: one smaller run per scenario; the goals are indicative only' : '') +
  (info.profile === '1' ? '\n- PROFILING: Flight Recorder was on; the numbers carry its overhead' : ''));
out.push('');
out.push('| Scenario / metric | Unit | Median | Runs | Goal | Result |');
out.push('|---|---|---:|---|---|---|');

const failures = runs.filter((r) => !r.ok);
let anyMiss = false;
for (const [title, rows] of SECTIONS) {
  const scenarios = [...new Set(rows.map((r) => r[0]))];
  if (!scenarios.some((s) => runs.some((r) => r.scenario === s))) continue; // not selected with --only
  out.push(`| **${title}** | | | | | |`);
  for (const [scenario, key, label, unit, goal, aggregate] of rows) {
    const mine = runs.filter((r) => r.scenario === scenario);
    if (mine.length === 0) continue; // a scenario left out with --only, in a section that shares rows with another
    const good = mine.filter((r) => r.ok && typeof r.metrics[key] === 'number');
    const failed = mine.length - mine.filter((r) => r.ok).length;
    const values = good.map((r) => r.metrics[key]);
    const value = values.length === 0 ? NaN : aggregate === 'max' ? Math.max(...values) : median(values);
    let result = '';
    if (goal) {
      if (values.length === 0) result = '**FAILED** (no run succeeded)';
      else if (failed > 0) result = `**FAILED** (${failed} of ${mine.length} runs failed)`;
      else result = goal[0](value) ? 'PASS' : '**MISS**';
      if (result !== 'PASS') anyMiss = true;
    } else if (failed > 0) {
      result = `${failed} of ${mine.length} runs failed`;
    }
    const each = mine.map((r) => (r.ok ? fmt(r.metrics[key]) : 'failed')).join(', ');
    out.push(`| ${label} | ${unit} | ${fmt(value)} | ${each} | ${goal ? goal[1] : ''} | ${result} |`);
  }
}
out.push('');
if (failures.length) {
  out.push('Failed runs:', '');
  for (const f of failures) out.push(`- ${f.scenario} run ${f.run}: ${f.error}`);
  out.push('');
}
const grown = runs.filter((r) => r.ok && r.metrics.newThreads);
if (grown.length) {
  out.push('Threads that appeared during scenario 3 (names from /proc, at most 15 characters):', '');
  for (const r of grown) out.push(`- run ${r.run}: ${r.metrics.newThreads}`);
  out.push('');
}
// The backoff scenarios' warm-up runs, in order: how precise the service is from its first burst on, while the JIT
// compiler is still at work.
const WARMUP_TREND = { backoff: ['errorP99Ms', 'p99 gap error'], 'backoff-jitter': ['beyondJitterP99Ms', 'p99 error beyond the jitter'] };
const trends = Object.entries(WARMUP_TREND)
  .map(([scenario, [key, what]]) => [scenario, what, all.filter((r) => r.warmup && r.scenario === scenario)])
  .filter(([, , warmups]) => warmups.length > 0);
if (trends.length) {
  out.push('Warm-up runs of scenarios 4 and 4b, in order from the service\'s start (not in the medians above):', '');
  for (const [scenario, what, warmups] of trends) {
    const values = warmups.map((r) => (r.ok ? `${fmt(r.metrics[WARMUP_TREND[scenario][0]])} ms` : 'failed'));
    out.push(`- ${scenario}, ${what}: ${values.join(', ')}`);
  }
  out.push('');
}
if (warmupFailures.length) {
  out.push('Failed warm-up runs (not measured, but the service misbehaved):', '');
  for (const f of warmupFailures) out.push(`- ${f.scenario}: ${f.error}`);
  out.push('');
}
out.push(anyMiss ? 'Some goals were missed or could not be measured.' : 'Every goal was met.');
process.stdout.write(out.join('\n') + '\n');
