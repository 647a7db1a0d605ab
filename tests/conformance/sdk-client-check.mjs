// Connects to prodmcp-server with the official TypeScript SDK client, as a new user would, and
// lists and calls everything it offers. Usage:
//   node sdk-client-check.mjs http URL
//   node sdk-client-check.mjs stdio SERVER_BINARY
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

const [mode, target] = process.argv.slice(2);
const transport = mode === 'http'
  ? new StreamableHTTPClientTransport(new URL(target))
  : new StdioClientTransport({ command: target, args: ['--stdio'], stderr: 'ignore' });
const client = new Client({ name: 'sdk-client-check', version: '1.0.0' });

function check(condition, what) {
  if (!condition) throw new Error(`check failed: ${what}`);
  console.log(`ok - ${what}`);
}

await client.connect(transport);
check(client.getServerVersion()?.name === 'prodmcp-server', 'initialize negotiated; serverInfo names prodmcp-server');

const { tools } = await client.listTools();
for (const name of ['echo', 'server_status', 'http_status_lookup', 'simulate_workload'])
  check(tools.some((t) => t.name === name), `tools/list offers ${name}`);

const echoed = await client.callTool({ name: 'echo', arguments: { message: 'hello from the SDK' } });
check(echoed.structuredContent?.message === 'hello from the SDK', 'echo returns structured content');
const status = await client.callTool({ name: 'server_status', arguments: {} });
check(typeof status.structuredContent?.uptime_seconds === 'number', 'server_status reports uptime');
const lookup = await client.callTool({ name: 'http_status_lookup', arguments: { code: 503 } });
check(lookup.structuredContent?.retryable === true, 'http_status_lookup explains 503');
const progress = [];
const work = await client.callTool({ name: 'simulate_workload', arguments: { duration_ms: 100, steps: 4 } },
  undefined, { onprogress: (p) => progress.push(p.progress) });
// The SDK dispatches notifications a microtask later than responses, so a progress notification
// that arrives in the same read as the result may be dropped by the client: allow the last one.
check(!work.isError && progress.length >= 3 && progress.every((p, i) => p === i + 1),
  `simulate_workload reports progress in order (${progress.join(',')})`);
const invalid = await client.callTool({ name: 'http_status_lookup', arguments: { code: 'x' } });
check(invalid.isError === true, 'invalid arguments come back as a tool error');

const { resources } = await client.listResources();
check(resources.some((r) => r.uri === 'prodmcp://server/status'), 'resources/list offers prodmcp://server/status');
const read = await client.readResource({ uri: 'prodmcp://http-status/404' });
check(JSON.parse(read.contents[0].text).name === 'Not Found', 'a templated resource reads');
const { resourceTemplates } = await client.listResourceTemplates();
check(resourceTemplates.some((t) => t.uriTemplate === 'prodmcp://http-status/{code}'), 'resource templates list');

const { prompts } = await client.listPrompts();
check(prompts.some((p) => p.name === 'incident_summary'), 'prompts/list offers incident_summary');
const prompt = await client.getPrompt({ name: 'incident_summary', arguments: { service: 'api', symptom: 'slow' } });
check(prompt.messages[0].content.text.includes('api'), 'prompts/get fills in arguments');
const completion = await client.complete({ ref: { type: 'ref/prompt', name: 'incident_summary' },
  argument: { name: 'severity', value: 'cr' } });
check(completion.completion.values.includes('critical'), 'completion/complete suggests values');
await client.setLoggingLevel('warning');
await client.ping();
check(true, 'logging/setLevel and ping');
await client.close();
