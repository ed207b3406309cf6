// Shared plumbing for the peer benchmarks: keep the run offline, keep stdout for the JSON
// result, load the SDKs the way DIVOC does (CommonJS require), and time a verify loop.

import fs from 'node:fs';
import net from 'node:net';
import { createRequire } from 'node:module';

export const require = createRequire(import.meta.url);

// -- offline guard ------------------------------------------------------------------------------
// Both SDKs fetch from the network on their own (dcc-sdk: PathCheck's trust registry whenever a
// key id is unknown; shc-sdk: the issuer's JWKS on every verification). A benchmark that silently
// measured GitHub's latency, or that depended on it, would be worthless, so every TCP connection
// that is not to loopback is refused and counted. `redirects` lets the SHC benchmark send the
// issuer's https host to a JWKS server on 127.0.0.1, the only "network" the run uses.
const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);
const redirects = new Map(); // "host:port" -> loopback port
export const refused = [];

const originalConnect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function guardedConnect(...args) {
  // net.connect() passes an internal normalised [options, callback] array; users pass options,
  // a path, or (port, host).
  let options;
  if (Array.isArray(args[0])) options = args[0][0];
  else if (args[0] !== null && typeof args[0] === 'object') options = args[0];
  else if (typeof args[0] === 'string' && !/^\d+$/.test(args[0])) options = { path: args[0] };
  else options = { port: args[0], host: typeof args[1] === 'string' ? args[1] : 'localhost' };
  if (options.path === undefined || options.path === null) {
    const host = options.host ?? 'localhost';
    const target = redirects.get(`${host}:${options.port}`);
    if (target !== undefined) {
      // TLS identity is still checked against the original host name (servername).
      options.host = '127.0.0.1';
      options.port = target;
    } else if (!LOOPBACK.has(host)) {
      refused.push(`${host}:${options.port}`);
      process.nextTick(() =>
        this.destroy(new Error(`peer benchmark is offline: refused ${host}:${options.port}`)),
      );
      return this;
    }
  }
  return originalConnect.apply(this, args);
};

export function redirectToLoopback(host, port, loopbackPort) {
  redirects.set(`${host}:${port}`, loopbackPort);
}

// -- output -------------------------------------------------------------------------------------
// The SDKs print diagnostics with console.log; stdout must carry only our JSON line.
const stderrLog = (...parts) => console.error(...parts);
console.log = stderrLog;
console.info = stderrLog;
console.warn = stderrLog;

export function emit(result) {
  process.stdout.write(`${JSON.stringify({ ...result, refused_connections: refused })}\n`);
}

// -- loading the SDKs ---------------------------------------------------------------------------
// Both SDKs ship ES-module sources behind the 2019 `esm` loader, which also compiles everything
// they require. Current @peculiar/webcrypto (pulled in by isomorphic-webcrypto) uses optional
// chaining, which that loader cannot parse; requiring isomorphic-webcrypto natively first puts it
// in the module cache so the loader never compiles it. The SDK code itself runs unchanged.
export function loadSdk(name) {
  require('isomorphic-webcrypto');
  const sdk = require(name);
  const pkg = JSON.parse(fs.readFileSync(require.resolve(`${name}/package.json`), 'utf8'));
  return { sdk, library: pkg.name, version: pkg.version };
}

// -- arguments ----------------------------------------------------------------------------------
export function parseArgs(argv, defaults) {
  const out = { ...defaults, positional: [] };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (!arg.startsWith('--')) {
      out.positional.push(arg);
      continue;
    }
    const key = arg.slice(2).replaceAll('-', '_');
    if (typeof defaults[key] === 'boolean') out[key] = true;
    else {
      i += 1;
      out[key] = typeof defaults[key] === 'number' ? Number(argv[i]) : argv[i];
    }
  }
  return out;
}

// -- timing -------------------------------------------------------------------------------------
// One verification at a time (each awaited before the next), cycling through the cases, for at
// least `seconds` and at least one full pass, after a warm-up that lets V8 optimise the hot path.
// The Python driver pins this process to one core before starting it.
export async function measure(cases, verifyOne, seconds) {
  if (cases.length === 0 || seconds <= 0) return { calls: 0, seconds: 0, rate: 0 };
  const warmUntil = performance.now() + Math.min(1000, seconds * 250);
  let i = 0;
  while (i < cases.length || performance.now() < warmUntil) {
    await verifyOne(cases[i % cases.length]);
    i += 1;
  }
  let calls = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  let now = started;
  while (calls < cases.length || now < deadline) {
    await verifyOne(cases[calls % cases.length]);
    calls += 1;
    now = performance.now();
  }
  const elapsed = (now - started) / 1000;
  return { calls, seconds: elapsed, rate: calls / elapsed };
}
