// A span's captured content as a conversation: one block per message (system, user, assistant,
// tool), tool calls with their arguments and tool results; long text folded behind a button.
// Everything is rendered as text (Preact escapes it), never as HTML.

import { useState } from 'preact/hooks';
import type { Message, Part } from '../pages/conversation';

/** Text longer than this many characters, or lines, is folded. */
const FOLD_CHARS = 600;
const FOLD_LINES = 12;

export function FoldedText({ text, class: cls = 'content' }: { text: string; class?: string }) {
  const [open, setOpen] = useState(false);
  const lines = text.split('\n');
  const long = text.length > FOLD_CHARS || lines.length > FOLD_LINES;
  if (!long) return <pre class={cls}>{text}</pre>;
  const shown = open ? text : lines.slice(0, FOLD_LINES).join('\n').slice(0, FOLD_CHARS) + ' …';
  return (
    <div class="folded">
      <pre class={cls}>{shown}</pre>
      <button type="button" class="ghost fold-toggle" aria-expanded={open} onClick={() => setOpen(!open)}>
        {open ? 'Show less' : `Show all ${text.length.toLocaleString('en-US')} characters`}
      </button>
    </div>
  );
}

const ROLE_LABEL: Record<string, string> = { system: 'System', user: 'User', assistant: 'Assistant', tool: 'Tool' };

function PartView({ part }: { part: Part }) {
  if (part.kind === 'text') return <FoldedText text={part.text} />;
  if (part.kind === 'tool_call') {
    return (
      <div class="tool-part">
        <div class="tool-head">
          Tool call <code>{part.name}</code>
          {part.id !== null && <span class="muted"> · {part.id}</span>}
        </div>
        <FoldedText text={part.args} />
      </div>
    );
  }
  return (
    <div class="tool-part">
      <div class="tool-head">
        Tool result{part.name !== null && <> <code>{part.name}</code></>}
        {part.id !== null && <span class="muted"> · {part.id}</span>}
      </div>
      <FoldedText text={part.content} />
    </div>
  );
}

export function ConversationView({ messages }: { messages: Message[] }) {
  return (
    <ol class="conversation" aria-label="Conversation">
      {messages.map((m, i) => (
        <li key={i} class={`msg role-${m.role}${m.output ? ' output' : ''}`} data-role={m.role}>
          <div class="msg-role">
            {ROLE_LABEL[m.role] ?? m.role}
            {m.output && <span class="muted"> · output</span>}
          </div>
          {m.parts.map((p, j) => (
            <PartView key={j} part={p} />
          ))}
        </li>
      ))}
    </ol>
  );
}
