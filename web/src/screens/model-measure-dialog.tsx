import { useState } from 'preact/hooks';
import { post } from '../api/client';
import type { ModelView } from '../api/types';
import { t } from '../i18n/i18n';
import { Dialog } from '../ui/dialog';
import { useAction } from '../ui/hooks';
import { ErrorBox, Field } from '../ui/parts';

/** Re-measures a version's speed and, given a text, its perplexity on it (POST /api/models/:id/measure). */
export function MeasureDialog({ model, onDone, onClose }: { model: ModelView; onDone: (m: ModelView) => void; onClose: () => void }) {
  const [text, setText] = useState('');
  const measure = useAction(async () => {
    onDone(await post<ModelView>(`/api/models/${model.id}/measure`, text.trim() ? { text } : {}));
  });
  return (
    <Dialog title={t('models.measureTitle', { ref: model.ref })} onClose={onClose}>
      <form
        data-testid="measure"
        onSubmit={(e) => {
          e.preventDefault();
          void measure.run();
        }}
      >
        <p class="small muted">{t('models.measureIntro')}</p>
        <Field label={t('models.pplText')} hint={t('models.pplTextHint')}>
          <textarea rows={8} maxLength={200_000} value={text} onInput={(e) => setText(e.currentTarget.value)} />
        </Field>
        <ErrorBox error={measure.error} />
        <div class="actions">
          <button type="submit" disabled={measure.pending}>
            {measure.pending ? t('models.measuring') : t('models.measureButton')}
          </button>
          <button type="button" class="secondary" onClick={onClose}>
            {t('common.cancel')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
