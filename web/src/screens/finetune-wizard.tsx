import { useState } from 'preact/hooks';
import { get, post } from '../api/client';
import type { DatasetDetail, DatasetSummary, FinetuneRun, ModelView } from '../api/types';
import { t, type MessageKey } from '../i18n/i18n';
import { navigate } from '../router';
import type { ScreenProps } from '../routes';
import { useAction, useLoad } from '../ui/hooks';
import { Empty, ErrorBox, Field, Link, PageHead } from '../ui/parts';
import { changedParams, LORA_PARAMS } from './finetune-params';

const STEPS = ['ft.step.base', 'ft.step.method', 'ft.step.dataset', 'ft.step.quantize', 'ft.step.review'] as const;

/** Base model ► method and parameters ► dataset version ► bits ► review, then one pipeline job. */
export function FinetuneWizardScreen(_: ScreenProps) {
  const [step, setStep] = useState(0);
  const models = useLoad(() => get<ModelView[]>('/api/models'), []);
  const datasets = useLoad(() => get<DatasetSummary[]>('/api/datasets'), []);
  const [base, setBase] = useState('');
  const [params, setParams] = useState<Record<string, string>>({});
  const [dataset, setDataset] = useState('');
  const detail = useLoad(() => (dataset ? get<DatasetDetail>(`/api/datasets/${encodeURIComponent(dataset)}`) : Promise.resolve(undefined)), [dataset]);
  const [version, setVersion] = useState<number | null>(null);
  const [bits, setBits] = useState('4');
  const [group, setGroup] = useState('32');
  const [modelName, setModelName] = useState('');
  const [deploy, setDeploy] = useState(true);
  const chosenVersion = version ?? detail.data?.latestVersion ?? null;
  const versionRow = detail.data?.versions.find((v) => v.version === chosenVersion);
  const trainable = (models.data ?? []).filter((m) => m.provider === 'onnx' && m.status === 'ready');
  const start = useAction(async () => {
    const run = await post<FinetuneRun>('/api/finetune/pipelines', {
      baseModel: base,
      dataset,
      ...(chosenVersion ? { datasetVersion: chosenVersion } : {}),
      method: 'lora',
      params: changedParams(params),
      quantize: { bits: Number(bits), group: Number(group) },
      deploy,
      ...(modelName ? { modelName } : {}),
    });
    navigate(`/finetune/runs/${run.id}`);
  });
  const ready = [!!base, true, !!dataset && !!chosenVersion, true, true];
  const next = () => setStep(Math.min(STEPS.length - 1, step + 1));

  return (
    <section>
      <p class="small">
        <Link href="/finetune">← {t('ft.title')}</Link>
      </p>
      <PageHead title={t('ft.new')} intro={t('ft.wizardIntro')} />
      <ol class="steps">
        {STEPS.map((s, i) => (
          <li key={s} aria-current={i === step ? 'step' : undefined} class={i < step ? 'done' : ''}>
            {t(s)}
          </li>
        ))}
      </ol>
      <ErrorBox error={models.error ?? datasets.error ?? detail.error} />
      <div class="card">
        {step === 0 && (
          <fieldset style={{ border: 'none', padding: 0, margin: 0 }}>
            <legend class="field-label">{t('ft.chooseBase')}</legend>
            {models.data && !trainable.length && (
              <Empty>
                {t('ft.noModel')} <Link href="/models">{t('nav.models')}</Link>
              </Empty>
            )}
            {trainable.map((m) => (
              <label key={m.id} class="choice">
                <input type="radio" name="base" checked={base === m.ref} onChange={() => setBase(m.ref)} />
                <strong>{m.ref}</strong> <span class="muted small">{[m.architecture, m.bits ? `INT${m.bits}` : null, m.isDefault ? t('models.default') : null].filter(Boolean).join(' · ')}</span>
                <div class="small muted">{t('ft.baseHint')}</div>
              </label>
            ))}
          </fieldset>
        )}
        {step === 1 && (
          <>
            <fieldset style={{ border: 'none', padding: 0, margin: 0 }}>
              <legend class="field-label">{t('ft.method')}</legend>
              <label class="choice">
                <input type="radio" name="method" checked readOnly />
                <strong>LoRA</strong>
                <div class="small muted">{t('ft.loraHint')}</div>
              </label>
              <p class="small muted">{t('ft.fullHint')}</p>
            </fieldset>
            <ParamFields advanced={false} values={params} onChange={setParams} />
            <details>
              <summary>{t('ft.advanced')}</summary>
              <ParamFields advanced values={params} onChange={setParams} />
            </details>
          </>
        )}
        {step === 2 && (
          <>
            <Field label={t('promote.dataset')}>
              <select value={dataset} onChange={(e) => (setDataset(e.currentTarget.value), setVersion(null))}>
                <option value="">{t('ft.chooseDataset')}</option>
                {datasets.data?.map((d) => (
                  <option key={d.id} value={d.name}>
                    {d.name}
                  </option>
                ))}
              </select>
            </Field>
            {detail.data && (
              <Field label={t('prompts.version')}>
                <select value={String(chosenVersion ?? '')} onChange={(e) => setVersion(Number(e.currentTarget.value))}>
                  {[...detail.data.versions].reverse().map((v) => (
                    <option key={v.version} value={v.version}>
                      v{v.version} · {t('ft.versionCounts', { n: v.recordCount, train: v.trainCount, val: v.validationCount })}
                    </option>
                  ))}
                </select>
              </Field>
            )}
            {versionRow && versionRow.validationCount === 0 && <p class="error">{t('ft.noValidation')}</p>}
          </>
        )}
        {step === 3 && (
          <div class="row">
            <Field label={t('models.bits')} hint={t(`models.bitsHint.${bits}` as 'models.bitsHint.4')}>
              <select value={bits} onChange={(e) => setBits(e.currentTarget.value)}>
                {['4', '8', '3', '2', '16', '32'].map((b) => (
                  <option key={b} value={b}>
                    {Number(b) >= 16 ? `FP${b}` : `INT${b}`}
                  </option>
                ))}
              </select>
            </Field>
            <Field label={t('models.group')} hint={t('models.groupHint')}>
              <select value={group} onChange={(e) => setGroup(e.currentTarget.value)}>
                {['32', '64', '128'].map((g) => (
                  <option key={g}>{g}</option>
                ))}
              </select>
            </Field>
            <Field label={t('ft.modelName')} hint={t('ft.modelNameHint')}>
              <input value={modelName} onInput={(e) => setModelName(e.currentTarget.value)} pattern="[A-Za-z0-9][A-Za-z0-9._-]*" />
            </Field>
            <label class="field" style={{ flexDirection: 'row', gap: '.5rem', alignItems: 'center' }}>
              <input type="checkbox" checked={deploy} onChange={() => setDeploy(!deploy)} />
              {t('ft.deploy')}
            </label>
          </div>
        )}
        {step === 4 && (
          <dl class="kv" data-testid="review">
            <dt>{t('ft.step.base')}</dt>
            <dd>{base}</dd>
            <dt>{t('ft.method')}</dt>
            <dd>
              LoRA ·{' '}
              {LORA_PARAMS.filter((p) => !p.advanced || params[p.name])
                .map((p) => `${p.name} ${params[p.name] || p.value}`)
                .join(', ')}
            </dd>
            <dt>{t('promote.dataset')}</dt>
            <dd>
              {dataset} v{chosenVersion} {versionRow && `(${t('ft.versionCounts', { n: versionRow.recordCount, train: versionRow.trainCount, val: versionRow.validationCount })})`}
            </dd>
            <dt>{t('models.bits')}</dt>
            <dd>
              {Number(bits) >= 16 ? `FP${bits}` : `INT${bits}`} / g{group}
            </dd>
            <dt>{t('ft.result')}</dt>
            <dd>
              {modelName || base.split('@')[0]} · {deploy ? t('ft.willDeploy') : t('ft.wontDeploy')}
            </dd>
          </dl>
        )}
      </div>
      <ErrorBox error={start.error} />
      <div class="actions">
        <button type="button" class="secondary" disabled={step === 0} onClick={() => setStep(step - 1)}>
          {t('common.back')}
        </button>
        {step < STEPS.length - 1 ? (
          <button type="button" disabled={!ready[step]} onClick={next}>
            {t('common.next')}
          </button>
        ) : (
          <button type="button" disabled={start.pending} onClick={() => void start.run()}>
            {t('ft.start')}
          </button>
        )}
      </div>
    </section>
  );
}

function ParamFields({ advanced, values, onChange }: { advanced: boolean; values: Record<string, string>; onChange: (v: Record<string, string>) => void }) {
  return (
    <div class="row">
      {LORA_PARAMS.filter((p) => p.advanced === advanced).map((p) => (
        <Field key={p.name} label={`${t(`ft.param.${p.name}` as MessageKey)} (${p.name})`} hint={t(p.help)}>
          <input
            type="number"
            step="any"
            min={p.min}
            max={p.max}
            placeholder={p.value === undefined ? t('ft.auto') : String(p.value)}
            value={values[p.name] ?? (p.value === undefined ? '' : String(p.value))}
            onInput={(e) => onChange({ ...values, [p.name]: e.currentTarget.value })}
          />
        </Field>
      ))}
    </div>
  );
}
