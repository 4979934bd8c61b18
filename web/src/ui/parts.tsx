import type { ComponentChildren, TargetedEvent } from 'preact';
import { navigate } from '../router';
import { t } from '../i18n/i18n';
import { describeError } from './errors';

/** An in-app link: a real <a href> (keyboard, middle click) whose plain click stays in the page. */
export function Link(props: { href: string; class?: string; children: ComponentChildren; 'aria-current'?: 'page' | undefined }) {
  const onClick = (e: MouseEvent) => {
    if (e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
    e.preventDefault();
    navigate(props.href);
  };
  return (
    <a href={props.href} class={props.class} onClick={onClick} aria-current={props['aria-current']}>
      {props.children}
    </a>
  );
}

export function ErrorBox({ error, onClose }: { error: unknown; onClose?: () => void }) {
  if (!error) return null;
  const { title, detail } = describeError(error);
  return (
    <div class="error" role="alert">
      <strong>{title}</strong>
      {detail && <span> {detail}</span>}
      {onClose && (
        <button type="button" class="link close" onClick={onClose} aria-label={t('common.close')}>
          ×
        </button>
      )}
    </div>
  );
}

export function Loading({ when }: { when: boolean }) {
  return when ? <p class="muted" aria-live="polite">{t('common.loading')}</p> : null;
}

export function Progress({ value, label }: { value: number; label?: string }) {
  const pct = Math.max(0, Math.min(100, Math.round(value)));
  return (
    <div class="progress" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct} aria-label={label}>
      <div style={{ width: `${pct}%` }} />
    </div>
  );
}

export function Badge({ kind, children }: { kind: string; children: ComponentChildren }) {
  return <span class={`badge badge-${kind}`}>{children}</span>;
}

/** A labelled control; the hint sits outside the label so the control's accessible name is the label alone. */
export function Field(props: { label: string; hint?: string; children: ComponentChildren }) {
  return (
    <div class="field">
      <label class="field">
        <span class="field-label">{props.label}</span>
        {props.children}
      </label>
      {props.hint && <small class="muted">{props.hint}</small>}
    </div>
  );
}

export function PageHead({ title, intro, children }: { title: string; intro?: string; children?: ComponentChildren }) {
  return (
    <header class="page-head">
      <div>
        <h1>{title}</h1>
        {intro && <p class="muted">{intro}</p>}
      </div>
      {children && <div class="actions">{children}</div>}
    </header>
  );
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <p class="empty">{children}</p>;
}

export type InputEvent = TargetedEvent<HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement, Event>;
export const valueOf = (e: InputEvent) => e.currentTarget.value;

/** Copies text; the button label says it worked. */
export async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}
