import { useEffect, useRef, useState } from 'preact/hooks';
import { get } from '../api/client';
import { streamEvents } from '../api/sse';
import type { AskResult, Citation } from '../api/types';
import { t } from '../i18n/i18n';
import { navigate, queryParam } from '../router';
import type { ScreenProps } from '../routes';
import { CitationDialog, CitedText, citationPlace } from '../ui/citation-view';
import { allowed } from '../ui/layout';
import { KbPicker } from '../ui/kb-picker';
import { ErrorBox, PageHead } from '../ui/parts';
import { PromoteDialog } from './promote-dialog';

interface Turn {
  question: string;
  answer: string;
  result: AskResult | null;
  streaming: boolean;
  error?: unknown;
}

interface StoredMessage {
  role: 'user' | 'assistant';
  content: string;
  mode: AskResult['mode'] | null;
  citations: Citation[];
}

/**
 * Chat over chosen knowledge bases. Answers stream in (fetch + SSE); [n] marks open the cited
 * chunk; the conversation id sits in the URL so a reload shows the same conversation.
 */
export function AskScreen({ me }: ScreenProps) {
  const [kbs, setKbs] = useState<string[]>(() => (queryParam('kb') ? [queryParam('kb')!] : []));
  const [conversationId, setConversationId] = useState<string | null>(queryParam('c'));
  const [turns, setTurns] = useState<Turn[]>([]);
  const [question, setQuestion] = useState('');
  const [citation, setCitation] = useState<Citation | null>(null);
  const [promote, setPromote] = useState<Turn | null>(null);
  const [loadError, setLoadError] = useState<unknown>(undefined);
  const abort = useRef<AbortController | null>(null);
  const busy = turns.some((x) => x.streaming);

  useEffect(() => {
    const id = queryParam('c');
    if (!id) return;
    get<{ messages: StoredMessage[] }>(`/api/conversations/${id}`).then((c) => {
      const restored: Turn[] = [];
      for (let i = 0; i + 1 < c.messages.length; i += 2) {
        const a = c.messages[i + 1];
        restored.push({
          question: c.messages[i].content,
          answer: a.content,
          streaming: false,
          result: { answer: a.content, mode: a.mode ?? 'extractive', citations: a.citations, sources: a.citations, cited: [], language: 'zh', standaloneQuestion: '', conversationId: id },
        });
      }
      setTurns(restored);
    }, setLoadError);
    return () => abort.current?.abort();
  }, []);

  const update = (i: number, change: Partial<Turn>) => setTurns((list) => list.map((x, j) => (j === i ? { ...x, ...change } : x)));

  const ask = async (e: Event) => {
    e.preventDefault();
    const q = question.trim();
    if (!q || busy) return;
    setQuestion('');
    const index = turns.length;
    setTurns((list) => [...list, { question: q, answer: '', result: null, streaming: true }]);
    abort.current = new AbortController();
    let text = '';
    try {
      await streamEvents(
        '/api/ask',
        { question: q, stream: true, ...(kbs.length ? { knowledgeBases: kbs } : {}), ...(conversationId ? { conversationId } : {}) },
        (ev) => {
          if (ev.event === 'token') {
            text += (ev.data as { text: string }).text;
            update(index, { answer: text });
          } else if (ev.event === 'done') {
            const result = ev.data as AskResult;
            update(index, { answer: result.answer, result, streaming: false });
            setConversationId(result.conversationId);
            navigate(`/ask?c=${result.conversationId}`, true);
          } else if (ev.event === 'error') {
            update(index, { error: new Error((ev.data as { message: string }).message), streaming: false });
          }
        },
        abort.current.signal,
      );
      update(index, { streaming: false });
    } catch (err) {
      if ((err as Error).name !== 'AbortError') update(index, { error: err, streaming: false });
    }
  };

  const newConversation = () => {
    abort.current?.abort();
    setTurns([]);
    setConversationId(null);
    navigate('/ask', true);
  };

  return (
    <section>
      <PageHead title={t('ask.title')} intro={t('ask.intro')}>
        {turns.length > 0 && (
          <button type="button" class="secondary" onClick={newConversation}>
            {t('ask.new')}
          </button>
        )}
      </PageHead>
      <KbPicker value={kbs} onChange={setKbs} />
      <ErrorBox error={loadError} />
      <div class="chat" aria-live="polite">
        {turns.map((turn, i) => (
          <div key={i} class="stack">
            <div class="turn-q">{turn.question}</div>
            <div class="turn-a" data-testid="answer">
              {turn.result && turn.result.mode !== 'generative' && <p class="small muted">{t(`ask.mode.${turn.result.mode}`)}</p>}
              <div class={turn.streaming ? 'answer-text caret' : 'answer-text'}>
                <CitedText text={turn.answer} citations={turn.result?.citations ?? null} onCite={setCitation} />
                {turn.streaming && !turn.answer && <span class="muted">{t('ask.thinking')}</span>}
              </div>
              <ErrorBox error={turn.error} />
              {turn.result && turn.result.citations.length > 0 && (
                <ol class="sources">
                  {turn.result.citations.map((c) => (
                    <li key={c.index} value={c.index}>
                      <button type="button" class="link" onClick={() => setCitation(c)}>
                        {citationPlace(c)}
                      </button>
                    </li>
                  ))}
                </ol>
              )}
              {turn.result && turn.result.mode !== 'no-evidence' && allowed(me, 'editor') && (
                <div class="actions">
                  <button type="button" class="secondary small" onClick={() => setPromote(turn)}>
                    {t('ask.promote')}
                  </button>
                </div>
              )}
            </div>
          </div>
        ))}
      </div>
      <form class="composer" onSubmit={ask}>
        <textarea
          rows={2}
          aria-label={t('ask.question')}
          placeholder={turns.length ? t('ask.followUp') : t('ask.placeholder')}
          value={question}
          onInput={(e) => setQuestion(e.currentTarget.value)}
          onKeyDown={(e) => e.key === 'Enter' && !e.shiftKey && !e.isComposing && ask(e)}
        />
        <button type="submit" disabled={busy || !question.trim()}>
          {t('ask.send')}
        </button>
      </form>
      {citation && <CitationDialog citation={citation} onClose={() => setCitation(null)} />}
      {promote?.result && <PromoteDialog question={promote.question} result={promote.result} onClose={() => setPromote(null)} />}
    </section>
  );
}
