// SMART Health Card verifications per second with @pathcheck/shc-sdk (the library DIVOC uses),
// one verification at a time.
//
//   node shc_peer.mjs SET.json --mode fetch|local [--seconds 3] [--check]
//   node shc_peer.mjs --generate N [--issuer URL]        (prints a SET.json made by shc-sdk)
//
// SET.json is {issuer, jwks, cards: ["shc:/..."], tls?: {cert, key}}; run.py writes it with cards
// issued by shomeisho so both sides verify the same strings.
//
// shc-sdk has no way to verify with a key it was handed: unpackAndVerify(uri, {iss: jwks}) files
// the keys as "untrusted" and then downloads ISS/.well-known/jwks.json on every call anyway. So:
//   --mode fetch  the SDK as shipped; the JWKS is served by an HTTPS server in this process on
//                 127.0.0.1 (the issuer's host name is routed there, the TLS certificate in SET
//                 is trusted for it). An optimistic stand-in for a real download.
//   --mode local  the SDK's own verification steps (shc.js verifyAndReturnPayload: unpack, parse
//                 the JWS, node-jose verify, inflate, JSON.parse) with the key looked up in memory
//                 instead of downloaded: the best the library could do, so the fairer comparison.
// Prints one JSON line: {library, version, mode, cases, verified_ok, seconds, rate, calls, ...}.

import fs from 'node:fs';
import https from 'node:https';
import http from 'node:http';
import { emit, loadSdk, measure, parseArgs, redirectToLoopback, require } from './lib.mjs';

const args = parseArgs(process.argv.slice(2), {
  seconds: 3,
  mode: 'local',
  check: false,
  generate: 0,
  issuer: 'https://bench.shomeisho.example.jp/issuer',
});

const { sdk: shc, library, version } = loadSdk('@pathcheck/shc-sdk');
// The SDK's own dependencies, for --mode local and --generate.
const jose = require('node-jose');
const pako = require('pako');
const base64url = require('base64url');

if (args.generate > 0) {
  process.stdout.write(`${JSON.stringify(await generate(args.generate, args.issuer))}\n`);
  process.exit(0);
}

const [setPath] = args.positional;
if (!setPath || !['fetch', 'local'].includes(args.mode)) {
  console.error('usage: node shc_peer.mjs SET.json --mode fetch|local [--seconds S] [--check]');
  process.exit(2);
}
const set = JSON.parse(fs.readFileSync(setPath, 'utf8'));
const publicJwks = { keys: set.jwks.keys.map(({ d, ...pub }) => pub) };

let served = 0;
let verifyOne;
let server;
if (args.mode === 'fetch') {
  server = await serveJwks(set);
  const cached = { [set.issuer]: publicJwks };
  verifyOne = (uri) => shc.unpackAndVerify(uri, cached);
} else {
  const keys = new Map(publicJwks.keys.map((k) => [`${set.issuer}#${k.kid}`, k]));
  verifyOne = (uri) => verifyLocal(uri, keys);
}

const accepted = [];
for (const uri of set.cards) {
  let result;
  try {
    result = await verifyOne(uri);
  } catch {
    result = undefined;
  }
  if (result?.credential) accepted.push(uri);
}
const timing = args.check
  ? { calls: 0, seconds: 0, rate: 0 }
  : await measure(accepted, verifyOne, args.seconds);
server?.close();
emit({
  library,
  version,
  node: process.version,
  mode: args.mode,
  cases: set.cards.length,
  verified_ok: accepted.length,
  ...timing,
  jwks_downloads: served,
});
// The SDK's fetch agent keeps connections alive; do not wait for them to time out.
process.exit(0);

// -- --mode local: shc.js verifyAndReturnPayload, the resolver replaced by a Map lookup ----------
async function jwsParts(token) {
  // Copied from shc.js (not exported there).
  const [headerEnc, bodyEnc, signatureEnc] = token.split('.');
  const header = JSON.parse(base64url.decode(headerEnc));
  const signature = base64url.decode(signatureEnc);
  let bodyRaw = base64url.toBuffer(bodyEnc);
  if (header.zip === 'DEF') bodyRaw = Buffer.from(pako.inflateRaw(bodyRaw));
  const body = JSON.parse(bodyRaw.toString());
  return { header, body, signature };
}

async function verifyLocal(uri, keys) {
  const jws = await shc.unpack(uri);
  const unsafe = await jwsParts(jws);
  const key = keys.get(`${unsafe.body.iss}#${unsafe.header.kid}`);
  if (!key) return undefined;
  const verified = await jose.JWS.createVerify(await jose.JWK.asKey(key)).verify(jws);
  let body = verified.payload;
  if (verified.header.zip === 'DEF') body = Buffer.from(pako.inflateRaw(body));
  return { credential: JSON.parse(body.toString()), issuer: key, raw: await jwsParts(jws) };
}

// -- --mode fetch: the issuer's JWKS on loopback ------------------------------------------------
async function serveJwks({ issuer, tls }) {
  const url = new URL(issuer);
  const wanted = `${url.pathname.replace(/\/$/, '')}/.well-known/jwks.json`;
  const body = JSON.stringify(publicJwks);
  const handler = (req, res) => {
    if (req.url !== wanted) {
      res.writeHead(404).end();
      return;
    }
    served += 1;
    res.writeHead(200, { 'content-type': 'application/json' }).end(body);
  };
  const secure = url.protocol === 'https:';
  if (secure && !tls) throw new Error('an https issuer needs tls {cert, key} in the set file');
  const srv = secure
    ? https.createServer({ cert: tls.cert, key: tls.key }, handler)
    : http.createServer(handler);
  await new Promise((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address();
  const defaultPort = secure ? 443 : 80;
  redirectToLoopback(url.hostname, Number(url.port || defaultPort), port);
  if (secure) https.globalAgent.options.ca = tls.cert; // trust our certificate, nothing else
  return srv;
}

// -- --generate: a card set signed by shc-sdk itself, for when shomeisho cannot issue SHC -------
async function generate(count, issuer) {
  const generated = await jose.JWK.createKeyStore().generate('EC', 'P-256', {
    alg: 'ES256',
    use: 'sig',
  });
  const kid = base64url.encode(Buffer.from(await generated.thumbprint('SHA-256')));
  const key = await jose.JWK.asKey({ ...generated.toJSON(true), kid });
  const cards = [];
  for (let i = 0; i < count; i += 1) {
    const jwt = await shc.makeJWT(immunizationVc(i), issuer, new Date());
    cards.push(await shc.pack(await shc.sign(jwt, key)));
  }
  const jwks = { keys: [key.toJSON(false)] };
  return { issuer, jwks, cards, generated_by: `${library} ${version}` };
}

function immunizationVc(i) {
  const dose = (n, date) => ({
    fullUrl: `resource:${n}`,
    resource: {
      resourceType: 'Immunization',
      status: 'completed',
      vaccineCode: { coding: [{ system: 'http://hl7.org/fhir/sid/cvx', code: '208' }] },
      patient: { reference: 'resource:0' },
      occurrenceDateTime: date,
      performer: [{ actor: { display: 'Bench Clinic' } }],
      lotNumber: `LOT${1000 + i}`,
    },
  });
  return {
    type: ['https://smarthealth.cards#health-card', 'https://smarthealth.cards#immunization'],
    credentialSubject: {
      fhirVersion: '4.0.1',
      fhirBundle: {
        resourceType: 'Bundle',
        type: 'collection',
        entry: [
          {
            fullUrl: 'resource:0',
            resource: {
              resourceType: 'Patient',
              name: [{ family: 'Bench', given: [`Person${i}`] }],
              birthDate: '1970-01-01',
            },
          },
          dose(1, '2021-05-01'),
          dose(2, '2021-05-29'),
        ],
      },
    },
  };
}
