// EU DCC verifications per second with @pathcheck/dcc-sdk (the library DIVOC uses), on the
// dgc-testdata conformance corpus, one verification at a time.
//
//   node dcc_peer.mjs CORPUS_ROOT [--seconds 3] [--only cases.json] [--check]
//
// CORPUS_ROOT is the dgc-testdata directory; cases are CC/2DCode/raw/*.json files whose
// EXPECTEDRESULTS.EXPECTEDVERIFY is true and that carry PREFIX and TESTCTX.CERTIFICATE.
// --only restricts them to a JSON list of paths relative to CORPUS_ROOT (run.py passes the
// inputs both sides accept), --check skips the timing. Prints one JSON line:
// {library, version, cases, verified_ok, seconds, rate, calls, statuses, ...}.
//
// Each file's signer certificate is registered under the key id its COSE header names, through
// the SDK's own addCachedCerts, as its README shows; nothing is fetched (lib.mjs refuses it).

import fs from 'node:fs';
import path from 'node:path';
import { emit, loadSdk, measure, parseArgs, require } from './lib.mjs';

const args = parseArgs(process.argv.slice(2), { seconds: 3, only: '', check: false });
const [root] = args.positional;
if (!root) {
  console.error('usage: node dcc_peer.mjs CORPUS_ROOT [--seconds S] [--only LIST] [--check]');
  process.exit(2);
}

const { sdk: dcc, library, version } = loadSdk('@pathcheck/dcc-sdk');
const cbor = require('cbor'); // the SDK's own CBOR dependency, to read the key id

function selectCases(corpusRoot) {
  const found = [];
  for (const country of fs.readdirSync(corpusRoot).sort()) {
    const raw = path.join(corpusRoot, country, '2DCode', 'raw');
    if (!fs.existsSync(raw) || !fs.statSync(raw).isDirectory()) continue;
    for (const name of fs.readdirSync(raw).sort()) {
      if (!name.endsWith('.json')) continue;
      const rel = `${country}/2DCode/raw/${name}`;
      let doc;
      try {
        doc = JSON.parse(fs.readFileSync(path.join(corpusRoot, rel), 'utf8'));
      } catch {
        continue; // a few corpus files are not JSON; they are not verification cases
      }
      const expected = doc.EXPECTEDRESULTS ?? {};
      const cert = doc.TESTCTX?.CERTIFICATE;
      if (expected.EXPECTEDVERIFY === true && doc.PREFIX && cert) {
        found.push({ rel, qr: doc.PREFIX, cert });
      }
    }
  }
  return found;
}

async function coseKid(qr) {
  // Same precedence as the SDK: protected header first, then unprotected.
  const bytes = await dcc.unpack(qr);
  if (!bytes) return undefined;
  let obj = cbor.decodeFirstSync(bytes);
  if (obj instanceof cbor.Tagged) obj = obj.value;
  if (!Array.isArray(obj)) return undefined;
  const [protectedBytes, unprotected] = obj;
  const header = protectedBytes?.length ? cbor.decodeFirstSync(protectedBytes) : new Map();
  const kid = header.get?.(4) ?? unprotected?.get?.(4);
  return kid ? Buffer.from(kid).toString('base64') : undefined;
}

let cases = selectCases(root);
if (args.only) {
  const wanted = new Set(JSON.parse(fs.readFileSync(args.only, 'utf8')));
  cases = cases.filter((c) => wanted.has(c.rel));
}

// Register every signer under its key id before anything is verified: an unknown key id would
// make the SDK replace its registry with PathCheck's download.
const statuses = {};
const byKid = new Map();
for (const c of cases) {
  c.pem = `-----BEGIN CERTIFICATE-----\n${c.cert}\n-----END CERTIFICATE-----`;
  try {
    c.kid = await coseKid(c.qr);
  } catch {
    c.kid = undefined;
  }
  if (c.kid === undefined) continue;
  const seen = byKid.get(c.kid);
  if (seen !== undefined && seen !== c.cert) statuses[c.rel] = 'kid_conflict';
  else byKid.set(c.kid, c.cert);
}
dcc.addCachedCerts(Object.fromEntries(byKid));

const verifyOne = (c) => dcc.unpackAndVerify(c.qr, c.pem);

const accepted = [];
for (const c of cases) {
  if (statuses[c.rel]) continue;
  const result = await verifyOne(c);
  statuses[c.rel] = result.status;
  if (result.status === 'verified') accepted.push(c);
}

const timing = args.check
  ? { calls: 0, seconds: 0, rate: 0 }
  : await measure(accepted, verifyOne, args.seconds);
emit({
  library,
  version,
  node: process.version,
  cases: cases.length,
  verified_ok: accepted.length,
  ...timing,
  statuses,
});
