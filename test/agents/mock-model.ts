import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

// A model that answers on 127.0.0.1 the way the real providers' APIs do, so
// the real agents run offline and write their real session files. Only the
// model is faked. Its whole behaviour: when the conversation's last input is
// the user's words and the request offers a shell tool, it calls that tool
// with `echo <word>`; otherwise (a tool's result came back, or no tool is
// offered: a title or summary request) it answers in text. Every request is
// kept, so a test can check what the agent sent.

export interface ModelRequest {
  api: 'anthropic' | 'responses' | 'chat' | 'gemini';
  path: string;
  body: Record<string, unknown>;
}

export interface MockModel {
  url: string;
  port: number;
  requests: ModelRequest[];
  /** The text the model answers with after a tool result (default "done"). */
  reply: string;
  /** What the shell tool is asked to run. */
  command: string;
  /** A tool to call instead of the shell, when the request offers it (an MCP tool, say), with its input. */
  call?: { name: string; input: Json };
  close(): Promise<void>;
}

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

/** A shell tool among those offered (any API's shape): its name and how it takes its command. */
export function shellTool(tools: unknown): { name: string; arg: string; array: boolean } | undefined {
  if (!Array.isArray(tools)) return undefined;
  const flat: Json[] = [];
  for (const t of tools) {
    if (!isObj(t)) continue;
    if (Array.isArray(t.functionDeclarations)) flat.push(...t.functionDeclarations.filter(isObj));
    else if (isObj(t.function)) flat.push(t.function);
    else flat.push(t);
  }
  const names = ['Bash', 'bash', 'exec_command', 'shell', 'run_shell_command', 'Shell', 'shell_command'];
  const found = names.map((n) => flat.find((t) => t.name === n)).find(Boolean);
  if (!found) return undefined;
  const schema = (found.input_schema ?? found.parameters ?? found.parametersJsonSchema ?? found.schema) as Json | undefined;
  const props = isObj(schema?.properties) ? schema.properties : {};
  const arg = ['command', 'cmd'].find((k) => k in props) ?? 'command';
  const type = isObj(props[arg]) ? (props[arg] as Json).type : 'string';
  return { name: String(found.name), arg, array: type === 'array' };
}

async function readJson(req: IncomingMessage): Promise<Json> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    const v = JSON.parse(text) as unknown;
    return isObj(v) ? v : {};
  } catch {
    return {};
  }
}

function sse(res: ServerResponse, events: Array<[string | undefined, unknown]>): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  for (const [event, data] of events) res.write(`${event ? `event: ${event}\n` : ''}data: ${JSON.stringify(data)}\n\n`);
  res.end();
}

let counter = 0;
const nextId = (prefix: string) => `${prefix}${Date.now().toString(36)}${(counter++).toString(36).padStart(4, '0')}`;

/** Starts the mock on a free loopback port. */
export async function startMockModel(options: { reply?: string; command?: string } = {}): Promise<MockModel> {
  const requests: ModelRequest[] = [];
  const state: { reply: string; command: string; call?: { name: string; input: Json } } = {
    reply: options.reply ?? 'done',
    command: options.command ?? 'echo hi',
  };
  const argsFor = (tool: { name: string; arg: string; array: boolean }) =>
    state.call && tool.name === state.call.name
      ? state.call.input
      : { [tool.arg]: tool.array ? ['bash', '-lc', state.command] : state.command };
  /** The tool to call: the one asked for when it is offered, else the shell. */
  const toolOf = (tools: unknown) => {
    const call = state.call;
    const offered = call && Array.isArray(tools) && tools.some((t) => isObj(t) && t.name === call.name);
    return offered && call ? { name: call.name, arg: '', array: false } : shellTool(tools);
  };

  const anthropic = (body: Json, res: ServerResponse) => {
    const messages = Array.isArray(body.messages) ? body.messages.filter(isObj) : [];
    const last = messages.at(-1);
    const content = Array.isArray(last?.content) ? last.content.filter(isObj) : [];
    const afterTool = content.some((b) => b.type === 'tool_result');
    const tool = afterTool ? undefined : toolOf(body.tools);
    const id = nextId('msg_mock');
    const usage = { input_tokens: 20, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };
    const blocks: Array<[string | undefined, unknown]> = [];
    if (tool) {
      blocks.push([
        'content_block_start',
        { type: 'content_block_start', index: 0, content_block: { type: 'tool_use', id: nextId('toolu_'), name: tool.name, input: {} } },
      ]);
      blocks.push([
        'content_block_delta',
        { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: JSON.stringify(argsFor(tool)) } },
      ]);
    } else {
      blocks.push(['content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }]);
      blocks.push(['content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: state.reply } }]);
    }
    blocks.push(['content_block_stop', { type: 'content_block_stop', index: 0 }]);
    const stop = tool ? 'tool_use' : 'end_turn';
    if (body.stream !== true) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          id,
          type: 'message',
          role: 'assistant',
          model: body.model,
          content: tool
            ? [{ type: 'tool_use', id: nextId('toolu_'), name: tool.name, input: argsFor(tool) }]
            : [{ type: 'text', text: state.reply }],
          stop_reason: stop,
          stop_sequence: null,
          usage: { ...usage, output_tokens: 5 },
        }),
      );
      return;
    }
    sse(res, [
      [
        'message_start',
        {
          type: 'message_start',
          message: {
            id,
            type: 'message',
            role: 'assistant',
            model: body.model,
            content: [],
            stop_reason: null,
            stop_sequence: null,
            usage,
          },
        },
      ],
      ...blocks,
      ['message_delta', { type: 'message_delta', delta: { stop_reason: stop, stop_sequence: null }, usage: { output_tokens: 5 } }],
      ['message_stop', { type: 'message_stop' }],
    ]);
  };

  const responses = (body: Json, res: ServerResponse) => {
    const input = Array.isArray(body.input) ? body.input.filter(isObj) : [];
    const last = input.at(-1);
    const afterTool = last?.type === 'function_call_output' || last?.type === 'custom_tool_call_output';
    const tool = afterTool ? undefined : shellTool(body.tools);
    const id = nextId('resp_');
    const item = tool
      ? {
          type: 'function_call',
          id: nextId('fc_'),
          call_id: nextId('call_'),
          name: tool.name,
          arguments: JSON.stringify(argsFor(tool)),
          status: 'completed',
        }
      : {
          type: 'message',
          id: nextId('msg_'),
          role: 'assistant',
          status: 'completed',
          content: [{ type: 'output_text', text: state.reply, annotations: [] }],
        };
    const usage = {
      input_tokens: 20,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens: 5,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: 25,
    };
    const response = {
      id,
      object: 'response',
      created_at: Math.floor(Date.now() / 1000),
      status: 'completed',
      model: body.model,
      output: [item],
      usage,
    };
    if (body.stream !== true) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(response));
      return;
    }
    const events: Array<[string | undefined, unknown]> = [
      ['response.created', { type: 'response.created', response: { ...response, status: 'in_progress', output: [] } }],
      ['response.output_item.added', { type: 'response.output_item.added', output_index: 0, item: { ...item, status: 'in_progress' } }],
    ];
    if (!tool) {
      events.push([
        'response.output_text.delta',
        { type: 'response.output_text.delta', item_id: item.id, output_index: 0, content_index: 0, delta: state.reply },
      ]);
    }
    events.push(['response.output_item.done', { type: 'response.output_item.done', output_index: 0, item }]);
    events.push(['response.completed', { type: 'response.completed', response }]);
    sse(res, events);
  };

  const chat = (body: Json, res: ServerResponse) => {
    const messages = Array.isArray(body.messages) ? body.messages.filter(isObj) : [];
    const afterTool = messages.at(-1)?.role === 'tool';
    const tool = afterTool ? undefined : shellTool(body.tools);
    const id = nextId('chatcmpl-');
    const call = tool
      ? { id: nextId('call_'), type: 'function', function: { name: tool.name, arguments: JSON.stringify(argsFor(tool)) } }
      : undefined;
    const created = Math.floor(Date.now() / 1000);
    const usage = { prompt_tokens: 20, completion_tokens: 5, total_tokens: 25 };
    const finish = call ? 'tool_calls' : 'stop';
    if (body.stream !== true) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          id,
          object: 'chat.completion',
          created,
          model: body.model,
          choices: [
            {
              index: 0,
              message: { role: 'assistant', content: call ? null : state.reply, ...(call ? { tool_calls: [call] } : {}) },
              finish_reason: finish,
            },
          ],
          usage,
        }),
      );
      return;
    }
    const chunk = (delta: Json, finish_reason: string | null, extra: Json = {}) =>
      [
        undefined,
        { id, object: 'chat.completion.chunk', created, model: body.model, choices: [{ index: 0, delta, finish_reason }], ...extra },
      ] as [undefined, unknown];
    const events = [
      chunk({ role: 'assistant', content: '' }, null),
      call ? chunk({ tool_calls: [{ index: 0, ...call }] }, null) : chunk({ content: state.reply }, null),
      chunk({}, finish, { usage }),
    ];
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    for (const [, data] of events) res.write(`data: ${JSON.stringify(data)}\n\n`);
    res.end('data: [DONE]\n\n');
  };

  const gemini = (body: Json, res: ServerResponse, stream: boolean) => {
    const contents = Array.isArray(body.contents) ? body.contents.filter(isObj) : [];
    const last = contents.at(-1)?.parts;
    const lastParts = Array.isArray(last) ? last.filter(isObj) : [];
    const afterTool = lastParts.some((p) => isObj(p.functionResponse));
    const tool = afterTool ? undefined : shellTool(body.tools);
    const parts = tool ? [{ functionCall: { name: tool.name, args: argsFor(tool) } }] : [{ text: state.reply }];
    const answer = {
      candidates: [{ content: { role: 'model', parts }, finishReason: 'STOP', index: 0 }],
      usageMetadata: { promptTokenCount: 20, candidatesTokenCount: 5, totalTokenCount: 25 },
      modelVersion: 'mock-model',
    };
    if (!stream) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer));
      return;
    }
    sse(res, [[undefined, answer]]);
  };

  const server: Server = createServer((req, res) => {
    void (async () => {
      const path = (req.url ?? '/').split('?')[0] as string;
      if (req.method === 'GET') {
        // Model lists and health checks.
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ object: 'list', data: [{ id: 'mock-model', object: 'model', owned_by: 'mock' }], models: [] }));
        return;
      }
      const body = await readJson(req);
      if (path.endsWith('/messages/count_tokens')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ input_tokens: 20 }));
      } else if (path.endsWith('/messages')) {
        requests.push({ api: 'anthropic', path, body });
        anthropic(body, res);
      } else if (path.endsWith('/responses')) {
        requests.push({ api: 'responses', path, body });
        responses(body, res);
      } else if (path.endsWith('/chat/completions')) {
        requests.push({ api: 'chat', path, body });
        chat(body, res);
      } else if (/:(stream)?generateContent$/i.test(path)) {
        requests.push({ api: 'gemini', path, body });
        gemini(body, res, /:streamGenerateContent$/i.test(path));
      } else if (/:countTokens$/i.test(path)) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ totalTokens: 20 }));
      } else {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: `mock model: no route ${path}` } }));
      }
    })().catch((error: unknown) => {
      res.writeHead(500);
      res.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const mock: MockModel = {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    get reply() {
      return state.reply;
    },
    set reply(v: string) {
      state.reply = v;
    },
    get command() {
      return state.command;
    },
    set command(v: string) {
      state.command = v;
    },
    get call() {
      return state.call;
    },
    set call(v: { name: string; input: Json } | undefined) {
      state.call = v;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return mock;
}
