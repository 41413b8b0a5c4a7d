import { css, html, LitElement, nothing, unsafeCSS, type PropertyValues } from 'lit';
import uPlot from 'uplot';
import uPlotStyles from 'uplot/dist/uPlot.min.css?inline';
import type { Language } from '../shared/i18n.js';
import type { PublicWall, PublicWallStats } from '../shared/types.js';
import { readableOn } from './card-look.js';
import { cssVars } from './css-vars.js';
import { t } from './strings-wall.js';
import { resolvePalette, themeName } from './theme.js';

type LegendKey = 'legendSms' | 'legendEmail' | 'legendSocial' | 'legendWeb' | 'legendApi';
const LEGEND_KEYS: Record<string, LegendKey> = {
  sms: 'legendSms',
  email: 'legendEmail',
  social: 'legendSocial',
  web: 'legendWeb',
  api: 'legendApi',
};

/**
 * One colour per channel, the same on the figures and the chart's lines: a light set for a dark surface and
 * a dark set for a light one, each at least 4.5:1 against the default theme's surface of its kind, so that
 * the lines read from the back of a room on a washed-out projector.
 */
const ON_DARK: Record<string, string> = { sms: '#6cb4ff', email: '#ff9a5c', social: '#cfa8ff', web: '#6fdc8c', api: '#d6dae3' };
const ON_LIGHT: Record<string, string> = { sms: '#1b5fb5', email: '#a63c0a', social: '#5e34a8', web: '#1a6b33', api: '#4b5466' };
/** The chart spans at least this many buckets, so that the first minutes of an event are not a lone dot stretched over years. */
const MIN_BUCKETS = 10;
/** The y axis counts contributions: whole numbers only, whatever the range. */
const COUNT_STEPS = [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10_000, 20_000, 50_000, 100_000];

/**
 * The wall's stats slide: the contributions received, those on the wall and the viewers now in large type,
 * what each channel put on the wall, and a chart of the contributions received per channel over time
 * (uPlot, bundled with the wall: no CDN). The shell (`toile-wall`) fetches the numbers
 * (`GET /api/walls/:slug/stats/public`) when it opens the slide, renders this element over its layout for
 * the slide's seconds, then removes it; the chart is freed when the element leaves the page, so that a
 * projector showing a slide every few minutes for twelve hours does not pile up canvases.
 *
 * Properties:
 * - `stats` (PublicWallStats | null): the numbers to show; nothing is drawn without them.
 * - `wall` (PublicWall | null): the wall, for its theme's colours.
 * - `lang` (Language): the language of the slide's words and numbers.
 *
 * It covers the whole screen (`position: fixed`) in the theme's colours. Fires no events.
 */
export class ToileStatsSlide extends LitElement {
  static override properties = {
    stats: { attribute: false },
    wall: { attribute: false },
    lang: { type: String },
  };

  static override styles = [
    unsafeCSS(uPlotStyles),
    css`
      :host {
        position: fixed;
        inset: 0;
        z-index: 1;
        display: grid;
        grid-template-rows: auto auto auto minmax(0, 1fr);
        gap: 2.4vmin;
        box-sizing: border-box;
        padding: 4vmin 5vmin;
        background-color: var(--toile-bg, #0b0e14);
        background-image: var(--toile-bg-image, none);
        background-position: center;
        background-size: cover;
        color: var(--toile-text, #f4f6fb);
        font-size: clamp(15px, 1vw + 0.6vh, 44px);
        animation: slide-in 500ms ease-out both;
      }
      h2 {
        margin: 0;
        font-size: 2.4em;
        font-weight: 800;
        letter-spacing: -0.015em;
      }
      .figures {
        display: flex;
        flex-wrap: wrap;
        gap: 1em 3em;
        margin: 0;
      }
      .figures div {
        display: flex;
        flex-direction: column-reverse;
      }
      .figures dd {
        margin: 0;
        color: var(--toile-accent, #ffb020);
        font-size: 4.6em;
        font-weight: 800;
        line-height: 1;
        font-variant-numeric: tabular-nums;
      }
      .figures dt {
        font-size: 1.4em;
        color: var(--toile-muted, #aab2c5);
      }
      .channels {
        display: flex;
        flex-wrap: wrap;
        gap: 0.6em 2.2em;
        margin: 0;
        padding: 0;
        list-style: none;
        font-size: 1.5em;
      }
      .channels li {
        display: flex;
        align-items: center;
        gap: 0.5em;
      }
      .channels .caption {
        color: var(--toile-muted, #aab2c5);
      }
      .channels strong {
        font-variant-numeric: tabular-nums;
      }
      .swatch {
        width: 1.4em;
        height: 0.4em;
        border-radius: 0.2em;
        background: var(--swatch);
      }
      figure {
        display: grid;
        grid-template-rows: auto minmax(0, 1fr);
        gap: 0.6em;
        min-height: 0;
        margin: 0;
        padding: 1em 1.2em 0.6em;
        border-radius: var(--toile-radius, 0.75rem);
        background: color-mix(in srgb, var(--toile-surface, #161b26) 92%, transparent);
      }
      figcaption {
        font-size: 1.3em;
        color: var(--toile-muted, #aab2c5);
      }
      .chart {
        min-height: 0;
        overflow: hidden;
      }
      @keyframes slide-in {
        from {
          opacity: 0;
        }
      }
      @media (prefers-reduced-motion: reduce) {
        :host {
          animation: none;
        }
      }
    `,
  ];

  declare stats: PublicWallStats | null;
  declare wall: PublicWall | null;
  declare lang: Language;
  private plot: uPlot | null = null;

  constructor() {
    super();
    this.stats = null;
    this.wall = null;
    this.lang = 'en';
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.plot?.destroy();
    this.plot = null;
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('stats') || changed.has('wall') || changed.has('lang')) this.drawChart();
  }

  override render() {
    const stats = this.stats;
    if (stats === null) return nothing;
    const lang = this.lang;
    const number = new Intl.NumberFormat(lang);
    const colours = this.colours();
    const minutes = Math.round(stats.series.bucketSeconds / 60);
    return html`
      <h2>${t(lang, 'slideHeading')}</h2>
      <dl class="figures">
        <div data-figure="received"><dt>${t(lang, 'slideReceived')}</dt><dd>${number.format(stats.received)}</dd></div>
        <div data-figure="shown"><dt>${t(lang, 'slideShown')}</dt><dd>${number.format(stats.shown)}</dd></div>
        <div data-figure="viewers"><dt>${t(lang, 'slideViewers')}</dt><dd>${number.format(stats.viewers)}</dd></div>
      </dl>
      <ul class="channels" aria-label=${t(lang, 'slideByChannel')}>
        <li class="caption" aria-hidden="true">${t(lang, 'slideByChannel')}</li>
        ${Object.entries(stats.byChannel).map(
          ([channel, counts]) => html`<li data-channel=${channel}>
            <span class="swatch" ${cssVars({ '--swatch': colours[channel] ?? colours.api! })}></span>
            ${this.channelName(channel)} <strong>${number.format(counts.shown)}</strong>
          </li>`,
        )}
      </ul>
      <figure>
        <figcaption>${t(lang, 'slideChart', { minutes: Math.max(1, minutes) })}</figcaption>
        <div class="chart" role="img" aria-label=${t(lang, 'slideChartLabel')}></div>
      </figure>
    `;
  }

  private channelName(channel: string): string {
    const key = LEGEND_KEYS[channel];
    return key ? t(this.lang, key) : channel;
  }

  /** The channel colours that read on the theme's surface, where the chart is drawn. */
  private colours(): Record<string, string> {
    const palette = resolvePalette(themeName(this.wall?.theme), this.wall?.appearance);
    return readableOn(palette.surface) === '#ffffff' ? ON_DARK : ON_LIGHT;
  }

  /**
   * Contributions received per bucket, one thick line per channel, on the bucket's end. Drawn anew (the old
   * chart destroyed) whenever the numbers change, at the size the slide gives it; axes and grid in the
   * theme's colours and at the wall's type size.
   */
  private drawChart(): void {
    this.plot?.destroy();
    this.plot = null;
    const stats = this.stats;
    const target = this.renderRoot.querySelector<HTMLElement>('.chart');
    if (stats === null || target === null || stats.series.start === null) return;
    const { series } = stats;
    const start = Date.parse(series.start!) / 1000;
    const points = Math.max(0, ...series.channels.map((channel) => series.received[channel]?.length ?? 0));
    const times = Array.from({ length: points }, (_, index) => start + (index + 1) * series.bucketSeconds);
    const data: uPlot.AlignedData = [times, ...series.channels.map((channel) => series.received[channel] ?? [])];
    const palette = resolvePalette(themeName(this.wall?.theme), this.wall?.appearance);
    const colours = this.colours();
    const style = getComputedStyle(target);
    const px = Number.parseFloat(style.fontSize) || 20;
    const font = `600 ${Math.round(px * 1.1)}px ${style.fontFamily || 'system-ui, sans-serif'}`;
    const axis = { stroke: palette.text, font, grid: { stroke: palette.border, width: 1 }, ticks: { stroke: palette.border, width: 1 } };
    const bucket = series.bucketSeconds;
    const last = times.at(-1) ?? start + bucket;
    // Times in the wall's language, with the day when the event spans more than one.
    const clock = new Intl.DateTimeFormat(this.lang, {
      ...(last - start > 86_400 ? { weekday: 'short' } : {}),
      hour: 'numeric',
      minute: '2-digit',
    } as Intl.DateTimeFormatOptions);
    this.plot = new uPlot(
      {
        width: Math.max(320, target.clientWidth),
        height: Math.max(160, target.clientHeight),
        // Nobody points at a projector: no cursor, and the figures above are the legend.
        cursor: { show: false },
        legend: { show: false },
        scales: {
          x: { time: true, range: () => [start, Math.max(last, start + MIN_BUCKETS * bucket)] },
          y: { range: (_plot, _min, max) => [0, Math.max(4, max)] },
        },
        series: [
          {},
          ...series.channels.map((channel) => ({
            label: this.channelName(channel),
            stroke: colours[channel] ?? colours.api!,
            width: Math.max(3, px / 6),
            points: { show: points <= 2, size: px / 2 },
          })),
        ],
        axes: [
          // Spaced for labels in the wall's large type (uPlot's default spacing suits 12 px).
          { ...axis, size: px * 2.4, space: px * 8, values: (_plot, splits) => splits.map((seconds) => clock.format(seconds * 1000)) },
          { ...axis, size: px * 4, space: px * 2.5, incrs: COUNT_STEPS },
        ],
      },
      data,
      target,
    );
  }
}

customElements.define('toile-stats-slide', ToileStatsSlide);

declare global {
  interface HTMLElementTagNameMap {
    'toile-stats-slide': ToileStatsSlide;
  }
}
