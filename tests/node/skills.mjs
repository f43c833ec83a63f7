// The official TypeScript SDK against the emulator: the cookbook's Skills flow.
// Run by tests/test_server_node.py: node skills.mjs (the test scripts the reply first).
// Reads CLAUDE_FILES_BASE_URL, CLAUDE_FILES_API_KEY; prints one JSON object with what it saw.
import Anthropic, { toFile, BadRequestError } from '@anthropic-ai/sdk';

const client = new Anthropic({
  baseURL: process.env.CLAUDE_FILES_BASE_URL,
  apiKey: process.env.CLAUDE_FILES_API_KEY,
  maxRetries: 0,
});
const out = { sdkVersion: Anthropic.VERSION ?? null };

out.anthropic = [];
for await (const skill of client.beta.skills.list({ source: 'anthropic' })) out.anthropic.push(skill.id);

const skillMd = '---\nname: node-skill\ndescription: A skill made from Node.\n---\n# Use it\n';
const skill = await client.beta.skills.create({
  files: [
    await toFile(Buffer.from(skillMd), 'node-skill/SKILL.md', { type: 'text/markdown' }),
    await toFile(Buffer.from('print(1)'), 'node-skill/run.py', { type: 'text/x-python' }),
  ],
});
out.skill = { id: skill.id, displayName: skill.display_name, latest: skill.latest_version_id };

try {
  await client.beta.skills.create({ files: [await toFile(Buffer.from('x'), 'node-skill/README.md')] });
  out.missingSkillMd = 'accepted';
} catch (err) {
  out.missingSkillMd = err instanceof BadRequestError ? err.error?.error?.message : String(err);
}

const message = await client.messages.create({
  model: 'claude-opus-5',
  max_tokens: 4096,
  container: { skills: [{ type: 'anthropic', skill_id: 'xlsx', version: 'latest' },
                        { type: 'custom', skill_id: skill.id, version: 'latest' }] },
  tools: [{ type: 'code_execution_20250825', name: 'code_execution' }],
  messages: [{ role: 'user', content: 'Create an Excel file with a simple budget spreadsheet' }],
});
out.containerSkills = message.container.skills;
const fileIds = [];
for (const block of message.content) {
  if (block.type === 'bash_code_execution_tool_result') {
    for (const item of block.content.content) fileIds.push(item.file_id);
  }
}
const meta = await client.beta.files.retrieveMetadata(fileIds[0]);
const bytes = Buffer.from(await (await client.beta.files.download(fileIds[0])).arrayBuffer());
out.downloaded = { filename: meta.filename, content: bytes.toString('latin1') };
out.deleted = (await client.beta.skills.delete(skill.id)).type;
console.log(JSON.stringify(out));
