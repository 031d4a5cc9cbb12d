// What /proc tells the benchmark's Node.js drivers (bench/*.mjs) about a process.
import fs from 'node:fs';

/** CPU seconds (user + system, every thread) of a process, from /proc/<pid>/stat; clkTck is `getconf CLK_TCK`. */
export function cpuSeconds(pid, clkTck) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields[0] is field 3 (state)
  return (Number(fields[11]) + Number(fields[12])) / clkTck; // utime (14), stime (15)
}
