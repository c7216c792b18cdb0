// The other side of the terminal's RFC 9421 signatures, played by a library nobody here wrote (npm
// http-message-signatures). Reads one JSON object on stdin, writes one JSON object on stdout.
//   {"op":"verify-request", "publicKeyPem", "keyId", "method", "url", "headers", "bodyBase64"}
//     -> {"verified": true|false|null, "error"?, "contentDigest": "sha-256=:…:" of the body as received}
//   {"op":"sign-response", "privateKeyPem", "keyId", "label", "status", "headers", "nonce", "fields"}
//     -> {"signatureInput", "signature"} (the response's two headers as the library wrote them)
import { createHash } from 'node:crypto';
import { httpbis, createSigner, createVerifier } from 'http-message-signatures';

const input = JSON.parse(await new Promise((resolve) => {
  let text = '';
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (chunk) => { text += chunk; });
  process.stdin.on('end', () => resolve(text));
}));

async function verifyRequest(r) {
  const body = Buffer.from(r.bodyBase64 ?? '', 'base64');
  const contentDigest = `sha-256=:${createHash('sha256').update(body).digest('base64')}:`;
  const verifier = createVerifier(r.publicKeyPem, 'ecdsa-p256-sha256');
  try {
    const verified = await httpbis.verifyMessage({
      keyLookup: async (params) => (params.keyid === r.keyId ? { id: r.keyId, algs: ['ecdsa-p256-sha256'], verify: verifier } : null),
      requiredParams: ['created', 'nonce', 'keyid'],
      requiredFields: ['@method', '@path', '@query', 'content-digest'],
      tolerance: 300,
    }, { method: r.method, url: r.url, headers: r.headers });
    return { verified, contentDigest };
  } catch (e) {
    return { verified: false, error: String(e?.message ?? e), contentDigest };
  }
}

async function signResponse(r) {
  const key = createSigner(r.privateKeyPem, 'ecdsa-p256-sha256', r.keyId);
  const signed = await httpbis.signMessage({
    key,
    name: r.label,
    fields: r.fields,
    params: ['nonce', 'keyid', 'alg'],
    paramValues: { nonce: r.nonce },
  }, { status: r.status, headers: { ...r.headers } });
  return { signatureInput: signed.headers['Signature-Input'], signature: signed.headers['Signature'] };
}

const ops = { 'verify-request': verifyRequest, 'sign-response': signResponse };
const op = ops[input.op];
process.stdout.write(JSON.stringify(op ? await op(input) : { error: `unknown op ${input.op}` }));
