// Prints the gzipped size of every built chunk and of the initial JavaScript
// (index.html's entry script and its modulepreloads); fails above the budget.
import { readFileSync, readdirSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';

const dist = new URL('../dist/', import.meta.url).pathname;
const budget = 250 * 1024;
const gz = (file) => gzipSync(readFileSync(join(dist, file)), { level: 9 }).length;
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;

const html = readFileSync(join(dist, 'index.html'), 'utf8');
const initial = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.js)"/g)].map((m) => m[1]);
const css = [...html.matchAll(/href="\/(assets\/[^"]+\.css)"/g)].map((m) => m[1]);
let initialTotal = 0;
console.log('initial (loaded by index.html):');
for (const f of initial) {
  const n = gz(f);
  initialTotal += n;
  console.log(`  ${f.padEnd(44)} ${kb(n).padStart(10)} gzip`);
}
for (const f of css) console.log(`  ${f.padEnd(44)} ${kb(gz(f)).padStart(10)} gzip (css)`);
console.log('lazy chunks (per route and shared):');
for (const f of readdirSync(join(dist, 'assets')).sort()) {
  const path = `assets/${f}`;
  if (!f.endsWith('.js') || initial.includes(path)) continue;
  console.log(`  ${path.padEnd(44)} ${kb(gz(path)).padStart(10)} gzip`);
}
console.log(`initial JavaScript: ${kb(initialTotal)} gzip (budget ${kb(budget)})`);
if (initialTotal > budget) {
  console.error('initial JavaScript is over budget');
  process.exit(1);
}
