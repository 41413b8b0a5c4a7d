import { css, html, LitElement, nothing, unsafeCSS, type PropertyValues } from 'lit';
import uPlot from 'uplot';
import uPlotStyles from 'uplot/dist/uPlot.min.css?inline';
import { api } from '../shared/api.js';
import { formStyles } from '../shared/form-styles.js';
import type { WallStats } from '../shared/types.js';
import { panelStyles } from './panel-styles.js';
import { errorText, lang, s, type ConsoleKey } from './strings.js';

/** How often the numbers are read again while the panel is open: live during the event, cheap for the server. */
const REFRESH_MS = 10_000;
/** One colour per channel, the same on every chart; readable on the console's light background. */
const CHANNEL_COLOURS: Record<string, string> = { sms: '#1b6fd1', email: '#b4430f', social: '#6b3fb8', web: '#1f7a3a', api: '#6b6b6b' };
const CHANNEL_KEYS: Record<string, ConsoleKey> = {
  sms: 'stats.channel.sms',
  email: 'stats.channel.email',
  social: 'stats.channel.social',
  web: 'stats.channel.web',
  api: 'stats.channel.api',
};

const number = new Intl.NumberFormat(lang);
const percent = new Intl.NumberFormat(lang, { style: 'percent', maximumFractionDigits: 0 });

/** Seconds as a person says them: "45 s", "3 min 20 s", "1 h 05". */
export function duration(seconds: number | null): string {
  if (seconds === null) return '—';
  const whole = Math.round(seconds);
  if (whole < 60) return `${whole} s`;
  if (whole < 3600) return `${Math.floor(whole / 60)} min ${String(whole % 60).padStart(2, '0')} s`;
  return `${Math.floor(whole / 3600)} h ${String(Math.floor((whole % 3600) / 60)).padStart(2, '0')}`;
}

/**
 * A wall's numbers for its moderators (`GET /api/walls/:slug/stats`), read again every 10 s while open:
 * contributions and their fate, the approval rate, how long moderators take (median and p90), viewers
 * now, a chart of contributions per channel and of the queue over time (uPlot, bundled: no CDN), the top
 * contributors by their public label and the most used hashtags. Everything is shown as text.
 *
 * Properties:
 * - `slug` (string): the wall.
 *
 * Fires no events.
 */
export class ToileStatsPanel extends LitElement {
  static override properties = {
    slug: { type: String },
    stats: { state: true },
    loadError: { state: true },
  };

  static override styles = [
    formStyles,
    panelStyles,
    unsafeCSS(uPlotStyles),
    css`
      .figures {
        display: grid;
        grid-template-columns: repeat(auto-fill, minmax(11em, 1fr));
        gap: 0.8em;
        margin: 0 0 1.2em;
        padding: 0;
      }
      .figures div {
        border: 1px solid #d5d5d5;
        border-radius: 6px;
        padding: 0.6em 0.8em;
      }
      .figures dt {
        font-size: 0.85em;
        color: #555;
      }
      .figures dd {
        margin: 0.2em 0 0;
        font-size: 1.5em;
        font-weight: 600;
      }
      .chart {
        min-height: 280px;
        margin-bottom: 1.2em;
      }
      .lists {
        display: flex;
        flex-wrap: wrap;
        gap: 2em;
      }
      .lists ol {
        padding-left: 1.4em;
      }
    `,
  ];

  declare slug: string;
  declare stats: WallStats | null;
  declare loadError: string;
  private timer: ReturnType<typeof setInterval> | null = null;
  private plot: uPlot | null = null;
  private plotted = '';

  constructor() {
    super();
    this.slug = '';
    this.stats = null;
    this.loadError = '';
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.timer = setInterval(() => void this.load(), REFRESH_MS);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.plot?.destroy();
    this.plot = null;
    this.plotted = '';
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('slug')) {
      this.stats = null;
      void this.load();
    }
  }

  protected override updated(): void {
    this.drawChart();
  }

  override render() {
    const stats = this.stats;
    return html`
      <h2>${s('stats.heading')}</h2>
      ${this.loadError ? html`<p class="error" role="alert">${this.loadError}</p>` : nothing}
      ${stats === null
        ? this.loadError
          ? nothing
          : html`<p class="muted">${s('stats.loading')}</p>`
        : html`
            <dl class="figures">
              ${this.figure('stats.received', number.format(stats.totals.received))}
              ${this.figure('stats.approved', number.format(stats.totals.approved))}
              ${this.figure('stats.pending', number.format(stats.totals.pending))}
              ${this.figure('stats.rejected', number.format(stats.totals.rejected + stats.totals.hidden))}
              ${this.figure('stats.approvalRate', stats.approvalRate === null ? '—' : percent.format(stats.approvalRate))}
              ${this.figure('stats.latencyMedian', duration(stats.moderation.medianSeconds))}
              ${this.figure('stats.latencyP90', duration(stats.moderation.p90Seconds))}
              ${this.figure('stats.viewers', number.format(stats.viewers))}
            </dl>
            <table class="channels">
              <caption class="hint">${s('stats.byChannel')}</caption>
              <thead>
                <tr>
                  <th scope="col">${s('stats.col.channel')}</th>
                  <th scope="col">${s('stats.received')}</th>
                  <th scope="col">${s('stats.approved')}</th>
                  <th scope="col">${s('stats.pending')}</th>
                  <th scope="col">${s('stats.rejected')}</th>
                </tr>
              </thead>
              <tbody>
                ${Object.entries(stats.byChannel).map(
                  ([channel, counts]) => html`<tr data-channel=${channel}>
                    <th scope="row">${this.channelName(channel)}</th>
                    <td>${number.format(counts.received)}</td>
                    <td>${number.format(counts.approved)}</td>
                    <td>${number.format(counts.pending)}</td>
                    <td>${number.format(counts.rejected + counts.hidden)}</td>
                  </tr>`,
                )}
              </tbody>
            </table>
            <h3>${s('stats.chart', { minutes: Math.round(stats.series.bucketSeconds / 60) })}</h3>
            <div class="chart" role="img" aria-label=${s('stats.chartLabel')}></div>
            <div class="lists">
              <section>
                <h3>${s('stats.topContributors')}</h3>
                ${stats.topContributors.length === 0
                  ? html`<p class="muted">${s('stats.none')}</p>`
                  : html`<ol class="contributors">
                      ${stats.topContributors.map((entry) => html`<li>${entry.label} — ${number.format(entry.count)}</li>`)}
                    </ol>`}
              </section>
              <section>
                <h3>${s('stats.hashtags')}</h3>
                ${stats.hashtags.length === 0
                  ? html`<p class="muted">${s('stats.none')}</p>`
                  : html`<ol class="hashtags">
                      ${stats.hashtags.map((entry) => html`<li>#${entry.tag} — ${number.format(entry.count)}</li>`)}
                    </ol>`}
              </section>
            </div>
          `}
    `;
  }

  private figure(key: ConsoleKey, value: string) {
    return html`<div data-figure=${key}><dt>${s(key)}</dt><dd>${value}</dd></div>`;
  }

  private channelName(channel: string): string {
    const key = CHANNEL_KEYS[channel];
    return key ? s(key) : channel;
  }

  /** Contributions per bucket, one line per channel, and the queue's length, on the bucket's end. */
  private drawChart(): void {
    const stats = this.stats;
    const target = this.renderRoot.querySelector<HTMLElement>('.chart');
    if (!stats || !target || stats.series.start === null) return;
    const { series } = stats;
    const start = Date.parse(series.start!) / 1000;
    const times = series.queue.map((_, index) => start + (index + 1) * series.bucketSeconds);
    const data: uPlot.AlignedData = [times, ...series.channels.map((channel) => series.received[channel] ?? []), series.queue];
    // The same channels and size: only the data changes, and uPlot redraws in place.
    const shape = `${series.channels.join(',')}|${target.clientWidth}`;
    if (this.plot && this.plotted === shape) {
      this.plot.setData(data);
      return;
    }
    this.plot?.destroy();
    this.plot = new uPlot(
      {
        width: Math.max(320, target.clientWidth),
        height: 260,
        series: [
          {},
          ...series.channels.map((channel) => ({ label: this.channelName(channel), stroke: CHANNEL_COLOURS[channel] ?? '#333', width: 2 })),
          { label: s('stats.queue'), stroke: '#000', dash: [6, 4], width: 1.5 },
        ],
        axes: [{}, { label: s('stats.axis') }],
      },
      data,
      target,
    );
    this.plotted = shape;
  }

  private async load(): Promise<void> {
    const slug = this.slug;
    if (slug === '') return;
    try {
      const stats = await api<WallStats>('GET', `/api/walls/${encodeURIComponent(slug)}/stats`);
      if (slug !== this.slug) return;
      this.stats = stats;
      this.loadError = '';
    } catch (error) {
      if (slug === this.slug) this.loadError = s('stats.loadError', { reason: errorText(error) });
    }
  }
}

customElements.define('toile-stats-panel', ToileStatsPanel);

declare global {
  interface HTMLElementTagNameMap {
    'toile-stats-panel': ToileStatsPanel;
  }
}
