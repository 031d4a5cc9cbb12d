// Helpers shared by the benchmark's Node.js drivers (bench/*.mjs): HTTP to loopback with hard timeouts, a bounded pool
// of concurrent work, a clock that the stand-ins and the service can be compared with, and order statistics.
// Node.js built-in modules only.
import http from 'node:http';
import { performance } from 'node:perf_hooks';

/** Epoch milliseconds with sub-millisecond resolution, on the clock the stand-ins use. */
export const nowMs = () => performance.timeOrigin + performance.now();
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
export const round = (v, digits = 2) => (Number.isFinite(v) ? Number(v.toFixed(digits)) : v);

/**
 * A client for loopback URLs over kept-alive connections. `request(baseUrl, method, path, {body, headers, timeoutMs})`
 * resolves {status, headers, body, ms}: the body parsed when it is JSON, else its text; ms the time from sending the
 * request to the answer's last byte. An object body is sent as JSON, a string as it is (give its Content-Type in
 * headers). `headers` given to the client go with every request. A request that takes longer than timeoutMs fails.
 */
export function httpClient({ headers: always = {}, maxSockets = 32 } = {}) {
  const agent = new http.Agent({ keepAlive: true, maxSockets });
  function request(baseUrl, method, path, { body, headers = {}, timeoutMs = 30_000 } = {}) {
    return new Promise((resolve, reject) => {
      const url = new URL(path, baseUrl);
      if (url.hostname !== '127.0.0.1') return reject(new Error(`refusing non-loopback target ${url.hostname}`));
      const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
      const started = performance.now();
      const req = http.request(url, {
        method,
        agent,
        timeout: timeoutMs,
        headers: {
          ...always,
          ...(payload !== undefined ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) } : {}),
          ...headers,
        },
      }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const ms = performance.now() - started;
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed = text;
          if ((res.headers['content-type'] || '').includes('json')) {
            try { parsed = JSON.parse(text); } catch { /* leave as text */ }
          }
          resolve({ status: res.statusCode, headers: res.headers, body: parsed, ms });
        });
      });
      req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out after ${timeoutMs} ms`)));
      req.on('error', reject);
      if (payload !== undefined) req.write(payload);
      req.end();
    });
  }
  return { request, destroy: () => agent.destroy() };
}

/** Runs `worker(item, i)` over `items` with at most `concurrency` at a time; resolves the results in input order. */
export async function pool(items, concurrency, worker) {
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

/** The q-quantile of `values` by nearest rank (q = 0.5 is the median's lower middle, 0.95 the p95). */
export function quantile(values, q) {
  if (values.length === 0) return NaN;
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}
