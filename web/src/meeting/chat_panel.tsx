// The chat: messages with name and time (plain text, never markup), Enter sends,
// Shift+Enter starts a new line. New messages are announced through the list's live region.
import { useEffect, useRef, useState } from 'preact/hooks';
import { useI18n } from '../i18n';
import { type ChatEntry, MAX_CHAT_LENGTH } from './client';

interface Props {
  entries: ChatEntry[];
  canSend: boolean;
  onSend(text: string): boolean;
}

export function ChatPanel({ entries, canSend, onSend }: Props) {
  const { t, formatTime } = useI18n();
  const [text, setText] = useState('');
  const listRef = useRef<HTMLOListElement>(null);
  const inputRef = useRef<HTMLTextAreaElement>(null);
  const tooLong = text.trim().length > MAX_CHAT_LENGTH;

  useEffect(() => inputRef.current?.focus(), []);
  useEffect(() => {
    const list = listRef.current;
    if (list) list.scrollTop = list.scrollHeight;
  }, [entries.length]);

  const send = () => {
    if (!text.trim() || tooLong) return;
    if (onSend(text)) setText('');
  };

  return (
    <div class="chat">
      {entries.length === 0 && <p class="hint chat-empty">{t.chatEmpty}</p>}
      <ol id="chat-messages" class="chat-messages" ref={listRef} aria-live="polite"
          aria-relevant="additions" aria-label={t.chat} tabIndex={0}>
        {entries.map((m) => (
          <li key={m.key} class={`chat-message${m.own ? ' own' : ''}${m.pending ? ' pending' : ''}`}
              data-from={m.from}>
            <div class="chat-meta">
              <span class="chat-name">{m.own ? t.you : m.name}</span>{' '}
              <time dateTime={new Date(m.time).toISOString()}>{formatTime(m.time)}</time>
            </div>
            <p class="chat-text">{m.text}</p>
          </li>
        ))}
      </ol>
      <form class="chat-form" onSubmit={(e) => { e.preventDefault(); send(); }}>
        <label for="chat-input" class="visually-hidden">{t.messageLabel}</label>
        <textarea id="chat-input" ref={inputRef} rows={2} value={text}
                  placeholder={t.messagePlaceholder} aria-invalid={tooLong ? 'true' : undefined}
                  aria-describedby={tooLong ? 'chat-too-long' : undefined}
                  onInput={(e) => setText((e.currentTarget as HTMLTextAreaElement).value)}
                  onKeyDown={(e) => {
                    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
                      e.preventDefault();
                      send();
                    }
                  }} />
        <button id="chat-send" type="submit" disabled={!canSend || !text.trim() || tooLong}>
          {t.send}
        </button>
        {tooLong && <p id="chat-too-long" class="field-error">{t.messageTooLong}</p>}
      </form>
    </div>
  );
}
