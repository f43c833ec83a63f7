// The official TypeScript SDK against the emulator: one full Files workflow.
// Run by tests/test_server_node.py: node workflow.mjs <files|beta.files>
// Reads CLAUDE_FILES_BASE_URL, CLAUDE_FILES_API_KEY, CLAUDE_FILES_DOWNLOADABLE_ID;
// prints one JSON object with what it saw (the Python test asserts on it).
import Anthropic, { toFile, NotFoundError, BadRequestError } from '@anthropic-ai/sdk';

const client = new Anthropic({
  baseURL: process.env.CLAUDE_FILES_BASE_URL,
  apiKey: process.env.CLAUDE_FILES_API_KEY,
  maxRetries: 0,
});
const surface = process.argv[2] === 'beta.files' ? client.beta.files : client.files;

function describe(err) {
  return {
    name: err.constructor.name,
    status: err.status,
    isBadRequest: err instanceof BadRequestError,
    isNotFound: err instanceof NotFoundError,
    type: err.error?.error?.type,
    errorCode: err.error?.error?.details?.error_code,
    requestId: err.requestID ?? null,
  };
}

const out = { sdkVersion: Anthropic.VERSION ?? null };
const uploaded = await surface.upload({
  file: await toFile(Buffer.from('hello from node\n'), 'hello-node.txt', { type: 'text/plain' }),
});
out.uploaded = uploaded;

const listed = [];
for await (const file of surface.list({ limit: 7 })) {
  listed.push(file.id);
}
out.listed = listed;

out.metadata = await surface.retrieveMetadata(uploaded.id);

try {
  await surface.download(uploaded.id);
  out.downloadError = null;
} catch (err) {
  out.downloadError = describe(err);
}

const seeded = process.env.CLAUDE_FILES_DOWNLOADABLE_ID;
if (seeded) {
  const response = await surface.download(seeded);
  out.downloaded = await response.text();
  out.downloadedType = response.headers.get('content-type');
}

out.deleted = await surface.delete(uploaded.id);

try {
  await surface.retrieveMetadata(uploaded.id);
  out.afterDelete = null;
} catch (err) {
  out.afterDelete = describe(err);
}

// toFile without a type: the SDK sends the part as application/octet-stream, and the API
// stores what was sent (Messages then refuses it as a document): the emulator must too.
const untyped = await surface.upload({ file: await toFile(Buffer.from('%PDF-1.4\n'), 'x.pdf') });
out.untyped = untyped;
await surface.delete(untyped.id);

console.log(JSON.stringify(out));
