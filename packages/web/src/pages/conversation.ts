// Captured content read as a conversation. Instrumentations store prompts and outputs in several
// shapes (docs/otlp-mapping.md, "Message content"): OpenAI-style messages with tool_calls, GenAI
// semantic-convention messages with typed parts, the Vercel AI SDK's prompt objects and tool-call
// parts, Anthropic's tool_use/tool_result blocks, OpenInference's {messages}, or plain text. Each
// becomes messages of system / user / assistant / tool with text, tool calls and tool results.

export type Part =
  | { kind: 'text'; text: string }
  | { kind: 'tool_call'; name: string; id: string | null; args: string }
  | { kind: 'tool_result'; name: string | null; id: string | null; content: string };

export interface Message {
  role: string;
  parts: Part[];
  /** From the span's output rather than its input. */
  output: boolean;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** A value as readable text: strings as they are, anything else as indented JSON. */
export function asText(v: unknown): string {
  if (typeof v === 'string') return v;
  return JSON.stringify(v, null, 2) ?? String(v);
}

function parseJson(text: string): unknown {
  const t = text.trim();
  if (!(t.startsWith('{') || t.startsWith('['))) return text;
  try {
    return JSON.parse(t) as unknown;
  } catch {
    return text;
  }
}

/** One content part in any of the known shapes. */
function partOf(p: unknown): Part {
  if (typeof p === 'string') return { kind: 'text', text: p };
  if (!isObj(p)) return { kind: 'text', text: asText(p) };
  const type = str(p.type);
  if (type === 'text' || type === 'input_text' || type === 'output_text') return { kind: 'text', text: str(p.text) ?? str(p.content) ?? asText(p) };
  if (type === 'tool_call' || type === 'tool-call' || type === 'tool_use' || type === 'function_call') {
    const name = str(p.name) ?? str(p.toolName) ?? 'tool';
    const args = p.arguments ?? p.args ?? p.input ?? {};
    return { kind: 'tool_call', name, id: str(p.id) ?? str(p.toolCallId) ?? str(p.call_id), args: typeof args === 'string' ? prettyJson(args) : asText(args) };
  }
  if (type === 'tool_call_response' || type === 'tool-result' || type === 'tool_result' || type === 'function_call_output') {
    const content = p.response ?? p.result ?? p.output ?? p.content ?? null;
    return { kind: 'tool_result', name: str(p.toolName) ?? str(p.name), id: str(p.id) ?? str(p.toolCallId) ?? str(p.tool_use_id) ?? str(p.call_id), content: contentText(content) };
  }
  // The AI SDK's ai.response.toolCalls items have no type.
  if (str(p.toolName) !== null && (p.args !== undefined || p.input !== undefined)) return partOf({ ...p, type: 'tool-call' });
  return { kind: 'text', text: str(p.content) ?? str(p.text) ?? asText(p) };
}

/** Tool results and nested content as text: text parts joined, anything else as JSON. */
function contentText(v: unknown): string {
  if (typeof v === 'string') return prettyJson(v);
  if (Array.isArray(v) && v.every((x) => isObj(x) && str(x.type) === 'text')) return v.map((x) => str((x as Obj).text) ?? '').join('\n');
  return asText(v);
}

/** JSON text indented when it parses, else as it is. */
function prettyJson(text: string): string {
  const v = parseJson(text);
  return typeof v === 'string' ? v : asText(v);
}

function messageOf(m: Obj, output: boolean): Message {
  const role = str(m.role) ?? (output ? 'assistant' : 'user');
  const parts: Part[] = [];
  const content = m.parts ?? m.content;
  if (Array.isArray(content)) parts.push(...content.map(partOf));
  else if (content !== undefined && content !== null && content !== '') {
    if (role === 'tool' || role === 'function') parts.push({ kind: 'tool_result', name: str(m.name), id: str(m.tool_call_id), content: contentText(content) });
    else parts.push(partOf(content));
  }
  if (Array.isArray(m.tool_calls)) {
    for (const c of m.tool_calls) {
      if (!isObj(c)) continue;
      const fn = isObj(c.function) ? c.function : c;
      parts.push(partOf({ type: 'tool_call', id: c.id, name: fn.name, arguments: fn.arguments }));
    }
  }
  if (role === 'tool' || role === 'function') {
    for (const p of parts) if (p.kind === 'tool_result' && p.id === null) p.id = str(m.tool_call_id);
  }
  return { role: role === 'model' ? 'assistant' : role === 'developer' ? 'system' : role, parts, output };
}

const isMessage = (v: unknown): v is Obj => isObj(v) && typeof v.role === 'string';

/** Messages in one side (input or output) of a span's content. */
export function messagesOf(text: string, output: boolean, spanType: string): Message[] {
  const v = parseJson(text);
  const tool = spanType === 'tool_call';
  if (typeof v === 'string') {
    if (tool) return [output ? { role: 'tool', parts: [{ kind: 'tool_result', name: null, id: null, content: v }], output } : { role: 'assistant', parts: [{ kind: 'tool_call', name: 'tool', id: null, args: v }], output }];
    return [{ role: output ? 'assistant' : 'user', parts: [{ kind: 'text', text: v }], output }];
  }
  if (Array.isArray(v) && v.length > 0 && v.every(isMessage)) return v.map((m) => messageOf(m, output));
  if (Array.isArray(v) && v.length > 0 && v.every(isObj)) return [{ role: output ? 'assistant' : 'system', parts: v.map(partOf), output }];
  if (isObj(v)) {
    if (typeof v.role === 'string') return [messageOf(v, output)];
    const found: Message[] = [];
    const system = str(v.system);
    if (system !== null) found.push({ role: 'system', parts: [{ kind: 'text', text: system }], output });
    if (Array.isArray(v.messages) && v.messages.every(isMessage)) found.push(...(v.messages as Obj[]).map((m) => messageOf(m, output)));
    const prompt = str(v.prompt);
    if (prompt !== null) found.push({ role: 'user', parts: [{ kind: 'text', text: prompt }], output });
    if (found.length > 0) return found;
  }
  if (tool) {
    return [output ? { role: 'tool', parts: [{ kind: 'tool_result', name: null, id: null, content: asText(v) }], output } : { role: 'assistant', parts: [{ kind: 'tool_call', name: 'tool', id: null, args: asText(v) }], output }];
  }
  return [{ role: output ? 'assistant' : 'user', parts: [{ kind: 'text', text: asText(v) }], output }];
}

/**
 * A span's input then output as messages; a tool span's call is named after the span.
 * @example conversationOf({ span_type: 'llm_call', name: 'chat', input: '[{"role":"user","content":"hi"}]', output: 'hello' })
 *   // [{ role: 'user', parts: [{ kind: 'text', text: 'hi' }], output: false }, { role: 'assistant', parts: [{ kind: 'text', text: 'hello' }], output: true }]
 */
export function conversationOf(span: { span_type: string; name: string | null; input: string | null; output: string | null }): Message[] {
  const messages = [
    ...(span.input === null ? [] : messagesOf(span.input, false, span.span_type)),
    ...(span.output === null ? [] : messagesOf(span.output, true, span.span_type)),
  ];
  if (span.span_type === 'tool_call' && span.name !== null) {
    for (const m of messages) for (const p of m.parts) if ((p.kind === 'tool_call' && p.name === 'tool') || (p.kind === 'tool_result' && p.name === null)) p.name = span.name;
  }
  return messages;
}
