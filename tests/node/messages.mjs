// The official TypeScript SDK against the emulator: Messages that reference files.
// Run by tests/test_server_node.py: node messages.mjs
// Reads CLAUDE_FILES_BASE_URL, CLAUDE_FILES_API_KEY, CLAUDE_FILES_PDF_ID, CLAUDE_FILES_GONE_ID;
// prints one JSON object with what it saw (the Python test asserts on it).
import Anthropic, { NotFoundError, BadRequestError } from '@anthropic-ai/sdk';

const client = new Anthropic({
  baseURL: process.env.CLAUDE_FILES_BASE_URL,
  apiKey: process.env.CLAUDE_FILES_API_KEY,
  maxRetries: 0,
});
const model = 'claude-fake-model';
const ask = (fileId) => [{
  role: 'user',
  content: [
    { type: 'document', source: { type: 'file', file_id: fileId } },
    { type: 'text', text: 'Summarise.' },
  ],
}];

const out = { sdkVersion: Anthropic.VERSION ?? null };
const created = await client.messages.create({ model, max_tokens: 100, messages: ask(process.env.CLAUDE_FILES_PDF_ID) });
out.created = { text: created.content[0].text, stopReason: created.stop_reason, usage: created.usage };

const counted = await client.messages.countTokens({ model, messages: ask(process.env.CLAUDE_FILES_PDF_ID) });
out.counted = counted.input_tokens;

const stream = client.messages.stream({ model, max_tokens: 100, messages: ask(process.env.CLAUDE_FILES_PDF_ID) });
const deltas = [];
const events = [];
stream.on('text', (text) => deltas.push(text));
stream.on('streamEvent', (event) => events.push(event.type));
const final = await stream.finalMessage();
out.stream = { deltas, events, final: final.content[0].text, usage: final.usage };

try {
  await client.messages.create({ model, max_tokens: 100, messages: ask(process.env.CLAUDE_FILES_GONE_ID) });
  out.deletedError = null;
} catch (err) {
  out.deletedError = {
    name: err.constructor.name,
    status: err.status,
    isNotFound: err instanceof NotFoundError,
    isBadRequest: err instanceof BadRequestError,
    type: err.error?.error?.type,
    message: err.error?.error?.message,
    requestId: err.requestID ?? null,
  };
}

console.log(JSON.stringify(out));
