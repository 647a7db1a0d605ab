// A prototype MCP server written the way a person starts one with the `fastmcp` package (the
// TypeScript counterpart of Python's FastMCP): a few tools, state kept in the process, progress.
// The gateway tests put it into production with one --upstream line and no change to it.
import { FastMCP } from 'fastmcp';
import { z } from 'zod';

const server = new FastMCP({ name: 'notes-prototype', version: '0.0.1' });
const notes = [];

server.addTool({
  name: 'add_note',
  description: 'Saves a note',
  parameters: z.object({ text: z.string() }),
  execute: async ({ text }) => {
    notes.push(text);
    return `saved note ${notes.length}`;
  },
});

server.addTool({
  name: 'list_notes',
  description: 'Lists the saved notes',
  parameters: z.object({}),
  annotations: { readOnlyHint: true },
  execute: async () => (notes.length ? notes.join('\n') : '(no notes)'),
});

server.addTool({
  name: 'summarize',
  description: 'Summarizes the notes, reporting progress',
  parameters: z.object({}),
  execute: async (_args, { reportProgress }) => {
    for (let step = 1; step <= 3; step++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      await reportProgress({ progress: step, total: 3 });
    }
    return `${notes.length} notes`;
  },
});

server.start({ transportType: 'stdio' });
