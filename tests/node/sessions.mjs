// The official TypeScript SDK against the emulator: a Managed Agents session over a mounted PDF.
// Run by tests/test_server_node.py: node sessions.mjs (the test scripts the agent's turn first).
// Reads CLAUDE_FILES_BASE_URL, CLAUDE_FILES_API_KEY; prints one JSON object with what it saw.
import Anthropic, { toFile, BadRequestError, NotFoundError } from '@anthropic-ai/sdk';

const client = new Anthropic({
  baseURL: process.env.CLAUDE_FILES_BASE_URL,
  apiKey: process.env.CLAUDE_FILES_API_KEY,
  maxRetries: 0,
});
const out = { sdkVersion: Anthropic.VERSION ?? null };

const environment = await client.beta.environments.create({ name: 'node-research' });
const agent = await client.beta.agents.create({ name: 'researcher', model: 'claude-opus-4-7' });
const upload = await client.beta.files.upload({
  file: await toFile(Buffer.from('%PDF-1.4 node'), 'paper.pdf', { type: 'application/pdf' }),
});
const session = await client.beta.sessions.create({
  agent: agent.id,
  environment_id: environment.id,
  resources: [{ type: 'file', file_id: upload.id }],
});
out.session = { id: session.id, status: session.status, uploadId: upload.id, mounted: session.resources[0] };

const stream = await client.beta.sessions.events.stream(session.id);
await client.beta.sessions.events.send(session.id, {
  events: [{ type: 'user.message', content: [{ type: 'text', text: 'Write the report.' }] }],
});
out.streamed = [];
for await (const event of stream) {
  out.streamed.push(event.type);
  if (event.type === 'session.status_idle') break;
}
out.listed = [];
for await (const event of client.beta.sessions.events.list(session.id)) out.listed.push(event.type);
out.agentText = (await client.beta.sessions.events.list(session.id, { types: ['agent.message'] })).data[0]
  .content[0].text;
out.statusAfter = (await client.beta.sessions.retrieve(session.id)).status;

const scoped = [];
for await (const file of client.beta.files.list({ scope_id: session.id, betas: ['managed-agents-2026-04-01'] })) {
  scoped.push(file);
}
out.scoped = scoped.map((f) => ({ filename: f.filename, downloadable: f.downloadable, scope: f.scope }));
const report = scoped.find((f) => f.filename === 'report.md');
out.report = await (await client.beta.files.download(report.id)).text();

try {
  await client.beta.sessions.create({ agent: 'agent_unknown', environment_id: environment.id });
  out.unknownAgent = null;
} catch (err) {
  out.unknownAgent = { notFound: err instanceof NotFoundError, status: err.status };
}
try {
  await client.beta.files.list({ scope_id: session.id });
  out.noHeader = null;
} catch (err) {
  out.noHeader = { badRequest: err instanceof BadRequestError, status: err.status };
}
console.log(JSON.stringify(out));
