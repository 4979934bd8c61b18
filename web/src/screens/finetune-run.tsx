import { useEffect, useState } from 'preact/hooks';
import { get, post } from '../api/client';
import { streamEvents } from '../api/sse';
import type { EvaluationReport, FinetuneRun, ModelView, RunStage, RunStep } from '../api/types';
import { formatNumber, t } from '../i18n/i18n';
import type { ScreenProps } from '../routes';
import { useAction, useLoad, usePoll } from '../ui/hooks';
import { LossChart } from '../ui/loss-chart';
import { Badge, ErrorBox, Link, PageHead, Progress } from '../ui/parts';

const ACTIVE = new Set(['queued', 'running']);

function duration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '—';
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds % 60);
  return m ? t('ft.minutes', { m, s }) : t('ft.seconds', { s });
}

function mergeSteps(list: RunStep[], more: RunStep[]): RunStep[] {
  const byStep = new Map(list.map((s) => [s.step, s]));
  for (const s of more) byStep.set(s.step, s);
  return [...byStep.values()].sort((a, b) => a.step - b.step);
}

function Stages({ stages }: { stages: RunStage[] }) {
  return (
    <ol class="steps" data-testid="stages">
      {stages.map((s) => (
        <li key={s.name} class={s.status === 'completed' ? 'done' : ''} aria-current={s.status === 'running' ? 'step' : undefined} title={s.error ?? undefined}>
          {t(`ft.stage.${s.name}`)} · {t(`ft.stageStatus.${s.status}`)}
        </li>
      ))}
    </ol>
  );
}

const pct = (v: number | undefined) => (v === undefined ? '—' : `${formatNumber(v * 100, 1)}%`);
const num = (v: number | null | undefined) => (v === null || v === undefined ? '—' : formatNumber(v, 3));

function Evaluation({ report }: { report: EvaluationReport }) {
  const rows: Array<[string, string, string]> = [
    [t('ft.eval.loss'), num(report.before.loss), num(report.after.loss)],
    [t('ft.eval.perplexity'), num(report.before.perplexity), num(report.after.perplexity)],
    [t('ft.eval.exactMatch'), pct(report.before.exactMatch), pct(report.after.exactMatch)],
    [t('ft.eval.charF1'), pct(report.before.charF1), pct(report.after.charF1)],
    [t('ft.eval.contains'), pct(report.before.contains), pct(report.after.contains)],
  ];
  return (
    <div class="card" data-testid="evaluation">
      <h2 style={{ marginTop: 0 }}>{t('ft.evaluation')}</h2>
      <p class="small muted">{t('ft.evalIntro', { n: report.samples, total: report.validationRecords })}</p>
      <table>
        <thead>
          <tr>
            <th />
            <th class="num">{t('ft.before')}</th>
            <th class="num">{t('ft.after')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map(([label, b, a]) => (
            <tr key={label}>
              <td>{label}</td>
              <td class="num">{b}</td>
              <td class="num">{a}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {report.answers.length > 0 && (
        <details>
          <summary>{t('ft.sampleAnswers', { n: report.answers.length })}</summary>
          {report.answers.slice(0, 10).map((a) => (
            <div key={a.recordId} class="hit small">
              <strong>{a.question}</strong>
              <div>
                {t('ft.gold')}: {a.gold}
              </div>
              <div class="muted">
                {t('ft.before')}: {a.before.answer}
              </div>
              <div>
                {t('ft.after')}: {a.after.answer}
              </div>
            </div>
          ))}
        </details>
      )}
    </div>
  );
}

/**
 * A run's live view. The event stream replays the steps so far, so a reload (or a second tab) picks
 * up where the run is; if the stream drops, the page polls the run until it ends.
 */
export function FinetuneRunScreen({ params }: ScreenProps) {
  const id = params.id;
  const run = useLoad(() => get<FinetuneRun>(`/api/finetune/runs/${id}`), [id]);
  const [steps, setSteps] = useState<RunStep[]>([]);
  const [streaming, setStreaming] = useState(false);
  useEffect(() => {
    if (run.data?.history) setSteps((s) => mergeSteps(s, run.data!.history!));
  }, [run.data]);
  const active = !!run.data && ACTIVE.has(run.data.status);
  useEffect(() => {
    if (!active || streaming) return;
    const abort = new AbortController();
    setStreaming(true);
    streamEvents(
      `/api/finetune/runs/${id}/events`,
      undefined,
      (ev) => {
        if (ev.event === 'step') setSteps((s) => mergeSteps(s, [ev.data as RunStep]));
        else if (ev.event === 'status' || ev.event === 'end') void run.reload();
      },
      abort.signal,
      'GET',
    )
      .catch(() => undefined)
      .finally(() => setStreaming(false));
    return () => abort.abort();
  }, [active, id]);
  usePoll(() => void run.reload(), 3000, active && !streaming);
  const model = useLoad(() => (run.data?.modelId ? get<ModelView>(`/api/models/${run.data.modelId}`) : Promise.resolve(undefined)), [run.data?.modelId, run.data?.status]);
  const act = useAction(async (what: 'cancel' | 'deploy') => {
    if (what === 'cancel') {
      if (!confirm(t('ft.confirmCancel'))) return;
      await post(`/api/finetune/runs/${id}/cancel`);
      await run.reload();
    } else if (run.data?.modelId) {
      await post(`/api/models/${run.data.modelId}/default`);
      await model.reload();
    }
  });
  const r = run.data;
  const last = steps[steps.length - 1] ?? r?.progress ?? null;
  const total = r?.progress?.totalSteps ?? r?.params.steps ?? 1;
  return (
    <section>
      <p class="small">
        <Link href="/finetune">← {t('ft.title')}</Link>
      </p>
      <PageHead title={r ? t('ft.runTitle', { base: r.baseModel, dataset: `${r.dataset.name} v${r.dataset.version}` }) : '…'}>
        {r && (
          <span data-testid="run-status">
            <Badge kind={r.status}>{t(`job.${r.status}`)}</Badge>
          </span>
        )}
        {active && (
          <button type="button" class="danger" onClick={() => void act.run('cancel')}>
            {t('common.cancel')}
          </button>
        )}
      </PageHead>
      <ErrorBox error={run.error ?? act.error} />
      {r?.error && <p class="error">{r.error}</p>}
      {r && <Stages stages={r.stages} />}
      {r && (
        <div class="card">
          <div class="row" style={{ alignItems: 'center' }}>
            <div style={{ flex: 1 }}>
              <Progress value={last ? (last.step / total) * 100 : 0} label={t('ft.progress')} />
            </div>
            <span class="small">{t('ft.stepOf', { n: `${last?.step ?? 0} / ${total}` })}</span>
          </div>
          <dl class="kv" style={{ marginTop: '.75rem' }}>
            <dt>{t('ft.trainLoss')}</dt>
            <dd data-testid="last-loss">{last ? formatNumber(last.loss, 4) : '—'}</dd>
            <dt>{t('ft.valLoss')}</dt>
            <dd>{r.progress?.bestValLoss != null ? t('ft.best', { v: formatNumber(r.progress.bestValLoss, 4) }) : '—'}</dd>
            <dt>{t('ft.speed')}</dt>
            <dd>{last ? t('ft.tokensPerSecond', { n: formatNumber(last.tokensPerSecond, 0) }) : '—'}</dd>
            <dt>{t('ft.eta')}</dt>
            <dd>{active && last ? duration(last.etaSeconds) : '—'}</dd>
            {r.progress?.resumedFromStep != null && (
              <>
                <dt>{t('ft.resumed')}</dt>
                <dd>{r.progress.resumedFromStep}</dd>
              </>
            )}
            {r.progress?.stoppedEarly && (
              <>
                <dt>{t('ft.stoppedEarly')}</dt>
                <dd>{t('common.yes')}</dd>
              </>
            )}
          </dl>
          <LossChart points={steps} totalSteps={total} />
        </div>
      )}
      {r?.evaluation && <Evaluation report={r.evaluation} />}
      {r?.status === 'completed' && model.data && (
        <div class="card" data-testid="deployment">
          <h2 style={{ marginTop: 0 }}>{t('ft.newModel')}</h2>
          <p>
            <strong>{model.data.ref}</strong> {model.data.bits ? `INT${model.data.bits}` : ''}{' '}
            {model.data.isDefault ? <Badge kind="default">{t('ft.online')}</Badge> : null}
          </p>
          {!model.data.isDefault && (
            <button type="button" onClick={() => void act.run('deploy')}>
              {t('ft.deployNow')}
            </button>
          )}
          <p class="small">
            <Link href="/models">{t('nav.models')}</Link>
          </p>
        </div>
      )}
    </section>
  );
}
