import { formatNumber, t } from '../i18n/i18n';

export interface LossPoint {
  step: number;
  loss: number;
  valLoss: number | null;
}

const W = 900;
const H = 260;
const PAD = { left: 48, right: 12, top: 12, bottom: 28 };

/**
 * Training and validation loss against the step, drawn as SVG by hand: two polylines, four y ticks,
 * and a fixed x range (the run's total steps) so the chart does not rescale as points arrive.
 */
export function LossChart({ points, totalSteps }: { points: LossPoint[]; totalSteps: number }) {
  const values = points.flatMap((p) => (p.valLoss === null ? [p.loss] : [p.loss, p.valLoss])).filter(Number.isFinite);
  const lo = values.length ? Math.min(...values) : 0;
  const hi = values.length ? Math.max(...values) : 1;
  const span = hi - lo || Math.abs(hi) || 1;
  const yMin = lo - span * 0.05;
  const yMax = hi + span * 0.05;
  const x = (step: number) => PAD.left + ((step - 1) / Math.max(1, totalSteps - 1)) * (W - PAD.left - PAD.right);
  const y = (v: number) => PAD.top + (1 - (v - yMin) / (yMax - yMin)) * (H - PAD.top - PAD.bottom);
  const line = (pts: Array<[number, number]>) => pts.map(([s, v]) => `${x(s).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
  const train = points.filter((p) => Number.isFinite(p.loss)).map((p): [number, number] => [p.step, p.loss]);
  const val = points.filter((p) => p.valLoss !== null && Number.isFinite(p.valLoss)).map((p): [number, number] => [p.step, p.valLoss as number]);
  const ticks = [0, 1, 2, 3].map((i) => yMin + ((yMax - yMin) * i) / 3);
  return (
    <svg class="chart" viewBox={`0 0 ${W} ${H}`} role="img" aria-label={t('ft.chart')} data-testid="loss-chart">
      {ticks.map((v) => (
        <g key={v}>
          <line x1={PAD.left} x2={W - PAD.right} y1={y(v)} y2={y(v)} stroke="#e6e9ef" />
          <text x={PAD.left - 6} y={y(v) + 4} text-anchor="end">
            {formatNumber(v, 2)}
          </text>
        </g>
      ))}
      <text x={PAD.left} y={H - 8}>
        1
      </text>
      <text x={W - PAD.right} y={H - 8} text-anchor="end">
        {t('ft.stepOf', { n: totalSteps })}
      </text>
      <polyline points={line(train)} fill="none" stroke="#1d5fd6" stroke-width="2" data-testid="train-line" />
      <polyline points={line(val)} fill="none" stroke="#d9822b" stroke-width="2" stroke-dasharray="5 3" />
      {val.map(([s, v]) => (
        <circle key={s} cx={x(s)} cy={y(v)} r="3" fill="#d9822b" />
      ))}
      <g transform={`translate(${W - PAD.right - 200}, ${PAD.top + 4})`}>
        <line x1="0" x2="18" y1="6" y2="6" stroke="#1d5fd6" stroke-width="2" />
        <text x="22" y="10">
          {t('ft.trainLoss')}
        </text>
        <line x1="90" x2="108" y1="6" y2="6" stroke="#d9822b" stroke-width="2" stroke-dasharray="5 3" />
        <text x="112" y="10">
          {t('ft.valLoss')}
        </text>
      </g>
    </svg>
  );
}
