// The official TypeScript SDK client, through the gateway, in front of the reference
// server-everything: lists and calls its tools, with progress, cancellation, sampling and
// elicitation answered by this client. Exits non-zero at the first check that fails.
//   node sdk-client-everything.mjs GATEWAY_URL
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CreateMessageRequestSchema, ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';

const url = new URL(process.argv[2]);
function check(condition, what, detail) {
  if (!condition) {
    console.error(`FAILED: ${what}${detail === undefined ? '' : ': ' + JSON.stringify(detail)}`);
    process.exit(1);
  }
  console.log(`ok: ${what}`);
}
const text = (result) => (result.content ?? []).filter((c) => c.type === 'text').map((c) => c.text).join('\n');

const client = new Client({ name: 'sdk-client-everything', version: '1.0.0' },
                          { capabilities: { sampling: {}, elicitation: {} } });
let sampled = 0, elicited = 0;
client.setRequestHandler(CreateMessageRequestSchema, async (request) => {
  sampled++;
  return { role: 'assistant', model: 'test-model',
           content: { type: 'text', text: `sampled: ${request.params.messages[0].content.text}` } };
});
client.setRequestHandler(ElicitRequestSchema, async () => {
  elicited++;
  return { action: 'accept', content: { name: 'Ada Lovelace' } };
});
await client.connect(new StreamableHTTPClientTransport(url));

// The tools that need the client's capabilities are registered after initialize: the gateway
// learns of them through tools/list_changed.
let names = [];
for (let attempt = 0; attempt < 100; attempt++) {
  names = (await client.listTools()).tools.map((tool) => tool.name);
  if (names.includes('trigger-sampling-request')) break;
  await new Promise((resolve) => setTimeout(resolve, 100));
}
for (const name of ['echo', 'get-sum', 'trigger-long-running-operation', 'trigger-sampling-request',
                    'trigger-elicitation-request'])
  check(names.includes(name), `tools/list has ${name}`, names);

check(text(await client.callTool({ name: 'echo', arguments: { message: 'through the gateway' } }))
        .includes('through the gateway'), 'echo');
check(text(await client.callTool({ name: 'get-sum', arguments: { a: 2, b: 3 } })).includes('5'), 'get-sum');

const progress = [];
const long = await client.callTool({ name: 'trigger-long-running-operation', arguments: { duration: 1, steps: 3 } },
                                   undefined, { onprogress: (p) => progress.push(p.progress), timeout: 30000 });
check(text(long).includes('completed'), 'a long-running operation completes', text(long));
check(progress.length === 3, 'its three progress notifications reach this client', progress);

const sampling = await client.callTool({ name: 'trigger-sampling-request', arguments: { prompt: 'six times seven?' } });
check(sampled === 1 && text(sampling).includes('sampled: ') && text(sampling).includes('six times seven?'),
      'the upstream asks this client for sampling and gets its answer', text(sampling));

const elicitation = await client.callTool({ name: 'trigger-elicitation-request', arguments: {} });
check(elicited === 1 && text(elicitation).includes('Ada Lovelace'),
      'the upstream asks this client for input and gets its answer', text(elicitation));

// A cancelled call ends at once for the client, and the gateway serves on.
const controller = new AbortController();
const cancelled = client.callTool({ name: 'trigger-long-running-operation', arguments: { duration: 20, steps: 4 } },
                                  undefined, { signal: controller.signal, timeout: 30000 });
setTimeout(() => controller.abort('changed my mind'), 300);
const started = Date.now();
let aborted = false;
try { await cancelled; } catch { aborted = true; }
check(aborted && Date.now() - started < 10000, 'a cancelled call ends at once');
check(text(await client.callTool({ name: 'echo', arguments: { message: 'still here' } })).includes('still here'),
      'the gateway serves on after the cancellation');

const resources = (await client.listResources()).resources;
check(resources.length > 0, 'resources/list');
const read = await client.readResource({ uri: resources[0].uri });
check(read.contents.length > 0, `resources/read ${resources[0].uri}`);
const prompts = (await client.listPrompts()).prompts;
check(prompts.some((p) => p.name === 'simple-prompt'), 'prompts/list has simple-prompt', prompts.map((p) => p.name));
const prompt = await client.getPrompt({ name: 'simple-prompt', arguments: {} });
check(prompt.messages.length > 0, 'prompts/get simple-prompt');
await client.close();
console.log('all checks passed');
