#!/usr/bin/env node
// Driver of the console benchmark (bench/console.sh): fills ONE started service with retries through the API, waits
// until they have settled, signs in to the console and times each page; prints one JSON line ({store, ok:true, ...} or
// {store, ok:false, error}). `report` turns those lines into one Markdown table per store.
//
//   node console.mjs run --service URL --service-pid PID --store NAME [--count 10000] [--actions 10] [--runs 50]
//                        [--warmups 20] [--api-key bench-key] [--settle-timeout-s 300] [--clk-tck 100]
//                        [--db-name NAME --db-host 127.0.0.1 --db-user postgres --analyze 1]
//   node console.mjs report RESULTS.jsonl
//
// The stand-in (bench/stub.js --script-field stubScript) answers each retry by the script in its payload, so the driver
// decides each retry's fate: most succeed at once, some fail for good (400 bad.request, 404 not.found: FAILED), some
// keep failing until their attempts run out (503, 500: EXHAUSTED), a few succeed on their second attempt. The failures
// fall in six groups (action, code) on four of the actions.
//
// A page's time is the driver's, from sending the request to the answer's last byte, one request at a time on a kept
// connection: what a browser next to the service would wait, less its rendering. The warm-up requests (the same
// requests) are not counted. With --db-name (the PostgreSQL store), the driver notes whether the retries table has
// planner statistics once the retries have settled and, with --analyze 1, gathers them first (ANALYZE retries), as
// autovacuum would soon after such a load where it is on. The service's CPU time per request (user + system, every thread, from /proc over the timed
// requests) does not depend on what else the machine runs, unlike the times. Every answer must be 200 and show what it should (rows, counts); a page that fails says
// why in its row.
import fs from 'node:fs';
import { execFileSync } from 'node:child_process';
import { httpClient, nowMs, pool, quantile, round, sleep } from './lib/http.mjs';
import { cpuSeconds } from './lib/proc.mjs';

const [mode, ...rest] = process.argv.slice(2);
const opts = {};
for (let i = 0; i < rest.length; i += 2) {
  if (mode === 'report') break;
  if (!rest[i].startsWith('--') || rest[i + 1] === undefined) throw new Error(`bad argument ${rest[i]}`);
  opts[rest[i].slice(2)] = rest[i + 1];
}
const num = (name, fallback) => (opts[name] === undefined ? fallback : Number(opts[name]));
const GOAL_MS = 100;
const serviceCpuMs = () => cpuSeconds(num('service-pid'), num('clk-tck', 100)) * 1000;

// ------------------------------------------------------------------------------------------------------------------
// The retries: actions and fates
// ------------------------------------------------------------------------------------------------------------------
const actionOf = (i, actions) => `console-act-${String((i % actions) + 1).padStart(2, '0')}`;

// The stand-in's script for retry i: by its action and a bucket of 5 % (the retries of one action go through the
// buckets in turn). Scripts end in their last status, repeated: "503" keeps failing until max-attempts (2) runs out.
const FATES = {
  'console-act-03': [[4, '400']], // 20 % FAILED, bad.request
  'console-act-04': [[2, '404']], // 10 % FAILED, not.found
  'console-act-05': [[3, '503']], // 15 % EXHAUSTED, service.unavailable
  'console-act-07': [[2, '400'], [4, '503']], // 10 % FAILED bad.request, 10 % EXHAUSTED service.unavailable
  'console-act-08': [[1, '503,200']], // 5 % SUCCEEDED on the second attempt
  'console-act-09': [[2, '500']], // 10 % EXHAUSTED, service.unavailable (the stand-in's code for a 500)
};
function scriptOf(i, actions) {
  const bucket = Math.floor(i / actions) % 20;
  for (const [below, script] of FATES[actionOf(i, actions)] || []) {
    if (bucket < below) return script;
  }
  return '200';
}
const EXPECTED = { '200': 'SUCCEEDED', '503,200': 'SUCCEEDED', '400': 'FAILED', '404': 'FAILED', '503': 'EXHAUSTED', '500': 'EXHAUSTED' };

// ------------------------------------------------------------------------------------------------------------------
// One run against one service
// ------------------------------------------------------------------------------------------------------------------
async function run() {
  const service = opts.service;
  const count = num('count', 10_000);
  const actions = num('actions', 10);
  const runs = num('runs', 50);
  const warmups = num('warmups', 20);
  const { request, destroy } = httpClient({ maxSockets: 8 });
  const api = { 'X-API-Key': opts['api-key'] || 'bench-key' };
  try {
    // 1. Fill: chunks of 100 on POST /v1/retries/batch, four at a time
    const t0 = nowMs();
    const chunks = [];
    for (let start = 0; start < count; start += 100) {
      chunks.push(Array.from({ length: Math.min(100, count - start) }, (_, k) => start + k));
    }
    const ids = new Array(count);
    await pool(chunks, 4, async (chunk) => {
      const body = chunk.map((i) => ({
        actionId: actionOf(i, actions),
        originalRunId: `console-run-${i}`,
        requestPayload: { customerId: `C-${100000 + i}`, reason: 'console benchmark', stubScript: scriptOf(i, actions) },
      }));
      const res = await request(service, 'POST', '/v1/retries/batch', { body, headers: api, timeoutMs: 60_000 });
      if (res.status !== 200) throw new Error(`batch answered ${res.status}: ${JSON.stringify(res.body).slice(0, 300)}`);
      for (const item of res.body.results) {
        if (String(item.outcome).toUpperCase() !== 'ACCEPTED') {
          throw new Error(`batch item ${chunk[item.index]} was ${item.outcome}: ${JSON.stringify(item).slice(0, 300)}`);
        }
        ids[chunk[item.index]] = item.retry.requestId;
      }
    });
    const filledS = (nowMs() - t0) / 1000;

    // 2. Settle: nothing PENDING or IN_FLIGHT any more
    const deadline = nowMs() + num('settle-timeout-s', 300) * 1000;
    let unfinished = null;
    for (;;) {
      unfinished = 0;
      for (const status of ['PENDING', 'IN_FLIGHT']) {
        const res = await request(service, 'GET', `/v1/retries?status=${status}&limit=1`, { headers: api });
        if (res.status !== 200) throw new Error(`GET /v1/retries?status=${status} answered ${res.status}`);
        unfinished += res.body.length;
      }
      if (unfinished === 0 || nowMs() > deadline) break;
      await sleep(500);
    }
    const settledS = (nowMs() - t0) / 1000;
    if (unfinished !== 0) throw new Error(`retries still unfinished ${round(settledS, 0)} s after the first submission`);

    // 3. The planner's statistics of the retries table (PostgreSQL store)
    const database = opts['db-name'] ? statistics(opts['analyze'] === '1') : null;

    // 4. Sign in
    const signIn = await request(service, 'POST', '/console/sign-in', {
      body: `key=${encodeURIComponent(opts['api-key'] || 'bench-key')}`,
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    const cookie = [].concat(signIn.headers['set-cookie'] || []).map((c) => c.split(';')[0])
      .find((c) => c.startsWith('orchestrator-console='));
    if (signIn.status !== 303 || !cookie) throw new Error(`sign-in answered ${signIn.status} without the session cookie`);
    const page = (path, extra = {}) => request(service, 'GET', path, { headers: { Cookie: cookie, ...extra } });

    // 5. What the store holds, as the overview counts it (where it can)
    let statusCounts = null;
    const panel = await page('/console/overview', { 'HX-Request': 'true' });
    if (panel.status === 200) {
      statusCounts = {};
      for (const m of panel.body.matchAll(/data-status="([A-Z_]+)".*?class="count number">(\d+)</gs)) statusCounts[m[1]] = Number(m[2]);
    }
    const expected = {};
    for (let i = 0; i < count; i++) {
      const status = EXPECTED[scriptOf(i, actions)];
      expected[status] = (expected[status] || 0) + 1;
    }

    // 6. The pages
    const exhausted = ids.filter((_, i) => actionOf(i, actions) === 'console-act-05' && scriptOf(i, actions) === '503');
    const rows = (html) => (html.match(/class="retry-link"/g) || []).length;
    const pages = [];
    async function measure(name, path, check, { headers = {}, paths = null } = {}) {
      const times = [];
      let bytes = 0;
      let shown = null;
      let cpu0 = 0;
      try {
        for (let k = 0; k < warmups + runs; k++) {
          if (k === warmups) cpu0 = serviceCpuMs();
          const res = await page(paths ? paths[k % paths.length] : path, headers);
          if (res.status !== 200) throw new Error(`answered ${res.status}: ${String(res.body).replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 200)}`);
          if (k >= warmups) times.push(res.ms);
          bytes = Buffer.byteLength(res.body);
          shown = check(res.body);
        }
        const cpuMs = (serviceCpuMs() - cpu0) / runs;
        pages.push({ name, path, ok: true, ...summary(times), cpuMs: round(cpuMs, 1), bytes, shown });
      } catch (err) {
        pages.push({ name, path, ok: false, error: String(err.message || err) });
      }
    }
    // a list shows the newest 50 of the retries that match
    const listed = (matches) => (html) => {
      const wanted = Math.min(50, ids.filter((_, i) => matches(i)).length);
      const r = rows(html);
      if (r !== wanted) throw new Error(`showed ${r} retries, expected ${wanted}`);
      return `${r} ${r === 1 ? 'row' : 'rows'}`;
    };
    const action = (i) => actionOf(i, actions);
    const status = (i) => EXPECTED[scriptOf(i, actions)];
    const contains = (marker, label) => (html) => {
      if (!html.includes(marker)) throw new Error(`no ${marker} in the page`);
      return label;
    };
    const attempts = (n) => (html) => {
      const shown = (html.match(/<li class="attempt">/g) || []).length;
      if (shown !== n) throw new Error(`showed ${shown} attempts, expected ${n}`);
      return `${n} attempts`;
    };
    const groups = (html) => {
      const n = (html.match(/class="open-group"/g) || []).length;
      if (n < 6) throw new Error(`showed ${n} failure groups, expected 6`);
      return `${n} groups`;
    };

    await measure('overview', '/console', contains('id="status-counts"', 'counts, chart'));
    await measure('overview panel (htmx)', '/console/overview', contains('id="status-counts"', 'counts, chart'),
      { headers: { 'HX-Request': 'true' } });
    await measure('failures', '/console/failures', groups);
    await measure('retries, first page', '/console/retries', listed(() => true));
    await measure('retries, by status', '/console/retries?status=FAILED', listed((i) => status(i) === 'FAILED'));
    await measure('retries, by action', '/console/retries?actionId=console-act-07',
      listed((i) => action(i) === 'console-act-07'));
    await measure('retries, by action and status', '/console/retries?actionId=console-act-07&status=EXHAUSTED',
      listed((i) => action(i) === 'console-act-07' && status(i) === 'EXHAUSTED'));
    await measure('retries, a failure group (action and code)',
      '/console/retries?actionId=console-act-07&code=service.unavailable',
      listed((i) => action(i) === 'console-act-07' && scriptOf(i, actions) === '503'));
    await measure('retries, by run id', `/console/retries?originalRunId=console-run-${count - 1}`,
      listed((i) => i === count - 1));
    await cursorPages(pages, page, rows, runs, warmups);
    await measure('a retry (EXHAUSTED, 2 attempts)', '/console/retries/{id}', attempts(2),
      { paths: exhausted.slice(0, warmups + runs).map((id) => `/console/retries/${id}`) });
    await measure('actions', '/console/actions', (html) => {
      const n = (html.match(/<tr class="action"/g) || []).length;
      if (n < actions) throw new Error(`showed ${n} actions, expected ${actions}`);
      return `${n} actions`;
    });

    return {
      store: opts.store, ok: true, count, actions, runs, warmups,
      filledS: round(filledS, 1), settledS: round(settledS, 1), statusCounts, expected, database, pages,
    };
  } finally {
    destroy();
  }
}

// Whether autovacuum is on, whether the retries table had statistics, and whether this run gathered them.
function statistics(analyze) {
  const psql = (sql) => execFileSync('psql', ['-h', opts['db-host'] || '127.0.0.1', '-U', opts['db-user'] || 'postgres',
    '-d', opts['db-name'], '-At', '-F', ' ', '-c', sql], { encoding: 'utf8', timeout: 60_000 }).trim();
  const [autovacuum, hadStatistics] = psql("SELECT current_setting('autovacuum'), coalesce(last_analyze, last_autoanalyze) " +
    "IS NOT NULL FROM pg_stat_user_tables WHERE relname = 'retries'").split(' ');
  if (analyze) psql('ANALYZE retries');
  return { autovacuum, hadStatistics: hadStatistics === 't', analyzed: analyze };
}

// The cursor: from the first page, follow a#next-page `warmups` times (not counted), then from the first page again
// `runs` times, timing each: pages 2 to runs + 1.
async function cursorPages(pages, page, rows, runs, warmups) {
  const name = `retries, pages 2 to ${runs + 1} by the cursor (each page's a#next-page)`;
  const next = (html) => {
    const m = /<a id="next-page" href="([^"]+)"/.exec(html);
    if (!m) throw new Error('no next-page link');
    return m[1].replace(/&amp;/g, '&');
  };
  try {
    const times = [];
    let lastPath = null;
    let bytes = 0;
    let cpuMs = 0;
    for (const [follows, counted] of [[warmups, false], [runs, true]]) {
      let res = await page('/console/retries');
      const cpu0 = serviceCpuMs();
      for (let k = 0; k < follows; k++) {
        lastPath = next(res.body);
        res = await page(lastPath);
        if (res.status !== 200) throw new Error(`${lastPath} answered ${res.status}`);
        if (rows(res.body) !== 50) throw new Error(`${lastPath} showed ${rows(res.body)} retries, expected 50`);
        if (counted) times.push(res.ms);
        bytes = Buffer.byteLength(res.body);
      }
      if (counted) cpuMs = (serviceCpuMs() - cpu0) / runs;
    }
    pages.push({ name, path: '/console/retries?after=…', ok: true, ...summary(times), cpuMs: round(cpuMs, 1),
      lastMs: round(times.at(-1), 1), lastPath, bytes, shown: '50 rows each' });
  } catch (err) {
    pages.push({ name, path: '/console/retries?after=…', ok: false, error: String(err.message || err) });
  }
}

function summary(times) {
  return { n: times.length, medianMs: round(quantile(times, 0.5), 1), p95Ms: round(quantile(times, 0.95), 1), maxMs: round(Math.max(...times), 1) };
}

// ------------------------------------------------------------------------------------------------------------------
// The tables
// ------------------------------------------------------------------------------------------------------------------
function report(file) {
  const out = [];
  const results = fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
  for (const r of results) {
    out.push(`### Store: ${r.store}`, '');
    if (!r.ok) {
      out.push(`FAILED: ${r.error}`, '');
      continue;
    }
    const counts = r.statusCounts
      ? Object.entries(r.statusCounts).filter(([, n]) => n > 0).map(([s, n]) => `${s} ${n.toLocaleString('en')}`).join(', ')
      : 'not shown (the overview failed)';
    const expected = Object.entries(r.expected).map(([s, n]) => `${s} ${n.toLocaleString('en')}`).join(', ');
    out.push(`${r.count.toLocaleString('en')} retries on ${r.actions} actions, submitted in ${r.filledS} s, settled ${r.settledS} s after the first. ` +
      `Stored, as the overview counts them: ${counts} (the stand-in's scripts make ${expected}). ` +
      `${r.runs} requests per page after ${r.warmups} warm-up requests, one at a time; service CPU is per request.` +
      (r.database ? ` Planner statistics of the retries table: ${r.database.hadStatistics ? 'present' : 'none'} once the ` +
        `retries had settled (autovacuum ${r.database.autovacuum} on this server)` +
        `${r.database.analyzed ? ', then gathered by the benchmark (ANALYZE retries)' : ', and none gathered (--no-analyze)'}.` : ''), '');
    out.push('| Page | Request | Shows | Median | p95 | Max | Service CPU | p95 ≤ 100 ms |', '|---|---|---|---|---|---|---|---|');
    for (const p of r.pages) {
      if (!p.ok) {
        out.push(`| ${p.name} | \`${p.path}\` | FAILED: ${p.error.replace(/\|/g, '\\|')} | | | | | FAILED |`);
        continue;
      }
      out.push(`| ${p.name} | \`${p.path}\` | ${p.shown}, ${(p.bytes / 1024).toFixed(0)} KiB | ${p.medianMs} ms | ${p.p95Ms} ms | ${p.maxMs} ms | ${p.cpuMs} ms | ${p.p95Ms <= GOAL_MS ? 'PASS' : 'MISS'} |`);
    }
    out.push('');
  }
  return out.join('\n');
}

// ------------------------------------------------------------------------------------------------------------------
async function main() {
  if (mode === 'report') {
    process.stdout.write(report(rest[0]));
    return;
  }
  if (mode !== 'run') throw new Error(`unknown mode ${mode}: run or report`);
  try {
    process.stdout.write(JSON.stringify(await run()) + '\n');
  } catch (err) {
    process.stdout.write(JSON.stringify({ store: opts.store, ok: false, error: String((err && err.message) || err) }) + '\n');
    process.exitCode = 1;
  }
}

main();
